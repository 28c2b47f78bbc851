"""The checklist's rows about each broadcaster: defined, started (by what), try/except inside
the loop, compares state, interval, logs. Each row is True, False or None (cannot be told)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from wslint.analysis.calls import broadcasts_in, call_target, is_logging_call, timer_interval
from wslint.analysis.constants import constant_number
from wslint.analysis.guards import is_under_change_guard
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.loops import Loop, LoopKind, is_timer
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.core.options import Settings
from wslint.flow.model import LIBRARY, Broadcaster, Place, Sender, union_of
from wslint.flow.senders import qualified_function
from wslint.flow.starts import NOT_REGISTRATIONS, is_built, start_chain

BROAD_HANDLERS = frozenset({"Exception", "BaseException"})


def broadcaster_facts(
    function: FunctionInfo,
    module: ModuleInfo,
    loops: list[Loop],
    index: ProjectIndex,
    senders: Sequence[Sender],
) -> Broadcaster:
    polling = [loop for loop in loops if loop.kind is LoopKind.POLLING]
    kind = loops[0].kind.value if loops else "unknown"
    if polling:
        kind = LoopKind.POLLING.value
    started, started_by, start_method = _started(function, str(module.path), index)
    return Broadcaster(
        function=qualified_function(function),
        module=module.name,
        file=str(module.path),
        line=function.node.lineno,
        types=_types(function, module, index, senders),
        kind=kind,
        interval=_interval(polling, module, index),
        started=started,
        started_by=started_by,
        change_guard=_change_guard(polling, function, module, index),
        error_handling=_error_handling(loops, module, index.settings) if loops else None,
        logs=any(isinstance(n, ast.Call) and is_logging_call(n) for n in function.body_nodes()),
        start_method=start_method,
    )


def library_broadcaster(
    sender: Sender, kind: str, interval: float | None, started_by: tuple[Place, ...]
) -> Broadcaster:
    """A broadcaster a library runs for the project (its loop is the library's, checked)."""
    return Broadcaster(
        function=f"{sender.function} -> {sender.library}",
        module=sender.module,
        file=sender.file,
        line=sender.line,
        types=sender.types,
        kind=kind,
        interval=interval,
        started=True if started_by else None,
        started_by=started_by,
        change_guard=True if kind == "polling" else None,
        error_handling=True,
        logs=True,
        library=sender.library,
    )


def _types(
    function: FunctionInfo, module: ModuleInfo, index: ProjectIndex, senders: Sequence[Sender]
) -> frozenset[str] | None:
    """What its own sends carry, and those of the project functions it calls (one level)."""
    names = {qualified_function(function)}
    for node in function.body_nodes():
        if isinstance(node, ast.Call):
            resolved = index.resolve(call_target(node, function, module))
            if isinstance(resolved, Resolved):
                names.add(qualified_function(resolved.function))
    own = [s for s in senders if s.function in names and s.kind != LIBRARY and not s.implementation]
    if any(s.types is None for s in own):
        return None
    return union_of(s.types for s in own)


def _interval(polling: list[Loop], module: ModuleInfo, index: ProjectIndex) -> float | None:
    values = set()
    for loop in polling:
        for timer in loop.timers:
            node = timer_interval(timer, module)
            value = constant_number(node, module, index) if node is not None else None
            if value is None:
                return None
            values.add(value)
    return min(values) if values else None


def _change_guard(
    polling: list[Loop], function: FunctionInfo, module: ModuleInfo, index: ProjectIndex
) -> bool | None:
    if not polling:
        return None
    sites: list[ast.AST] = []
    for loop in polling:
        sites += [b.node for b in broadcasts_in(loop.body_nodes, index.settings)]
        sites += [
            node
            for node in loop.body_nodes
            if isinstance(node, ast.Call) and index.call_broadcasts(call_target(node, function, module))
        ]
    if not sites:
        return None
    return all(
        is_under_change_guard(site, loop.node, module)
        for site in sites
        for loop in polling
        if _inside(site, loop)
    )


def _inside(node: ast.AST, loop: Loop) -> bool:
    return any(node is inner for inner in loop.body_nodes)


def _error_handling(loops: list[Loop], module: ModuleInfo, settings: Settings) -> bool:
    """Every statement of each loop's body that calls something (other than its timer or
    logging) sits in a try whose handler catches Exception or broader."""
    for loop in loops:
        for statement in loop.node.body:
            if isinstance(statement, ast.Try) and any(_broad(h) for h in statement.handlers):
                continue
            calls = [n for n in walk(statement) if isinstance(n, ast.Call)]
            if any(not (is_timer(c, module, settings) or is_logging_call(c)) for c in calls):
                return False
    return True


def _broad(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(final_name(name) in BROAD_HANDLERS for name in names)


def _started(
    function: FunctionInfo, file: str, index: ProjectIndex
) -> tuple[bool | None, tuple[Place, ...], str | None]:
    for decorator in function.node.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if final_name(callee) not in NOT_REGISTRATIONS:
            return True, (Place(file, decorator.lineno),), None
    chain = start_chain(function, index)
    places = tuple(
        sorted({Place(start.file, start.line) for start in chain.starts}, key=lambda p: (p.file, p.line))
    )
    if not chain.starts:
        return False, (), None
    if chain.unreached is None:
        return True, places, None
    if is_built(chain.unreached, index):
        return False, places, chain.unreached.key.partition("::")[2]
    return None, places, None
