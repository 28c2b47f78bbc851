"""Checking in worker processes that share their answers about the modules they hold.

Project-wide rules ask about the whole project: where each reference to a broadcaster goes
(WSL005), which calls reach a message helper and which types every broadcast carries
(WSL006), which constructions pass an interval (WSL003). Answered by each worker for itself,
they would make every worker parse every module. Instead the workers (:class:`Workers`) go
through the run in steps:

1. **parse**: chunks of files are handed to whichever worker is free; it parses them, keeps
   them, and reports what they define that a shared question may be about;
2. **tabulate**: each chunk goes back to the worker holding it, which answers the per-name
   questions, for those names, about its modules (:mod:`wslint.speed.tables`);
3. **share**: every worker receives the join of all tables;
4. **gather**: the broadcast sites of the modules each holds, and of those no worker holds
   (only when some checked file may hold an endpoint); the join becomes every worker's
   project facts (**install**);
5. **check**: each chunk goes back to the worker holding it.

In each step where chunks go back to their holders, a worker with none of its own left takes
over another's last one while that worker has :data:`TAKE_OVER_FROM` queued (the chunk is
parsed again: worth it while its holder has more than one chunk still to do).

Whatever is not shared (a name defined only outside the checked files, a module no worker
holds) a worker answers for itself, exactly as a single process does, so the findings are
the same whatever the number of workers. When only a few of the project's files are checked
(:data:`SHARE_WHEN_CHECKED`), nothing is shared: each chunk goes to whoever is free.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.core.source import ReadSources
from wslint.driver.workers import FORKS, Workers

if TYPE_CHECKING:
    from wslint.analysis.index import ModuleTable, ProjectIndex
    from wslint.analysis.message_flow import TypeResolver
    from wslint.analysis.module import ModuleInfo
    from wslint.analysis.project_facts import BroadcastSite
    from wslint.driver.cache import ResultCache
    from wslint.driver.checking import Prepared, Reading, SourceUnit
    from wslint.driver.run import Run
    from wslint.speed.prefilter import Pending
    from wslint.speed.project_words import CallerSearch


def analyse(todo: list[Prepared], run: Run, jobs: int) -> list[tuple[Prepared, list[Finding]]]:
    """Each file of ``todo`` with its findings, checked by the ``run``'s workers (else by
    ``jobs`` new ones, which inherit the bytes the run has read, without a copy)."""
    files = run.listed_files()
    if run.workers is None:
        with forked_workers(jobs, run.sources) as own:
            return _analysed_by(own, todo, run, files)
    return _analysed_by(run.workers, todo, run, files)


def _analysed_by(
    workers: Workers, todo: list[Prepared], run: Run, files: list[Path]
) -> list[tuple[Prepared, list[Finding]]]:
    from wslint.driver.checking import balanced

    settings, root, sources = run.settings, run.root, run.sources
    jobs = len(workers)
    chunks = [chunk for chunk in balanced(todo, jobs * CHUNKS_PER_JOB) if chunk]
    codes = {code for prepared in todo for code in prepared.rules}
    sent = None if workers.inherited.get("files") is files else files  # (unpickling Paths is slow)
    workers.each(_open, [(settings, root, sent, dict(run.definitions))] * jobs)
    if len(todo) < SHARE_WHEN_CHECKED * len(files):
        findings, _ = _distribute(workers, _check, chunks, ())  # each answers for itself
        return _paired(chunks, findings)
    parsed, owners = _distribute(workers, _parse, chunks, (_site_rules(codes),))
    names = _joined_names(codes, [defined for defined, _ in parsed])
    tables, owners = _distribute(workers, _tabulate, chunks, (names,), owners)
    workers.each(_share, [(tables, names)] * jobs)  # one tuple for all: pickled once
    sites = None
    if any(endpoints for _, endpoints in parsed):
        modules, holders = _site_work(chunks, owners, jobs, todo, settings, root, files, sources)
        gathered, _ = _distribute(workers, _gather, modules, (), holders)
        sites = _joined_sites(gathered)
    workers.each(_install, [(sites,)] * jobs)
    findings, _ = _distribute(workers, _check, chunks, (), owners)
    return _paired(chunks, findings)


def forked_workers(
    jobs: int,
    sources: Mapping[Path, bytes] | None,
    files: list[Path] | None = None,
    *,
    to_read: list[SourceUnit] | None = None,
    cache: ResultCache | None = None,
) -> Workers:
    """``jobs`` workers that inherit, where they are forked, the bytes the run has read (for
    their project index), the project's files when known, and the units to read and prefilter
    with the result cache (:func:`read_and_prefilter`), without a copy."""
    # A spawned worker starts without: it would be sent a copy of everything.
    state = WorkerState(sources, files, to_read, cache) if FORKS else WorkerState()
    workers = Workers(jobs, state)
    if files is not None:
        workers.inherited["files"] = files
    return workers


Answer = tuple["Reading", tuple[tuple[str, ...], "Pending"]]


def read_and_prefilter(
    workers: Workers, settings: Settings, count: int, root: Path
) -> tuple[list[Answer], list[tuple[object, ...]]]:
    """What reading each of the ``count`` units the workers inherited told
    (:func:`runner.read_unit`; its bytes only where a rule may fire on it or it was named) and
    its prefilter codes (:meth:`Relevance.codes_unasked`), in runs of units handed to whichever
    worker is free; and what each run taught the project words of the project at ``root``
    (:meth:`ProjectWords.shares`). Each worker keeps the bytes it read, for its index and for
    :func:`callers_held`."""
    runs = _shrinking_runs(count, len(workers))
    found, _ = _distribute(workers, _read_and_prefilter, runs, (settings, root), ahead=2)
    return [answer for answers, _ in found for answer in answers], [shares for _, shares in found]


def _shrinking_runs(count: int, jobs: int) -> list[slice]:
    """Runs of the ``count`` units, each a share of those left (:data:`RUN_SHARE`), no shorter
    than :data:`SHORTEST_RUN`: the last runs, short, end the step about together, whatever the
    size of the files (the worker done first takes the next run), while the first runs, long,
    spare messages."""
    runs = []
    start = 0
    while start < count:
        size = max(SHORTEST_RUN, (count - start) // (jobs * RUN_SHARE))
        runs.append(slice(start, min(start + size, count)))
        start += size
    return runs


# A run to read and prefilter is this share of what is left per worker, and has this many
# units at least (each run costs a message both ways).
RUN_SHARE = 4
SHORTEST_RUN = 8


def callers_held(workers: Workers, names: frozenset[bytes]) -> set[bytes]:
    """:meth:`CallerSearch.callers` over the files every worker read (:func:`read_and_prefilter`)."""
    found: set[bytes] = set()
    for part in workers.each(_callers_held, [(names,)] * len(workers)):
        found |= part
    return found


def _paired(
    chunks: list[list[Prepared]], findings: list[list[list[Finding]]]
) -> list[tuple[Prepared, list[Finding]]]:
    return [
        (prepared, found) for chunk, part in zip(chunks, findings) for prepared, found in zip(chunk, part)
    ]


# Chunks per worker: small enough that a worker done early takes over another's last ones.
CHUNKS_PER_JOB = 8
# A worker with no items of its own left takes over another's last one only while that one
# has this many queued: a taken-over item is parsed again (about as long as checking it), so
# taking over the last one of all would end the step later than waiting for its holder.
TAKE_OVER_FROM = 2
# Workers share their answers when at least this share of the project's files is checked. The
# project questions look at every module that mentions a name: when most are checked, sharing
# the checked modules' answers spares every worker nearly all its parsing for them; when few
# are, the questions mostly parse modules no worker checks (which no table covers), and
# keeping the checked modules' trees for the tables would cost more memory than it saves time.
SHARE_WHEN_CHECKED = 0.5


def _distribute(
    workers: Workers,
    step: Callable[..., Any],
    items: Sequence[Any],
    args: tuple[Any, ...],
    owners: list[int] | None = None,
    ahead: int = 1,
) -> tuple[list[Any], list[int]]:
    """``step(item, *args)`` for every item (a chunk of files, a list of modules), each sent to
    the next idle worker: an item to its owner (the worker holding its modules; -1: none) while
    the owner has any left, else to whoever is free, which takes another's last item (one held
    by a worker only while that worker has :data:`TAKE_OVER_FROM` queued). ``ahead``: the items
    a worker is sent before it answers (more than one: it never waits for this process to
    send the next). The answers in item order, and which worker answered each."""
    count = len(workers)
    queues: list[deque[int]] = [deque() for _ in range(count)]
    for number in range(len(items)):
        owner = owners[number] if owners else -1
        queues[owner if owner >= 0 else number % count].append(number)
    answers: list[Any] = [None] * len(items)
    answered_by = [0] * len(items)
    sent: list[deque[int]] = [deque() for _ in range(count)]  # per worker: its items in hand

    def feed(worker: int) -> None:
        own = queues[worker]
        if own:
            number = own.popleft()
        else:  # take over another's last item, if parsing it again costs less than waiting
            longest = max(queues, key=len)
            if not longest or (owners and owners[longest[-1]] >= 0 and len(longest) < TAKE_OVER_FROM):
                return
            number = longest.pop()
        workers.send(worker, step, (items[number], *args))
        sent[worker].append(number)

    for _ in range(ahead):
        for worker in range(count):
            feed(worker)
    while any(sent):
        worker, answer = workers.next_answer()
        number = sent[worker].popleft()
        answers[number], answered_by[number] = answer, worker
        feed(worker)
    return answers, answered_by


def _site_rules(codes: set[str]) -> frozenset[str]:
    """The rules in force that need every broadcast site of the project."""
    from wslint.rules import RULES_BY_CODE

    return frozenset(code for code in codes if RULES_BY_CODE[code].needs_broadcast_sites)


def _joined_names(codes: set[str], defined: list[dict[str, set[str]]]) -> dict[str, frozenset[str]]:
    """kind -> the names whose per-module answers the workers share: what the checked files
    define that the rules in force ask about (``defined``: per chunk, key -> names)."""
    from wslint.rules import RULES_BY_CODE

    names: dict[str, frozenset[str]] = {}
    for code in sorted(codes):
        for kind, own_files in RULES_BY_CODE[code].project_questions:
            key = f"{kind} {code}" if own_files else kind
            asked = frozenset(name for part in defined for name in part.get(key, ()))
            names[kind] = names.get(kind, frozenset()) | asked
    return names


def _site_work(
    chunks: list[list[Prepared]],
    owners: list[int],
    jobs: int,
    todo: list[Prepared],
    settings: Settings,
    root: Path,
    files: list[Path],
    sources: Mapping[Path, bytes] | None,
) -> tuple[list[list[str]], list[int]]:
    """The broadcasting modules whose sites are gathered, in lists: one per chunk (owned by the
    worker holding it), then the modules no worker holds, in ``jobs`` lists (owned by none)."""
    from wslint.analysis.names import module_name_for
    from wslint.analysis.project_facts import broadcasting_module_names
    from wslint.driver.checking import project_index

    index = project_index(root, files, settings, sources)
    for prepared in todo:
        index.remember(prepared.unit.path, prepared.data)
    broadcasting = set(broadcasting_module_names(index))
    work: list[list[str]] = []
    holders: list[int] = []
    for chunk, owner in zip(chunks, owners):
        names = [module_name_for(prepared.unit.path, root) for prepared in chunk]
        held = [name for name in names if name in broadcasting]
        broadcasting.difference_update(held)
        if held:
            work.append(held)
            holders.append(owner)
    rest = sorted(broadcasting)
    for number in range(jobs):
        if rest[number::jobs]:
            work.append(rest[number::jobs])
            holders.append(-1)
    return work, holders


def _joined_sites(gathered: list[dict[str, list[BroadcastSite]] | None]) -> list[BroadcastSite] | None:
    """Every site, in the order one process gathers them (None when a worker could not)."""
    by_module: dict[str, list[BroadcastSite]] = {}
    for part in gathered:
        if part is None:
            return None
        by_module.update(part)
    return [site for name in sorted(by_module) for site in by_module[name]]  # the index's order


# -- the steps, in each worker ------------------------------------------------------------------
@dataclass
class Opened:
    """A run's analysis, opened in a worker (:func:`_open`): its index of the project, the
    project's root, and the message types' resolver once the tables are shared."""

    index: ProjectIndex
    root: Path
    resolver: TypeResolver | None = None


@dataclass
class WorkerState:
    """What one worker holds for the run: what the parent forked it with (the bytes the run has
    read, the project's files, the units to read, the cache), the files it read from disk
    itself, and the analysis it opened."""

    sources: Mapping[Path, bytes] | None = None
    files: list[Path] | None = None
    to_read: list[SourceUnit] | None = None
    cache: ResultCache | None = None
    read_here: list[Path] = field(default_factory=list)  # :func:`read_and_prefilter`
    callers: CallerSearch | None = None  # over ``read_here``, once asked
    analysis: Opened | None = None

    @property
    def opened(self) -> Opened:
        if self.analysis is None:
            raise RuntimeError("this worker opened no analysis")
        return self.analysis


def _read_and_prefilter(
    state: WorkerState, run: slice, settings: Settings, root: Path
) -> tuple[list[Answer], tuple[object, ...]]:
    from wslint.driver.checking import read_unit, relevance_for

    units, cache, kept = state.to_read, state.cache, state.sources  # kept: this worker's copy
    if units is None or not isinstance(kept, ReadSources):
        raise RuntimeError("this worker was not forked with the units to read")
    relevance = relevance_for(settings)
    project = relevance.project_answers((), root=root)  # scans these files: asks nothing
    readings = [(unit, read_unit(unit, cache)) for unit in units[run]]
    read = [(unit, reading.data) for unit, reading in readings if reading.data is not None]
    codes = iter(relevance.codes_scanning([(unit.path, data) for unit, data in read], project))
    answers: list[Answer] = []
    for unit, reading in readings:
        if reading.data is None:
            answers.append((reading, ((), ())))
            continue
        found = next(codes)
        if unit.data is None:
            kept.keep(unit.path, reading.data)
            state.read_here.append(unit.path)
        if not found[0] and not unit.named:
            reading = reading._replace(data=None)  # not needed by the parent: not sent
        answers.append((reading, found))
    return answers, project.shares()


def _callers_held(state: WorkerState, names: frozenset[bytes]) -> set[bytes]:
    from wslint.core.source import read_or_empty
    from wslint.speed.project_words import CallerSearch

    if state.callers is None:
        kept = state.sources or {}
        files = (kept.get(path) or read_or_empty(path) for path in state.read_here)  # past the budget: again
        state.callers = CallerSearch(files)
    return state.callers.callers(names)


def _open(
    state: WorkerState,
    settings: Settings,
    root: Path,
    files: list[Path] | None,
    definitions: Mapping[str, bool] | None = None,
) -> None:
    """Start a run's analysis: ``files``, the project's (None: those the worker was forked with)."""
    from wslint.analysis.inference import forget_project
    from wslint.driver.checking import project_index

    if files is None:
        files = state.files
        if files is None:
            raise RuntimeError("this worker was not forked with the project's files")
    forget_project(root)
    sources = state.sources  # the parent's, shared with it until either writes
    state.to_read = state.cache = state.sources = state.callers = state.analysis = None
    state.analysis = Opened(project_index(root, files, settings, sources, definitions), root)


def _parse(
    state: WorkerState, chunk: list[Prepared], site_rules: frozenset[str]
) -> tuple[dict[str, set[str]], bool]:
    """Parse the chunk's modules and keep them (this worker goes on with them while it is free);
    what they define that the shared questions may be about, and whether one of them may hold a
    WebSocket endpoint."""
    from wslint.speed.tables import asked_about

    index = state.opened.index
    defined: dict[str, set[str]] = {}
    endpoints = False
    for prepared, module in _modules_of(state, chunk):
        try:
            asked = asked_about(module, index.settings)
            if not endpoints and not site_rules.isdisjoint(prepared.rules):
                endpoints = _may_hold_endpoint(module, index)
        except Exception:  # noqa: BLE001 - the check reports it as WSL000
            continue
        for kind, names in asked.items():
            defined.setdefault(kind, set()).update(names)
            for code in prepared.rules:  # what the files a rule checks define, per rule
                defined.setdefault(f"{kind} {code}", set()).update(names)
    return defined, endpoints


def _modules_of(state: WorkerState, chunk: list[Prepared]) -> Iterator[tuple[Prepared, ModuleInfo]]:
    """The chunk's files with their modules, parsed here if not yet (files that do not parse,
    or that the project knows another module by the name of, are left out: answered lazily)."""
    from wslint.analysis.names import module_name_for

    index, root = state.opened.index, state.opened.root
    for prepared in chunk:
        index.remember(prepared.unit.path, prepared.data)
    for prepared in chunk:
        try:
            module = index.module(module_name_for(prepared.unit.path, root))
        except Exception:  # noqa: BLE001 - the check reports it as WSL000
            continue
        if module is not None and Path(module.path) == prepared.unit.path:
            yield prepared, module


def _tabulate(state: WorkerState, chunk: list[Prepared], names: dict[str, frozenset[str]]) -> bytes:
    """The tables of the chunk's modules, pickled here (the parent only forwards them)."""
    from wslint.speed.tables import module_table

    index = state.opened.index
    tables: dict[str, ModuleTable] = {}
    for _, module in _modules_of(state, chunk):
        try:
            tables[module.name] = module_table(index, module, names)
        except Exception:  # noqa: BLE001 - answered lazily; the check reports it as WSL000
            continue
    return pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)


def _may_hold_endpoint(module: ModuleInfo, index: ProjectIndex) -> bool:
    from wslint.analysis.endpoints import REGISTRARS, is_decorated_endpoint, may_be_registered

    for function in module.iter_functions():
        if function.is_async and is_decorated_endpoint(function):
            return True
        if may_be_registered(function) and index.names_mentioning_any(REGISTRARS):
            return True
    return False


def _share(state: WorkerState, tables: list[bytes], names: dict[str, frozenset[str]]) -> None:
    """Take every worker's tables."""
    from wslint.analysis.message_flow import TypeResolver

    opened = state.opened
    joined: dict[str, ModuleTable] = {}
    for part in tables:
        joined.update(pickle.loads(part))
    opened.index.share(joined, names)
    opened.resolver = TypeResolver(opened.index)


def _gather(state: WorkerState, modules: list[str]) -> dict[str, list[BroadcastSite]] | None:
    """The broadcast sites of ``modules`` (None: could not; they are then gathered lazily)."""
    from wslint.analysis.project_facts import gather_sites

    opened = state.opened
    if opened.resolver is None:  # no tables shared yet
        return None
    try:
        return gather_sites(opened.index, opened.resolver, modules)
    except Exception:  # noqa: BLE001 - the check gathers them again, as one process would
        return None


def _install(state: WorkerState, sites: list[BroadcastSite] | None) -> None:
    """The project's broadcast sites, joined from every worker, as this worker's facts."""
    from wslint.analysis.project_facts import share_facts

    opened = state.opened
    if sites is not None and opened.resolver is not None:
        share_facts(opened.index, opened.resolver, sites)


def _check(state: WorkerState, chunk: list[Prepared]) -> list[list[Finding]]:
    from wslint.driver.checking import check_all

    return [findings for _, findings in check_all(chunk, state.opened.index, state.opened.root)]
