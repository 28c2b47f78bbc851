"""Message types: the ``"type"`` of a broadcast payload, as far as the code states it."""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable

from wslint.analysis.module import FunctionInfo, ModuleInfo

TYPE_KEYS = ("type", "event", "kind")


def dict_type(payload: ast.Dict, module: ModuleInfo) -> str | None:
    """The literal ``"type"`` value of a dict display, if it has one we can read."""
    for key, value in zip(payload.keys, payload.values):
        if isinstance(key, ast.Constant) and key.value == "type":
            return string_value(value, module)
    return None


def string_value(node: ast.AST, module: ModuleInfo) -> str | None:
    """A string literal, or a module-level name bound once to one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        bound = single_binding(module.tree.body, node.id)
        if isinstance(bound, ast.Constant) and isinstance(bound.value, str):
            return bound.value
    return None


def single_binding(body: list[ast.stmt], name: str) -> ast.AST | None:
    """The value ``name`` is bound to in ``body`` (``x = ...`` or ``x: T = ...``), if bound once."""
    values = [
        statement.value
        for statement in body
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
        )
        or (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        )
    ]
    return values[0] if len(values) == 1 and values[0] is not None else None


def payload_dict(payload: ast.AST | None, function: FunctionInfo | None) -> ast.Dict | None:
    """The dict display a payload is, or the one a local name was bound to (single binding)."""
    if isinstance(payload, ast.Dict):
        return payload
    if isinstance(payload, ast.Name) and function is not None:
        bound = [
            node.value
            for node in function.body_nodes()
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == payload.id for t in node.targets)
        ]
        if len(bound) == 1 and isinstance(bound[0], ast.Dict):
            return bound[0]
    return None


def payload_type(payload: ast.AST | None, function: FunctionInfo | None, module: ModuleInfo) -> str | None:
    found = payload_dict(payload, function)
    return dict_type(found, module) if found is not None else None


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def call_type_arguments(call: ast.Call, module: ModuleInfo) -> list[str]:
    """String arguments of a helper call: ``self._push("heartbeat", data)`` names its type."""
    values = [string_value(arg, module) for arg in call.args]
    values += [
        string_value(k.value, module)
        for k in call.keywords
        if k.arg in TYPE_KEYS + ("message_type", "msg_type")
    ]
    return [value for value in values if value is not None]
