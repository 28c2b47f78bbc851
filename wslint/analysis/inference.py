"""astroid, built only where a value must be inferred, and always bounded.

The rules work on the standard ``ast``; when one needs a value the syntax does
not state (an interval held in ``self.interval``), :class:`InferenceView`
builds the module's astroid tree once and finds the matching node by position.
Anything ambiguous or failing is unknown, and unknown never reports.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MAX_INFERRED = 8


class InferenceView:
    """Lazy astroid access for one module."""

    def __init__(self, text: str, modname: str, path: Path, root: Path, tree: Any = None) -> None:
        self._text = text
        self._modname = modname
        self._path = path
        self._root = root
        self._tree = tree  # a pylint-provided astroid module, when there is one
        self._failed = False
        self._by_position: dict[tuple[int, int, int, int], list[Any]] | None = None

    def _module(self) -> Any:
        if self._tree is None and not self._failed:
            try:
                from astroid.builder import AstroidBuilder
                from astroid.manager import AstroidManager

                with _project_on_path(self._root):
                    builder = AstroidBuilder(AstroidManager())
                    self._tree = builder.string_build(self._text, self._modname, str(self._path))
            except Exception:  # noqa: BLE001 - any astroid failure means "unknown"
                self._failed = True
            except RecursionError:
                self._failed = True
        return self._tree

    def node_for(self, node: ast.AST) -> Any:
        """The astroid node at ``node``'s exact position and of the same kind, if any."""
        module = self._module()
        if module is None:
            return None
        if self._by_position is None:
            self._by_position = {}
            for candidate in module.nodes_of_class(_node_class()):
                position = _position(candidate)
                if position is not None:
                    self._by_position.setdefault(position, []).append(candidate)
        position = _position(node)
        wanted = type(node).__name__
        for candidate in self._by_position.get(position, []) if position else []:
            if type(candidate).__name__ == wanted:
                return candidate
        return None

    def infer(self, node: ast.AST) -> list[Any] | None:
        """Every astroid value ``node`` can take (at most ``MAX_INFERRED``); None when unknown.

        Unknown: no matching node, an inference error, too many values, or any Uninferable.
        """
        target = self.node_for(node)
        if target is None:
            return None
        values: list[Any] = []
        try:
            with _project_on_path(self._root):
                for count, inferred in enumerate(target.infer()):
                    if count >= MAX_INFERRED or type(inferred).__name__ == "UninferableBase":
                        return None
                    values.append(inferred)
        except Exception:  # noqa: BLE001 - inference errors mean "unknown"
            return None
        except RecursionError:
            return None
        return values or None

    def numbers(self, node: ast.AST) -> list[float] | None:
        """Every value ``node`` can take if all are numbers (Uninferable ones skipped), else None."""
        target = self.node_for(node)
        if target is None:
            return None
        values: list[float] = []
        try:
            with _project_on_path(self._root):
                for count, inferred in enumerate(target.infer()):
                    if count >= MAX_INFERRED:
                        return None
                    if type(inferred).__name__ == "UninferableBase":
                        continue
                    value = getattr(inferred, "value", None)
                    if type(inferred).__name__ != "Const" or isinstance(value, bool):
                        return None
                    if not isinstance(value, (int, float)):
                        return None
                    values.append(float(value))
        except Exception:  # noqa: BLE001 - inference errors mean "unknown"
            return None
        except RecursionError:
            return None
        return values or None


_PROJECT_ROOTS: set[str] = set()


def forget_project(root: Path) -> None:
    """Drop astroid's cached modules of every project seen, so each run starts fresh.

    astroid caches modules by dotted name: ``app.config`` of one project (or of an earlier
    version of the same file) would otherwise answer for ``app.config`` in the next run.
    """
    _PROJECT_ROOTS.add(str(root))
    manager = sys.modules.get("astroid.manager")
    if manager is None:
        return  # astroid never loaded: nothing cached
    instance = manager.AstroidManager()
    prefixes = tuple(_PROJECT_ROOTS)
    for name, module in list(instance.astroid_cache.items()):
        if (getattr(module, "file", None) or "").startswith(prefixes):
            del instance.astroid_cache[name]
    instance._mod_file_cache.clear()
    # Where a dotted name was found on disk is memoised too (not the modules themselves).
    from astroid import modutils
    from astroid.interpreter._import import spec

    for finder_cache in (spec._find_spec, modutils.cached_os_path_isfile, modutils._has_init):
        finder_cache.cache_clear()
    for finder in spec._SPEC_FINDERS:
        finder.find_module.cache_clear()


def _position(node: Any) -> tuple[int, int, int, int] | None:
    line = getattr(node, "lineno", None)
    column = getattr(node, "col_offset", None)
    end_line = getattr(node, "end_lineno", None)
    end_column = getattr(node, "end_col_offset", None)
    if line is None or column is None or end_line is None or end_column is None:
        return None
    return (line, column, end_line, end_column)


@contextmanager
def _project_on_path(root: Path) -> Iterator[None]:
    """Let astroid find the project's own modules (it reads them; nothing is imported)."""
    entry = str(root)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            try:
                sys.path.remove(entry)
            except ValueError:
                pass


def _node_class() -> Any:
    from astroid import nodes

    return nodes.NodeNG
