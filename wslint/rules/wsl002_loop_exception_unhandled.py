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
async def _broadcast_queue_updates(self):
    while True:
        try:
            current_state = get_queue_state()
            ...
        except Exception:
            logger.exception("queue broadcast failed")
        await asyncio.sleep(5)
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
(`time.monotonic()`, `time.time()`, `time.perf_counter()`) never are. Calls inside an `except`
branch are not reported: they run only on the error path. The finding is reported once per
loop, at the first unprotected call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.calls import is_logging_call
from wslint.analysis.loops import Loop, is_timer
from wslint.analysis.module import SCOPE_NODES
from wslint.analysis.names import final_name
from wslint.engine.context import FileContext
from wslint.engine.findings import Finding
from wslint.rules.base import Rule

BROAD = frozenset({"Exception", "BaseException"})
# Clock reads that cannot fail: timing a tick (``started = time.monotonic()``) is not a risk.
NEVER_RAISE = frozenset(
    {
        "time.monotonic",
        "time.monotonic_ns",
        "time.time",
        "time.time_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.process_time",
        "time.process_time_ns",
    }
)


class LoopExceptionUnhandled(Rule):
    code = "WSL002"
    name = "loop-exception-unhandled"
    summary = "A broadcaster's loop dies on its first exception"
    fix = "wrap the loop body in try/except Exception inside the loop, log, and keep looping"

    def check(self, context: FileContext) -> Iterator[Finding]:
        reported: set[tuple[int, int]] = set()
        for function, loops in context.broadcasters():
            for loop in loops:
                call = first_unprotected_call(loop, context)
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


def first_unprotected_call(loop: Loop, context: FileContext) -> ast.Call | None:
    """The first call of the loop body not guarded by a broad per-iteration ``try``."""
    for call in _calls_outside_try(loop.node.body, context):
        return call
    return None


def _calls_outside_try(body: list[ast.stmt], context: FileContext) -> Iterator[ast.Call]:
    for statement in body:
        yield from _statement_calls(statement, context)


TRY_NODES: tuple[type[ast.Try], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


def _statement_calls(node: ast.AST, context: FileContext) -> Iterator[ast.Call]:
    if isinstance(node, SCOPE_NODES):
        return
    if isinstance(node, TRY_NODES):
        if not catches_broadly(node):
            yield from _calls_outside_try(node.body, context)
        # Handlers run only on the error path; else/finally are outside the handlers' reach.
        yield from _calls_outside_try(node.orelse, context)
        yield from _calls_outside_try(node.finalbody, context)
        return
    if isinstance(node, ast.Call):
        if is_timer(node, context.module, context.settings) or is_logging_call(node):
            return
        qualified = context.module.qualified(node.func)
        if qualified == "time.sleep":  # a (blocking) sleep paces the loop: WSL011's business
            return
        if not node.args and not node.keywords and qualified in NEVER_RAISE:
            return
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _statement_calls(child, context)


def catches_broadly(node: ast.Try) -> bool:
    """A handler for ``Exception`` or broader that does not simply re-raise."""
    return any(_is_broad(handler.type) and not _reraises(handler) for handler in node.handlers)


def _is_broad(kind: ast.expr | None) -> bool:
    if kind is None:
        return True
    if isinstance(kind, ast.Tuple):
        return any(_is_broad(item) for item in kind.elts)
    return final_name(kind) in BROAD


def _reraises(handler: ast.ExceptHandler) -> bool:
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)
