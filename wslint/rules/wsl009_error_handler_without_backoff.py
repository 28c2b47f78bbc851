"""## What it does
Checks that an iteration of a broadcaster's polling loop that takes an `except` branch still
sleeps before it tries again: the handler sleeps (a sleep or an
`asyncio.wait_for(event.wait(), timeout=...)` timer), or leaves the loop (`break`, `return`,
`raise`), or falls through to a timer that runs on every iteration: one after the `try` in the
loop body, one in a `finally`, or one before the `try` at the top of the loop body.

## Why is this bad?
The sleep of a polling loop usually sits at the end of the `try` body, after the work that can
fail. When the work raises, the handler logs and the loop goes straight back to the failing
call: a database that is down turns the broadcaster into a hot loop that burns a core, starves
the event loop every client shares, and writes thousands of identical log lines a second. A
`continue` in the handler has the same effect even when a sleep follows the `try`: it jumps over
it.

## Example
```python
async def _broadcast_status(self):
    while True:
        try:
            current = get_status()
            if current != self.last_status:
                await self.websocket_manager.broadcast({"type": "status_update", "data": current})
                self.last_status = current
            await asyncio.sleep(5)
        except Exception as e:
            logger.error(f"status broadcast failed: {e}")  # retries at once, forever
```

## Use instead
```python
class StatusFeed:
    async def _broadcast_status(self):
        while True:
            try:
                current = get_status()
                if current != self.last_status:
                    await self.manager.broadcast({"type": "status_update", "data": current})
                    self.last_status = current
                await asyncio.sleep(5)
            except Exception as e:
                logger.error(f"status broadcast failed: {e}")
                await asyncio.sleep(5)  # back off before retrying

    def start(self):
        self._task = asyncio.create_task(self._broadcast_status())
```

## Known problems
Only polling loops (loops with a timer on their normal path) are checked: a hot loop never
sleeps on any path and is WSL003's finding; an event loop is paced by its events. A blocking
`time.sleep` is a timer here too (WSL011 reports it): a loop paced by one is still a polling
loop, and a handler that sleeps with it, or falls through to it, backs off.
A timer *before* the failing statement counts as backoff: one at the top of the loop body (or
earlier in any block that holds the `try`) runs again before the next attempt, and one that is
the first statement of the `try` body ran before anything in it could fail (this is also why the
`try: await asyncio.wait_for(self._stop.wait(), timeout=5) except asyncio.TimeoutError: pass`
idiom, whose handler runs after the timer, never fires).
Precision first, everything that may pace or end the retry counts, even under a condition: a
timer anywhere in the handler, a `break`, `return` or `raise` anywhere in it (for `break`, only
when it leaves the polling loop itself), a handler that clears the loop's running flag
(`self.running = False`, `self._stop.set()`), and an awaited call that waits: a project function
holding a timer, or a callee named like a wait (`wait`, `backoff`, `sleep`, `delay`, `retry`,
`reconnect`). Handlers that catch only cancellation (WSL010's business) or only timeouts (a
timeout means time already passed) are not checked. A `continue` anywhere in the handler that
goes back to the polling loop is taken as skipping the timer after the `try`, even under an `if`.
The finding is reported at the `except` line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import cast

from wslint.analysis.calls import call_target
from wslint.analysis.context import FileContext
from wslint.analysis.index import Resolved
from wslint.analysis.loops import Loop, LoopKind, is_timer, paces
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, local_nodes
from wslint.analysis.names import dotted_name, final_name
from wslint.analysis.walk import walk
from wslint.core.findings import Finding
from wslint.rules.base import Rule, except_clause

TRY_NODES: tuple[type, ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While)
BLOCK_FIELDS = ("body", "orelse", "finalbody")
CANCELLATION = frozenset({"CancelledError", "KeyboardInterrupt", "SystemExit", "GeneratorExit"})
WAIT_WORDS = ("wait", "backoff", "back_off", "sleep", "delay", "retry", "reconnect", "pause")
FLAG_METHODS = frozenset({"set", "cancel", "clear", "close", "stop"})


class ErrorHandlerWithoutBackoff(Rule):
    code = "WSL009"
    name = "error-handler-without-backoff"
    summary = "An error in a polling loop retries at once, without sleeping"
    fix = "sleep (back off) in the except branch, or put the loop's sleep after the try"

    def check(self, context: FileContext) -> Iterator[Finding]:
        for function, loops in context.broadcasters():
            for loop in loops:
                if loop.kind is not LoopKind.POLLING:
                    continue
                for handler in spinning_handlers(loop, function, context):
                    yield self.finding(
                        context,
                        except_clause(handler),
                        f"this `except` in the polling loop of broadcaster `{function.name}` "
                        "retries without sleeping: a persistent error spins the loop; sleep "
                        "(back off) in the handler",
                    )


def spinning_handlers(
    loop: Loop, function: FunctionInfo, context: FileContext
) -> Iterator[ast.ExceptHandler]:
    """Handlers of ``loop`` whose iteration reaches the next one without a timer."""
    for found in loop.body_nodes:
        if not isinstance(found, TRY_NODES):
            continue
        node = cast(ast.Try, found)  # ast.Try or ast.TryStar: the same fields
        if _starts_with_timer(node.body, context):
            continue
        for handler in node.handlers:
            if _ignored_handler(handler) or _paces_or_leaves(handler, loop, function, context):
                continue
            if not _timer_on_way_back(node, handler, loop, context):
                yield handler


def _ignored_handler(handler: ast.ExceptHandler) -> bool:
    """Cancellation only (WSL010) or timeouts only (time already passed)."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = [final_name(kind) if kind is not None else None for kind in kinds]
    if any(name is None for name in names):
        return False
    return all(name in CANCELLATION or "Timeout" in name for name in names)  # type: ignore[operator]


def _paces_or_leaves(
    handler: ast.ExceptHandler, loop: Loop, function: FunctionInfo, context: FileContext
) -> bool:
    for node in local_nodes(handler.body):
        if isinstance(node, (ast.Return, ast.Raise)):
            return True
        if isinstance(node, ast.Break) and _innermost_loop(node, context) is loop.node:
            return True
        if isinstance(node, ast.Await) and _waits(node.value, function, context):
            return True
        if isinstance(node, ast.Call) and paces(node, context.module, context.settings):
            return True  # a blocking sleep backs off too (WSL011 reports it)
        if isinstance(loop.node, ast.While) and _stops_loop(node, loop.node.test):
            return True
    return False


def _waits(value: ast.expr, function: FunctionInfo, context: FileContext) -> bool:
    if not isinstance(value, ast.Call):
        return False
    if is_timer(value, context.module, context.settings):
        return True
    name = (final_name(value.func) or "").lower()
    if any(word in name for word in WAIT_WORDS):
        return True
    resolved = context.index.resolve(call_target(value, function, context.module))
    return isinstance(resolved, Resolved) and _holds_timer(resolved, context)


def _holds_timer(resolved: Resolved, context: FileContext) -> bool:
    return any(
        isinstance(node, ast.Call) and is_timer(node, resolved.module, context.settings)
        for node in resolved.function.body_nodes()
    )


def _stops_loop(node: ast.AST, test: ast.expr) -> bool:
    """``self.running = False`` or ``self._stop.set()`` for a loop testing that flag."""
    read = {dotted_name(part) for part in walk(test)} - {None, "self"}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(dotted_name(target) in read for target in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in FLAG_METHODS and dotted_name(node.func.value) in read
    return False


def _timer_on_way_back(
    try_node: ast.Try, handler: ast.ExceptHandler, loop: Loop, context: FileContext
) -> bool:
    """Whether a timer runs between the handler and the next attempt of the ``try``."""
    if _holds_timer_statement(try_node.finalbody, context):
        return True
    skips = _continues_loop(handler, loop, context)
    child: ast.AST = try_node
    parent = context.module.parent_of(child)
    while parent is not None and child is not loop.node:
        block = _block_of(parent, child)
        if block is not None:
            position = block.index(cast(ast.stmt, child))
            if _holds_timer_statement(block[:position], context):
                return True  # runs again before the next attempt
            if not skips and _holds_timer_statement(block[position + 1 :], context):
                return True
        if isinstance(parent, TRY_NODES) and _holds_timer_statement(cast(ast.Try, parent).finalbody, context):
            return True  # a finally around the try runs on the way back
        if isinstance(parent, LOOP_NODES) and parent is not loop.node:
            skips = False  # a continue there goes back to the inner loop, which then falls through
        child, parent = parent, context.module.parent_of(parent)
    return False


def _continues_loop(handler: ast.ExceptHandler, loop: Loop, context: FileContext) -> bool:
    return any(
        isinstance(node, ast.Continue) and _innermost_loop(node, context) is loop.node
        for node in local_nodes(handler.body)
    )


def _innermost_loop(node: ast.AST, context: FileContext) -> ast.AST | None:
    current = context.module.parent_of(node)
    while current is not None and not isinstance(current, SCOPE_NODES):
        if isinstance(current, LOOP_NODES):
            return current
        current = context.module.parent_of(current)
    return None


def _block_of(parent: ast.AST, child: ast.AST) -> list[ast.stmt] | None:
    for field in BLOCK_FIELDS:
        block = getattr(parent, field, None)
        if isinstance(block, list) and child in block:
            return block
    return None


def _holds_timer_statement(statements: list[ast.stmt], context: FileContext) -> bool:
    return any(
        isinstance(node, ast.Call) and paces(node, context.module, context.settings)
        for node in local_nodes(statements)
    )


def _starts_with_timer(body: list[ast.stmt], context: FileContext) -> bool:
    """The ``try`` body sleeps before anything in it can fail (``try: await wait_for(...)``)."""
    for statement in body:
        if _holds_timer_statement([statement], context):
            return True
        if any(isinstance(node, (ast.Call, ast.Await, ast.Subscript)) for node in walk(statement)):
            return False
    return False
