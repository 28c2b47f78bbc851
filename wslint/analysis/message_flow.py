"""Where a message's ``"type"`` comes from, followed across helpers and call sites.

:class:`TypeResolver` answers "which message types can this expression carry?" with a set of
strings, or :data:`UNKNOWN` when the code does not say. It reads string literals, module and
class constants (imported ones too, enum members with or without ``.value``), names bound to
dict literals, ``json.dumps(...)`` of any of those, dicts built by a helper whose type parameter
gets string literals at its call sites (one level), and messages that arrive as a parameter:
those take their types from the function's production call sites. A function whose name is a
broadcast method adds no type of its own: its callers' broadcasts carry the types.
"""

from __future__ import annotations

import ast
import heapq
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple, Union, cast

from wslint.analysis.calls import call_target
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.messages import single_binding
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk

MAX_DEPTH = 4
MAX_CALL_SITES = 64
DUMPS = frozenset({"dumps", "dump_json"})


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # unpickled as the module's one UNKNOWN: compared by identity


UNKNOWN = _Unknown()
Types = Union["frozenset[str]", _Unknown]


def union(first: Types, second: Types) -> Types:
    if first is UNKNOWN or second is UNKNOWN:
        return UNKNOWN
    return first | second  # type: ignore[operator]


@dataclass(frozen=True)
class Scope:
    """An expression's surroundings: its module, its function, and argument bindings if any."""

    module: ModuleInfo
    function: FunctionInfo | None
    bindings: tuple[tuple[str, ast.AST, Scope], ...] = ()  # parameter -> argument at one call

    def bound(self, name: str) -> tuple[ast.AST, Scope] | None:
        for parameter, argument, scope in self.bindings:
            if parameter == name:
                return argument, scope
        return None


class TypeResolver:
    """Message types of expressions, memoised per project index."""

    def __init__(self, index: ProjectIndex) -> None:
        # Weakly: the project's facts memoise a resolver under the index as a weak key, and a
        # value that held its key would keep the index and every tree it holds alive.
        self.index: ProjectIndex = cast(ProjectIndex, weakref.proxy(index))
        self._parameter_types: dict[tuple[str, str, bool], Types] = {}
        self._mentions: dict[str, tuple[list[Mention], dict[str | None, list[int]]]] = {}
        self._in_progress: set[tuple[str, str, bool]] = set()
        self._scratch: dict[tuple[str, str, bool], Types] = {}  # partial answers, this question
        self._partial = 0  # answers cut short by a cycle or the depth limit, so far

    # -- messages ---------------------------------------------------------------------------
    def message_types(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> Types:
        """The types a message expression can carry."""
        if node is None:
            return UNKNOWN
        if depth > MAX_DEPTH:
            self._partial += 1
            return UNKNOWN
        if isinstance(node, ast.Dict):
            return self._dict_types(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call_message_types(node, scope, depth)
        if isinstance(node, ast.Name):
            return self._name_types(node.id, scope, depth, self.message_types)
        return UNKNOWN

    def _dict_types(self, node: ast.Dict, scope: Scope, depth: int) -> Types:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == "type":
                return self.type_values(value, scope, depth)
        if any(key is None or not isinstance(key, ast.Constant) for key in node.keys):
            return UNKNOWN  # a "type" may hide in a ** spread or a computed key
        return frozenset()  # visibly no "type": a message of no type, which silences nothing

    def _call_message_types(self, call: ast.Call, scope: Scope, depth: int) -> Types:
        name = final_name(call.func)
        if name in DUMPS and call.args:
            return self.message_types(call.args[0], scope, depth + 1)
        if name == "dict" and isinstance(call.func, ast.Name):
            for keyword in call.keywords:
                if keyword.arg == "type":
                    return self.type_values(keyword.value, scope, depth)
            return UNKNOWN if call.args or any(k.arg is None for k in call.keywords) else frozenset()
        helper = self._resolve_call(call, scope)
        if helper is None:
            return UNKNOWN
        returned = _returned_values(helper.function)
        if not returned:
            return UNKNOWN
        inner = Scope(helper.module, helper.function, _bind(call, helper.function, scope))
        result: Types = frozenset()
        for value in returned:
            result = union(result, self.message_types(value, inner, depth + 1))
        return result

    # -- the "type" value -------------------------------------------------------------------
    def type_values(self, node: ast.AST, scope: Scope, depth: int = 0) -> Types:
        """The strings a ``"type"`` value can be."""
        if depth > MAX_DEPTH:
            self._partial += 1
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return frozenset({node.value}) if isinstance(node.value, str) else UNKNOWN
        if isinstance(node, ast.Name):
            return self._name_types(node.id, scope, depth, self.type_values)
        if isinstance(node, ast.Attribute):
            found = self._attribute_constant(node, scope)
            return frozenset({found}) if found is not None else UNKNOWN
        if isinstance(node, ast.IfExp):
            return union(
                self.type_values(node.body, scope, depth), self.type_values(node.orelse, scope, depth)
            )
        return UNKNOWN

    # -- names ------------------------------------------------------------------------------
    def _name_types(self, name: str, scope: Scope, depth: int, follow: Callable[..., Types]) -> Types:
        bound = scope.bound(name)
        if bound is not None:
            argument, outer = bound
            return follow(argument, outer, depth + 1)
        function = scope.function
        if function is not None:
            if name in _parameter_names(function):
                return self.parameter_types(function, scope.module, name, follow == self.type_values, depth)
            local = _local_values(function, name)
            if local is not None:
                result: Types = frozenset()
                for value in local:
                    result = union(result, follow(value, scope, depth + 1))
                return result if local else UNKNOWN
        constant = _module_value(scope.module, name)
        if constant is not None:
            return follow(constant, Scope(scope.module, None), depth + 1)
        imported = self._imported_value(scope.module, name)
        if imported is not None:
            value, module = imported
            return follow(value, Scope(module, None), depth + 1)
        return UNKNOWN

    def _imported_value(self, module: ModuleInfo, name: str) -> tuple[ast.AST, ModuleInfo] | None:
        dotted = module.aliases.get(name)
        if not dotted or "." not in dotted:
            return None
        head, _, last = dotted.rpartition(".")
        if not self.index.is_project_module(head):
            return None
        other = self.index.module(head)
        if other is None:
            return None
        value = _module_value(other, last)
        return (value, other) if value is not None else None

    def _attribute_constant(self, node: ast.Attribute, scope: Scope) -> str | None:
        """``Cls.NAME``, ``self.NAME``, ``MessageType.X`` / ``MessageType.X.value``, ``mod.NAME``."""
        if node.attr == "value" and isinstance(node.value, ast.Attribute):
            node = node.value
        receiver = node.value
        found = self._class_of(receiver, scope)
        if found is not None:
            module, info = found
            value = _class_value(info.node, node.attr)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
            if isinstance(value, ast.Name):  # ``QUEUE_UPDATE = QUEUE_UPDATE`` in the class body
                found = self.type_values(value, Scope(module, None), MAX_DEPTH - 1)
                if isinstance(found, frozenset) and len(found) == 1:
                    return next(iter(found))
            return None
        dotted = scope.module.qualified(receiver)
        if dotted and self.index.is_project_module(dotted):
            other = self.index.module(dotted)
            value = _module_value(other, node.attr) if other is not None else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
        return None

    def _class_of(self, receiver: ast.AST, scope: Scope):  # type: ignore[no-untyped-def]
        module = scope.module
        if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
            function = scope.function
            while function is not None and function.owner is None:
                function = function.parent
            return (module, function.owner) if function is not None else None
        if isinstance(receiver, ast.Name) and receiver.id in module.classes:
            return module, module.classes[receiver.id]
        dotted = module.qualified(receiver)
        if dotted and "." in dotted:
            head, _, last = dotted.rpartition(".")
            if self.index.is_project_module(head):
                other = self.index.module(head)
                if other is not None and last in other.classes:
                    return other, other.classes[last]
        return None

    # -- parameters: types from the call sites ----------------------------------------------
    def parameter_types(
        self, function: FunctionInfo, module: ModuleInfo, parameter: str, as_type: bool, depth: int
    ) -> Types:
        """The types a parameter receives at the function's production call sites."""
        if function.name in self.index.settings.broadcast_methods:
            return frozenset()  # the broadcast implementation: its callers carry the types
        key = (function.key, parameter, as_type)
        if key in self._parameter_types:
            return self._parameter_types[key]
        if key in self._scratch:
            self._partial += 1
            return self._scratch[key]
        if key in self._in_progress:
            self._partial += 1
            return frozenset()  # a cycle adds nothing to what the other call sites carry
        self._in_progress.add(key)
        partial_before = self._partial
        follow = self.type_values if as_type else self.message_types
        result: Types = frozenset()
        for argument in self._arguments_at_call_sites(function, parameter):
            if argument is None:
                result = UNKNOWN
                break
            value, scope = argument
            result = union(result, follow(value, scope, depth + 1))
            if result is UNKNOWN:
                break
        self._in_progress.discard(key)
        # Only a result that met no cycle and no depth limit is the same whatever was asked first
        # (worker processes ask in different orders): only that one is kept for good. The others
        # are kept until the outermost question is answered, so that one question stays cheap.
        if self._partial == partial_before:
            self._parameter_types[key] = result
        else:
            self._scratch[key] = result
        if not self._in_progress:
            self._scratch.clear()
        return result

    def _arguments_at_call_sites(
        self, function: FunctionInfo, parameter: str
    ) -> Iterator[tuple[ast.AST, Scope] | None]:
        """Each call site's argument for ``parameter``; None where it cannot be told."""
        count = 0
        mentions, by_target = self._mentions_of(function.name)
        # Those that may go to this function (mentions of other functions of the name skipped).
        relevant = heapq.merge(by_target.get(None, []), by_target.get(function.key, []))
        for mention in (mentions[number] for number in relevant):
            if mention.call is None:
                yield None  # passed on as a callback: call sites unknown
                return
            count += 1
            if count > MAX_CALL_SITES:
                yield None
                return
            found = self._call_at(mention)
            if found is None:
                yield None
                return
            call, scope = found
            argument = _argument_for(call, function, parameter)
            yield (argument, scope) if argument is not None else None

    def _mentions_of(self, name: str) -> tuple[list[Mention], dict[str | None, list[int]]]:
        """Every production load of ``name`` and where it resolves, once per name.

        All the functions of one name (a ``_push`` helper in every module) ask about the same
        mentions; resolving them once keeps the work linear in the project's size.
        """
        known = self._mentions.get(name)
        if known is not None:
            return known
        found = self.index.answers(name, MENTIONS, partial(mentions_in, self.index, name=name))
        by_target: dict[str | None, list[int]] = {}
        for number, mention in enumerate(found):
            by_target.setdefault(mention.target, []).append(number)
        self._mentions[name] = (found, by_target)
        return found, by_target

    def _call_at(self, mention: Mention) -> tuple[ast.Call, Scope] | None:
        """The call a mention stands for, found again in its module (it may have been re-parsed)."""
        module = self.index.module(mention.module)
        if module is None or mention.call is None:
            return None
        for call in module.calls_named(mention.call[4]):
            if _place(call) == mention.call:
                return call, Scope(module, module.scope_map().get(id(call)))
        return None

    def _resolve_call(self, call: ast.Call, scope: Scope) -> Resolved | None:
        resolved = self.index.resolve(call_target(call, scope.function, scope.module))
        return resolved if isinstance(resolved, Resolved) else None

    def resolve_call(self, call: ast.Call, scope: Scope) -> Resolved | None:
        """The project function a call goes to, if it can be told."""
        return self._resolve_call(call, scope)


MENTIONS = "mentions"  # the loads of a function's name, for its call sites


def mentions_in(index: ProjectIndex, module: ModuleInfo, name: str) -> list[Mention]:
    """Every load of ``name`` in ``module``, where it resolves and, for a callee, its call."""
    found: list[Mention] = []
    scopes = module.scope_map()
    calls = _calls_by_func(module)
    for node in _mentions(module, name):
        call = calls.get(id(node))
        caller = scopes.get(id(call if call is not None else node))
        fake = ast.Call(func=cast(ast.expr, node), args=[], keywords=[])
        resolved = index.resolve(call_target(fake, caller, module))
        target = resolved.function.key if isinstance(resolved, Resolved) else None
        place = _place(call) if call is not None else None
        found.append(Mention(module.name, target, place))
    return found


# -- helpers on the syntax ------------------------------------------------------------------
def _parameter_names(function: FunctionInfo) -> list[str]:
    arguments = function.node.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    names += [a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return names


def positional_parameters(function: FunctionInfo) -> list[ast.arg]:
    arguments = function.node.args
    every = [*arguments.posonlyargs, *arguments.args]
    if function.owner is not None and every and not _is_static(function):
        every = every[1:]  # self / cls
    return every


def _is_static(function: FunctionInfo) -> bool:
    return any(final_name(d) == "staticmethod" for d in function.node.decorator_list)


def _argument_for(call: ast.Call, function: FunctionInfo, parameter: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == parameter:
            return keyword.value
        if keyword.arg is None:
            return None  # **kwargs at the call: unknown
    positional = positional_parameters(function)
    names = [a.arg for a in positional]
    if parameter in names:
        position = names.index(parameter)
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
        if position < len(call.args):
            return call.args[position]
    return _default(function, parameter)


def _bind(call: ast.Call, function: FunctionInfo, scope: Scope) -> tuple[tuple[str, ast.AST, Scope], ...]:
    bound = []
    for name in _parameter_names(function):
        argument = _argument_for(call, function, name)
        if argument is not None:
            bound.append((name, argument, scope))
    return tuple(bound)


def _default(function: FunctionInfo, parameter: str) -> ast.AST | None:
    arguments = function.node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = dict(
        zip([a.arg for a in positional[len(positional) - len(arguments.defaults) :]], arguments.defaults)
    )
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if default is not None:
            defaults[argument.arg] = default
    return defaults.get(parameter)


def _returned_values(function: FunctionInfo) -> list[ast.AST]:
    return [
        node.value
        for node in function.body_nodes()
        if isinstance(node, ast.Return) and node.value is not None
    ]


def _local_values(function: FunctionInfo, name: str) -> list[ast.AST] | None:
    """What a local name is assigned, or None when it is not a plain local of ``function``."""
    values: list[ast.AST] = []
    for node in function.body_nodes():
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                values.append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr)):
            target = getattr(node, "target", None) or getattr(node, "optional_vars", None)
            if target is not None and any(isinstance(n, ast.Name) and n.id == name for n in walk(target)):
                return []  # bound some other way: unknown
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return []  # ``message["type"] = ...`` rewrites it: unknown
    return values or None


def _module_value(module: ModuleInfo, name: str) -> ast.AST | None:
    return single_binding(module.tree.body, name)


def _class_value(node: ast.ClassDef, name: str) -> ast.AST | None:
    return single_binding(node.body, name)


CallPlace = tuple[int, int, "int | None", "int | None", str]  # position and callee's final name


class Mention(NamedTuple):  # a tuple: workers send thousands of them to each other
    """A load of a function's name: its module, the function it resolves to (None: unknown)
    and, when it is a call's callee, where that call is."""

    module: str
    target: str | None
    call: CallPlace | None


def _place(call: ast.Call) -> CallPlace:
    func = call.func
    final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (call.lineno, call.col_offset, call.end_lineno, call.end_col_offset, final)


def _calls_by_func(module: ModuleInfo) -> dict[int, ast.Call]:
    cached = getattr(module, "_wsl_calls_by_func", None)
    if cached is None:
        cached = {id(node.func): node for node in walk(module.tree) if isinstance(node, ast.Call)}
        module._wsl_calls_by_func = cached  # type: ignore[attr-defined]
    return cached


def _mentions(module: ModuleInfo, name: str) -> Iterator[ast.AST]:
    """Names and attributes spelling ``name`` (loads only)."""
    for node in module.mentions(name):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            yield node
