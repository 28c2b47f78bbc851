"""Checking files: read, prefilter, parse, index, run the selected rules, suppress, sort."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
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
    Prepared,
    SourceUnit,
    absolute_path,
    analyse_here,
    answered_unchanged,
    is_ignored,
    read_unit,
    settle_reading,
)
from wslint.driver.discovery import discover_names
from wslint.driver.project import find_project_root
from wslint.driver.run import ProjectFiles, Report, Run

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
    client: list[str] = []  # JavaScript / TypeScript met on the same walk (the client stage's)
    client_stdin = stdin if stdin is not None and _is_client_name(stdin[0]) else None
    units, folders = _discovered(paths, exclude, None if client_stdin else stdin, client)
    if client_stdin is not None:
        client.append(client_stdin[0])
    if not folders:  # only client files: the project is found from theirs
        folders.update(os.path.dirname(absolute_path(name)) for name in client)
    anchor = [Path(folder) for folder in sorted(folders)] or list(paths)
    root = absolute_path(project_root) if project_root else find_project_root(anchor)
    files = _ProjectFiles(root, exclude)
    if [absolute_path(path) for path in paths] == [root] and root.is_dir():
        files.found([unit.path for unit in units if unit.data is None])  # the same walk
    cache = None
    if cache_dir is not None:
        directory = cache_dir if cache_dir.is_absolute() else root / cache_dir
        cache = ResultCache(directory, root, settings, files())
        for unit in units:
            if unit.data is not None:
                cache.read_elsewhere(unit.path)
    report = check_units(units, settings, root, files, jobs=jobs, cache=cache)
    if client:
        from wslint.driver.client_stage import check_client_files

        report = check_client_files(client, settings, root, files, cache, report, client_stdin)
    return report


def _is_client_name(name: str) -> bool:
    from wslint.client.files import is_client_file_name

    return is_client_file_name(os.path.basename(name))


def _discovered(
    paths: Sequence[Path], exclude: tuple[str, ...], stdin: tuple[str, bytes] | None, client: list[str]
) -> tuple[list[SourceUnit], set[str]]:
    """The units to check (the files under ``paths``, then stdin) and their folders; the client
    files met on the same walk go to ``client``."""
    named = {os.path.abspath(path) for path in paths if path.is_file()}
    units = []
    folders = set()  # the checked files' folders (known to be folders: no system call for each)
    cwd = os.getcwd()  # (``os.path.abspath`` asks for it again for each file)
    for found in discover_names(paths, exclude, client):
        absolute = os.path.normpath(os.path.join(cwd, found))
        folders.add(os.path.dirname(absolute))
        units.append(SourceUnit(found, Path(absolute), named=absolute in named))
    if stdin is not None:
        name, data = stdin
        units.append(SourceUnit(name, absolute_path(Path(name)), data, named=True))
        folders.add(os.path.dirname(units[-1].path))
    return units, folders


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
            self._files = [absolute_path(path) for path in found]
        return self._files


def check_units(
    units: Sequence[SourceUnit],
    settings: Settings,
    root: Path,
    project_files: ProjectFiles,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
) -> Report:
    """Read and prefilter every unit; parse and analyse the relevant ones, in ``jobs`` processes
    (which read and prefilter the files too when there are many)."""
    run = Run(settings, root, project_files, jobs, cache, ReadSources(KEPT_SOURCE_BYTES))
    run.report.files_checked = len(units)
    run.report.checked = [str(unit.path) for unit in units]
    to_read = [unit for unit in units if not answered_unchanged(unit, run.report, cache)]
    with ExitStack() as stack:
        todo = _prefiltered(run, to_read, stack) if to_read else []
        _analysed(run, todo)
    if cache is not None:
        cache.save()
    run.report.findings = sorted(
        (f for f in run.report.findings if not is_ignored(f, settings)), key=lambda f: f.sort_key
    )
    return run.report


def _prefiltered(run: Run, to_read: list[SourceUnit], stack: ExitStack) -> list[Prepared]:
    """Read and prefilter ``to_read``: by workers forked for it when there are many (they stay
    for the analysis, in ``stack``), else here; the files left to check."""
    prefiltered = None
    if run.jobs > 1 and len(to_read) >= PARALLEL_PREFILTER_FILES:
        relevance = checking.relevance_for(run.settings)
        run.project_words = relevance.project_answers(run.project_files, run.sources, run.root)
        run.workers = _forked_workers(run, to_read)
    if run.workers is not None and run.project_words is not None:
        stack.enter_context(run.workers)
        prefiltered = _prefiltered_by(run, to_read)
        if prefiltered is None:
            run.workers = None  # one failed: the analysis forks anew
    if prefiltered is None:
        prefiltered = _prefiltered_here(run, to_read)
    todo = []
    for found in prefiltered:
        if found.data is not None and (found.codes or found.unit.named):
            todo.append(Prepared(found.unit, found.data, found.codes, found.pending, found.digest))
        elif run.cache is not None and found.digest is not None:  # never parsed (nor read next run)
            run.cache.put(found.unit.path, found.digest, [], only=SKIPPED)
    dropped: list[Prepared] = []
    if todo and run.project_words is not None:
        todo, dropped = _narrow(todo, checking.relevance_for(run.settings), run.project_words)
    if run.cache is not None:
        for prepared in dropped:
            run.cache.put(prepared.unit.path, prepared.digest(), [], only=SKIPPED)
    return todo


def _analysed(run: Run, todo: list[Prepared]) -> None:
    """Analyse ``todo`` and report what it finds (into the cache too)."""
    if todo and run.project_words:
        run.definitions = run.project_words.production_definitions()
    for prepared, findings in _analyse(run, todo):
        run.report.findings.extend(findings)
        if run.cache is not None:  # a file with no rule left is parsed only because it was named
            only = None if prepared.rules else NAMED
            run.cache.put(prepared.unit.path, prepared.digest(), findings, only=only)


def _prefiltered_here(run: Run, units: list[SourceUnit]) -> list[Prefiltered]:
    """Read and prefilter ``units`` in this process (the run's sources keep their bytes), with
    the project words that scanned them (none: nothing was left to prefilter, and the
    prefilter is not even loaded)."""
    read: list[tuple[SourceUnit, bytes, str | None]] = []
    sources = run.sources
    assert isinstance(sources, ReadSources)
    for unit in units:
        reading = read_unit(unit, run.cache)
        if settle_reading(unit, reading, run.report, run.cache) and reading.data is not None:
            read.append((unit, reading.data, reading.digest))
            if unit.data is None:
                sources.keep(unit.path, reading.data)
    run.project_words = None
    if not read:
        return []
    relevance = checking.relevance_for(run.settings)
    run.project_words = relevance.project_answers(run.project_files, sources, run.root)
    codes = relevance.codes_scanning([(unit.path, data) for unit, data, _ in read], run.project_words)
    return [Prefiltered(unit, data, digest, *found) for (unit, data, digest), found in zip(read, codes)]


def _prefiltered_by(run: Run, units: list[SourceUnit]) -> list[Prefiltered] | None:
    """``units`` read and prefiltered by the run's workers, which inherited them (None when one
    failed: nothing is reported then). The workers keep the bytes they read: the project words
    ask them about those files."""
    from wslint.driver import parallel
    from wslint.driver.workers import WorkerFailed

    workers, project_words = run.workers, run.project_words
    assert workers is not None and project_words is not None
    try:
        answers, shares = parallel.read_and_prefilter(workers, run.settings, len(units), run.root)
    except WorkerFailed:
        return None
    prefiltered: list[Prefiltered] = []
    for unit, (reading, codes) in zip(units, answers):
        if settle_reading(unit, reading, run.report, run.cache):
            prefiltered.append(Prefiltered(unit, reading.data, reading.digest, *codes))
    for taught in shares:
        project_words.merge(taught)
    scanned = [found.unit.path for found in prefiltered]
    held = [found.unit.path for found in prefiltered if found.unit.data is None]  # read from disk there
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


def _forked_workers(run: Run, to_read: list[SourceUnit]) -> Workers | None:
    """Workers forked with the units to read and the cache, and the project's files where
    already listed (None where workers are spawned: they would be sent every unit)."""
    from wslint.driver import parallel
    from wslint.driver.workers import FORKS

    if not FORKS:
        return None
    project_files = run.project_files
    files = project_files.listed() if isinstance(project_files, _ProjectFiles) else project_files
    listed = files if isinstance(files, list) else None
    return parallel.forked_workers(run.jobs, run.sources, listed, to_read=to_read, cache=run.cache)


def _narrow(
    todo: list[Prepared], relevance: Relevance, project: ProjectWords
) -> tuple[list[Prepared], list[Prepared]]:
    """Ask the project about the files whose relevance awaited it (:class:`ProjectWord`): the
    files still to check, and those left with no rule (and not named on the command line)."""
    kept: list[Prepared] = []
    dropped: list[Prepared] = []
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


def _analyse(run: Run, todo: list[Prepared]) -> list[tuple[Prepared, list[Finding]]]:
    if not todo:
        return []  # everything answered from the cache or ruled out: the analysis is not loaded
    # Workers already running (they prefiltered) are worth handing even a few files.
    per_job = 1 if run.workers is not None else MIN_FILES_PER_JOB
    jobs = max(1, min(run.jobs, len(todo) // per_job))
    if jobs == 1:
        return analyse_here(todo, run)
    from wslint.driver import parallel
    from wslint.driver.workers import WorkerFailed

    try:
        return parallel.analyse(todo, run, jobs)
    except WorkerFailed as failure:  # a worker died (out of memory?) or hit a bug: go on alone
        lines = str(failure).strip().splitlines() or ["no reason given"]
        print(f"wslint: a worker process failed ({lines[-1]}); checking in one process", file=sys.stderr)
        return analyse_here(todo, run)
