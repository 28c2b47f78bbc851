"""## What it does
Checks the `try` statements inside a broadcaster's loop for a handler that catches task
cancellation — a bare `except:`, `except BaseException`, `except asyncio.CancelledError` (also
imported as `CancelledError`, in a tuple, trio's `Cancelled`, anyio's
`get_cancelled_exc_class()`) — and then neither re-raises nor leaves the loop.

## Why is this bad?
`task.cancel()` works by raising `CancelledError` inside the task at its next `await`. A handler
that catches it and goes round the loop again turns the cancellation into one more iteration:
the broadcaster can no longer be stopped, shutdown hangs until the server is killed, and tests
leak a task that keeps broadcasting. Since Python 3.8 `CancelledError` derives from
`BaseException`, so `except Exception` is the right catch-all for a loop that must survive
errors.

## Example
```python
async def _broadcast_queue_updates(self):
    while True:
        try:
            await self.manager.broadcast(await get_queue_state())
        except:  # also catches CancelledError: the loop never stops
            logger.exception("queue broadcast failed")
        await asyncio.sleep(5)
```

## Use instead
```python
class QueueFeed:
    async def _broadcast_queue_updates(self):
        while True:
            try:
                current_state = await get_queue_state()
                if current_state != self.last_queue_state:
                    await self.manager.broadcast({"type": "queue_update", "data": current_state})
                    self.last_queue_state = current_state
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("queue broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_queue_updates())
```

## Known problems
Only broadcasters' loops are checked, and only `try` statements inside the loop whose body
awaits (cancellation is delivered at an `await`: a `try` around synchronous code cannot catch
it). A handler counts as giving the cancellation back when it holds a `raise` anywhere (of any
exception, outside nested functions), a `return` or a `break` (even one that leaves only an
inner loop), sets the loop's own running flag (`self.running = False` under
`while self.running`, `self._stop.set()` under `while not self._stop.is_set()`), calls
`sys.exit()`, `self.stop()` / `self.shutdown()` / `self.cancel()`, or cancels the current task
again. Only the first handler that catches cancellation is judged: a later bare `except:` never
sees it. A `try` around the whole loop is not reported: the loop is over when it catches. Nor is a
`try` that only awaits tasks the loop cancelled before it (`task.cancel()`, then
`try: await task` / `except CancelledError: pass`): that is how one waits for a cancelled task
to finish, and the error it catches is the task's own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.cancellation import (
    awaits_in,
    caught_cancellation,
    gives_back,
    try_statements,
    waits_for_cancelled_tasks,
)
from wslint.analysis.context import FileContext
from wslint.core.findings import Finding
from wslint.core.needs import BROADCASTER, Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule, except_clause


class CancellationSwallowed(Rule):
    code = "WSL010"
    name = "cancellation-swallowed"
    summary = "A broadcaster's loop catches CancelledError and keeps looping"
    fix = "add `except asyncio.CancelledError: raise` before it, or catch `Exception` instead"

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return ((BROADCASTER, "except"),)

    def check(self, context: FileContext) -> Iterator[Finding]:
        reported: set[int] = set()
        for function, loops in context.broadcasters():
            for loop in loops:
                for statement in try_statements(loop.node.body):
                    if not awaits_in(statement.body) or waits_for_cancelled_tasks(statement, loop.node):
                        continue
                    found = _first_catching(statement, context)
                    if found is None or id(found[0]) in reported:
                        continue
                    handler, caught = found
                    if gives_back(handler, loop.node, context.module):
                        continue
                    reported.add(id(handler))
                    yield self.finding(
                        context,
                        except_clause(handler),
                        f"{caught} in the loop of broadcaster `{function.name}` swallows "
                        "cancellation and keeps looping: re-raise `CancelledError` or catch "
                        "`Exception`, so the task can be stopped",
                    )


def _first_catching(statement: ast.Try, context: FileContext) -> tuple[ast.ExceptHandler, str] | None:
    """The handler that receives a cancellation: the first one whose clause catches it."""
    for handler in statement.handlers:
        caught = caught_cancellation(handler.type, context.module)
        if caught is not None:
            return handler, caught
    return None
