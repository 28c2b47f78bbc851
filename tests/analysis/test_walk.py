"""The sliced walks answer exactly what walking the tree would."""

from __future__ import annotations

import ast
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from wslint.analysis.walk import SCOPE_NODES, index_tree, local_nodes, parent, walk

FIXTURES = Path(__file__).parent.parent / "fixtures"
STDLIB = Path(ast.__file__).parent
# The parser shares one instance of each of these across every tree: they have no single parent.
SHARED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
SOURCES = [
    *[p for p in sorted(FIXTURES.rglob("*.py")) if "wsl000" not in p.parts][:40],
    STDLIB / "asyncio" / "tasks.py",
    STDLIB / "ast.py",
    STDLIB / "dataclasses.py",
]


def children(node: ast.AST) -> list[ast.AST]:
    """The walks leave the shared contexts and operators out."""
    return [child for child in ast.iter_child_nodes(node) if not isinstance(child, SHARED)]


def reference_local_nodes(nodes: list[ast.AST]) -> Iterator[ast.AST]:
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPE_NODES):
            stack.extend(reversed(children(node)))


def reference_walk(node: ast.AST) -> Iterator[ast.AST]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def parsed(path: Path) -> ast.Module:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pytest.skip("a WSL000 fixture: not parsable")
    index_tree(tree)
    return tree


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_walks_match_the_tree(path: Path) -> None:
    tree = parsed(path)
    every = list(reference_walk(tree))
    assert list(walk(tree)) == every
    for node in every[:: max(1, len(every) // 300)]:
        assert list(walk(node)) == list(reference_walk(node))
        assert list(local_nodes([node])) == list(reference_local_nodes([node]))
        for child in children(node):
            assert parent(child, tree) is node
    functions = [n for n in every if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        assert list(local_nodes(function.body)) == list(reference_local_nodes(function.body))


def test_parent_only_answers_for_its_own_tree() -> None:
    first, second = ast.parse("x = 1"), ast.parse("y = 2")
    index_tree(first)
    index_tree(second)
    assert parent(first.body[0], first) is first
    assert parent(first.body[0], second) is None


def test_unindexed_nodes_fall_back_to_walking() -> None:
    tree = ast.parse("def f():\n    g(lambda: h())\n")
    synthetic = ast.Expr(tree.body[0].body[0].value)  # type: ignore[attr-defined]
    assert list(local_nodes([synthetic])) == list(reference_local_nodes([synthetic]))
    assert list(walk(synthetic)) == list(reference_walk(synthetic))


def test_deep_nesting_does_not_recurse() -> None:
    tree = ast.parse("x = " + "+".join(["1"] * 2_000))  # deeper than the recursion limit
    index_tree(tree)
    assert len(list(walk(tree))) == len(list(reference_walk(tree)))


def test_an_indexed_tree_is_freed_without_the_collector() -> None:
    gc.disable()
    try:
        tree = ast.parse((STDLIB / "ast.py").read_text())
        index_tree(tree)
        alive = weakref.ref(tree.body[-1])
        del tree
        assert alive() is None, "an indexed tree must hold no reference cycle"
    finally:
        gc.enable()


@pytest.mark.parametrize("path", SOURCES[-3:], ids=lambda p: p.name)
def test_both_layouts_agree(path: Path) -> None:
    """The explicit-stack layout (trees deeper than the interpreter's stack) is the same layout."""
    from wslint.analysis import walk as walking

    tree = ast.parse(path.read_bytes())
    recursive = walking._lay_out_recursively(tree)
    marked = recursive.order
    assert not any(isinstance(node, SHARED) for node in marked)
    places = [getattr(node, walking._PLACE)[1:] for node in marked]
    iterative = walking._lay_out_iteratively(tree)
    assert iterative.order == recursive.order and iterative.parents == recursive.parents
    assert iterative.scopes == recursive.scopes
    assert [getattr(node, walking._PLACE)[1:] for node in marked] == places
