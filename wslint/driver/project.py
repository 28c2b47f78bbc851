"""The project: its root and its files, for the project-wide rules."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", ".git")


def find_project_root(paths: Sequence[Path], cwd: Path | None = None) -> Path:
    """The nearest directory holding a root marker above the checked paths.

    Failing that, the current directory when it holds the paths, else their common folder.
    """
    absolute = [Path(os.path.abspath(path)) for path in paths] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in absolute]))
    for directory in (common, *common.parents):
        if any((directory / marker).exists() for marker in ROOT_MARKERS):
            return directory
    current = Path(os.path.abspath(cwd or Path.cwd()))
    return current if current == common or current in common.parents else common
