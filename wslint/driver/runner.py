"""Checking files: read, prefilter, parse, index, run the selected rules, suppress, sort."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.core.source import (
    ReadSources,
    read_or_empty,
)
from wslint.driver import checking
from wslint.driver.cache import NAMED, SKIPPED, ResultCache
from wslint.driver.checking import (
    Prefiltered,
    Report,
    SourceUnit,
    _absolute,
    _analyse_chunk,
    _answered_unchanged,
    _Prepared,
    is_ignored,
    read_unit,
    settle_reading,
)
from wslint.driver.discovery import discover_names
from wslint.driver.project import find_project_root

# The analysis, the rules and the worker pool are imported where first needed: a run
# answered from the cache, or whose files all fail the prefilter, never loads them.
if TYPE_CHECKING:
    from wslint.driver.workers import Workers
    from wslint.speed.prefilter import Relevance
    from wslint.speed.project_words import ProjectWords


def check_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    project_root: Path | None = None,
    stdin: tuple[str, bytes] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
) -> Report:
    """Check ``paths`` (and/or stdin as ``(filename, data)``) against the project they belong to.

    ``jobs`` worker processes share the files; ``cache_dir`` enables the result cache.
    """
    exclude = (*settings.exclude, *settings.extend_exclude)
    named = {os.path.abspath(path) for path in paths if path.is_file()}
    units = []
    folders = set()  # the checked files' folders (known to be folders: no system call for each)
    cwd = os.getcwd()  # (``os.path.abspath`` asks for it again for each file)
    for found in discover_names(paths, exclude):
        absolute = os.path.normpath(os.path.join(cwd, found))
        folders.add(os.path.dirname(absolute))
        units.append(SourceUnit(found, Path(absolute), named=absolute in named))
    if stdin is not None:
        name, data = stdin
        units.append(SourceUnit(name, _absolute(Path(name)), data, named=True))
        folders.add(os.path.dirname(units[-1].path))
    anchor = [Path(folder) for folder in sorted(folders)]
    anchor = anchor or list(paths)
    root = _absolute(project_root) if project_root else find_project_root(anchor)
    files = _ProjectFiles(root, exclude)
    if [_absolute(path) for path in paths] == [root] and root.is_dir():
        files.found([unit.path for unit in units if unit.data is None])  # the same walk
    cache = None
    if cache_dir is not None:
        directory = cache_dir if cache_dir.is_absolute() else root / cache_dir
        cache = ResultCache(directory, root, settings, files())
    return check_units(units, settings, root, files, jobs=jobs, cache=cache)


class _ProjectFiles:
    """The project's Python files, walked at most once and only when asked."""

    def __init__(self, root: Path, exclude: tuple[str, ...]) -> None:
        self.root, self.exclude = root, exclude
        self._files: list[Path] | None = None

    def found(self, files: list[Path]) -> None:
        """The project's files, already walked by the caller."""
        self._files = files

    def listed(self) -> list[Path] | None:
        """The project's files if already walked (None: not yet)."""
        return self._files

    def __call__(self) -> list[Path]:
        if self._files is None:
            found = discover_names([self.root], self.exclude) if self.root.is_dir() else ()
            self._files = [_absolute(path) for path in found]
        return self._files


def check_units(
    units: Sequence[SourceUnit],
    settings: Settings,
    root: Path,
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
) -> Report:
    """Read and prefilter every unit; parse and analyse the relevant ones, in ``jobs`` processes
    (which read and prefilter the files too when there are many)."""
    sources = ReadSources(KEPT_SOURCE_BYTES)
    report = Report(files_checked=len(units))
    to_read = [unit for unit in units if not _answered_unchanged(unit, report, cache)]
    todo: list[_Prepared] = []
    with ExitStack() as stack:
        workers = None
        project_words = None
        if to_read:
            prefiltered = None
            if jobs > 1 and len(to_read) >= PARALLEL_PREFILTER_FILES:
                project_words = checking.relevance_for(settings).project_answers(project_files, sources, root)
                workers = _forked_workers(jobs, sources, project_files, to_read, cache)
            if workers is not None and project_words is not None:
                stack.enter_context(workers)
                prefiltered = _prefiltered_by(workers, to_read, settings, root, report, cache, project_words)
                workers = workers if prefiltered is not None else None  # one failed: the analysis forks anew
            if prefiltered is None:
                prefiltered, project_words = _prefiltered_here(
                    to_read, settings, root, report, cache, project_files, sources
                )
            for unit, (data, digest), (relevant, pending) in prefiltered:
                if data is not None and (relevant or unit.named):
                    todo.append(_Prepared(unit, data, relevant, pending, digest))
                elif cache is not None and digest is not None:  # never parsed (nor read next run)
                    cache.put(unit.path, digest, [], only=SKIPPED)
            dropped: list[_Prepared] = []
            if todo and project_words is not None:
                todo, dropped = _narrow(todo, checking.relevance_for(settings), project_words)
            if cache is not None:
                for prepared in dropped:
                    cache.put(prepared.unit.path, prepared.digest(), [], only=SKIPPED)
        definitions = project_words.production_definitions() if todo and project_words else {}
        analysed = _analyse(todo, settings, root, project_files, jobs, sources, workers, definitions)
        for prepared, findings in analysed:
            report.findings.extend(findings)
            if cache is not None:  # a file with no rule left is parsed only because it was named
                only = None if prepared.rules else NAMED
                cache.put(prepared.unit.path, prepared.digest(), findings, only=only)
    if cache is not None:
        cache.save()
    report.findings = sorted(
        (f for f in report.findings if not is_ignored(f, settings)), key=lambda f: f.sort_key
    )
    return report


def _prefiltered_here(
    units: list[SourceUnit],
    settings: Settings,
    root: Path,
    report: Report,
    cache: ResultCache | None,
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
    sources: ReadSources,
) -> tuple[list[Prefiltered], ProjectWords | None]:
    """Read and prefilter ``units`` in this process (``sources`` keeps their bytes), with the
    project words that scanned them (None: nothing was left to prefilter, and the prefilter
    is not even loaded)."""
    read: list[tuple[SourceUnit, bytes, str | None]] = []
    for unit in units:
        reading = read_unit(unit, cache)
        if settle_reading(unit, reading, report, cache) and reading.data is not None:
            read.append((unit, reading.data, reading.digest))
            if unit.data is None:
                sources.keep(unit.path, reading.data)
    if not read:
        return [], None
    relevance = checking.relevance_for(settings)
    project_words = relevance.project_answers(project_files, sources, root)
    codes = relevance.codes_scanning([(unit.path, data) for unit, data, _ in read], project_words)
    return [(unit, (data, digest), found) for (unit, data, digest), found in zip(read, codes)], project_words


def _prefiltered_by(
    workers: Workers,
    units: list[SourceUnit],
    settings: Settings,
    root: Path,
    report: Report,
    cache: ResultCache | None,
    project_words: ProjectWords,
) -> list[Prefiltered] | None:
    """``units`` read and prefiltered by the ``workers``, which inherited them (None when one
    failed: nothing is reported then). The workers keep the bytes they read: the project words
    ask them about those files."""
    from wslint.driver import parallel
    from wslint.driver.workers import WorkerFailed

    try:
        answers, shares = parallel.read_and_prefilter(workers, settings, len(units), root)
    except WorkerFailed:
        return None
    prefiltered: list[Prefiltered] = []
    for unit, (reading, codes) in zip(units, answers):
        if settle_reading(unit, reading, report, cache):
            prefiltered.append((unit, (reading.data, reading.digest), codes))
    for taught in shares:
        project_words.merge(taught)
    scanned = [unit.path for unit, _, _ in prefiltered]
    held = [unit.path for unit, _, _ in prefiltered if unit.data is None]  # read from disk there
    project_words.hand_over(scanned, held, _held_search(workers, held))
    return prefiltered


def _held_search(workers: Workers, paths: list[Path]) -> Callable[[frozenset[bytes]], set[bytes]]:
    """:meth:`CallerSearch.callers` over ``paths``, whose bytes the ``workers`` hold (read
    here once, should a worker fail)."""
    from wslint.driver import parallel
    from wslint.driver.workers import WorkerFailed
    from wslint.speed.project_words import CallerSearch

    here: list[CallerSearch] = []

    def search(names: frozenset[bytes]) -> set[bytes]:
        if not here:
            try:
                return parallel.callers_held(workers, names)
            except WorkerFailed:
                here.append(CallerSearch(read_or_empty(path) for path in paths))
        return here[0].callers(names)

    return search


def _forked_workers(
    jobs: int,
    sources: Mapping[Path, bytes],
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
    to_read: list[SourceUnit],
    cache: ResultCache | None,
) -> Workers | None:
    """Workers forked with the units to read and the cache, and the project's files where
    already listed (None where workers are spawned: they would be sent every unit)."""
    from wslint.driver import parallel
    from wslint.driver.workers import FORKS

    if not FORKS:
        return None
    files = project_files.listed() if isinstance(project_files, _ProjectFiles) else project_files
    listed = files if isinstance(files, list) else None
    return parallel.forked_workers(jobs, sources, listed, to_read=to_read, cache=cache)


def _narrow(
    todo: list[_Prepared], relevance: Relevance, project: ProjectWords
) -> tuple[list[_Prepared], list[_Prepared]]:
    """Ask the project about the files whose relevance awaited it (:class:`ProjectWord`): the
    files still to check, and those left with no rule (and not named on the command line)."""
    kept: list[_Prepared] = []
    dropped: list[_Prepared] = []
    for prepared in todo:
        if prepared.pending:
            prepared.rules = relevance.settled(prepared.rules, prepared.pending, prepared.data, project)
        (kept if prepared.rules or prepared.unit.named else dropped).append(prepared)
    return kept, dropped


# Below this many files a worker pool costs more than it saves.
MIN_FILES_PER_JOB = 8


# From this many files read, the workers prefilter them too (each a share, forked with the
# bytes): below, starting them before the analysis knows it needs them costs more.
PARALLEL_PREFILTER_FILES = 400


# The bytes of the files read are kept for the project questions up to this much (the
# standard library is 31 MiB); past it, the questions read files again.
KEPT_SOURCE_BYTES = 128 * 2**20


def _analyse(
    todo: list[_Prepared],
    settings: Settings,
    root: Path,
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
    jobs: int,
    sources: Mapping[Path, bytes] | None = None,
    workers: Workers | None = None,
    definitions: Mapping[str, bool] | None = None,
) -> list[tuple[_Prepared, list[Finding]]]:
    if not todo:
        return []  # everything answered from the cache or ruled out: the analysis is not loaded
    # Workers already running (they prefiltered) are worth handing even a few files.
    per_job = 1 if workers is not None else MIN_FILES_PER_JOB
    jobs = max(1, min(jobs, len(todo) // per_job))
    if jobs == 1:
        return _analyse_chunk(todo, settings, root, project_files, sources, definitions)
    from wslint.driver import parallel
    from wslint.driver.workers import WorkerFailed

    listed = project_files() if callable(project_files) else project_files
    files = listed if isinstance(listed, list) else list(listed)  # the same list the workers hold
    try:
        return parallel.analyse(todo, settings, root, files, jobs, sources, workers, definitions)
    except WorkerFailed as failure:  # a worker died (out of memory?) or hit a bug: go on alone
        lines = str(failure).strip().splitlines() or ["no reason given"]
        print(f"wslint: a worker process failed ({lines[-1]}); checking in one process", file=sys.stderr)
        return _analyse_chunk(todo, settings, root, project_files, sources, definitions)
