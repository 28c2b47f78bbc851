"""Numbers the syntax states without inference: module constants, imported or not.

``asyncio.sleep(POLL_INTERVAL)`` where ``POLL_INTERVAL = 0.1`` sits at the top of this module or
of ``config.py`` is the common case of an interval that is not a literal; answering it from the
``ast`` saves building the module's astroid tree. A name counts only when the module binds it
exactly once, by a top-level assignment or an import, and nothing else in the module could
rebind or shadow it (a parameter, a ``global``, a star import, a class or def of that name);
anything else is left to astroid.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from wslint.analysis.index import ProjectIndex
from wslint.analysis.module import ModuleInfo
from wslint.analysis.walk import walk

OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
}
MAX_DEPTH = 8  # constants defined through constants, across modules


def literal_number(node: ast.AST) -> float | None:
    """The value of a numeric literal or arithmetic on literals (``0.5``, ``500 / 1000``)."""
    return _number(node, None, None, MAX_DEPTH)


def constant_number(node: ast.AST, module: ModuleInfo, index: ProjectIndex | None) -> float | None:
    """The value of ``node`` from literals and the module constants it names, or None."""
    return _number(node, module, index, 0)


def _number(
    node: ast.AST, module: ModuleInfo | None, index: ProjectIndex | None, depth: int
) -> float | None:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _number(node.operand, module, index, depth)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left = _number(node.left, module, index, depth)
        right = _number(node.right, module, index, depth) if left is not None else None
        if left is None or right is None:
            return None
        try:
            return float(OPERATORS[type(node.op)](left, right))
        except (ZeroDivisionError, OverflowError):
            return None
    if module is None or depth >= MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        binder = _binding_function(node, module)
        if binder is None:
            return _named_constant(node.id, module, index, depth + 1)
        default = _parameter_default(binder, node.id, module)
        return _number(default, module, index, depth + 1) if default is not None else None
    if isinstance(node, ast.Attribute) and index is not None:
        qualified = module.qualified(node)
        head = qualified.rpartition(".")[0] if qualified else ""
        if not head or _root_name(node) not in module.aliases:
            return None  # ``self.x``, ``obj.x``: not a module's attribute
        other = index.module(head) if index.is_project_module(head) else None
        if other is None:
            return None
        return _named_constant(node.attr, other, index, depth + 1)
    return None


def _named_constant(
    name: str, module: ModuleInfo, index: ProjectIndex | None, depth: int
) -> float | None:
    """The number a module-level name holds, when the module binds it exactly once."""
    bound_otherwise = module.other_bindings()
    if name in bound_otherwise or "*" in bound_otherwise:
        return None
    stores = [
        node
        for node in module.mentions(name)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    ]
    imported = module.aliases.get(name)
    if imported is not None:
        if stores or module.import_count(name) != 1 or index is None:
            return None
        origin, _, attribute = imported.rpartition(".")
        if not origin or not index.is_project_module(origin):
            return None
        other = index.module(origin)
        return _named_constant(attribute, other, index, depth + 1) if other is not None else None
    if len(stores) != 1:
        return None
    statement = module.parent_of(stores[0])
    if not _top_level_assignment(statement, stores[0], module):
        return None
    value = statement.value  # type: ignore[union-attr]
    return _number(value, module, index, depth) if value is not None else None


def _top_level_assignment(statement: ast.AST | None, target: ast.Name, module: ModuleInfo) -> bool:
    if isinstance(statement, ast.Assign):
        plain = len(statement.targets) == 1 and statement.targets[0] is target
    elif isinstance(statement, ast.AnnAssign):
        plain = statement.target is target and statement.value is not None
    else:
        return False
    return plain and module.parent_of(statement) is module.tree


def _binding_function(node: ast.Name, module: ModuleInfo) -> ast.AST | None:
    """The innermost function or lambda with a parameter spelling the name (None: module level).

    A node that is not under the module's tree answers itself: unknown.
    """
    current = module.parent_of(node)
    innermost = True
    while current is not None and current is not module.tree:
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if node.id in _parameter_names(current.args):
                # A closure's parameter: whatever the outer call passed. Unknown.
                return current if innermost else node
            innermost = False
        current = module.parent_of(current)
    return node if current is None else None


def _parameter_default(function: ast.AST, name: str, module: ModuleInfo) -> ast.expr | None:
    """The default of parameter ``name`` as the function's body sees it, when that is all it can be.

    What inference without a call site makes of a parameter: its default. Only for a function
    of the module or of a top-level class (defaults evaluated at module level) that never
    rebinds the name.
    """
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    above = module.parent_of(function)
    if isinstance(above, ast.ClassDef):
        above = module.parent_of(above)
    if above is not module.tree:
        return None
    if any(
        isinstance(inner, ast.Name) and inner.id == name and not isinstance(inner.ctx, ast.Load)
        for inner in walk(function)
    ):
        return None
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    pairs = [*zip(positional, defaults), *zip(arguments.kwonlyargs, arguments.kw_defaults)]
    for argument, default in pairs:
        if argument.arg == name:
            return default
    return None


def _parameter_names(arguments: ast.arguments) -> set[str]:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {argument.arg for argument in every}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
