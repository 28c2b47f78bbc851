"""tree-sitter, loaded on first use: the grammars of each client file suffix, and one query.

Nothing here is imported by a run that meets no client file worth parsing: a Python-only
project never loads tree-sitter.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# What the reader looks at, matched by tree-sitter itself (in C) rather than by walking every
# node in Python. Written in the node names both grammars share.
# The patterns' order is their number in :mod:`wslint.client.reading` (NEW = 0 ... EXPORT = 9).
QUERY = """
(new_expression constructor: (_) @new.ctor arguments: (arguments) @new.args) @new
(call_expression function: (_) @call.fn arguments: (arguments) @call.args) @call
(binary_expression left: (_) @cmp.left right: (_) @cmp.right) @cmp
(switch_statement value: (parenthesized_expression (_) @switch.value) body: (switch_body) @switch.body)
(subscript_expression object: (identifier) @sub.object index: (_) @sub.index) @sub
(variable_declarator name: (_) @decl.name value: (_) @decl.value) @decl
(pair key: (_) @pair.key value: (_) @pair.value) @pair
(function_declaration
  name: (identifier) @func.name
  parameters: (formal_parameters) @func.params
  body: (statement_block) @func.body)
(import_statement (import_clause) @import.clause source: (string) @import.source)
(export_statement value: (_) @export.value)
"""


@cache
def language(suffix: str) -> Any:
    """The tree-sitter language for a client file suffix (``.ts``, ``.tsx``, ``.js`` ...)."""
    import tree_sitter

    if suffix == ".ts":
        import tree_sitter_typescript

        return tree_sitter.Language(tree_sitter_typescript.language_typescript())
    if suffix == ".tsx":
        import tree_sitter_typescript

        return tree_sitter.Language(tree_sitter_typescript.language_tsx())
    import tree_sitter_javascript

    return tree_sitter.Language(tree_sitter_javascript.language())


@cache
def _parser(suffix: str) -> Any:
    import tree_sitter

    return tree_sitter.Parser(language(suffix))


@cache
def _query(suffix: str) -> Any:
    import tree_sitter

    return tree_sitter.Query(language(suffix), QUERY)


def grammar_key(path_name: str) -> str:
    """The suffix whose grammar reads a file (``.jsx`` and ``.mjs`` files are JavaScript)."""
    for suffix in (".tsx", ".ts"):
        if path_name.endswith(suffix):
            return suffix
    return ".js"


def parse(data: bytes, suffix: str) -> Any:
    """The tree of ``data`` (tree-sitter never fails: bad input yields ERROR nodes)."""
    return _parser(suffix).parse(data)


def matches(tree: Any, suffix: str) -> list[tuple[int, dict[str, list[Any]]]]:
    """Every match of :data:`QUERY` in ``tree``: (pattern number, captures)."""
    import tree_sitter

    return tree_sitter.QueryCursor(_query(suffix)).matches(tree.root_node)
