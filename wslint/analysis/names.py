"""Names of things: dotted callee names, import aliases, module names from paths."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import PurePath, PurePosixPath

from wslint.analysis.walk import COMPOUND_STATEMENTS


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def final_name(node: ast.AST) -> str | None:
    """The last name of a callee: ``broadcast`` for ``self.manager.broadcast``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def receiver_root(node: ast.AST) -> str | None:
    """The first name of an attribute chain: ``self`` for ``self.manager.broadcast``."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def module_name_for(path: PurePath, root: PurePath) -> str:
    """The dotted module name of ``path`` relative to the project ``root``."""
    text, base = str(path), str(root).rstrip(os.sep) + os.sep
    if text.startswith(base) and isinstance(path, PurePosixPath):  # (Windows: any case)
        parts = text[len(base) :].split(os.sep)  # what relative_to gives, without path objects
        name = parts[-1]
        dot = name.rfind(".")
        if 0 < dot < len(name) - 1:
            parts[-1] = name[:dot]
    else:
        try:
            parts = list(path.relative_to(root).with_suffix("").parts)
        except ValueError:
            parts = [path.stem]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(part for part in parts if part) or path.stem


def import_aliases(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> fully qualified dotted name for the module's imports (any depth)."""
    aliases: dict[str, str] = {}
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = _import_base(node, module, is_package)
            for alias in node.names:
                if alias.name != "*":
                    target = f"{base}.{alias.name}" if base else alias.name
                    aliases[alias.asname or alias.name] = target
    return aliases


def _import_base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def qualify(dotted: str, aliases: dict[str, str]) -> str:
    """``dotted`` with its first segment replaced by what it was imported as."""
    head, _, rest = dotted.partition(".")
    target = aliases.get(head)
    if target is None:
        return dotted
    return f"{target}.{rest}" if rest else target


def _statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement at any depth (imports are statements: expressions need no visit).

    A compound statement's blocks are visited last first (handlers, then ``else``, then the
    body): where a ``try`` body and its handler import one name, the body's import wins.
    """
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, COMPOUND_STATEMENTS):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in reversed(getattr(node, field, ())):
                if isinstance(child, ast.stmt):
                    stack.append(child)
                else:  # an except handler, a match case
                    stack.extend(reversed(child.body))
