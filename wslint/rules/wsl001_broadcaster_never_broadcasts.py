"""## What it does
Checks that a coroutine function named like a broadcaster (`broadcaster-patterns`, default `_broadcast_*`)
actually broadcasts: directly, through a fan-out over connections, or through the project's own
helpers (`self._push()` -> `self.manager.broadcast()`), followed through any number of calls. A
fan-out may hand each client to a helper that sends to it
(`await asyncio.gather(*(self._send(ws, m) for ws in self.clients))`, where `_send` calls
`ws.send_text`): that is a broadcast too.

## Why is this bad?
The broadcasting checklist's first mistake: the function is defined, started and runs, fetches the data,
and never sends it. Clients connect and never see an update.

## Example
```python
async def _broadcast_queue_updates(self):
    while True:
        current_state = get_queue_state()
        # missing: await self.websocket_manager.broadcast(...)
        await asyncio.sleep(5)
```

## Use instead
```python
class QueueFeed:
    async def _broadcast_queue_updates(self):
        while True:
            try:
                current_state = get_queue_state()
                if current_state != self.last_queue_state:
                    await self.manager.broadcast({"type": "queue_update", "data": current_state})
                    self.last_queue_state = current_state
            except Exception:
                logger.exception("queue broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_queue_updates())
```

## Options
- `broadcaster-patterns`
- `broadcast-methods`

## Known problems
Only `async def` functions are checked: a broadcaster is a background task, while plain
functions named `_broadcast_*` are usually something else (array broadcasting in NumPy and
SciPy).
A call wslint cannot resolve (a callable parameter, `getattr`, a method on an object of unknown
type that shares its name with a broadcasting function of the project) is assumed to
broadcast, so the rule stays silent. Stubs (`...`, `pass`, `raise NotImplementedError`) and
abstract methods are skipped. The methods that implement broadcasting (names in
`broadcast-methods`) are never broadcasters.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.context import FileContext
from wslint.analysis.module import FunctionInfo
from wslint.analysis.roles import is_endpoint, matches_broadcaster_pattern
from wslint.core.findings import Finding
from wslint.rules.base import Rule, def_line


class BroadcasterNeverBroadcasts(Rule):
    code = "WSL001"
    name = "broadcaster-never-broadcasts"
    summary = "A function named like a broadcaster never broadcasts"
    fix = "call the manager's broadcast() with the new state (under a change check)"
    options = ("broadcaster-patterns", "broadcast-methods")

    def check(self, context: FileContext) -> Iterator[Finding]:
        module = context.module
        for function in module.iter_functions():
            if not function.is_async or not matches_broadcaster_pattern(function, context.settings):
                continue
            if is_stub(function) or is_endpoint(function, module):
                continue
            if context.index.may_broadcast(module, function):
                continue
            yield self.finding(
                context,
                def_line(function),
                f"broadcaster `{function.name}` never broadcasts: call the manager's "
                "broadcast() with the new state",
            )


def is_stub(function: FunctionInfo) -> bool:
    """An abstract method or a body of only a docstring, ``pass``, ``...`` or a raise."""
    node = function.node
    for decorator in node.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
        if name in ("abstractmethod", "overload"):
            return True
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return all(
        isinstance(statement, (ast.Pass, ast.Raise))
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        for statement in body
    )
