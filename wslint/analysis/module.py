"""A parsed module's shape: its functions, classes, imports and where each name lives."""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from wslint.analysis.names import dotted_name, import_aliases, module_name_for, qualify
from wslint.analysis.walk import SCOPE_NODES, index_tree, local_nodes, nested_statements, parent, walk
from wslint.core.vocabulary import GAP

__all__ = ["SCOPE_NODES", "ClassInfo", "FunctionInfo", "ModuleInfo", "is_test_path", "local_nodes"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
CAPTURES = (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)
TEST_DIRS = frozenset({"tests", "test"})


@dataclass
class ClassInfo:
    """A class: its key (``module::Outer.Inner``), bases, methods and typed attributes.

    Links back to the module and from methods to their class are weak: a module's objects
    form no reference cycle, so a module the index lets go of is freed at once.
    """

    key: str
    node: ast.ClassDef
    bases: tuple[str, ...]
    _module: weakref.ref[ModuleInfo]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    _attribute_types: dict[str, str] | None = None

    @property
    def attribute_types(self) -> dict[str, str]:
        """``self.x = Manager(...)`` / ``self.x: Manager`` in the methods -> dotted type."""
        if self._attribute_types is None:
            module = self._module()
            self._attribute_types = module.attribute_types(self) if module is not None else {}
        return self._attribute_types


@dataclass
class FunctionInfo:
    """A function or method: its key (``module::Class.name``) and where it sits."""

    key: str
    node: FunctionNode
    _owner: weakref.ref[ClassInfo] | None
    parent: FunctionInfo | None
    _local_names: frozenset[str] | None = None
    _body: list[ast.AST] | None = field(default=None, repr=False, compare=False)
    _targets: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def local_names(self) -> frozenset[str]:
        """The parameters and the names the body assigns (``x = ...``, ``for x in``...)."""
        if self._local_names is None:
            arguments = self.node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            names = {argument.arg for argument in every}
            names.update(
                node.id
                for node in self.body_nodes()
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            )
            self._local_names = frozenset(names)
        return self._local_names

    def target_names(self) -> frozenset[str]:
        """Every name inside a target of the body's assignments (``=``, augmented, annotated,
        ``:=``) and ``for`` loops: ``x`` of ``x = ...``, and also ``obj`` of ``obj.attr = ...``
        or ``i`` of ``a[i] = ...`` (listed once: rules ask about many names)."""
        if self._targets is None:
            names: set[str] = set()
            for node in self.body_nodes():
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        names.update(name.id for name in walk(target) if isinstance(name, ast.Name))
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
                    if isinstance(node.target, ast.Name):
                        names.add(node.target.id)
                elif isinstance(node, (ast.For, ast.AsyncFor)):
                    names.update(name.id for name in walk(node.target) if isinstance(name, ast.Name))
            self._targets = frozenset(names)
        return self._targets

    @property
    def owner(self) -> ClassInfo | None:
        """The class the function is a method of (None for functions)."""
        return self._owner() if self._owner is not None else None

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    def body_nodes(self) -> list[ast.AST]:
        """Every node of the body, not descending into nested functions, lambdas or classes.

        Listed once (rules and project questions walk the same bodies again and again): the
        list is shared, to be read, never changed."""
        if self._body is None:
            self._body = local_nodes(self.node.body)
        return self._body


def is_test_path(relative: PurePath) -> bool:
    """Test code: ``test_*.py``, ``*_test.py``, ``conftest.py`` or anything under tests/ or test/."""
    name = relative.name
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in TEST_DIRS for part in relative.parts[:-1])


class ModuleInfo:
    """One module of the project, as seen through the standard ``ast``."""

    def __init__(self, tree: ast.Module, path: PurePath, root: PurePath, data: bytes | None = None) -> None:
        self.tree = tree
        self.data = data  # the source bytes, when known: a word absent from them needs no walk
        self.path = path
        self.name = module_name_for(path, root)
        self.is_package = path.name == "__init__.py"
        try:
            self.is_test = is_test_path(path.relative_to(root))
        except ValueError:
            self.is_test = is_test_path(PurePath(path.name))
        self.aliases = import_aliases(tree, self.name, self.is_package)
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.top_level: dict[str, str] = {}  # module-level name -> class or function key
        self._scopes: dict[int, FunctionInfo] | None = None
        self._calls: dict[str, list[ast.Call]] | None = None
        self._mentions: dict[str, list[ast.AST]] | None = None
        self._discarded: list[tuple[ast.Call, FunctionInfo | None]] | None = None
        self._other_bindings: frozenset[str] | None = None
        self._may_call: dict[str, bool] = {}
        self._imports: dict[str, int] | None = None
        self._instances: dict[str, str] | None = None
        self._collect(tree.body, prefix="", owner=None, parent=None)

    # -- building ---------------------------------------------------------------------------
    def _collect(
        self,
        body: list[ast.stmt],
        prefix: str,
        owner: ClassInfo | None,
        parent: FunctionInfo | None,
    ) -> None:
        for node in _statements(body):
            if isinstance(node, ast.ClassDef):
                self._add_class(node, prefix, parent)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._add_function(node, prefix, owner, parent)

    def _add_class(self, node: ast.ClassDef, prefix: str, parent: FunctionInfo | None) -> None:
        qualname = f"{prefix}{node.name}"
        bases = tuple(self.qualified(base) or "?" for base in node.bases)
        info = ClassInfo(f"{self.name}::{qualname}", node, bases, weakref.ref(self))
        self.classes[qualname] = info
        if not prefix:
            self.top_level[node.name] = info.key
        self._collect(node.body, f"{qualname}.", info, parent)

    def _add_function(
        self,
        node: FunctionNode,
        prefix: str,
        owner: ClassInfo | None,
        parent: FunctionInfo | None,
    ) -> None:
        qualname = f"{prefix}{node.name}"
        info = FunctionInfo(f"{self.name}::{qualname}", node, weakref.ref(owner) if owner else None, parent)
        self.functions[qualname] = info
        if owner is not None and f"{owner.key.split('::', 1)[1]}." == prefix:
            owner.methods.setdefault(node.name, info)
        if not prefix:
            self.top_level[node.name] = info.key
        self._collect(node.body, f"{qualname}.<locals>.", None, info)

    def attribute_types(self, info: ClassInfo) -> dict[str, str]:
        """``self.x = Manager(...)`` or ``self.x: Manager`` in the class's methods -> dotted type."""
        types: dict[str, str] = {}
        annotations = _parameter_annotations(info.methods.get("__init__"))
        for method in info.methods.values():
            for node in walk(method.node):  # fast once the module is laid out
                for target, value, annotation in _self_assignments(node):
                    found = self._type_of(value, annotation, annotations)
                    if found:
                        types.setdefault(target, found)
        return types

    def _type_of(
        self,
        value: ast.AST | None,
        annotation: ast.AST | None,
        parameter_types: dict[str, ast.AST],
    ) -> str | None:
        if annotation is not None:
            return self.qualified(annotation)
        if isinstance(value, ast.Call):
            return self.qualified(value.func)
        if isinstance(value, ast.Name) and value.id in parameter_types:
            return self.qualified(parameter_types[value.id])
        return None

    def instance_type(self, name: str) -> str | None:
        """The dotted callee that built a module-level instance (``notifier = Notifier()``):
        bound once, by a call, at the top of the module (None otherwise)."""
        if self._instances is None:
            built: dict[str, list[str | None]] = {}
            for node in _statements(self.tree.body):
                if isinstance(node, ast.Assign):
                    value = node.value
                    callee = self.qualified(value.func) if isinstance(value, ast.Call) else None
                    for target in node.targets:
                        for bound in walk(target):
                            if isinstance(bound, ast.Name):
                                built.setdefault(bound.id, []).append(callee if bound is target else None)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                    given = getattr(node, "value", None)
                    callee = self.qualified(given.func) if isinstance(given, ast.Call) else None
                    built.setdefault(node.target.id, []).append(callee)
            self._instances = {
                bound: callees[0]
                for bound, callees in built.items()
                if len(callees) == 1 and callees[0] is not None
            }
        if name not in self._instances or name in self.other_bindings() or self.import_count(name):
            return None
        return self._instances[name]

    # -- queries ----------------------------------------------------------------------------
    def qualified(self, node: ast.AST) -> str | None:
        """The fully qualified dotted name of a Name/Attribute chain, through imports and defs."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head = dotted.split(".")[0]
        if head in self.aliases:
            return qualify(dotted, self.aliases)
        if head in self.top_level:
            return f"{self.name}.{dotted}"
        return dotted

    def may_mention(self, *words: str) -> bool:
        """False only when the source bytes are known and hold none of ``words``.

        Non-ASCII words always may: the file's encoding need not be UTF-8.
        """
        if self.data is None:
            return True
        return any(not word.isascii() or word.encode() in self.data for word in words)

    def may_call(self, name: str) -> bool:
        """False only when the source bytes are known and hold no call spelling ``name``:
        the name as a whole word, then a bracket (blanks, line joins and comments between)."""
        if self.data is None or not name.isascii():
            return True
        found = self._may_call.get(name)
        if found is None:
            pattern = rb"\b" + re.escape(name.encode()) + rb"\b" + GAP + rb"[()]"
            found = self._may_call[name] = name.encode() in self.data and bool(re.search(pattern, self.data))
        return found

    def nodes(self) -> list[ast.AST] | Iterator[ast.AST]:
        """Every node of the module, depth first (whole-module questions lay it out first)."""
        self.lay_out()
        return walk(self.tree)

    def lay_out(self) -> None:
        """Lay the module out for the sliced walks (:mod:`wslint.analysis.walk`).

        Done on the first question about parents or scopes, not when parsed: a module only
        asked about a few of its functions is cheaper walked than laid out.
        """
        index_tree(self.tree)

    def parent_of(self, node: ast.AST) -> ast.AST | None:
        self.lay_out()
        return parent(node, self.tree)

    def calls_named(self, name: str) -> list[ast.Call]:
        """Every call in the module whose callee's final name is ``name`` (one shared walk)."""
        if self._calls is None and not self.may_call(name):
            return []
        if self._calls is None:
            self._calls = {}
            for node in self.nodes():
                if isinstance(node, ast.Call):
                    func = node.func
                    final = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                    if final is not None:
                        self._calls.setdefault(final, []).append(node)
        return self._calls.get(name, [])

    def mentions(self, name: str) -> list[ast.AST]:
        """Names, attributes and string constants spelling ``name``, in walk order (one shared walk)."""
        if self._mentions is None and not self.may_mention(name):
            return []
        return self._mention_table().get(name, [])

    def mentioned_names(self) -> Iterable[str]:
        """Every name, attribute and string constant the module spells."""
        return self._mention_table().keys()

    def _mention_table(self) -> dict[str, list[ast.AST]]:
        if self._mentions is None:
            found: dict[str, list[ast.AST]] = {}
            for node in self.nodes():
                if isinstance(node, ast.Name):
                    key = node.id
                elif isinstance(node, ast.Attribute):
                    key = node.attr
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    key = node.value
                else:
                    continue
                found.setdefault(key, []).append(node)
            self._mentions = found
        return self._mentions

    def other_bindings(self) -> frozenset[str]:
        """Names bound anywhere other than by a plain name target or an import: defs, classes,
        ``global``/``nonlocal``, ``except ... as``, match captures; ``*`` for a star import."""
        if self._other_bindings is None:
            self._scan_bindings()
        assert self._other_bindings is not None
        return self._other_bindings

    def import_count(self, name: str) -> int:
        """How many import statements anywhere in the module bind ``name``."""
        if self._imports is None:
            self._scan_bindings()
        assert self._imports is not None
        return self._imports.get(name, 0)

    def _scan_bindings(self) -> None:
        other: set[str] = set()
        imports: dict[str, int] = {}
        for node in self.nodes():
            if isinstance(node, ast.expr):
                continue  # most nodes: no expression binds a name but by a plain name target
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                other.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                other.update(node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    imports[bound] = imports.get(bound, 0) + 1
                    if alias.name == "*":
                        other.add("*")
            elif isinstance(node, CAPTURES) and node.name:  # except ... as, match captures
                other.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                other.add(node.rest)
        self._other_bindings = frozenset(other)
        self._imports = imports

    def discarded_calls(self) -> list[tuple[ast.Call, FunctionInfo | None]]:
        """Every call whose value is thrown away (a bare call statement), in source order, with
        the function whose own body holds it (as :meth:`scope_map` says). Found by walking
        statements only: no layout, no expression visited."""
        if self._discarded is None:
            functions = {id(info.node): info for info in self.functions.values()}
            found: list[tuple[ast.Call, FunctionInfo | None]] = []
            stack: list[tuple[ast.stmt, FunctionInfo | None]] = []
            stack.extend((node, None) for node in reversed(self.tree.body))
            while stack:
                node, scope = stack.pop()
                if isinstance(node, ast.Expr):
                    if isinstance(node.value, ast.Call):
                        found.append((node.value, scope))
                    continue
                if isinstance(node, SCOPE_NODES):
                    scope = functions.get(id(node))  # a class body, or a def the module never lists
                stack.extend((child, scope) for child in reversed(nested_statements(node)))
            self._discarded = found
        return self._discarded

    def discarded_callees(self) -> set[int]:
        """``id()`` of the callee of every call whose value is thrown away (a bare call statement)."""
        return {id(call.func) for call, _ in self.discarded_calls()}

    def scope_map(self) -> dict[int, FunctionInfo]:
        """``id(node)`` -> the function whose own body holds it (module level: absent)."""
        if self._scopes is None:
            self.lay_out()
            self._scopes = {
                id(node): function for function in self.functions.values() for node in function.body_nodes()
            }
        return self._scopes

    def iter_functions(self) -> Iterator[FunctionInfo]:
        return iter(self.functions.values())


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block, looking into if/try/with blocks (defs under ``if TYPE_CHECKING``)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or (
            hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)
        ):
            for name in ("body", "orelse", "finalbody"):
                yield from _statements(getattr(node, name, []))
            for handler in getattr(node, "handlers", []):
                yield from _statements(handler.body)


def _parameter_annotations(method: FunctionInfo | None) -> dict[str, ast.AST]:
    if method is None:
        return {}
    arguments = method.node.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return {arg.arg: arg.annotation for arg in every if arg.annotation is not None}


def _self_assignments(node: ast.AST) -> Iterator[tuple[str, ast.AST | None, ast.AST | None]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and _is_self_attribute(target):
                yield target.attr, node.value, None
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Attribute):
        if _is_self_attribute(node.target):
            yield node.target.attr, node.value, node.annotation


def _is_self_attribute(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    )
