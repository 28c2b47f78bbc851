"""Checking files: read, prefilter, parse, index, run the selected rules, suppress, sort."""

from __future__ import annotations

import fnmatch
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wslint.engine.cache import NAMED, SKIPPED, ResultCache, content_hash
from wslint.engine.discovery import discover_names
from wslint.engine.findings import Finding
from wslint.engine.noqa import suppressed_on
from wslint.engine.options import Settings
from wslint.engine.project import find_project_root
from wslint.engine.source import (
    ReadSources,
    Unreadable,
    check_decodable,
    decode_source,
    parse_source,
    read_file,
    read_or_empty,
)

# The analysis, the rules and the worker pool are imported where first needed: a run
# answered from the cache, or whose files all fail the prefilter, never loads them.
if TYPE_CHECKING:
    from wslint.analysis.index import ProjectIndex
    from wslint.analysis.module import ModuleInfo
    from wslint.engine.prefilter import Pending, Relevance
    from wslint.engine.project_words import ProjectWords
    from wslint.engine.workers import Workers
    from wslint.rules.base import Rule


@dataclass
class Report:
    """What a run found, sorted, and how many files it looked at."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0


@dataclass
class SourceUnit:
    """A file to check: where it is shown, where it lives, and its bytes when already read."""

    display: str
    path: Path
    data: bytes | None = None
    named: bool = False  # named on the command line (or stdin): always parsed, for WSL000


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
    client: list[str] = []  # JavaScript / TypeScript met on the same walk (the client stage's)
    for found in discover_names(paths, exclude, client):
        absolute = os.path.normpath(os.path.join(cwd, found))
        folders.add(os.path.dirname(absolute))
        units.append(SourceUnit(found, Path(absolute), named=absolute in named))
    client_stdin = stdin if stdin is not None and _is_client_name(stdin[0]) else None
    if client_stdin is not None:
        client.append(client_stdin[0])
    elif stdin is not None:
        name, data = stdin
        units.append(SourceUnit(name, _absolute(Path(name)), data, named=True))
        folders.add(os.path.dirname(units[-1].path))
    if not folders:  # only client files: the project is found from theirs
        folders.update(os.path.dirname(os.path.normpath(os.path.join(cwd, name))) for name in client)
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
    report = check_units(units, settings, root, files, jobs=jobs, cache=cache)
    if client:
        from wslint.client.stage import check_client_files

        report = check_client_files(client, settings, root, files, cache, report, client_stdin)
    return report


def _is_client_name(name: str) -> bool:
    from wslint.client.files import is_client_file_name

    return is_client_file_name(os.path.basename(name))


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


@dataclass
class _Prepared:
    """A unit that passed the prefilter, with the rules that may fire on it."""

    unit: SourceUnit
    data: bytes
    rules: tuple[str, ...]  # codes
    pending: Pending = ()  # the rules that hold only if the project says so
    known_digest: str | None = None  # the bytes' content hash, when already known

    def digest(self) -> str:
        return self.known_digest if self.known_digest is not None else content_hash(self.data)


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
                project_words = relevance_for(settings).project_answers(project_files, sources, root)
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
                todo, dropped = _narrow(todo, relevance_for(settings), project_words)
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


# A file read and prefiltered: its bytes (None where not needed: no rule may fire on it), their
# content hash where the cache needs it, and its prefilter codes.
Prefiltered = tuple[SourceUnit, tuple[bytes | None, str | None], tuple[tuple[str, ...], "Pending"]]


def _answered_unchanged(unit: SourceUnit, report: Report, cache: ResultCache | None) -> bool:
    """Whether the cache knows the unit's findings without reading it (they go to ``report``)."""
    if cache is None or unit.data is not None:
        return False
    unchanged = cache.unchanged(unit.path, unit.display, unit.named)
    if unchanged is not None:
        report.findings.extend(unchanged)
    return unchanged is not None


class Reading(NamedTuple):
    """What reading a unit told: its bytes to prefilter, or that it is done (its findings known)."""

    data: bytes | None = None  # readable and decodable: to prefilter
    digest: str | None = None  # the bytes' content hash, where a cache needs it
    problem: tuple[str, int, int] | None = None  # why it cannot be read or decoded (WSL000)
    cached: bool = False  # the cache holds its findings for these bytes


def read_unit(unit: SourceUnit, cache: ResultCache | None) -> Reading:
    """Read a unit (in any process: nothing is reported here, see :func:`settle_reading`)."""
    try:
        data = unit.data if unit.data is not None else _read_bytes(unit.path)
    except Unreadable as problem:
        return Reading(problem=(problem.reason, problem.line, problem.column))
    digest = content_hash(data) if cache is not None else None
    if cache is not None and digest is not None and cache.holds(unit.path, digest, unit.named):
        return Reading(digest=digest, cached=True)  # read again (touched, or too recent to trust)
    try:
        check_decodable(data)  # every file that cannot be decoded is WSL000, parsed or not
    except Unreadable as problem:
        return Reading(digest=digest, problem=(problem.reason, problem.line, problem.column))
    return Reading(data, digest)


def settle_reading(unit: SourceUnit, reading: Reading, report: Report, cache: ResultCache | None) -> bool:
    """Report the findings the reading of ``unit`` tells (the cache's, or WSL000), stamping the
    cache here; whether the unit is left to prefilter instead."""
    if reading.cached and cache is not None and reading.digest is not None:
        report.findings.extend(cache.get(unit.path, reading.digest, unit.display, unit.named) or ())
        return False
    if reading.problem is not None:
        finding = unreadable_finding(unit, Unreadable(*reading.problem))
        report.findings.append(finding)
        if cache is not None and reading.digest is not None:  # read, not decodable
            cache.put(unit.path, reading.digest, [finding])
        return False
    return True


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
    relevance = relevance_for(settings)
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
    from wslint.engine import parallel
    from wslint.engine.workers import WorkerFailed

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
    from wslint.engine import parallel
    from wslint.engine.project_words import CallerSearch
    from wslint.engine.workers import WorkerFailed

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
    from wslint.engine import parallel
    from wslint.engine.workers import FORKS

    if not FORKS:
        return None
    files = project_files.listed() if isinstance(project_files, _ProjectFiles) else project_files
    listed = files if isinstance(files, list) else None
    return parallel.forked_workers(jobs, sources, listed, to_read=to_read, cache=cache)


@lru_cache(maxsize=8)
def relevance_for(settings: Settings) -> Relevance:
    """The prefilter of the rules ``settings`` select (one per settings, shared with the plugins)."""
    from wslint.engine.prefilter import Relevance
    from wslint.rules import selected_rules

    rules = selected_rules(settings.select, settings.ignore, settings.extend_select)
    return Relevance([(rule.code, rule.required_words(settings)) for rule in rules])


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
    from wslint.engine import parallel
    from wslint.engine.workers import WorkerFailed

    listed = project_files() if callable(project_files) else project_files
    files = listed if isinstance(listed, list) else list(listed)  # the same list the workers hold
    try:
        return parallel.analyse(todo, settings, root, files, jobs, sources, workers, definitions)
    except WorkerFailed as failure:  # a worker died (out of memory?) or hit a bug: go on alone
        lines = str(failure).strip().splitlines() or ["no reason given"]
        print(f"wslint: a worker process failed ({lines[-1]}); checking in one process", file=sys.stderr)
        return _analyse_chunk(todo, settings, root, project_files, sources, definitions)


def project_index(
    root: Path,
    files: Sequence[Path] | Callable[[], Iterable[Path]],
    settings: Settings,
    sources: Mapping[Path, bytes] | None = None,
    definitions: Mapping[str, bool] | None = None,
) -> ProjectIndex:
    """The index of the project at ``root``: ``sources``, the bytes the run has read;
    ``definitions``, what it learnt of the names production modules define."""
    from wslint.analysis.index import ProjectIndex

    def load(path: Path, data: bytes) -> ModuleInfo | None:
        return parse_module(path, data, root)

    return ProjectIndex(root, files, settings, load, sources, definitions)


def balanced(todo: list[_Prepared], count: int) -> list[list[_Prepared]]:
    """``count`` shares of about equal total size: biggest files first, each to the lightest."""
    chunks: list[list[_Prepared]] = [[] for _ in range(count)]
    weights = [0] * count
    for prepared in sorted(todo, key=lambda p: (-len(p.data), p.unit.display)):
        lightest = weights.index(min(weights))
        chunks[lightest].append(prepared)
        weights[lightest] += len(prepared.data)
    return chunks


def _analyse_chunk(
    chunk: list[_Prepared],
    settings: Settings,
    root: Path,
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
    sources: Mapping[Path, bytes] | None = None,
    definitions: Mapping[str, bool] | None = None,
) -> list[tuple[_Prepared, list[Finding]]]:
    """Parse and check ``chunk`` against one project index, in this process (``--jobs 1``).

    Files are checked one at a time and their trees let go (they hold no reference cycles,
    so they are freed at once), which keeps memory bounded; the cyclic garbage collector is
    paused meanwhile: it would rescan every live tree each time a parse allocates.
    """
    from wslint.analysis.inference import forget_project

    forget_project(root)
    index = project_index(root, project_files, settings, sources, definitions)
    with _collector_paused():
        results = check_all(chunk, index, root)
        # Let the index and its trees go now, while the collector is off (they hold no cycles):
        # left alive, they would be traversed by every collection until the process ends.
        del index
    return results


def check_all(
    chunk: list[_Prepared], index: ProjectIndex, root: Path
) -> list[tuple[_Prepared, list[Finding]]]:
    for prepared in chunk:
        index.remember(prepared.unit.path, prepared.data)
    return [(prepared, _check_one(prepared, index, root)) for prepared in chunk]


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_one(prepared: _Prepared, index: ProjectIndex, root: Path) -> list[Finding]:
    from wslint.analysis.module import ModuleInfo
    from wslint.rules import RULES_BY_CODE

    unit = prepared.unit
    try:
        text = decode_source(prepared.data)
        # A question about an earlier file may have parsed this one already (same bytes).
        module = index.parsed(unit.path) or ModuleInfo(
            parse_source(text, unit.display), unit.path, root, prepared.data
        )
    except Unreadable as problem:
        return [unreadable_finding(unit, problem)]
    index.add(module, prepared.data)
    rules = [RULES_BY_CODE[code]() for code in prepared.rules]
    return run_rules(rules, unit, module, text, index, root, budget=FILE_TIME_BUDGET)


def _read_bytes(path: Path) -> bytes:
    try:
        return read_file(path)
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror or error}") from None


def parse_module(path: Path, data: bytes, root: Path) -> ModuleInfo | None:
    """A project module for the index, or None when it cannot be decoded or parsed."""
    from wslint.analysis.module import ModuleInfo

    try:
        return ModuleInfo(parse_source(decode_source(data), str(path)), path, root, data)
    except Unreadable:
        return None


def run_rules(
    rules: list[Rule],
    unit: SourceUnit,
    module: ModuleInfo,
    text: str,
    index: ProjectIndex,
    root: Path,
    *,
    astroid_tree: Any = None,
    honour_noqa: bool = True,
    budget: float | None = None,
) -> list[Finding]:
    """Run ``rules`` on one parsed file; a rule's failure or an exhausted budget is WSL000.

    ``astroid_tree`` is a host tool's astroid module of the same text (pylint's); a host tool
    that applies ``# noqa`` itself passes ``honour_noqa=False``. ``budget`` (seconds) is only
    set by the command: a plugin leaves the host's signal handlers alone.
    """
    from wslint.analysis.inference import InferenceView
    from wslint.engine.context import FileContext

    inference = InferenceView(text, module.name, unit.path, root, tree=astroid_tree)
    context = FileContext(unit.display, module, index, inference)
    lines = text.splitlines()
    findings: list[Finding] = []
    with time_budget(budget):
        for rule in rules:
            try:
                produced = list(rule.check(context))
            except BudgetExceeded:
                reason = f"analysis exceeded its time budget of {budget:g} s; file skipped"
                return [unreadable_finding(unit, Unreadable(reason))]
            except RecursionError:
                return [unreadable_finding(unit, Unreadable("analysis nested too deeply"))]
            except Exception as error:  # noqa: BLE001 - a rule's bug must not end the run
                failure = f"{type(error).__name__}: {error}"
                reason = f"{rule.code} failed on this file ({failure}); please report it"
                return [unreadable_finding(unit, Unreadable(reason))]
            findings.extend(f for f in produced if not (honour_noqa and suppressed_on(f.code, lines, f.line)))
    return findings


# Seconds one file's analysis may take before it is abandoned as WSL000: one pathological
# file must not stall a run.
FILE_TIME_BUDGET = 20.0


class BudgetExceeded(BaseException):
    """Raised inside an analysis that ran out of time.

    A BaseException, so that no ``except Exception`` on the way (astroid has many) swallows it.
    """


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` in the code below after ``seconds`` (POSIX main thread only)."""
    if (
        seconds is None
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def unreadable_finding(unit: SourceUnit, problem: Unreadable) -> Finding:
    return Finding(
        unit.display,
        problem.line,
        problem.column,
        "WSL000",
        problem.reason,
        "unreadable-file",
        problem.line,
        problem.column,
    )


def is_ignored(finding: Finding, settings: Settings) -> bool:
    if finding.code == "WSL000" and any("WSL000".startswith(p) for p in settings.ignore):
        return True
    path = _relative_to_config(finding.path, settings.config_dir)
    for glob, codes in settings.per_file_ignores:
        if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(Path(path).name, glob):
            if any(finding.code.startswith(code) for code in codes):
                return True
    return False


def _relative_to_config(path: str, config_dir: str) -> str:
    """``path`` relative to the config file's folder (as flake8 does), when it lies below it."""
    if config_dir:
        relative = os.path.relpath(os.path.abspath(path), config_dir)
        if not relative.startswith(os.pardir):
            path = relative
    return path.replace(os.sep, "/")


def _absolute(path: str | Path) -> Path:
    return Path(os.path.abspath(path))
