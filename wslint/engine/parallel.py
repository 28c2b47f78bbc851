"""Checking in worker processes that share their answers about the modules they hold.

Project-wide rules ask about the whole project: where each reference to a broadcaster goes
(WSL005), which calls reach a message helper and which types every broadcast carries
(WSL006), which constructions pass an interval (WSL003). Answered by each worker for itself,
they would make every worker parse every module. Instead the workers (:class:`Workers`) go
through the run in steps:

1. **parse**: chunks of files are handed to whichever worker is free; it parses them, keeps
   them, and reports what they define that a shared question may be about;
2. **tabulate**: each worker answers the per-name questions, for those names, about the
   modules it holds (:mod:`wslint.analysis.tables`);
3. **share**: every worker receives the join of all tables, then gathers the broadcast sites
   of the modules it holds (only when some checked file may hold an endpoint);
4. **install**: the joined sites become every worker's project facts;
5. **check**: each chunk goes back to the worker that holds it; a worker with none left
   takes over another's last chunks (parsing them again costs less than waiting).

Whatever is not shared (a name defined only outside the checked files, a module no worker
holds) a worker answers for itself, exactly as a single process does, so the findings are
the same whatever the number of workers. When only a few of the project's files are checked
(:data:`SHARE_WHEN_CHECKED`), nothing is shared: each chunk goes to whoever is free.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wslint.engine.findings import Finding
from wslint.engine.options import Settings
from wslint.engine.workers import Workers

if TYPE_CHECKING:
    from wslint.analysis.index import ModuleTable, ProjectIndex
    from wslint.analysis.module import ModuleInfo
    from wslint.analysis.project_facts import BroadcastSite
    from wslint.engine.runner import _Prepared

ENDPOINT_RULE = "WSL006"  # the rule that needs every broadcast site of the project


def analyse(
    todo: list[_Prepared], settings: Settings, root: Path, files: list[Path], jobs: int
) -> list[tuple[_Prepared, list[Finding]]]:
    """Each file of ``todo`` with its findings, checked by ``jobs`` workers."""
    from wslint.engine.runner import balanced

    chunks = [chunk for chunk in balanced(todo, jobs * CHUNKS_PER_JOB) if chunk]
    codes = {code for prepared in todo for code in prepared.rules}
    with Workers(jobs) as workers:
        workers.each(_open, [(settings, root, files)] * jobs)
        if len(todo) < SHARE_WHEN_CHECKED * len(files):
            findings, _ = _distribute(workers, _check, chunks, ())  # each answers for itself
            return _paired(chunks, findings)
        parsed, owners = _distribute(workers, _parse, chunks, (ENDPOINT_RULE in codes,))
        names = _joined_names(codes, [defined for defined, _ in parsed])
        tables = workers.each(_tabulate, [(names,)] * jobs)  # one tuple for all: pickled once
        plan = None
        if any(endpoints for _, endpoints in parsed):
            plan = _site_plan(chunks, owners, jobs, todo, settings, root, files)
        gathered = workers.each(_share, [(tables, names, plan[n] if plan else None) for n in range(jobs)])
        workers.each(_install, [(_joined_sites(gathered) if plan else None,)] * jobs)
        findings, _ = _distribute(workers, _check, chunks, (), owners)
    return _paired(chunks, findings)


def _paired(
    chunks: list[list[_Prepared]], findings: list[list[list[Finding]]]
) -> list[tuple[_Prepared, list[Finding]]]:
    return [
        (prepared, found) for chunk, part in zip(chunks, findings) for prepared, found in zip(chunk, part)
    ]


# Chunks per worker: small enough that a worker done early takes over another's last ones.
CHUNKS_PER_JOB = 8
# Workers share their answers when at least this share of the project's files is checked. The
# project questions look at every module that mentions a name: when most are checked, sharing
# the checked modules' answers spares every worker nearly all its parsing for them; when few
# are, the questions mostly parse modules no worker checks (which no table covers), and
# keeping the checked modules' trees for the tables would cost more memory than it saves time.
SHARE_WHEN_CHECKED = 0.5


def _distribute(
    workers: Workers,
    step: Callable[..., Any],
    chunks: list[list[_Prepared]],
    args: tuple[Any, ...],
    owners: list[int] | None = None,
) -> tuple[list[Any], list[int]]:
    """``step(chunk, *args)`` for every chunk, each sent to the next idle worker: a chunk to its
    owner if it has one (the worker holding its modules) while the owner has any left, else to
    whoever is free. The answers in chunk order, and which worker answered each."""
    queues: list[deque[int]] = [deque() for _ in range(len(workers))]
    for number in range(len(chunks)):
        queues[owners[number] if owners else number % len(workers)].append(number)
    answers: list[Any] = [None] * len(chunks)
    answered_by = [0] * len(chunks)
    sent: dict[int, int] = {}  # worker -> chunk

    def feed(worker: int) -> None:
        own = queues[worker]
        longest = max(queues, key=len)
        if own or longest:
            number = own.popleft() if own else longest.pop()  # another's last chunk
            workers.send(worker, step, (chunks[number], *args))
            sent[worker] = number

    for worker in range(len(workers)):
        feed(worker)
    while sent:
        worker, answer = workers.next_answer()
        number = sent.pop(worker)
        answers[number], answered_by[number] = answer, worker
        feed(worker)
    return answers, answered_by


def _joined_names(codes: set[str], defined: list[dict[str, set[str]]]) -> dict[str, frozenset[str]]:
    """kind -> the names whose per-module answers the workers share: what the checked files
    define that the rules in force ask about (``defined``: per chunk, key -> names)."""
    from wslint.analysis.tables import ASKED

    names: dict[str, frozenset[str]] = {}
    for kind, code, own_files in ASKED:
        if code in codes:
            key = f"{kind} {code}" if own_files else kind
            names[kind] = frozenset(name for part in defined for name in part.get(key, ()))
    return names


def _site_plan(
    chunks: list[list[_Prepared]],
    owners: list[int],
    jobs: int,
    todo: list[_Prepared],
    settings: Settings,
    root: Path,
    files: list[Path],
) -> list[list[str]]:
    """For each worker, the broadcasting modules whose sites it gathers: those it holds, and
    the modules no worker holds spread over the least loaded."""
    from wslint.analysis.names import module_name_for
    from wslint.analysis.project_facts import broadcasting_module_names
    from wslint.engine.runner import project_index

    index = project_index(root, files, settings)
    for prepared in todo:
        index.remember(prepared.unit.path, prepared.data)
    holder = {
        module_name_for(prepared.unit.path, root): owner
        for chunk, owner in zip(chunks, owners)
        for prepared in chunk
    }
    plan: list[list[str]] = [[] for _ in range(jobs)]
    for name in broadcasting_module_names(index):
        worker = holder.get(name)
        if worker is None:
            worker = min(range(jobs), key=lambda n: len(plan[n]))
        plan[worker].append(name)
    return plan


def _joined_sites(gathered: list[dict[str, list[BroadcastSite]] | None]) -> list[BroadcastSite] | None:
    """Every site, in the order one process gathers them (None when a worker could not)."""
    by_module: dict[str, list[BroadcastSite]] = {}
    for part in gathered:
        if part is None:
            return None
        by_module.update(part)
    return [site for name in sorted(by_module) for site in by_module[name]]  # the index's order


# -- the steps, in each worker ------------------------------------------------------------------
_worker: dict[str, Any] = {}  # this worker's share, index and resolver, for the whole run


def _open(settings: Settings, root: Path, files: list[Path]) -> None:
    from wslint.analysis.inference import forget_project
    from wslint.engine.runner import project_index

    forget_project(root)
    _worker.clear()
    _worker.update(index=project_index(root, files, settings), root=root, resolver=None, held={})


def _parse(chunk: list[_Prepared], endpoint_rule: bool) -> tuple[dict[str, set[str]], bool]:
    """Parse the chunk's modules and keep them (this worker checks them later if it is free);
    what they define that the shared questions ask about, and whether one of them may hold a
    WebSocket endpoint."""
    from wslint.analysis.names import module_name_for
    from wslint.analysis.tables import asked_about

    index: ProjectIndex = _worker["index"]
    root: Path = _worker["root"]
    held: dict[str, _Prepared] = _worker["held"]
    defined: dict[str, set[str]] = {}
    endpoints = False
    for prepared in chunk:
        index.remember(prepared.unit.path, prepared.data)
    for prepared in chunk:
        name = module_name_for(prepared.unit.path, root)
        try:
            module = index.module(name)
            if module is None or Path(module.path) != prepared.unit.path:
                continue  # not the module the project knows by that name: answered lazily
            asked = asked_about(module, index.settings)
            if endpoint_rule and ENDPOINT_RULE in prepared.rules and not endpoints:
                endpoints = _may_hold_endpoint(module, index)
        except Exception:  # noqa: BLE001 - answered lazily; the check reports it as WSL000
            continue
        held[name] = prepared
        for kind, names in asked.items():
            defined.setdefault(kind, set()).update(names)
            for code in prepared.rules:  # what the files a rule checks define, per rule
                defined.setdefault(f"{kind} {code}", set()).update(names)
    return defined, endpoints


def _tabulate(names: dict[str, frozenset[str]]) -> bytes:
    """The tables of the modules this worker holds, pickled here (the parent only forwards
    them to every worker)."""
    from wslint.analysis.tables import module_table

    index: ProjectIndex = _worker["index"]
    tables: dict[str, ModuleTable] = {}
    for name in _worker["held"]:
        module = index.module(name)
        if module is None:
            continue
        try:
            tables[name] = module_table(index, module, names)
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


def _share(
    tables: list[bytes], names: dict[str, frozenset[str]], modules: list[str] | None
) -> dict[str, list[BroadcastSite]] | None:
    """Take every worker's tables; gather the sites of ``modules`` (None: could not)."""
    from wslint.analysis.message_flow import TypeResolver
    from wslint.analysis.project_facts import gather_sites

    index: ProjectIndex = _worker["index"]
    joined: dict[str, ModuleTable] = {}
    for part in tables:
        joined.update(pickle.loads(part))
    index.share(joined, names)
    if modules is None:
        return None
    resolver = _worker["resolver"] = TypeResolver(index)
    try:
        return gather_sites(index, resolver, modules)
    except Exception:  # noqa: BLE001 - the sites are then gathered lazily, as in one process
        return None


def _install(sites: list[BroadcastSite] | None) -> None:
    """The project's broadcast sites, joined from every worker, as this worker's facts."""
    from wslint.analysis.project_facts import share_facts

    if sites is not None:
        share_facts(_worker["index"], _worker["resolver"], sites)


def _check(chunk: list[_Prepared]) -> list[list[Finding]]:
    from wslint.engine.runner import check_all

    return [findings for _, findings in check_all(chunk, _worker["index"], _worker["root"])]
