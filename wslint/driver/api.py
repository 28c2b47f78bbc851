"""Checking one file from inside another tool (flake8, pylint) that has already read and parsed it.

The standalone command checks many files in one run (:mod:`wslint.driver.runner`); a plugin is
handed one file at a time, in whatever process the host tool chose. :func:`check_source` gives
that file the same answer the command gives: it indexes the file's whole project (root = the
nearest ``pyproject.toml``, ``setup.cfg`` or ``.git``), lazily, so project-wide rules (WSL005)
see every module while reporting only on this one.
"""

from __future__ import annotations

import ast
import gc
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from wslint.analysis.index import ProjectIndex
from wslint.analysis.inference import forget_project
from wslint.analysis.module import ModuleInfo
from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.core.source import Unreadable, parse_source
from wslint.driver.checking import (
    SourceUnit,
    is_ignored,
    parse_module,
    relevance_for,
    run_rules,
    unreadable_finding,
)
from wslint.driver.discovery import DiscoveryError, discover
from wslint.driver.project import find_project_root
from wslint.rules import RULES_BY_CODE

_FORGOTTEN: set[str] = set()


def check_source(
    path: Path | str,
    text: str,
    settings: Settings,
    *,
    tree: ast.Module | None = None,
    root: Path | None = None,
    astroid_tree: Any = None,
    display: str | None = None,
    honour_noqa: bool = True,
    reset_astroid: bool = True,
) -> list[Finding]:
    """The findings for one file whose source is ``text``, sorted as the command sorts them.

    ``tree`` is an ``ast`` tree of ``text`` already built by the caller (flake8's); it is used as
    is. ``astroid_tree`` is an astroid module of the same text (pylint's), used for inference so
    astroid is not built twice. Only the rules whose words the text holds run (the byte
    prefilter), and a file that none of them can concern is never analysed. With
    ``honour_noqa=False`` the host tool applies ``# noqa`` itself (flake8 does, and honours
    ``--disable-noqa``). Unparsable text is reported as WSL000, as the command does.
    ``reset_astroid`` drops astroid's cached modules of the project the first time this process
    checks it (as each command run does); pylint, which owns its astroid cache, passes False.
    """
    absolute = Path(os.path.abspath(path))
    shown = display if display is not None else str(path)
    unit = SourceUnit(shown, absolute)
    data = text.encode("utf-8", "surrogatepass")
    codes = relevance_for(settings).codes(data)
    if not codes:
        return []
    relevant = [RULES_BY_CODE[code]() for code in codes]
    project_root = Path(os.path.abspath(root)) if root else find_project_root([absolute])
    try:
        module = ModuleInfo(
            tree if tree is not None else parse_source(text, shown), absolute, project_root, data
        )
    except Unreadable as problem:
        return [f for f in [unreadable_finding(unit, problem)] if not is_ignored(f, settings)]
    if reset_astroid:
        _forget_once(project_root)
    index = project_index(project_root, settings)
    index.add(module, data)
    findings = run_rules(
        relevant, unit, module, text, index, project_root, astroid_tree=astroid_tree, honour_noqa=honour_noqa
    )
    return sorted((f for f in findings if not is_ignored(f, settings)), key=lambda f: f.sort_key)


@lru_cache(maxsize=8)
def project_index(root: Path, settings: Settings) -> ProjectIndex:
    """One index per project and settings for the whole process.

    A host tool checks a project's files one by one in a few long-running processes; sharing
    the index lets every file after the first reuse what the project-wide questions already
    worked out (which functions broadcast, which endpoints exist, every broadcast's types).
    The files are taken as they were when first read: one lint run sees one snapshot.
    """
    exclude = (*settings.exclude, *settings.extend_exclude)
    return ProjectIndex(
        root,
        lambda: project_files(root, exclude),  # walked only if a question needs it
        settings,
        lambda file, data: _kept_out_of_collections(parse_module(file, data, root)),
    )


def _kept_out_of_collections(module: ModuleInfo | None) -> ModuleInfo | None:
    """Move what is alive now, this module's tree included, out of the collector's reach.

    The index keeps the trees of the modules project questions read for the rest of the host's
    run, and the host's collector would walk all of them at every full collection, for every
    file the host checks after. The trees hold no reference cycles: reference counting still
    frees them when the index lets them go.
    """
    gc.freeze()
    return module




@lru_cache(maxsize=8)
def project_files(root: Path, exclude: tuple[str, ...]) -> tuple[Path, ...]:
    """The project's Python files, discovered once per process (a lint run sees one snapshot)."""
    if not root.is_dir():
        return ()
    try:
        # The root is absolute and normalised (found from an absolute path): so are its files.
        return tuple(p if p.is_absolute() else Path(os.path.abspath(p)) for p in discover([root], exclude))
    except DiscoveryError:
        return ()


def _forget_once(root: Path) -> None:
    """Drop astroid's cached modules of ``root`` the first time this process checks it."""
    if str(root) not in _FORGOTTEN:
        _FORGOTTEN.add(str(root))
        forget_project(root)
