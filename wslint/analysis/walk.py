"""Tree walks answered by slicing: one pass over a module lays its nodes out in order.

The rules ask the same questions of a tree over and over ("every node of this loop body",
"every call in the module", "the parent of this node"); walking the tree with
``ast.iter_child_nodes`` each time cost more than everything else wslint does. :func:`index_tree`
walks a module once, depth first, and records every node's place in two flat lists: the whole
module (for :func:`walk`) and the scope that runs it (for :func:`local_nodes`, which stops at
nested functions, lambdas and classes). A subtree is then a contiguous slice of a list.

Contexts and operators (``Load()``, ``Add()``, ``Eq()``: the parser shares one instance of each
between all trees) are left out of every walk: no question is about them, and they are a
fifth of all nodes.

Each node keeps only a weak reference to the lists, held by the module node: the lists hold the
nodes, so a strong one would make a reference cycle and keep a freed tree alive until the
garbage collector ran.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterable, Iterator

SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Fields that never hold a node the walks visit: the shared contexts and operators, and plain
# strings and numbers (skipped here so as not to look at them at all).
_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level", "kind"}
    | {"type_comment", "conversion", "is_async", "simple", "tag", "rest"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> the fields that may hold nodes


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
    return fields


_PLACE = "_wslint_place"
_LAYOUT = "_wslint_layout"


class _Layout:
    """A module's nodes in depth-first order, whole and per scope."""

    __slots__ = ("order", "scopes", "parents", "__weakref__")

    def __init__(self) -> None:
        self.order: list[ast.AST] = []  # every node but the module, depth first
        self.scopes: list[list[ast.AST]] = []  # per scope: its own nodes, depth first
        self.parents: list[int] = []  # order index -> parent's order index (-1: the module)


# (layout, order start, order end, scope number, scope start, scope end, own scope number or -1)
Place = tuple["weakref.ref[_Layout]", int, int, int, int, int, int]


def index_tree(tree: ast.Module) -> None:
    """Lay out ``tree`` for the walks below (once; later calls do nothing)."""
    if getattr(tree, _LAYOUT, None) is not None:
        return
    try:
        layout = _lay_out_recursively(tree)
    except RecursionError:  # nested deeper than the interpreter's stack: start again, slower
        layout = _lay_out_iteratively(tree)
    setattr(tree, _LAYOUT, layout)


def _lay_out_recursively(tree: ast.Module) -> _Layout:
    """One depth-first visit; as cheap as ``ast.walk``."""
    layout = _Layout()
    layout.scopes.append([])
    reference = weakref.ref(layout)
    for child in _children(tree):
        _visit(child, -1, 0, layout, reference)
    return layout


def _visit(node: ast.AST, parent: int, scope: int, layout: _Layout, reference: weakref.ref[_Layout]) -> None:
    order, scopes = layout.order, layout.scopes
    index = len(order)
    order.append(node)
    layout.parents.append(parent)
    local = scopes[scope]
    local_start = len(local)
    local.append(node)
    own = -1
    inner = scope
    if isinstance(node, SCOPE_NODES):
        own = inner = len(scopes)
        scopes.append([])
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            _visit(value, index, inner, layout, reference)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    _visit(item, index, inner, layout, reference)
    local_end = local_start + 1 if own >= 0 else len(local)
    setattr(node, _PLACE, (reference, index, len(order), scope, local_start, local_end, own))


def _lay_out_iteratively(tree: ast.Module) -> _Layout:
    """The same layout with an explicit stack, for trees too deep to recurse into."""
    layout = _Layout()
    reference = weakref.ref(layout)
    order, scopes, parents = layout.order, layout.scopes, layout.parents
    scopes.append([])
    # Entries: (node, parent's order index, scope number, None) to enter; (node, -1, -1, place
    # so far) to leave.
    stack: list[tuple[ast.AST, int, int, tuple[int, int, int, int] | None]] = [
        (child, -1, 0, None) for child in reversed(_children(tree))
    ]
    while stack:
        node, parent, scope, entered = stack.pop()
        if entered is not None:  # leaving: the subtree is complete
            start, scope, local_start, own = entered
            local_end = local_start + 1 if own >= 0 else len(scopes[scope])
            setattr(node, _PLACE, (reference, start, len(order), scope, local_start, local_end, own))
            continue
        index = len(order)
        order.append(node)
        parents.append(parent)
        local = scopes[scope]
        local.append(node)
        own = -1
        inner = scope
        if isinstance(node, SCOPE_NODES):
            own = inner = len(scopes)
            scopes.append([])
        stack.append((node, -1, -1, (index, scope, len(local) - 1, own)))
        stack.extend((child, index, inner, None) for child in reversed(_children(node)))
    return layout


def walk(node: ast.AST) -> list[ast.AST] | Iterator[ast.AST]:
    """``node`` and every node under it, nested scopes included, depth first."""
    if isinstance(node, ast.Module):
        layout = getattr(node, _LAYOUT, None)
        if layout is not None:
            return [node, *layout.order]
        return _slow_walk(node)
    placed = _placed(node)
    if placed is None:
        return _slow_walk(node)
    layout, place = placed
    return layout.order[place[1] : place[2]]


_BLOCKS = ("body", "orelse", "finalbody")
# The statements that hold statements: any other is a leaf of a statement walk.
COMPOUND_STATEMENTS = tuple(
    getattr(ast, name)
    for name in (
        "FunctionDef",
        "AsyncFunctionDef",
        "ClassDef",
        "If",
        "For",
        "AsyncFor",
        "While",
        "With",
        "AsyncWith",
        "Try",
        "TryStar",
        "Match",
    )
    if hasattr(ast, name)
)


def nested_statements(node: ast.stmt) -> list[ast.stmt]:
    """The statements directly inside ``node`` (its blocks, handlers, cases; none for a
    simple statement)."""
    if not isinstance(node, COMPOUND_STATEMENTS):
        return []
    found: list[ast.stmt] = []
    for name in _BLOCKS:
        found.extend(getattr(node, name, ()))
    for handler in getattr(node, "handlers", ()):
        found.extend(handler.body)
    for case in getattr(node, "cases", ()):
        found.extend(case.body)
    return found


def local_nodes(nodes: Iterable[ast.AST]) -> list[ast.AST]:
    """Every node under ``nodes`` (them included), not descending into nested functions,
    lambdas or classes: what runs when the enclosing code runs. Depth first, as a list (the
    callers loop over it: a list is iterated in C, a generator resumed for every node)."""
    found: list[ast.AST] = []
    for node in nodes:
        placed = _placed(node)
        if placed is None:
            found.append(node)
            if not isinstance(node, SCOPE_NODES):
                found.extend(local_nodes(_children(node)))
            continue
        layout, place = placed
        found.extend(layout.scopes[place[3]][place[4] : place[5]])
    return found


def parent(node: ast.AST, tree: ast.Module) -> ast.AST | None:
    """The node directly above ``node`` in ``tree`` (None if ``node`` is not under ``tree``)."""
    placed = _placed(node)
    if placed is None or placed[0] is not getattr(tree, _LAYOUT, None):
        return None
    layout, place = placed
    above = layout.parents[place[1]]
    return layout.order[above] if above >= 0 else tree


def _placed(node: ast.AST) -> tuple[_Layout, Place] | None:
    """The layout ``node`` was indexed in, and its place there (None: not indexed, or freed)."""
    place: Place | None = getattr(node, _PLACE, None)
    if place is None:
        return None
    layout = place[0]()
    return (layout, place) if layout is not None else None


def _slow_walk(node: ast.AST) -> Iterator[ast.AST]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(_children(current)))


def _children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes(node)`` but contexts and operators, as a list."""
    found: list[ast.AST] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, ast.AST))
    return found
