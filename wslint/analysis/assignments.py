"""Where attributes are written: stores, mutations, ``setattr``, anywhere in a module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from wslint.analysis.module import ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk

DYNAMIC = "*"  # setattr(obj, name, ...) with a computed name, vars(obj).update(...), obj.__dict__
READ_ONLY_METHODS = frozenset(
    {
        "get",
        "keys",
        "values",
        "items",
        "copy",
        "count",
        "index",
        "startswith",
        "endswith",
        "format",
        "join",
        "split",
        "strip",
        "lower",
        "upper",
        "encode",
        "decode",
        "hex",
        "isoformat",
        "timestamp",
        "total_seconds",
        "__eq__",
        "__ne__",
        "issubset",
        "issuperset",
        "union",
        "intersection",
        "difference",
        "symmetric_difference",
        "isdisjoint",
        "model_dump",
        "dict",
        "json",
        "to_dict",
        "asdict",
    }
)


@dataclass
class AttributeWrites:
    """Attribute names written in a module, with the nodes that write them."""

    writes: dict[str, list[ast.AST]] = field(default_factory=dict)

    def add(self, name: str, node: ast.AST) -> None:
        self.writes.setdefault(name, []).append(node)

    def writes_of(self, name: str) -> list[ast.AST]:
        return [*self.writes.get(name, ()), *self.writes.get(DYNAMIC, ())]

    def written_outside(self, name: str, excluded: set[int]) -> bool:
        """Whether ``name`` (or anything, dynamically) is written by a node not in ``excluded``."""
        return any(id(node) not in excluded for key in (name, DYNAMIC) for node in self.writes.get(key, ()))


def module_attribute_writes(module: ModuleInfo) -> AttributeWrites:
    """:func:`attribute_writes` of a whole module, computed once per module."""
    found: AttributeWrites | None = getattr(module, "_wsl_attribute_writes", None)
    if found is None:
        found = attribute_writes(module.tree)
        module._wsl_attribute_writes = found  # type: ignore[attr-defined]
    return found


def attribute_writes(tree: ast.AST) -> AttributeWrites:
    """Every attribute store, delete, augmented assignment, subscript store and mutating call."""
    found = AttributeWrites()
    for node in walk(tree):  # one branch per node, no generator: this sees every node
        if isinstance(node, ast.Attribute):
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                found.add(_written(node.attr), node)
        elif isinstance(node, ast.Subscript):
            if isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(node.value, ast.Attribute):
                found.add(_written(node.value.attr), node)  # self.last_x[key] = value
        elif isinstance(node, ast.Call):
            for name in _call_writes(node):
                found.add(name, node)
    return found


def _written(attribute: str) -> str:
    return DYNAMIC if attribute == "__dict__" else attribute


def _call_writes(call: ast.Call) -> Iterator[str]:
    func = call.func
    if final_name(func) in ("setattr", "delattr", "__setattr__", "__delattr__"):
        # setattr(obj, "x", v), object.__setattr__(self, "x", v), self.__setattr__("x", v)
        names = [a.value for a in call.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        yield from names or [DYNAMIC]
    elif isinstance(func, ast.Attribute):
        receiver = func.value
        if isinstance(receiver, ast.Attribute) and func.attr not in READ_ONLY_METHODS:
            yield DYNAMIC if receiver.attr == "__dict__" else receiver.attr  # self.last_x.update(...)
        elif isinstance(receiver, ast.Call) and _is_vars(receiver.func):
            yield DYNAMIC


def _is_vars(func: ast.expr) -> bool:
    return isinstance(func, ast.Name) and func.id == "vars"
