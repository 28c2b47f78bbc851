"""Checking one file at a time, in the parent or in a worker: read, prefilter, parse, run the
selected rules, suppress. :mod:`wslint.driver.runner` orders these steps over a run;
:mod:`wslint.driver.parallel` runs them in the workers."""

from __future__ import annotations

import fnmatch
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wslint.core.findings import Finding
from wslint.core.noqa import suppressed_on
from wslint.core.options import Settings
from wslint.core.source import (
    Unreadable,
    check_decodable,
    decode_source,
    parse_source,
    read_file,
)
from wslint.driver.cache import ResultCache, content_hash
from wslint.driver.run import Report, Run

# The analysis, the rules and the worker pool are imported where first needed: a run
# answered from the cache, or whose files all fail the prefilter, never loads them.
if TYPE_CHECKING:
    from wslint.analysis.index import ProjectIndex
    from wslint.analysis.module import ModuleInfo
    from wslint.rules.base import Rule
    from wslint.speed.prefilter import Pending, Relevance


@dataclass
class SourceUnit:
    """A file to check: where it is shown, where it lives, and its bytes when already read."""

    display: str
    path: Path
    data: bytes | None = None
    named: bool = False  # named on the command line (or stdin): always parsed, for WSL000


@dataclass
class Prepared:
    """A unit that passed the prefilter, with the rules that may fire on it."""

    unit: SourceUnit
    data: bytes
    rules: tuple[str, ...]  # codes
    pending: Pending = ()  # the rules that hold only if the project says so
    known_digest: str | None = None  # the bytes' content hash, when already known

    def digest(self) -> str:
        return self.known_digest if self.known_digest is not None else content_hash(self.data)


class Prefiltered(NamedTuple):
    """A file read and prefiltered."""

    unit: SourceUnit
    data: bytes | None  # None where not needed: no rule may fire on it
    digest: str | None  # the bytes' content hash, where the cache needs it
    codes: tuple[str, ...]  # the rules that may fire on it
    pending: Pending  # those of them that hold only if the project says so


def answered_unchanged(unit: SourceUnit, report: Report, cache: ResultCache | None) -> bool:
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


@lru_cache(maxsize=8)
def relevance_for(settings: Settings) -> Relevance:
    """The prefilter of the rules ``settings`` select (one per settings, shared with the plugins)."""
    from wslint.rules import selected_rules
    from wslint.speed.prefilter import Relevance

    rules = selected_rules(settings.select, settings.ignore, settings.extend_select)
    return Relevance.of(rules, settings)


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
        if _parsed_kept is None:
            return parse_module(path, data, root)
        return _parsed_kept.module(path, data, root, settings)

    return ProjectIndex(root, files, settings, load, sources, definitions)


class ParsedModules:
    """The project's modules parsed by earlier runs of this process, for a process that checks
    the same project again and again (the language server's checker): a module is parsed again
    only when its bytes, the project root or the settings differ. What a module caches about
    itself is syntax only, so one parse serves every run; the least recently used modules go
    once their source passes ``budget`` bytes."""

    def __init__(self, budget: int) -> None:
        from collections import OrderedDict

        self.budget = budget
        self._kept: OrderedDict[tuple[str, str, str, str], tuple[ModuleInfo | None, int]] = OrderedDict()
        self._size = 0

    def module(self, path: Path, data: bytes, root: Path, settings: Settings) -> ModuleInfo | None:
        key = (str(path), str(root), settings.fingerprint(), content_hash(data))
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept[0]
        module = parse_module(path, data, root)
        self._kept[key] = (module, len(data))
        self._size += len(data)
        while self._size > self.budget and len(self._kept) > 1:
            _, (_, size) = self._kept.popitem(last=False)
            self._size -= size
        return module


_parsed_kept: ParsedModules | None = None  # None: every run parses what it needs (the command)


def keep_parsed_modules(budget: int) -> None:
    """From now on, keep the modules project questions parse for the next runs (see
    :class:`ParsedModules`)."""
    global _parsed_kept
    _parsed_kept = ParsedModules(budget)


def balanced(todo: list[Prepared], count: int) -> list[list[Prepared]]:
    """``count`` shares of about equal total size: biggest files first, each to the lightest."""
    chunks: list[list[Prepared]] = [[] for _ in range(count)]
    weights = [0] * count
    for prepared in sorted(todo, key=lambda p: (-len(p.data), p.unit.display)):
        lightest = weights.index(min(weights))
        chunks[lightest].append(prepared)
        weights[lightest] += len(prepared.data)
    return chunks


def analyse_here(chunk: list[Prepared], run: Run) -> list[tuple[Prepared, list[Finding]]]:
    """Parse and check ``chunk`` against one project index of the ``run``'s project, in this
    process (``--jobs 1``).

    Files are checked one at a time and their trees let go (they hold no reference cycles,
    so they are freed at once), which keeps memory bounded; the cyclic garbage collector is
    paused meanwhile: it would rescan every live tree each time a parse allocates.
    """
    from wslint.analysis.inference import forget_project

    forget_project(run.root)
    index = project_index(run.root, run.project_files, run.settings, run.sources, run.definitions)
    with _collector_paused():
        results = check_all(chunk, index, run.root)
        # Let the index and its trees go now, while the collector is off (they hold no cycles):
        # left alive, they would be traversed by every collection until the process ends.
        del index
    return results


def check_all(chunk: list[Prepared], index: ProjectIndex, root: Path) -> list[tuple[Prepared, list[Finding]]]:
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


def _check_one(prepared: Prepared, index: ProjectIndex, root: Path) -> list[Finding]:
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
    from wslint.analysis.context import FileContext
    from wslint.analysis.inference import InferenceView

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


def absolute_path(path: str | Path) -> Path:
    return Path(os.path.abspath(path))
