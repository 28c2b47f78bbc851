"""Sleep intervals: literals and constants from the ``ast``, everything else through astroid."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple, Union

from wslint.analysis.constants import constant_number, literal_number
from wslint.analysis.index import ProjectIndex
from wslint.analysis.inference import InferenceView
from wslint.analysis.module import ClassInfo, FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk


def interval_values(
    node: ast.AST | None,
    inference: InferenceView | None,
    module: ModuleInfo | None = None,
    index: ProjectIndex | None = None,
) -> list[float] | None:
    """Every value an interval expression can take, or None when it cannot be known.

    Literals and module constants are read from the syntax; astroid only sees the rest.
    """
    if node is None:
        return None
    known = constant_number(node, module, index) if module is not None else literal_number(node)
    if known is not None:
        return [known]
    if isinstance(node, ast.Constant) or inference is None:
        return None
    return inference.numbers(node)


@dataclass(frozen=True)
class Interval:
    """One value a timer can take, and the construction site that chose it (if any)."""

    seconds: float
    site: str | None = None


def constructed_intervals(
    node: ast.AST,
    function: FunctionInfo,
    module: ModuleInfo,
    index: ProjectIndex,
    inference: InferenceView | None,
) -> list[Interval] | None:
    """Values of ``self.x`` where ``__init__`` sets it from a parameter, per construction site.

    Each production construction passes a literal (that value), omits the argument (the
    default), or passes something else (unknown, skipped). None when ``node`` is not such
    an attribute or the default cannot be read.
    """
    found = _init_parameter(node, function)
    if found is None:
        return None
    owner, position, parameter, default = found
    defaults = interval_values(default, inference, module, index)
    default_value = max(defaults) if defaults else None
    sites = list(_construction_sites(owner, module, index))
    if not sites:
        return [Interval(default_value)] if default_value is not None else None
    values = []
    for site in sites:
        argument = site.argument(position, parameter)
        if isinstance(argument, _Missing):
            if default_value is not None:
                values.append(Interval(default_value))
        elif argument is not None:
            values.append(Interval(argument, site.where))
    return values or None


def _init_parameter(node: ast.AST, function: FunctionInfo):  # type: ignore[no-untyped-def]
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"):
        return None
    owner = function.owner
    init = owner.methods.get("__init__") if owner else None
    if owner is None or init is None:
        return None
    for statement in walk(init.node):
        if (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and isinstance(statement.value, ast.Name)
            and any(
                isinstance(t, ast.Attribute)
                and t.attr == node.attr
                and isinstance(t.value, ast.Name)
                and t.value.id == "self"
                for t in (statement.targets if isinstance(statement, ast.Assign) else [statement.target])
            )
        ):
            return _parameter(init.node.args, statement.value.id, owner)
    return None


def _parameter(arguments: ast.arguments, name: str, owner: ClassInfo):  # type: ignore[no-untyped-def]
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    for position, (argument, default) in enumerate(zip(positional, defaults)):
        if argument.arg == name:
            return owner, position - 1, name, default  # -1: self is not passed
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if argument.arg == name:
            return owner, None, name, default
    return None


def _construction_sites(owner: ClassInfo, module: ModuleInfo, index: ProjectIndex) -> Iterator[Construction]:
    class_name = owner.node.name
    dotted = f"{module.name}.{class_name}"
    compute = partial(constructions_in, name=class_name, root=index.root)
    for site in index.answers(class_name, CONSTRUCTIONS, compute):
        qualified = site.qualified
        if qualified == dotted or dotted.endswith(f".{qualified}") or qualified.endswith(f".{dotted}"):
            yield site


CONSTRUCTIONS = "constructions"  # the calls of a class's name, for its constructor's arguments


class _Missing:
    def __reduce__(self) -> str:
        return "MISSING"  # unpickled as the module's one MISSING: compared by identity


MISSING = _Missing()  # an argument a call does not pass (the default applies)
Argument = Union[float, None, _Missing]  # a literal number, something else, or not passed


class Construction(NamedTuple):  # a tuple: worker processes share them
    """A call of a class's name: what the callee qualifies to, where it is, its arguments
    (literal numbers; None for anything else)."""

    qualified: str
    where: str
    positional: tuple[float | None, ...]
    first_starred: int | None  # positions from there on are unknown
    keywords: tuple[tuple[str, float | None], ...]

    def argument(self, position: int | None, name: str) -> Argument:
        """What the call passes for the parameter ``name`` at ``position``."""
        for keyword, value in self.keywords:
            if keyword == name:
                return value
        if position is not None and position < len(self.positional):
            if self.first_starred is None or self.first_starred > position:
                return self.positional[position]
        return MISSING


def constructions_in(module: ModuleInfo, name: str, root: Path) -> list[Construction]:
    """Every call in ``module`` whose callee's final name is the class name ``name``."""
    found = []
    relative: str | None = None
    for call in module.calls_named(name):
        if final_name(call.func) != name:
            continue
        relative = relative or _relative(module, root)
        starred = [n for n, argument in enumerate(call.args) if isinstance(argument, ast.Starred)]
        found.append(
            Construction(
                module.qualified(call.func) or "",
                f"{relative}:{call.lineno}",
                tuple(literal_number(argument) for argument in call.args),
                starred[0] if starred else None,
                tuple((k.arg, literal_number(k.value)) for k in call.keywords if k.arg is not None),
            )
        )
    return found


def _relative(module: ModuleInfo, root: Path) -> str:
    try:
        return Path(module.path).relative_to(root).as_posix()
    except ValueError:
        return str(module.path)
