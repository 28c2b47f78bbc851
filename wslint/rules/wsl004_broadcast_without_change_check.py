"""## What it does
Checks that a broadcast inside a polling loop (or a call that broadcasts, through the project's
helpers) only runs when the state changed: under an `if` comparing the current state with a
remembered one (`if current != self.last_state:`), a change flag (`if changed:`), a change
predicate (`if self._is_significant_change(new, old):`), or after an `if ...: continue` that
skips unchanged rounds. Heartbeats (message types matching `heartbeat-type-patterns`) are meant
to go out every time and are exempt.

## Why is this bad?
A polling loop that broadcasts on every tick sends the same state again and again: every client
re-renders, bandwidth is wasted, and real changes drown in noise.

## Example
```python
async def _broadcast_status(self):
    while True:
        current_state = get_status()
        await self.websocket_manager.broadcast({"type": "status_update", "data": current_state})
        await asyncio.sleep(5)
```

## Use instead
```python
async def _broadcast_status(self):
    while True:
        current_state = get_status()
        if current_state != self.last_status:
            await self.websocket_manager.broadcast({"type": "status_update", "data": current_state})
            self.last_status = current_state
        await asyncio.sleep(5)
```

## Options
- `broadcast-methods`
- `heartbeat-type-patterns`

## Fix
Unsafe (`--unsafe-fixes`): clients stop receiving the repeated, unchanged states. Where the
broadcast sends exactly one local state the loop assigns (`runs` in
`{"type": "...", "data": runs}`), in a method of a class with an `__init__`, the broadcast is
put under `if runs != self._last_runs:` and followed by `self._last_runs = runs`, and
`self._last_runs = None` is added at the end of `__init__`. Anything else has no fix.

## Known problems
A hot loop (one that never sleeps) is treated as a polling loop with a zero interval: the seed's
own example of this mistake has no sleep. A test that only checks whether clients are connected
or how much time has passed is not a change guard. Any other test reading this iteration's
state counts as one, so a guard that compares the wrong thing is not caught. A helper call is
reported only when the helper broadcasts unconditionally (no `if` of its own around the
broadcast).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from wslint.analysis.calls import Broadcast, broadcasts_in, call_target
from wslint.analysis.guards import is_under_change_guard
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.loops import LoopKind
from wslint.analysis.messages import call_type_arguments, matches_any, payload_type
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.engine.context import FileContext
from wslint.engine.findings import Finding
from wslint.rules.base import Rule

CONDITIONAL = (ast.If, ast.IfExp, ast.While, ast.For, ast.AsyncFor, ast.ExceptHandler, ast.BoolOp, ast.Match)
EXITS = (ast.Return, ast.Continue, ast.Break, ast.Raise)


class BroadcastWithoutChangeCheck(Rule):
    code = "WSL004"
    name = "broadcast-without-change-check"
    summary = "A polling loop broadcasts without checking that the state changed"
    fix = "compare with the last broadcast state and broadcast only when it changed"
    options = ("broadcast-methods", "heartbeat-type-patterns")

    def check(self, context: FileContext) -> Iterator[Finding]:
        patterns = context.settings.heartbeat_type_patterns
        for function, loops in context.broadcasters():
            if _is_heartbeat_name(function.name, patterns):
                continue
            for loop in loops:
                if loop.kind not in (LoopKind.POLLING, LoopKind.HOT):
                    continue
                for node in _unconditional_broadcasts(loop.body_nodes, function, context):
                    if not is_under_change_guard(node, loop.node, context.module):
                        yield self.finding(
                            context,
                            node,
                            f"broadcaster `{function.name}` broadcasts on every poll, changed "
                            "or not: compare with the last state first",
                        )


def _unconditional_broadcasts(
    nodes: Iterable[ast.AST], function: FunctionInfo, context: FileContext
) -> Iterator[ast.AST]:
    """Direct non-heartbeat broadcasts and calls to helpers that always broadcast."""
    module, index = context.module, context.index
    patterns = context.settings.heartbeat_type_patterns
    collected = list(nodes)
    direct = {id(b.node): b for b in broadcasts_in(iter(collected), context.settings)}
    for node in collected:
        if id(node) in direct:
            if not _is_heartbeat(direct[id(node)], function, module, patterns):
                yield node
        elif isinstance(node, ast.Call) and not _names_heartbeat(node, module, patterns):
            resolved = index.resolve(call_target(node, function, module))
            if isinstance(resolved, Resolved) and always_broadcasts(resolved, index, set()):
                yield node


def always_broadcasts(resolved: Resolved, index: ProjectIndex, seen: set[str]) -> bool:
    """Whether a helper broadcasts a non-heartbeat message on every call (no condition of its own)."""
    function, module = resolved.function, resolved.module
    patterns = index.settings.heartbeat_type_patterns
    if function.key in seen or _is_heartbeat_name(function.name, patterns):
        return False
    seen.add(function.key)
    for node in function.body_nodes():
        if not isinstance(node, (ast.Call, ast.For, ast.AsyncFor)) or _conditional(node, function, module):
            continue
        for found in broadcasts_in(iter([node]), index.settings):
            if not _is_heartbeat(found, function, module, patterns):
                return True
        if isinstance(node, ast.Call) and not _names_heartbeat(node, module, patterns):
            callee = index.resolve(call_target(node, function, module))
            if isinstance(callee, Resolved) and always_broadcasts(callee, index, seen):
                return True
    return False


def _conditional(node: ast.AST, function: FunctionInfo, module: ModuleInfo) -> bool:
    """Whether ``node`` runs only under a condition (an if, a loop, a handler, an early exit)."""
    child, parent = node, module.parent_of(node)
    while parent is not None and parent is not function.node:
        if isinstance(parent, CONDITIONAL) or isinstance(parent, SCOPE_NODES):
            return True
        if _after_early_exit(parent, child):
            return True
        child, parent = parent, module.parent_of(parent)
    if parent is None:
        return True
    return _after_early_exit(parent, child)


def _after_early_exit(parent: ast.AST, child: ast.AST) -> bool:
    """An ``if ...: return`` (or continue, break, raise) before ``child`` in its block."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and child in block:
            return any(_exits_early(statement) for statement in block[: block.index(child)])
    return False


def _exits_early(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.If) and any(isinstance(s, EXITS) for s in statement.body)


def _is_heartbeat_name(name: str, patterns: tuple[str, ...]) -> bool:
    return matches_any(name, patterns) or matches_any(name.lstrip("_"), patterns)


def _is_heartbeat(
    found: Broadcast, function: FunctionInfo, module: ModuleInfo, patterns: tuple[str, ...]
) -> bool:
    """A broadcast whose message type (or message-building call) names a heartbeat."""
    kind = payload_type(found.payload, function, module)
    if kind is not None:
        return matches_any(kind, patterns)
    payload = found.payload
    if isinstance(payload, ast.Call):  # broadcast(self._heartbeat_message())
        return _is_heartbeat_name(final_name(payload.func) or "", patterns)
    return isinstance(found.node, ast.Call) and _names_heartbeat(found.node, module, patterns)


def _names_heartbeat(call: ast.Call, module: ModuleInfo, patterns: tuple[str, ...]) -> bool:
    """A helper call naming a heartbeat type among its arguments: ``self._push("ping", ...)``."""
    return any(matches_any(value, patterns) for value in call_type_arguments(call, module))
