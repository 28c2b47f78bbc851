"""Polling, event and hot loops, and the timers that pace them (SPEC's vocabulary)."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field

from wslint.analysis.calls import is_broadcast_call, is_sleep_call, is_wait_timer
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, ModuleInfo, local_nodes
from wslint.core.options import Settings

LoopNode = ast.While | ast.AsyncFor | ast.For


class LoopKind(enum.Enum):
    POLLING = "polling"
    EVENT = "event"
    HOT = "hot"


@dataclass
class Loop:
    """A loop of interest, its kind and its normal-path timers (sleeps outside ``except``)."""

    node: LoopNode
    kind: LoopKind
    timers: list[ast.Call] = field(default_factory=list)
    handler_timers: list[ast.Call] = field(default_factory=list)

    @property
    def body_nodes(self) -> list[ast.AST]:
        """Every node of the loop body, not descending into nested scopes."""
        return local_nodes(self.node.body)


def is_constant_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and test.value in (True, 1) and test.value is not False


def is_running_flag(test: ast.expr) -> bool:
    """``self.running``, ``running``, ``not self._stop.is_set()``, ``not self.stopped``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
            return test.func.attr in ("is_set", "is_closed", "done", "cancelled")
    elif isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        return test.func.attr in ("is_running", "is_alive", "running")
    return isinstance(test, (ast.Name, ast.Attribute))


def function_loops(function: FunctionInfo, module: ModuleInfo, settings: Settings) -> list[Loop]:
    """The polling, event and hot loops of an ``async def`` (nested scopes excluded); once per
    function (finding broadcasters asks for every coroutine's loops, in several places)."""
    if not function.is_async:
        return []
    cached: tuple[Settings, list[Loop]] | None = getattr(function, "_wsl_loops", None)
    if cached is not None and (cached[0] is settings or cached[0] == settings):
        return list(cached[1])
    loops = []
    for node in function.body_nodes():
        loop = classify_loop(node, module, settings)
        if loop is not None:
            loops.append(loop)
    function._wsl_loops = (settings, loops)  # type: ignore[attr-defined]
    return list(loops)


def classify_loop(node: ast.AST, module: ModuleInfo, settings: Settings) -> Loop | None:
    if isinstance(node, ast.AsyncFor):
        return Loop(node, LoopKind.EVENT)
    if not isinstance(node, ast.While):
        return None
    constant = is_constant_true(node.test)
    if not (constant or is_running_flag(node.test)):
        return None
    timers, handler_timers, other_awaits = _awaits(node, module, settings)
    if timers:
        return Loop(node, LoopKind.POLLING, timers, handler_timers)
    if other_awaits:
        return Loop(node, LoopKind.EVENT, [], handler_timers)
    if constant:
        return Loop(node, LoopKind.HOT, [], handler_timers)
    return None


def _awaits(
    loop: ast.While, module: ModuleInfo, settings: Settings
) -> tuple[list[ast.Call], list[ast.Call], bool]:
    """Timers on the normal path, timers in ``except`` branches, and whether anything else is awaited."""
    timers: list[ast.Call] = []
    handler_timers: list[ast.Call] = []
    other = False
    blocking: list[ast.Call] = []  # time.sleep(x): the timer of a loop that awaits none
    blocking_in_handlers: list[ast.Call] = []
    nodes = list(local_nodes(loop.body))
    in_handlers: set[int] = set()  # nodes inside an ``except`` branch
    for node in nodes:
        if isinstance(node, ast.ExceptHandler) and id(node) not in in_handlers:
            in_handlers.update(id(inner) for inner in local_nodes([node]))
    for node in nodes:
        if isinstance(node, (ast.AsyncFor, ast.AsyncWith)):
            other = other or id(node) not in in_handlers
        if isinstance(node, ast.Call) and is_blocking_sleep(node, module):
            (blocking_in_handlers if id(node) in in_handlers else blocking).append(node)
            continue
        if not isinstance(node, ast.Await):
            continue
        in_handler = id(node) in in_handlers
        value = node.value
        if isinstance(value, ast.Call) and is_timer(value, module, settings):
            (handler_timers if in_handler else timers).append(value)
        elif not in_handler and not (isinstance(value, ast.Call) and is_broadcast_call(value, settings)):
            other = True
    # A blocking sleep paces a loop that awaits no timer (WSL011 reports the call): it is a
    # polling loop all the same, so that the other rules still look at it.
    return timers or blocking, handler_timers or blocking_in_handlers, other


def is_timer(call: ast.Call, module: ModuleInfo, settings: Settings) -> bool:
    return is_sleep_call(call, module, settings) or is_wait_timer(call, module)


BLOCKING_SLEEPS = frozenset({"time.sleep"})


def is_blocking_sleep(call: ast.Call, module: ModuleInfo) -> bool:
    """``time.sleep(x)`` with x not a literal 0 (which only yields the thread)."""
    if module.qualified(call.func) not in BLOCKING_SLEEPS:
        return False
    duration = call.args[0] if call.args else None
    return not (isinstance(duration, ast.Constant) and duration.value == 0)


def paces(call: ast.Call, module: ModuleInfo, settings: Settings) -> bool:
    """A timer or a blocking sleep: either makes the loop wait before its next iteration."""
    return is_timer(call, module, settings) or is_blocking_sleep(call, module)


def enclosing_loop(node: ast.AST, loops: list[Loop], module: ModuleInfo) -> Loop | None:
    """The innermost classified loop that holds ``node``."""
    by_node = {id(loop.node): loop for loop in loops}
    current = module.parent_of(node)
    while current is not None and not isinstance(current, SCOPE_NODES):
        if id(current) in by_node:
            return by_node[id(current)]
        current = module.parent_of(current)
    return None


# Non-blocking reads of a message source: a subscription, a queue, a socket.
DRAIN_CALLS = frozenset({"get_message", "get_nowait", "recv_nowait", "receive_nowait", "read_nowait", "poll"})


def drains_a_source(loop: Loop, sends: list[ast.AST], module: ModuleInfo) -> bool:
    """Every one of ``sends`` runs only when a non-blocking read of a message source in the
    loop found something (``note = sub.get_message(); if note: <fan out>``): the loop waits
    for events by polling its source, and what it sends is each event as it comes."""
    drained = {
        target.id
        for node in loop.body_nodes
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and _final(node.value.func) in DRAIN_CALLS
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return (
        bool(drained) and bool(sends) and all(_only_when_read(send, drained, loop, module) for send in sends)
    )


def _only_when_read(node: ast.AST, drained: set[str], loop: Loop, module: ModuleInfo) -> bool:
    current = module.parent_of(node)
    child = node
    while current is not None and current is not loop.node:
        if isinstance(current, ast.If) and child is not current.test and child not in current.orelse:
            names = {n.id for n in ast.walk(current.test) if isinstance(n, ast.Name)}
            if names & drained:
                return True
        child, current = current, module.parent_of(current)
    return False


def _final(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None
