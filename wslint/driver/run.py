"""One run of the checks, as one object: what it checks with, over which project, what it holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wslint.core.findings import Finding
from wslint.core.options import Settings

if TYPE_CHECKING:
    from wslint.driver.cache import ResultCache
    from wslint.driver.workers import Workers
    from wslint.speed.project_words import ProjectWords

# The project's Python files: a list, or what lists them when first asked.
ProjectFiles = Sequence[Path] | Callable[[], Iterable[Path]]


@dataclass
class Report:
    """What a run found, sorted, and how many files it looked at."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    checked: list[str] = field(default_factory=list)  # the checked files' absolute paths


@dataclass
class Run:
    """One run: the settings, the project (its root and files), the cache and the workers, and
    what the stages have learnt so far. Each stage of :mod:`wslint.driver.runner` reads and
    fills it: discover, read and prefilter, analyse, suppress and sort."""

    settings: Settings
    root: Path
    project_files: ProjectFiles
    jobs: int = 1
    cache: ResultCache | None = None
    sources: Mapping[Path, bytes] | None = None  # the bytes read so far, for the project index
    workers: Workers | None = None  # running: forked to read and prefilter
    project_words: ProjectWords | None = None  # the prefilter's knowledge of the project
    definitions: Mapping[str, bool] = field(default_factory=dict)  # names production defines
    report: Report = field(default_factory=Report)

    def listed_files(self) -> list[Path]:
        """The project's files as a list (the same list each time, where it is one)."""
        listed = self.project_files() if callable(self.project_files) else self.project_files
        return listed if isinstance(listed, list) else list(listed)
