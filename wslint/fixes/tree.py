"""The concrete syntax tree a fix rewrites (libcst), the analysis it consults, and a plan of
statement-level rewrites applied in one pass, so that comments and formatting survive."""

from __future__ import annotations

import ast
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.fixes.edits import source_lines

if TYPE_CHECKING:
    from wslint.analysis.context import FileContext

SPAWNS = frozenset({"create_task", "ensure_future"})


class FixTarget:
    """One file's source, its libcst tree with positions and parents, and (on demand) the
    analysis the rules ran on it."""

    def __init__(self, source: str, path: str, settings: Settings) -> None:
        self.source = source
        self.path = path
        self.settings = settings
        self.lines = source_lines(source)

    @cached_property
    def wrapper(self) -> MetadataWrapper:
        return MetadataWrapper(cst.parse_module(self.source))

    @property
    def module(self) -> cst.Module:
        return self.wrapper.module

    @cached_property
    def positions(self) -> Any:
        return self.wrapper.resolve(PositionProvider)

    @cached_property
    def parents(self) -> Any:
        return self.wrapper.resolve(ParentNodeProvider)

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.source)

    @cached_property
    def context(self) -> FileContext:
        return analysis_context(self.source, self.path, self.settings)

    @cached_property
    def _by_start(self) -> dict[tuple[int, int], list[cst.CSTNode]]:
        found: dict[tuple[int, int], list[cst.CSTNode]] = defaultdict(list)
        for node, where in self.positions.items():
            found[(where.start.line, where.start.column)].append(node)
        return found

    def char_column(self, line: int, byte_column: int) -> int:
        """The 0-based character column of a 1-based byte column (a finding's)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8", "surrogatepass")[: byte_column - 1].decode("utf-8", "replace"))

    def node_at(self, line: int, byte_column: int, kind: type[cst.CSTNode]) -> Any:
        """The node of ``kind`` starting at (line, byte column), if exactly one does."""
        nodes = [
            n
            for n in self._by_start.get((line, self.char_column(line, byte_column)), [])
            if isinstance(n, kind)
        ]
        return nodes[0] if len(nodes) == 1 else None

    def call_at(self, finding: Finding) -> cst.Call | None:
        return self.node_at(finding.line, finding.column, cst.Call)  # type: ignore[no-any-return]

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def statement_of(self, call: cst.Call) -> cst.SimpleStatementLine | None:
        """The line ``call`` is the whole statement of (``call(...)`` or ``await call(...)``
        alone on its line), if it is."""
        expression: cst.CSTNode = call
        parent = self.parent(call)
        if isinstance(parent, cst.Await):
            expression, parent = parent, self.parent(parent)
        if not (isinstance(parent, cst.Expr) and parent.value is expression):
            return None
        line = self.parent(parent)
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            return line
        return None

    def is_expression_statement(self, call: cst.Call) -> bool:
        """Whether ``call`` is a statement of its own (on its line or after a ``;`` or ``:``)."""
        parent = self.parent(call)
        return isinstance(parent, cst.Expr) and parent.value is call

    def enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor
            if isinstance(ancestor, cst.Lambda):
                return None
        return None

    def owning_class(self, function: cst.FunctionDef) -> cst.ClassDef | None:
        """The class ``function`` is a method of (defined directly in its body)."""
        block = self.parent(function)
        owner = self.parent(block) if isinstance(block, cst.IndentedBlock) else None
        return owner if isinstance(owner, cst.ClassDef) else None


def analysis_context(source: str, path: str, settings: Settings) -> FileContext:
    """The rules' view of ``source`` as the file ``path`` of its project, as a run builds it."""
    from wslint.analysis.context import FileContext
    from wslint.analysis.inference import InferenceView
    from wslint.analysis.module import ModuleInfo
    from wslint.core.source import parse_source
    from wslint.driver.checking import project_index
    from wslint.fixes.verify import encoded, project_of

    absolute = Path(os.path.abspath(path))
    root, files = project_of(absolute, settings)
    data = encoded(source)
    index = project_index(root, list(files), settings)
    index.remember(absolute, data)
    module = ModuleInfo(parse_source(source, path), absolute, root, data)
    index.add(module, data)
    inference = InferenceView(source, module.name, absolute, root)
    return FileContext(path, module, index, inference)


# --- names ---------------------------------------------------------------------------------


def top_level_imports(tree: ast.Module) -> dict[str, str]:
    """Module-level ``import x`` / ``import x as y`` bindings: local name -> module."""
    found = {}
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                elif "." not in alias.name:
                    found[alias.name] = alias.name
    return found


def top_level_names(tree: ast.Module) -> set[str]:
    """Every name bound anywhere at module level (imports, assignments, defs, classes)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def module_alias(target: FixTarget, module_name: str) -> str | None:
    """The name ``module_name`` is imported as at module level, if it is."""
    for local, imported in top_level_imports(target.tree).items():
        if imported == module_name:
            return local
    return None


def names_in(node: cst.CSTNode) -> set[str]:
    """Every identifier used anywhere under ``node``."""
    found: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(Collector())
    return found


def fresh_name(taken: set[str], candidates: Sequence[str]) -> str | None:
    return next((name for name in candidates if name not in taken), None)


def final_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def is_spawn(node: cst.CSTNode) -> bool:
    """``asyncio.create_task(...)``, ``loop.create_task(...)``, ``ensure_future(...)``, ..."""
    return isinstance(node, cst.Call) and final_name(node.func) in SPAWNS


def self_attribute(node: cst.CSTNode) -> str | None:
    """``x`` for ``self.x``."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def methods_of(klass: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    body = klass.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    return {s.name.value: s for s in statements if isinstance(s, cst.FunctionDef)}


def required_parameters(function: cst.FunctionDef) -> list[str]:
    """Parameters without a default (``self`` included)."""
    params = function.params
    return [p.name.value for p in (*params.posonly_params, *params.params) if p.default is None] + [
        p.name.value for p in params.kwonly_params if p.default is None
    ]


def is_plain_method(function: cst.FunctionDef) -> bool:
    """A method taking ``self`` first, not a static or class method."""
    decorators = {
        final_name(d.decorator)
        for d in function.decorators
        if isinstance(d.decorator, (cst.Name, cst.Attribute))
    }
    if decorators & {"staticmethod", "classmethod"}:
        return False
    params = (*function.params.posonly_params, *function.params.params)
    return bool(params) and params[0].name.value == "self"


def statement(code: str) -> cst.BaseStatement:
    return cst.parse_statement(code)


def without_comment(line: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    return line.with_changes(leading_lines=(), trailing_whitespace=cst.TrailingWhitespace())


def body_statements(node: cst.CSTNode) -> Sequence[cst.BaseStatement]:
    """The statements of an indented block (none for a one-line suite)."""
    body = getattr(node, "body", None)
    if isinstance(node, cst.Module):
        return node.body
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return ()


def is_docstring(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine)
        and len(node.body) == 1
        and isinstance(node.body[0], cst.Expr)
        and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


# --- one pass of rewrites ------------------------------------------------------------------

Replacement = Callable[[Any], Any]


class Plan:
    """Rewrites keyed by the original nodes: replace a node (given its updated self), insert
    statements before or after a statement. Applied together by :meth:`apply`."""

    def __init__(self) -> None:
        self.replacements: dict[int, list[Replacement]] = defaultdict(list)
        self.before: dict[int, list[cst.BaseStatement]] = defaultdict(list)
        self.after: dict[int, list[cst.BaseStatement]] = defaultdict(list)

    def replace(self, node: cst.CSTNode, replacement: Replacement) -> None:
        self.replacements[id(node)].append(replacement)

    def insert_before(self, anchor: cst.CSTNode, *statements: cst.BaseStatement) -> None:
        self.before[id(anchor)].extend(statements)

    def insert_after(self, anchor: cst.CSTNode, *statements: cst.BaseStatement) -> None:
        self.after[id(anchor)].extend(statements)

    def apply(self, module: cst.Module) -> cst.Module:
        return module.visit(_Applier(self))  # type: ignore[return-value]


class _Applier(cst.CSTTransformer):
    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        key = id(original_node)
        result = updated_node
        for replacement in self.plan.replacements.get(key, ()):
            result = replacement(result)
        before, after = self.plan.before.get(key, []), self.plan.after.get(key, [])
        if not before and not after:
            return result
        statements = [*before, result, *after]
        if before and hasattr(result, "leading_lines"):  # the anchor's blank lines and comments lead
            statements[0] = statements[0].with_changes(leading_lines=result.leading_lines)
            statements[len(before)] = result.with_changes(leading_lines=())
        return cst.FlattenSentinel(statements)


# --- imports and module-level statements ---------------------------------------------------


def _is_import_line(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in node.body
    )


def _is_future(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.SimpleStatementLine)
        and isinstance(node.body[0], cst.ImportFrom)
        and isinstance(node.body[0].module, cst.Name)
        and node.body[0].module.value == "__future__"
    )


def leading_imports(module: cst.Module) -> list[cst.BaseStatement]:
    """The import lines at the top of the module (after its docstring)."""
    statements = list(module.body)
    start = 1 if statements and is_docstring(statements[0]) else 0
    block: list[cst.BaseStatement] = []
    for node in statements[start:]:
        if not _is_import_line(node):
            break
        block.append(node)
    return block


def _imported_name(node: cst.SimpleStatementLine) -> tuple[str, str]:
    """("import" | "from", first module name) of an import line, for ordering."""
    small = node.body[0]
    if isinstance(small, cst.Import):
        name = small.names[0].name
        return "import", cst.Module([]).code_for_node(name).split(".")[0]
    assert isinstance(small, cst.ImportFrom)
    module = small.module
    if small.relative or module is None:
        return "from", "~"
    return "from", cst.Module([]).code_for_node(module).split(".")[0]


def add_import(plan: Plan, module: cst.Module, name: str) -> None:
    """``import name`` (a standard library module) among the module's leading imports, where
    an import sorter puts it: in order among the plain imports of the standard library, else
    before the first plain import or ``from`` import, else after the docstring and any ``from
    __future__`` import."""
    line = statement(f"import {name}\n")
    block = [node for node in leading_imports(module) if not _is_future(node)]
    plain = [node for node in block if _imported_name(node)[0] == "import"]  # type: ignore[arg-type]
    standard = [node for node in plain if _imported_name(node)[1] in sys.stdlib_module_names]  # type: ignore[arg-type]
    for node in standard or plain:
        if _imported_name(node)[1].lower() > name:  # type: ignore[arg-type]
            plan.insert_before(node, line)
            return
    if standard:
        plan.insert_after(standard[-1], line)
    elif block:
        plan.insert_before(block[0], line)
    else:
        _insert_at_top(plan, module, line)


def _insert_at_top(plan: Plan, module: cst.Module, line: cst.BaseStatement) -> None:
    statements = list(module.body)
    head: list[cst.BaseStatement] = list(statements[: 1 if statements and is_docstring(statements[0]) else 0])
    head += [s for s in leading_imports(module) if _is_future(s)]
    if head:
        plan.insert_after(head[-1], line)
    elif statements:
        plan.insert_before(statements[0], line)
    else:
        plan.replace(module, lambda updated: updated.with_changes(body=[line]))


def add_module_statement(plan: Plan, module: cst.Module, line: cst.BaseStatement) -> None:
    """``line`` after the module's last top-level import (so that every name imported at
    module level is bound when it runs), set off by blank lines; or at the module's top."""
    statements = list(module.body)
    imports = [index for index, node in enumerate(statements) if _is_import_line(node)]
    if not imports:
        _insert_at_top(plan, module, line)
        return
    last = imports[-1]
    plan.insert_after(statements[last], line.with_changes(leading_lines=[cst.EmptyLine()]))
    following = statements[last + 1] if last + 1 < len(statements) else None
    if following is not None and not any(_is_blank(empty) for empty in following.leading_lines):
        plan.replace(
            following,
            lambda updated: updated.with_changes(leading_lines=[cst.EmptyLine(), *updated.leading_lines]),
        )


def _is_blank(line: cst.EmptyLine) -> bool:
    return line.comment is None
