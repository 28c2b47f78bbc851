"""## What it does
Checks for a broadcast call (a callee named in `broadcast-methods`) inside an `async def`
whose result is thrown away: the call is a bare expression statement, neither awaited,
returned, nor handed to anything that schedules it.

## Why is this bad?
Calling a coroutine function only creates a coroutine object; nothing runs until it is awaited
or scheduled. `self.manager.broadcast({...})` without `await` sends nothing to anyone, and the
only trace is a "coroutine ... was never awaited" `RuntimeWarning` in a log nobody reads: the
endpoint connects, and never updates.

## Example
```python
async def on_order_filled(self, order):
    self.manager.broadcast({"type": "order_update", "data": order})
```

## Use instead
```python
async def on_order_filled(self, order):
    await self.manager.broadcast({"type": "order_update", "data": order})
```

## Options
- `broadcast-methods`

## Fix
Safe: `await` is added before the call.

## Known problems
A broadcast method is taken to be a coroutine function unless shown otherwise. The call is
reported when its callee resolves to an `async def` of the project, when astroid infers an
`async def`, or when the callee is a method whose receiver cannot be resolved (`self.hub`
of unknown type, `get_channel_layer().group_send`) and the project defines no plain `def` of
that name (if it does, the receiver may be that one, and nothing is reported). It is not
reported when the callee resolves or is inferred to a plain `def`, a class or a lambda; when
it is anything from the `websockets` package (`websockets.broadcast()` is a plain function),
recognised through the module's imports whether or not the package is installed; when it is an
imported function of another package, or a parameter or local variable, that astroid cannot
show to be a coroutine function; or when the function it resolves to is decorated (a decorator
may change what the call returns). Any use of the value other than a bare statement counts as
used (assigned, passed to `create_task`, `gather`, a `TaskGroup`, `start_soon`, ...). Channels'
`async_to_sync(channel_layer.group_send)(...)` is a synchronous wrapper and is never reported;
neither is a broadcast in a plain `def`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.calls import is_broadcast_call
from wslint.analysis.context import FileContext
from wslint.analysis.coroutines import COROUTINE, UNKNOWN, callee_kind
from wslint.analysis.module import FunctionInfo
from wslint.core.findings import Finding
from wslint.rules.base import Rule


class BroadcastNotAwaited(Rule):
    code = "WSL007"
    name = "broadcast-not-awaited"
    summary = "A broadcast coroutine is created and dropped without being awaited"
    fix = "await the broadcast: await self.manager.broadcast(...)"
    options = ("broadcast-methods",)

    def check(self, context: FileContext) -> Iterator[Finding]:
        for function in context.module.iter_functions():
            if not function.is_async:
                continue
            for call in _discarded_broadcasts(function, context):
                if not _is_coroutine(call, function, context):
                    continue
                yield self.finding(
                    context,
                    call,
                    f"`{ast.unparse(call.func)}(...)` in `{function.name}` is never awaited: the "
                    "coroutine is created and dropped and nothing is sent; add `await`",
                )


def _discarded_broadcasts(function: FunctionInfo, context: FileContext) -> Iterator[ast.Call]:
    for node in function.body_nodes():
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and is_broadcast_call(node.value, context.settings)
        ):
            yield node.value


def _is_coroutine(call: ast.Call, function: FunctionInfo, context: FileContext) -> bool:
    verdict, where = callee_kind(call, function, context.module, context.index, context.inference)
    if verdict == COROUTINE:
        return True
    return verdict == UNKNOWN and where == "unknown"
