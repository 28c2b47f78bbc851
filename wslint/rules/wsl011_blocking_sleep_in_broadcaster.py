"""## What it does
Checks for `time.sleep()` called in the body of an async broadcaster (also imported as
`from time import sleep`, or through `import time as t`).

## Why is this bad?
A broadcaster shares the event loop with every WebSocket connection of the process.
`time.sleep(5)` does not suspend the coroutine, it stops the whole thread: for five seconds
no client receives anything, no message is read, no heartbeat answered, and every other
broadcaster stalls with it. Under load the server looks frozen at the broadcast interval.

## Example
```python
async def _broadcast_queue_updates(self):
    while True:
        ...
        time.sleep(5)
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
            await asyncio.sleep(5)  # anyio.sleep / trio.sleep under those libraries

    def start(self):
        self._task = asyncio.create_task(self._broadcast_queue_updates())
```

## Fix
Safe: `time.sleep(x)` becomes `await asyncio.sleep(x)`, with `import asyncio` added among the
imports where the module has none (the name `asyncio` is imported under is used where it has
one).

## Known problems
Only broadcasters are checked, as SPEC defines them (an `async def` whose loop broadcasts, or
named like `broadcaster-patterns`), plus an `async def` whose running-flag loop
(`while self.running:`) broadcasts and is paced by `time.sleep` alone. Other coroutines (an
endpoint, an HTTP handler) that call `time.sleep` are not reported. Only calls in the
coroutine's own body count: a `time.sleep` in a nested `def` or `lambda`, or handed uncalled to
`run_in_executor` / `asyncio.to_thread`, runs in another thread or not at all. `time.sleep(0)`
is not reported, nor a `time` that is a parameter or local variable. Blocking sleeps other than
`time.sleep` are not recognised.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.calls import broadcasts_in, call_target
from wslint.analysis.context import FileContext
from wslint.analysis.loops import is_blocking_sleep as blocking_sleep
from wslint.analysis.loops import is_constant_true, is_running_flag
from wslint.analysis.module import FunctionInfo, local_nodes
from wslint.analysis.roles import is_endpoint
from wslint.analysis.tasks import is_shadowed
from wslint.core.findings import Finding
from wslint.core.needs import BROADCASTER, Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule


class BlockingSleepInBroadcaster(Rule):
    code = "WSL011"
    name = "blocking-sleep-in-broadcaster"
    summary = "time.sleep() in an async broadcaster blocks the event loop"
    fix = "replace time.sleep(...) with await asyncio.sleep(...)"

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return ((BROADCASTER, "sleep"),)

    def check(self, context: FileContext) -> Iterator[Finding]:
        for function in _broadcasters(context):
            for node in function.body_nodes():
                if isinstance(node, ast.Call) and is_blocking_sleep(node, function, context):
                    yield self.finding(
                        context,
                        node,
                        f"`{ast.unparse(node.func)}()` in broadcaster `{function.name}` blocks the "
                        "event loop and every client: use `await asyncio.sleep(...)`",
                    )


def is_blocking_sleep(call: ast.Call, function: FunctionInfo, context: FileContext) -> bool:
    return blocking_sleep(call, context.module) and not is_shadowed(call.func, function)


def _broadcasters(context: FileContext) -> Iterator[FunctionInfo]:
    """SPEC's broadcasters, then coroutines whose flag loop broadcasts, paced by a blocking sleep."""
    seen = set()
    for function, _ in context.broadcasters():
        seen.add(function.key)
        yield function
    for function in context.module.iter_functions():
        if function.key in seen or not function.is_async or is_endpoint(function, context.module):
            continue
        if any(_blocking_paced_loop(node, function, context) for node in function.body_nodes()):
            yield function


def _blocking_paced_loop(node: ast.AST, function: FunctionInfo, context: FileContext) -> bool:
    if not isinstance(node, ast.While):
        return False
    if not (is_constant_true(node.test) or is_running_flag(node.test)):
        return False
    body = list(local_nodes(node.body))
    if not any(isinstance(n, ast.Call) and is_blocking_sleep(n, function, context) for n in body):
        return False
    if any(True for _ in broadcasts_in(iter(body), context.settings)):
        return True
    return any(
        context.index.call_broadcasts(call_target(n, function, context.module))
        for n in body
        if isinstance(n, ast.Call)
    )
