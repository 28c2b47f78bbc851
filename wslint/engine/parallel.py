"""Checking in worker processes, each keeping one share of the files for the whole run.

Project-wide rules ask about the whole project: where each reference to a broadcaster goes
(WSL005), which message types every broadcast carries (WSL006). Answered by each worker for
itself, they would make every worker parse every module. Instead the workers take steps
together (:class:`~wslint.engine.workers.Workers`), each for its own share:

1. **open**: a project index holding the share's bytes;
2. **tabulate**: the share's per-module answers to the per-name questions, for the names the
   checked files define (:mod:`wslint.analysis.tables`);
3. **share**: every worker receives the join of the tables, then gathers the broadcast sites
   of the modules assigned to it (only if some checked file may hold an endpoint);
4. **check**: with the joined sites installed as the project's facts, the share's findings.

Whatever is not shared (a name defined only outside the checked files, a module no worker
holds) a worker answers for itself, exactly as a single process does, so the findings are
the same whatever the number of workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wslint.engine.findings import Finding
from wslint.engine.options import Settings
from wslint.engine.workers import Workers

if TYPE_CHECKING:
    from wslint.analysis.index import ModuleTable, ProjectIndex
    from wslint.analysis.project_facts import BroadcastSite
    from wslint.engine.runner import _Prepared

ENDPOINT_RULE = "WSL006"  # the rule that needs every broadcast site of the project
REFERENCE_RULE = "WSL005"  # the rule that asks where references to a broadcaster go
INTERVAL_RULE = "WSL003"  # the rule that reads intervals passed to constructors


def analyse(
    todo: list[_Prepared], settings: Settings, root: Path, files: list[Path], jobs: int
) -> list[tuple[_Prepared, list[Finding]]]:
    """Each file of ``todo`` with its findings, checked by ``jobs`` workers."""
    from wslint.engine.runner import balanced

    shards = balanced(todo, jobs)
    codes = {code for prepared in todo for code in prepared.rules}
    names = _shared_names(todo, codes)
    with Workers(jobs) as workers:
        workers.each(_open, [(shard, settings, root, files) for shard in shards])
        answers = workers.each(_tabulate, [(names, ENDPOINT_RULE in codes)] * jobs)
        tables = {module: table for part, _ in answers for module, table in part.items()}
        plan = None
        if any(endpoints for _, endpoints in answers):
            plan = _site_plan(shards, todo, settings, root, files)
        gathered = workers.each(_share, [(tables, names, plan[i] if plan else None) for i in range(jobs)])
        sites = _joined_sites(plan, gathered) if plan else None
        findings = workers.each(_check, [(sites,)] * jobs)
    return [
        (prepared, found) for shard, part in zip(shards, findings) for prepared, found in zip(shard, part)
    ]


def _shared_names(todo: list[_Prepared], codes: set[str]) -> dict[str, frozenset[str]]:
    """kind -> the names whose per-module answers the workers share: those the checked files
    define and the rules in force ask about."""
    from wslint.analysis.index import REFERENCES
    from wslint.analysis.intervals import CONSTRUCTIONS
    from wslint.analysis.message_flow import MENTIONS
    from wslint.analysis.tables import defined_names

    # (kind, the rule asking, what is asked about, whether only that rule's files define it)
    asked = (
        (REFERENCES, REFERENCE_RULE, "coroutine", True),  # where references to a broadcaster go
        (MENTIONS, ENDPOINT_RULE, "function", False),  # the call sites of a message's helpers
        (CONSTRUCTIONS, INTERVAL_RULE, "class", True),  # the constructions passing an interval
    )
    names: dict[str, frozenset[str]] = {}
    for kind, code, what, own_files in asked:
        if code in codes:
            sources = (p.data for p in todo if code in p.rules or not own_files)
            names[kind] = defined_names(sources, what)
    return names


def _site_plan(
    shards: list[list[_Prepared]], todo: list[_Prepared], settings: Settings, root: Path, files: list[Path]
) -> list[list[str]]:
    """For each worker, the broadcasting modules whose sites it gathers: its own first, the
    modules no worker holds spread over the least loaded."""
    from wslint.analysis.names import module_name_for
    from wslint.analysis.project_facts import broadcasting_module_names
    from wslint.engine.runner import project_index

    index = project_index(root, files, settings)
    for prepared in todo:
        index.remember(prepared.unit.path, prepared.data)
    holder = {
        module_name_for(p.unit.path, root): number for number, shard in enumerate(shards) for p in shard
    }
    plan: list[list[str]] = [[] for _ in shards]
    for name in broadcasting_module_names(index):
        number = holder.get(name)
        if number is None:
            number = min(range(len(plan)), key=lambda n: len(plan[n]))
        plan[number].append(name)
    return plan


def _joined_sites(
    plan: list[list[str]], gathered: list[dict[str, list[BroadcastSite]] | None]
) -> list[BroadcastSite] | None:
    """Every site, in the order one process gathers them (None when a worker could not)."""
    by_module: dict[str, list[BroadcastSite]] = {}
    for part in gathered:
        if part is None:
            return None
        by_module.update(part)
    order = sorted(by_module)  # the modules' names, as the index lists them
    return [site for name in order for site in by_module[name]]


# -- the steps, in each worker ------------------------------------------------------------------
_worker: dict[str, Any] = {}  # this worker's share, index and resolver, for the whole run


def _open(shard: list[_Prepared], settings: Settings, root: Path, files: list[Path]) -> None:
    from wslint.analysis.inference import forget_project
    from wslint.engine.runner import project_index

    forget_project(root)
    index = project_index(root, files, settings)
    for prepared in shard:
        index.remember(prepared.unit.path, prepared.data)
    _worker.clear()
    _worker.update(shard=shard, index=index, root=root)


def _tabulate(names: dict[str, frozenset[str]], endpoint_rule: bool) -> tuple[dict[str, ModuleTable], bool]:
    """The share's tables, and whether one of its files may hold a WebSocket endpoint."""
    from wslint.analysis.names import module_name_for
    from wslint.analysis.tables import module_table

    index: ProjectIndex = _worker["index"]
    root: Path = _worker["root"]
    tables: dict[str, ModuleTable] = {}
    endpoints = False
    for prepared in _worker["shard"]:
        name = module_name_for(prepared.unit.path, root)
        try:
            module = index.module(name)
            if module is None or Path(module.path) != prepared.unit.path:
                continue  # not the module the project knows by that name: answered lazily
            if names:
                tables[name] = module_table(index, module, names)
            if endpoint_rule and ENDPOINT_RULE in prepared.rules and not endpoints:
                endpoints = _may_hold_endpoint(module, index)
        except Exception:  # noqa: BLE001 - left to the check, which reports it as WSL000
            tables.pop(name, None)
    return tables, endpoints


def _may_hold_endpoint(module: Any, index: ProjectIndex) -> bool:
    from wslint.analysis.endpoints import REGISTRARS, is_decorated_endpoint, may_be_registered

    for function in module.iter_functions():
        if function.is_async and is_decorated_endpoint(function):
            return True
        if may_be_registered(function) and index.names_mentioning_any(REGISTRARS):
            return True
    return False


def _share(
    tables: dict[str, ModuleTable], names: dict[str, frozenset[str]], modules: list[str] | None
) -> dict[str, list[BroadcastSite]] | None:
    """Take every worker's tables; gather the sites of ``modules`` (None: could not)."""
    from wslint.analysis.message_flow import TypeResolver
    from wslint.analysis.project_facts import gather_sites

    index: ProjectIndex = _worker["index"]
    index.share(tables, names)
    if modules is None:
        return None
    resolver = _worker["resolver"] = TypeResolver(index)
    try:
        return gather_sites(index, resolver, modules)
    except Exception:  # noqa: BLE001 - the sites are then gathered lazily, as in one process
        return None


def _check(sites: list[BroadcastSite] | None) -> list[list[Finding]]:
    from wslint.analysis.project_facts import share_facts
    from wslint.engine.runner import check_all

    index: ProjectIndex = _worker["index"]
    if sites is not None:
        share_facts(index, _worker["resolver"], sites)
    # The worker ends after this step: its index is left for the process's end to drop.
    return [findings for _, findings in check_all(_worker["shard"], index, _worker["root"])]
