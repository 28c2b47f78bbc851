"""The chain that starts a broadcaster, followed up to something that is reached.

A broadcaster is started by the functions that refer to it (``asyncio.create_task(
self._poll())`` in ``Poller.start``). A starting function is itself *reached* when production
code refers to it (a call, kept or not where it is a plain function; passed on as a callback;
given to a framework) from module level or from a function that is reached, or when the
framework calls it (a decorated function, a special method, an endpoint, ``main``). What cannot
be followed (a closure, more than :data:`MAX_DEPTH` steps) counts as reached: unknown never
reports.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from wslint.analysis.calls import attribute_target, name_target
from wslint.analysis.index import OUTSIDE, ProjectIndex, Resolved
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.roles import is_endpoint

MAX_DEPTH = 4
STARTS = "starts"  # each production reference to a function's name, and the function holding it
NOT_REGISTRATIONS = frozenset(
    {"staticmethod", "classmethod", "abstractmethod", "override", "overload", "wraps", "cache", "property"}
)
FRAMEWORK_CALLED = frozenset({"main", "run", "cli"})  # module functions run as entry points


class Holder(NamedTuple):
    """The function holding a reference, as far as the start chain asks about it: its key,
    name, whether it is a coroutine function, and whether something outside the project's code
    calls it (:func:`_framework_reached`)."""

    key: str
    name: str
    is_async: bool
    entry: bool


class Start(NamedTuple):  # a tuple: cheap to keep for every reference, and to share
    """A reference to a function's name: where it goes (a key; None: unknown; empty: outside
    the project), the function holding it (None: module level), where it is, and whether it
    is a call whose value is thrown away."""

    target: str | None
    holder: Holder | None
    file: str
    line: int
    discarded: bool


@dataclass(frozen=True)
class StartChain:
    """How a function is started: the references that start it, and, where none of them is
    ever reached, the start function nobody calls."""

    starts: tuple[Start, ...]
    unreached: FunctionInfo | None = None


def starts_in(index: ProjectIndex, module: ModuleInfo, name: str) -> list[Start]:
    """Every load of ``name`` in ``module`` with where it goes and the function holding it."""
    found: list[Start] = []
    mentions = [
        node
        for node in module.mentions(name)
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load)
    ]
    if not mentions:
        return found
    discarded = module.discarded_callees()
    spans = _body_spans(module)
    for node in mentions:
        holder = _holder_at(spans, getattr(node, "lineno", 0))
        if isinstance(node, ast.Attribute):
            target = attribute_target(node, holder, module)
        else:
            target = name_target(node.id, holder, module)
        resolved = index.resolve(target)
        key = resolved.function.key if isinstance(resolved, Resolved) else None if resolved != OUTSIDE else ""
        line = getattr(node, "lineno", 0)
        about = _holder(holder, module, index) if holder is not None else None
        found.append(Start(key, about, str(module.path), line, id(node) in discarded))
    return found


class _Memo:
    """Per index: each name's references grouped by where they go, each holder's verdict."""

    def __init__(self) -> None:
        self.by_target: dict[str, dict[str | None, list[Start]]] = {}
        self.verdicts: dict[str, str | None] = {}


_MEMOS: weakref.WeakKeyDictionary[ProjectIndex, _Memo] = weakref.WeakKeyDictionary()


def _memo(index: ProjectIndex) -> _Memo:
    memo = _MEMOS.get(index)
    if memo is None:
        memo = _MEMOS[index] = _Memo()
    return memo


Span = tuple[int, int, FunctionInfo]


def _body_spans(module: ModuleInfo) -> list[Span]:
    """Each function's body lines, innermost last among those that nest (told by lines: a
    module's scope map walks every node, and only a few lines are asked about)."""
    spans: list[Span] | None = getattr(module, "_wsl_body_spans", None)
    if spans is None:
        spans = []
        for function in module.iter_functions():
            body = function.node.body
            spans.append((body[0].lineno, function.node.end_lineno or body[-1].lineno, function))
        spans.sort(key=lambda span: (span[0], -span[1]))
        module._wsl_body_spans = spans  # type: ignore[attr-defined]
    return spans


def _holder_at(spans: list[Span], line: int) -> FunctionInfo | None:
    """The innermost function whose body holds ``line`` (None: module level)."""
    found = None
    for first, last, function in spans:
        if first > line:
            break
        if line <= last:
            found = function
    return found


def _holder(function: FunctionInfo, module: ModuleInfo, index: ProjectIndex) -> Holder:
    entry = _framework_reached(function, module, index)
    return Holder(function.key, function.name, function.is_async, entry)


def references_to(function: FunctionInfo | Holder, index: ProjectIndex) -> list[Start]:
    """The production references that may go to ``function`` (a dropped coroutine is none)."""
    key = function.key
    grouped = _grouped(function.name, index)
    return [
        start
        for start in (*grouped.get(None, ()), *grouped.get(key, ()))
        if not (start.discarded and function.is_async)
        and (start.holder is None or start.holder.key != key)  # (its own recursion starts nothing)
    ]


def _grouped(name: str, index: ProjectIndex) -> dict[str | None, list[Start]]:
    """Every production reference to ``name``, by where it goes (once per name)."""
    memo = _memo(index)
    grouped = memo.by_target.get(name)
    if grouped is None:
        grouped = memo.by_target[name] = {}
        for start in index.answers(name, STARTS, partial(starts_in, index, name=name)):
            grouped.setdefault(start.target, []).append(start)
    return grouped


def is_referenced(function: FunctionInfo, index: ProjectIndex) -> bool:
    """Whether production code refers to ``function`` other than by a discarded call (a
    reference that may go elsewhere, or leaves the project, counts: it cannot be told)."""
    grouped = _grouped(function.name, index)
    for target in (None, "", function.key):
        if any(not start.discarded for start in grouped.get(target, ())):
            return True
    return False


def start_chain(function: FunctionInfo, index: ProjectIndex) -> StartChain:
    """The references that start ``function`` and, where every one of them sits in a function
    nothing reaches, the first such start function."""
    starts = tuple(references_to(function, index))
    unreached = None
    for start in starts:
        blocked = _unreached_holder(start, index, 1, {function.key})
        if blocked is None:
            return StartChain(starts)
        unreached = unreached or blocked
    return StartChain(starts, function_by_key(unreached, index) if unreached else None)


def _unreached_holder(start: Start, index: ProjectIndex, depth: int, seen: set[str]) -> str | None:
    """None where the start is reached; else the key of the function up its chain that
    nothing reaches."""
    holder = start.holder
    if holder is None or depth > MAX_DEPTH or holder.key in seen or holder.entry:
        return None
    verdicts = _memo(index).verdicts
    if holder.key in verdicts:
        return verdicts[holder.key]
    references = references_to(holder, index)
    first: str | None = holder.key if not references else None
    for reference in references:
        blocked = _unreached_holder(reference, index, depth + 1, seen | {holder.key})
        if blocked is None:
            first = None
            break
        first = first or blocked
    verdicts[holder.key] = first
    return first


def _framework_reached(function: FunctionInfo, module: ModuleInfo, index: ProjectIndex) -> bool:
    """Called by something outside the project's code, or not followed any further."""
    name = function.name
    owner = function.owner
    if function.parent is not None or name.startswith("on_"):
        return True  # a closure, or an event handler (Socket.IO, Channels, signals)
    if (owner is None and name in FRAMEWORK_CALLED) or (name.startswith("__") and name.endswith("__")):
        return True
    if owner is not None and any(not _project_class(base, index) for base in owner.bases):
        return True  # a subclass of a framework's class: the framework may call any method
    for decorator in function.node.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if final_name(callee) not in NOT_REGISTRATIONS:
            return True
    return is_endpoint(function, module)


def _project_class(base: str, index: ProjectIndex) -> bool:
    """Whether a base class (dotted, as the class statement names it) is the project's own."""
    head = base.rpartition(".")[0]
    return (
        base in ("object", "Generic", "Protocol")
        or base.startswith("typing.")
        or (bool(head) and index.is_project_module(head))
    )


def function_by_key(key: str, index: ProjectIndex) -> FunctionInfo | None:
    module_name, _, qualified = key.partition("::")
    module = index.module(module_name)
    return module.functions.get(qualified) if module is not None else None


def is_built(function: FunctionInfo, index: ProjectIndex) -> bool:
    """Whether code that runs in production builds the class of the method ``function``: a
    construction at module level or in a function that is reached (for a module function:
    whether another production module imports its module)."""
    module_name = function.key.partition("::")[0]
    owner = function.owner
    if owner is None:
        return _imported_elsewhere(module_name, index)
    class_name = owner.node.name
    dotted = f"{module_name}.{class_name}"
    compute = partial(constructions_by, index, name=class_name)
    for qualified, holder in index.answers(class_name, BUILT, compute):
        if qualified == dotted or dotted.endswith(f".{qualified}") or qualified.endswith(f".{dotted}"):
            if _unreached_holder(Start(None, holder, "", 0, False), index, 1, set()) is None:
                return True
    return False


BUILT = "built"  # each call of a class's name and the function holding it


def constructions_by(index: ProjectIndex, module: ModuleInfo, name: str) -> list[tuple[str, Holder | None]]:
    """Each call of the class name ``name`` in ``module``: what it qualifies to, and the
    function holding it (None: module level)."""
    found = []
    spans = _body_spans(module)
    for call in module.calls_named(name):
        if final_name(call.func) == name:
            holder = _holder_at(spans, call.lineno)
            about = _holder(holder, module, index) if holder is not None else None
            found.append((module.qualified(call.func) or "", about))
    return found


def _imported_elsewhere(module_name: str, index: ProjectIndex) -> bool:
    last = module_name.rpartition(".")[2]
    for module in index.production_modules_mentioning(last):
        if module.name != module_name and any(
            value == module_name or value.startswith(module_name + ".") for value in module.aliases.values()
        ):
            return True
    return False
