"""Task registration: which calls spawn a task, and which receivers keep their tasks.

``asyncio.create_task`` / ``asyncio.ensure_future`` / ``loop.create_task`` hand back a task
that the event loop references only weakly; a ``TaskGroup`` or an anyio/trio nursery keeps
its own reference to every task it starts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import dotted_name, final_name
from wslint.analysis.walk import walk
from wslint.core.vocabulary import LOOP_NAMES

SPAWN_FUNCTIONS = frozenset(
    {
        "asyncio.create_task",
        "asyncio.ensure_future",
        "asyncio.tasks.create_task",
        "asyncio.tasks.ensure_future",
    }
)
LOOP_FACTORIES = frozenset(
    {
        "asyncio.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.new_event_loop",
        "asyncio.events.get_event_loop",
        "asyncio.events.get_running_loop",
    }
)
GROUP_FACTORIES = frozenset({"TaskGroup", "create_task_group", "open_nursery", "Nursery"})
GROUP_ANNOTATIONS = frozenset({"TaskGroup", "Nursery", "TaskGroupType"})


def spawn_kind(call: ast.Call, function: FunctionInfo | None, module: ModuleInfo) -> str | None:
    """``"create_task"`` / ``"ensure_future"`` for ``asyncio.create_task`` / ``ensure_future``.

    Resolved through the module's imports (``from asyncio import create_task``).
    """
    qualified = module.qualified(call.func)
    if qualified in SPAWN_FUNCTIONS and not is_shadowed(call.func, function):
        return qualified.rsplit(".", 1)[1]
    return None


def create_task_receiver(call: ast.Call) -> ast.expr | None:
    """The receiver of ``<receiver>.create_task(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "create_task":
        return func.value
    return None


def is_event_loop(receiver: ast.expr, function: FunctionInfo | None, module: ModuleInfo) -> bool:
    """A receiver known to be an asyncio event loop: ``asyncio.get_running_loop()`` (and friends)
    directly, a name bound only to one in the function, or a name or attribute called like one
    (``loop``, ``self._loop``, ``self.app.loop``) that the function binds to nothing else."""
    if isinstance(receiver, ast.Call):
        return module.qualified(receiver.func) in LOOP_FACTORIES
    if function is not None and isinstance(receiver, ast.Name):
        bound = list(_bindings(receiver.id, function))
        if not bound:
            return receiver.id in LOOP_NAMES
        return all(
            isinstance(value, ast.Call) and module.qualified(value.func) in LOOP_FACTORIES for value in bound
        )
    return isinstance(receiver, ast.Attribute) and receiver.attr in LOOP_NAMES


def is_task_group(receiver: ast.expr, function: FunctionInfo | None, module: ModuleInfo) -> bool:
    """A receiver that keeps its own task references: a TaskGroup or nursery, by any sign.

    Its name (``tg``, ``tn``, ``*group*``, ``*nursery*``, ``*scope*``), an ``async with ... as``
    target, an annotation naming ``TaskGroup`` / ``Nursery``, or a binding to
    ``TaskGroup()`` / ``create_task_group()`` / ``open_nursery()``.
    """
    name = final_name(receiver)
    if name is None:
        return isinstance(receiver, ast.Call) and _group_value(receiver)
    if _group_name(name):
        return True
    if function is None or not isinstance(receiver, ast.Name):
        return False
    scope: FunctionInfo | None = function
    while scope is not None:
        if _annotated_group(receiver.id, scope) or _with_target(receiver.id, scope):
            return True
        if any(_group_value(value) for value in _bindings(receiver.id, scope)):
            return True
        scope = scope.parent
    return False


def _group_name(name: str) -> bool:
    lowered = name.lower()
    tokens = set(lowered.strip("_").split("_"))
    return bool(tokens & {"tg", "tn", "tgs"}) or any(
        part in lowered for part in ("group", "nursery", "scope")
    )


def _group_value(value: ast.AST | None) -> bool:
    return isinstance(value, ast.Call) and final_name(value.func) in GROUP_FACTORIES


def _annotated_group(name: str, function: FunctionInfo) -> bool:
    arguments = function.node.args
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if argument.arg == name and argument.annotation is not None:
            return any(
                final_name(node) in GROUP_ANNOTATIONS
                for node in walk(argument.annotation)
                if isinstance(node, (ast.Name, ast.Attribute))
            )
    return False


def _with_target(name: str, function: FunctionInfo) -> bool:
    """``async with <anything> as name``: a task group, a nursery, a scope of some kind."""
    for node in function.body_nodes():
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name:
                    return True
    return False


def _bindings(name: str, function: FunctionInfo) -> Iterator[ast.AST | None]:
    """The values assigned to ``name`` in the function's own body (``None``: unknown binding)."""
    for node in function.body_nodes():
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    yield node.value
                elif any(isinstance(n, ast.Name) and n.id == name for n in walk(target)):
                    yield None
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            target = node.target
            if isinstance(target, ast.Name) and target.id == name:
                yield getattr(node, "value", None)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            if any(isinstance(n, ast.Name) and n.id == name for n in walk(node.target)):
                yield None


def is_shadowed(func: ast.expr, function: FunctionInfo | None) -> bool:
    """The callee's first name is a parameter or a local of the enclosing functions."""
    dotted = dotted_name(func)
    if dotted is None:
        return False
    head = dotted.split(".")[0]
    scope = function
    while scope is not None:
        arguments = scope.node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        if any(argument.arg == head for argument in every):
            return True
        if head in scope.target_names():  # where :func:`_bindings` finds one
            return True
        scope = scope.parent
    return False
