"""## What it does
Checks that every statement that can raise inside a broadcaster's polling, hot or event loop sits
in a `try` **inside the loop** whose handler catches `Exception` (or broader) and does not
re-raise. Sleeps (including a blocking `time.sleep`, which WSL011 reports) and logging calls
are not counted as raising.

## Why is this bad?
An exception that escapes the loop body ends the loop, and with it the task: the broadcaster
dies on its first database timeout and no client gets another update until the server restarts.
A `try` around the whole `while` does not help: the loop is already over when it catches.

## Example
```python
async def _broadcast_queue_updates(self):
    while True:
        current_state = get_queue_state()  # one error ends the loop for good
        ...
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

## Fix
Unsafe (`--unsafe-fixes`): errors the loop used to die of are logged and retried from then on.
The loop's body is wrapped in `try: ... except Exception: logger.exception(...)`, leaving
outside the `try` the timer that starts or ends the body, so a failed round waits like a good
one; where no timer is left outside, the handler sleeps itself (the loop's own interval where
it can be read outside the body, else one second). The module's logger is used (a
`logging.getLogger(...)` at module level, or an imported `logger`); where there is none, one is
created after the imports (`logger = logging.getLogger(__name__)`).

## Known problems
Only calls are counted as raising (not subscripts or attribute reads), and clock reads
(`time.monotonic()`, `time.time()`, `time.perf_counter()`, `datetime.now(tz)` and its
`.isoformat()`) never are, nor is `websockets.broadcast()`, which logs a failing client
instead of raising (unless given `raise_exceptions`). Calls inside an `except`
branch are not reported: they run only on the error path. The finding is reported once per
loop, at the first unprotected call.

A call into the project is judged by its body: a function whose every call (and `raise`) sits
in a `try` of its own that catches `Exception` (a manager's `broadcast` that guards each
client's send) cannot raise, and needs no `try` in the loop; so can `asyncio.gather` of such
calls, or with `return_exceptions=True`. Calls are followed three levels deep; in such a body,
copying or measuring a collection (`list(self.clients)`, `len(...)`) is not counted as raising.

Only background broadcasters' loops are checked. Functions the framework calls (special methods
such as `__call__`, ASGI applications taking `scope, receive, send`, route handlers) and
functions that serve one connection by receiving from it (`async for message in websocket`,
`await ws.receive()` on a socket they were handed or built) are not broadcasters: when their
loop fails, only that connection ends. A relay reading an upstream socket passed in as a
parameter named like a connection (`ws`, `websocket`, `conn`) is taken for such a handler, and
not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.context import FileContext
from wslint.analysis.loops import Loop
from wslint.analysis.module import FunctionInfo
from wslint.analysis.raising import RaiseCheck, calls_outside_try, message_lookup
from wslint.core.findings import Finding
from wslint.rules.base import Rule


class LoopExceptionUnhandled(Rule):
    code = "WSL002"
    name = "loop-exception-unhandled"
    summary = "A broadcaster's loop dies on its first exception"
    fix = "wrap the loop body in try/except Exception inside the loop, log, and keep looping"

    def check(self, context: FileContext) -> Iterator[Finding]:
        reported: set[tuple[int, int]] = set()
        for function, loops in context.broadcasters():
            for loop in loops:
                call = first_unprotected_call(loop, function, context)
                if call is None or (call.lineno, call.col_offset) in reported:
                    continue
                reported.add((call.lineno, call.col_offset))
                yield self.finding(
                    context,
                    call,
                    f"`{ast.unparse(call.func)}()` in the loop of broadcaster `{function.name}` "
                    "can raise outside a try/except Exception inside the loop: one error ends "
                    "the broadcasts for good",
                )


def first_unprotected_call(loop: Loop, function: FunctionInfo, context: FileContext) -> ast.Call | None:
    """The first call of the loop body not guarded by a broad per-iteration ``try`` that can
    raise (a project function that guards itself cannot)."""
    module = context.module
    check = RaiseCheck(context.index)
    def quiet(call: ast.Call) -> bool:
        return message_lookup(call, loop.node) or check.cannot_raise(call, function, module)

    for node in calls_outside_try(loop.node.body, module, context.settings, quiet):
        if isinstance(node, ast.Call):
            return node
    return None
