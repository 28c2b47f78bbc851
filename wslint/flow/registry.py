"""Connection registries: which manager a sender fans out to and an endpoint joins.

A registry is named by the class that holds the connections: a project class's key
(``pkg.manager::ConnectionManager``) or an outside class's dotted name
(``wslint.reference.ConnectionManager``). Instances of one class are not told apart. None
means it cannot be told, and then a sender may reach any endpoint.
"""

from __future__ import annotations

import ast

from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.message_flow import Scope
from wslint.analysis.module import FunctionInfo, ModuleInfo

REFERENCE_PACKAGE = "wslint.reference"


def resolved_registry(resolved: Resolved) -> str | None:
    """The registry of a project method's class (None for a module function)."""
    owner = resolved.function.owner
    return owner.key if owner is not None else None


def outside_registry(dotted: str) -> str:
    """An outside class's registry name (the reference runtime's, whatever module it is
    imported from, is one)."""
    if dotted.startswith(REFERENCE_PACKAGE + "."):
        return f"{REFERENCE_PACKAGE}.{dotted.rpartition('.')[2]}"
    return dotted


def instance_registry(receiver: ast.AST, scope: Scope, index: ProjectIndex) -> str | None:
    """The registry of ``manager`` in ``manager.broadcast(...)`` / ``manager.connect(ws)``:
    the class it is built from, in this function, an enclosing one, or the module."""
    if not isinstance(receiver, ast.Name):
        return None
    found = instance_class(receiver.id, scope, index)
    if found is None:
        return None
    module, dotted = found
    return _registry_of_class(dotted, module, index)


def _registry_of_class(dotted: str, module: ModuleInfo, index: ProjectIndex) -> str:
    head, _, last = dotted.rpartition(".")
    if head and index.is_project_module(head):
        other = index.module(head)
        if other is not None and last in other.classes:
            return other.classes[last].key
    return outside_registry(dotted)


def instance_class(name: str, scope: Scope, index: ProjectIndex) -> tuple[ModuleInfo, str] | None:
    """The dotted class ``name`` is an instance of: a parameter annotated with it, or one
    assignment of a constructor call in the function, an enclosing one or the module."""
    module = scope.module
    function: FunctionInfo | None = scope.function
    while function is not None:
        arguments = function.node.args
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if argument.arg == name:
                annotation = argument.annotation
                dotted = module.qualified(annotation) if annotation is not None else None
                return (module, dotted) if dotted else None
        values = assigned(function.node.body, name, deep=True)
        if values:
            return _constructed(values, module)
        function = function.parent
    values = assigned(module.tree.body, name, deep=False)
    if values:
        return _constructed(values, module)
    dotted = module.aliases.get(name)
    if dotted and "." in dotted:  # ``from app.state import manager``
        head, _, last = dotted.rpartition(".")
        other = index.module(head) if index.is_project_module(head) else None
        if other is not None:
            values = assigned(other.tree.body, last, deep=False)
            if values:
                return _constructed(values, other)
    return None


def _constructed(values: list[ast.AST], module: ModuleInfo) -> tuple[ModuleInfo, str] | None:
    if len(values) != 1 or not isinstance(values[0], ast.Call):
        return None
    dotted = module.qualified(values[0].func)
    return (module, dotted) if dotted else None


def assigned(body: list[ast.stmt], name: str, deep: bool) -> list[ast.AST]:
    """Values assigned to ``name`` by the statements of ``body`` (nested blocks too when
    ``deep``, never nested functions or classes)."""
    found: list[ast.AST] = []
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                found.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id == name and node.value is not None:
                found.append(node.value)
        elif deep and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    stack.append(child)
                elif isinstance(child, ast.ExceptHandler):
                    stack.extend(child.body)
    return found
