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
class StatusFeed:
    async def _broadcast_status(self):
        while True:
            try:
                current = get_status()
                if current != self.last_status:
                    await self.manager.broadcast({"type": "status_update", "data": current})
                    self.last_status = current
            except Exception:
                logger.exception("status broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_status())
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
A hot loop (one that never sleeps) is treated as a polling loop with a zero interval: the
broadcasting checklist's own example of this mistake has no sleep. A test that only checks
whether clients are connected or how much time has passed is not a change guard. Any other
test reading this iteration's state counts as one, so a guard that compares the wrong thing is
not caught. A helper call is reported only when the helper broadcasts unconditionally (no `if`
of its own around the broadcast). A message made only of the current time besides its type
(`{"type": "tick", "now": time.time()}`, `datetime.now().isoformat()`, also through a local) is
a clock tick: it changes on every poll and is exempt, as a heartbeat is. A message that carries
state and a timestamp is not: the state may be unchanged.

A WebSocket connection handler's polling loop is checked too: its pushes to its own client
(`await websocket.send_json(...)`, on a parameter or `self`) are broadcasts to that client,
and sending unchanged state every second is the same bug. A loop that also receives
(`await websocket.receive_text()`, `async for`) answers requests and is not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from wslint.analysis.calls import Broadcast, broadcast_payload, broadcasts_in, call_target
from wslint.analysis.context import FileContext
from wslint.analysis.guards import is_under_change_guard
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.loops import Loop, LoopKind, function_loops
from wslint.analysis.messages import call_type_arguments, matches_any, payload_type
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name, receiver_root
from wslint.analysis.roles import RECEIVE_CALLS, is_endpoint
from wslint.core.findings import Finding
from wslint.core.needs import BROADCASTER, Keywords, Needs
from wslint.core.options import Settings
from wslint.core.vocabulary import SEND_METHODS
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
        for function, loop, node in _handler_pushes(context):
            yield self.finding(
                context,
                node,
                f"connection handler `{function.name}` pushes on every poll, changed or not: "
                "compare with the last state first",
            )

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        # Also a connection handler's polling loop pushing to its client: a file holding an
        # endpoint says "websocket" (its decorator, its import or its registration).
        return ((BROADCASTER,), (Keywords("async def"), "while", "sleep", "send", "websocket"))


def _handler_pushes(context: FileContext) -> Iterator[tuple[FunctionInfo, Loop, ast.AST]]:
    """Pushes to a connection handler's own client (or broadcasts) in a polling loop that
    receives nothing (a loop that receives answers requests), not under a change guard."""
    module, settings = context.module, context.settings
    for function in module.iter_functions():
        if not function.is_async or _is_heartbeat_name(function.name, settings.heartbeat_type_patterns):
            continue
        if not is_endpoint(function, module):
            continue
        for loop in function_loops(function, module, settings):
            if loop.kind is not LoopKind.POLLING or _receives(loop):
                continue
            for node in _unconditional_pushes(loop.body_nodes, function, context):
                if not is_under_change_guard(node, loop.node, module):
                    yield function, loop, node


def _receives(loop: Loop) -> bool:
    for node in loop.body_nodes:
        if isinstance(node, ast.AsyncFor):
            return True
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            if final_name(node.value.func) in RECEIVE_CALLS:
                return True
    return False


def _unconditional_pushes(
    nodes: list[ast.AST], function: FunctionInfo, context: FileContext
) -> Iterator[ast.AST]:
    """Broadcasts, and sends on the handler's own connection (a parameter, or ``self``)."""
    yield from _unconditional_broadcasts(nodes, function, context)
    parameters = _parameter_names(function)
    patterns = context.settings.heartbeat_type_patterns
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SEND_METHODS
            and receiver_root(node.func.value) in parameters
        ):
            push = Broadcast(node, broadcast_payload(node))
            if not _is_heartbeat(push, function, context.module, patterns):
                yield node


def _parameter_names(function: FunctionInfo) -> set[str]:
    arguments = function.node.args
    return {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}


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


CLOCK_READS = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "os.urandom",
        "random.random",
        "uuid.uuid4",
    }
)
# Calls that keep a value ticking: ``now.isoformat()``, ``str(stamp).encode()``.
CLOCK_CONVERSIONS = frozenset(
    {"isoformat", "timestamp", "strftime", "encode", "hex", "str", "int", "float", "round"}
)


def _carries_the_clock(payload: ast.AST | None, function: FunctionInfo, module: ModuleInfo) -> bool:
    """A message made only of the current time (or fresh random bytes) besides its type:
    ``{"type": "tick", "now": time.time()}``, ``datetime.now().isoformat()``. It changes on
    every poll; no change check could hold it back. A message that also carries state does not
    count: the state may be unchanged."""
    if isinstance(payload, ast.Dict):
        values = [
            value
            for key, value in zip(payload.keys, payload.values)
            if not (isinstance(key, ast.Constant) and key.value == "type")
        ]
        return bool(values) and all(_ticks(value, function, module, 0) for value in values)
    return payload is not None and _ticks(payload, function, module, 0)


def _ticks(node: ast.AST, function: FunctionInfo, module: ModuleInfo, depth: int) -> bool:
    """Whether ``node`` is built from clock reads (and constants) alone."""
    if depth > 8:
        return False
    if isinstance(node, ast.Call):
        if module.qualified(node.func) in CLOCK_READS:
            return True
        name = final_name(node.func)
        if name not in CLOCK_CONVERSIONS:
            return False
        if isinstance(node.func, ast.Attribute):  # now.isoformat(), str(stamp).encode()
            return _ticks(node.func.value, function, module, depth + 1)
        return bool(node.args) and _ticks(node.args[0], function, module, depth + 1)
    if isinstance(node, ast.BinOp):
        sides = (node.left, node.right)
        return any(_ticks(side, function, module, depth + 1) for side in sides) and all(
            isinstance(side, ast.Constant) or _ticks(side, function, module, depth + 1) for side in sides
        )
    if isinstance(node, ast.JoinedStr):
        fields = [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
        return bool(fields) and all(_ticks(field, function, module, depth + 1) for field in fields)
    if isinstance(node, ast.Name):
        bound = _single_binding(node.id, function)
        return bound is not None and _ticks(bound, function, module, depth + 1)
    return False


def _single_binding(name: str, function: FunctionInfo) -> ast.AST | None:
    """The one value the function binds ``name`` to (None: a parameter, or bound more than once)."""
    values = [
        node.value
        for node in function.body_nodes()
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]
    stores = sum(
        1
        for node in function.body_nodes()
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)
    )
    return values[0] if len(values) == 1 and stores == 1 else None


def _is_heartbeat(
    found: Broadcast, function: FunctionInfo, module: ModuleInfo, patterns: tuple[str, ...]
) -> bool:
    """A broadcast whose message type (or message-building call) names a heartbeat, or that
    carries the current time (a clock tick)."""
    if _carries_the_clock(found.payload, function, module):
        return True
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
