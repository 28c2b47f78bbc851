"""Checking in worker processes: the same findings as one process, with less parsing.

The workers share per-module answers (:mod:`wslint.speed.tables`); an index given another
worker's tables must answer every project question as it would on its own, without parsing
the modules the tables cover.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixture_support import FIXTURES

from bench.corpus import generate
from wslint.analysis.index import REFERENCES, ProjectIndex
from wslint.analysis.intervals import CONSTRUCTIONS, _construction_sites
from wslint.analysis.message_flow import MENTIONS, TypeResolver
from wslint.core.options import Settings
from wslint.driver import checking, parallel, runner
from wslint.driver.checking import Prepared, SourceUnit, analyse_here, parse_module, relevance_for
from wslint.driver.run import Run
from wslint.driver.runner import _analyse, check_units
from wslint.driver.workers import WorkerFailed, Workers
from wslint.speed.tables import KINDS, asked_about, module_table


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("corpus").resolve()
    corpus = generate(root, 24, seed=3)
    return root, sorted(path.resolve() for path in corpus.files)


def _index(root: Path, files: list[Path], loads: list[Path] | None = None) -> ProjectIndex:
    def loader(path: Path, data: bytes):  # type: ignore[no-untyped-def]
        if loads is not None:
            loads.append(path)
        return parse_module(path, data, root)

    return ProjectIndex(root, files, Settings(), loader)


def _names(root: Path, files: list[Path]) -> dict[str, frozenset[str]]:
    """Every name the project defines, for each kind of answer."""
    index = _index(root, files)
    defined: dict[str, set[str]] = {}
    for name in index._paths:
        module = index.module(name)
        assert module is not None
        for kind, names in asked_about(module, Settings()).items():
            defined.setdefault(kind, set()).update(names)
    return {kind: frozenset(defined[kind]) for kind in KINDS}


def _tables(root: Path, files: list[Path], names: dict[str, frozenset[str]]):  # type: ignore[no-untyped-def]
    """Every module's table, computed by an index of its own (as another worker would)."""
    other = _index(root, files)
    tables = {}
    for name in sorted(other._paths):
        module = other.module(name)
        assert module is not None
        tables[name] = module_table(other, module, names)
    return tables


def test_shared_tables_answer_as_the_index_would_without_parsing(project) -> None:  # type: ignore[no-untyped-def]
    root, files = project
    names = _names(root, files)
    assert all(names.values()), "the corpus defines coroutines, functions and classes"
    alone = _index(root, files)
    loads: list[Path] = []
    shared = _index(root, files, loads)
    shared.share(_tables(root, files, names), names)

    some_module = next(name for name in sorted(alone._paths) if name.endswith("svc_0001"))
    own = alone.module(some_module)
    theirs = shared.module(some_module)
    assert own is not None and theirs is not None
    loads.clear()
    questions = 0
    for function in own.iter_functions():
        mine = theirs.functions[function.key.split("::", 1)[1]]
        if function.name in names[REFERENCES]:  # WSL005 asks about broadcasters only
            assert shared.is_referenced(mine) == alone.is_referenced(function)
            assert shared._reference_targets(function.name) == alone._reference_targets(function.name)
        if function.name in names[MENTIONS]:  # WSL006 asks about the functions holding a site
            ours, _ = TypeResolver(shared)._mentions_of(function.name)
            assert ours == TypeResolver(alone)._mentions_of(function.name)[0]
        questions += 1
    for info in own.classes.values():
        if info.node.name not in names[CONSTRUCTIONS]:
            continue  # no __init__: no interval comes through a construction
        mine_class = theirs.classes[info.key.split("::", 1)[1]]
        assert list(_construction_sites(mine_class, theirs, shared)) == list(
            _construction_sites(info, own, alone)
        )
        questions += 1
    assert questions > 10
    # Resolving a reference may parse the module it goes to (svc.manager, svc.config); no
    # question scans the other modules for mentions.
    assert {path.name for path in loads} <= {"manager.py", "config.py", "routing.py"}, loads


def test_a_table_holds_only_the_names_the_module_mentions(project) -> None:  # type: ignore[no-untyped-def]
    root, files = project
    index = _index(root, files)
    module = index.module("svc.manager")
    assert module is not None
    table = module_table(index, module, {REFERENCES: frozenset({"disconnect", "absent_name"})})
    assert set(table) == {(REFERENCES, "disconnect")}


def _prepared(root: Path, files: list[Path]) -> list[Prepared]:
    relevance = relevance_for(Settings())
    todo = []
    for path in files:
        data = path.read_bytes()
        codes = relevance.codes(data)
        if codes:
            todo.append(Prepared(SourceUnit(str(path), path), data, codes))
    return todo


def _both_ways(root: Path, files: list[Path], jobs: int) -> set[tuple[str, int, str]]:
    todo = _prepared(root, files)
    alone = {p.unit.display: found for p, found in analyse_here(todo, Run(Settings(), root, files))}
    together = {
        p.unit.display: found for p, found in parallel.analyse(todo, Run(Settings(), root, files), jobs)
    }
    assert together == alone
    return {(Path(path).name, f.line, f.code) for path, found in alone.items() for f in found}


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_find_what_one_process_finds(project, jobs: int) -> None:  # type: ignore[no-untyped-def]
    root, files = project
    found = _both_ways(root, files, jobs)
    assert {"WSL001", "WSL002", "WSL003", "WSL005"} <= {code for _, _, code in found}


def test_workers_check_a_project_whose_files_are_mostly_irrelevant(tmp_path: Path) -> None:
    corpus = generate(tmp_path, 12, seed=5)
    for number in range(40):  # nothing for wslint: fewer than half the files are checked
        (tmp_path / "svc" / f"plain_{number}.py").write_text(f"VALUE = {number}\n")
    files = sorted(path.resolve() for path in tmp_path.rglob("*.py"))
    assert len(_prepared(tmp_path, files)) < parallel.SHARE_WHEN_CHECKED * len(files)
    found = _both_ways(tmp_path.resolve(), files, 2)
    assert len(found) >= len(corpus.planted)


PROJECTS = sorted(path.name for path in (FIXTURES / "wsl006").iterdir() if path.is_dir())


@pytest.mark.parametrize("name", PROJECTS)
def test_workers_join_the_broadcast_sites_of_the_whole_project(name: str) -> None:
    root = (FIXTURES / "wsl006" / name).resolve()  # endpoints and broadcasters in several modules
    files = sorted(path.resolve() for path in root.rglob("*.py"))
    found = _both_ways(root, files, 2)
    assert any(code == "WSL006" for _, _, code in found) == name.startswith("bad_")


# -- the worker processes ----------------------------------------------------------------------


def _fails(_: object) -> None:
    raise ValueError("a step that fails")


def _dies(_: object) -> None:
    os._exit(3)


def _pid_and(_: object, value: int) -> tuple[int, int]:
    return os.getpid(), value


def test_each_step_runs_in_every_worker_and_answers_in_order() -> None:
    with Workers(3) as workers:
        answers = workers.each(_pid_and, [(0,), (1,), (2,)])
    assert [value for _, value in answers] == [0, 1, 2]
    assert len({pid for pid, _ in answers}) == 3 and os.getpid() not in {pid for pid, _ in answers}


def test_a_failing_step_is_reported_with_its_traceback() -> None:
    with Workers(2) as workers, pytest.raises(WorkerFailed, match="ValueError: a step that fails"):
        workers.each(_fails, [(), ()])


def test_a_worker_that_dies_is_reported() -> None:
    with Workers(1) as workers, pytest.raises(WorkerFailed, match="ended unexpectedly"):
        workers.each(_dies, [()])


def _double(_: object, chunk: list[int]) -> list[int]:
    return [2 * value for value in chunk]


def test_every_chunk_is_answered_once_in_chunk_order() -> None:
    chunks = [[n, n + 1] for n in range(0, 20, 2)]
    with Workers(2) as workers:
        answers, by = parallel._distribute(workers, _double, chunks, (), [0] * len(chunks))  # type: ignore[arg-type]
    assert answers == [[2 * n, 2 * n + 2] for n in range(0, 20, 2)]
    assert set(by) <= {0, 1} and by[0] == 0  # the owner starts with its own first chunk


class _InTurn:
    """Workers that answer in the order they were sent work (no processes)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.pending: list[tuple[int, Any]] = []

    def __len__(self) -> int:
        return self.count

    def send(self, worker: int, step: Any, args: tuple[Any, ...]) -> None:
        self.pending.append((worker, step(None, *args)))  # each step gets its worker's state

    def next_answer(self) -> tuple[int, Any]:
        return self.pending.pop(0)


def test_a_held_item_is_taken_over_only_while_its_holder_has_two_queued() -> None:
    """Worker 1 holds nothing: it takes over worker 0's last item while worker 0 has two more
    queued, not the last one of all (worker 0 will be done with it sooner than worker 1 could
    parse it again)."""
    items = [[n] for n in range(4)]
    _, by = parallel._distribute(_InTurn(2), _double, items, (), [0] * 4)  # type: ignore[arg-type]
    assert by == [0, 0, 0, 1]  # item 3 taken over (1 and 2 queued), item 2 left to its holder
    _, by = parallel._distribute(_InTurn(2), _double, items, (), [-1] * 4)  # type: ignore[arg-type]
    assert by == [0, 1, 0, 1]  # held by none: whoever is free takes the next


def _explode(_: object, chunk: list[Prepared]) -> None:
    raise RuntimeError("a bug in a step")


def test_a_failing_worker_leaves_the_run_to_one_process(
    project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root, files = project
    todo = _prepared(root, files)
    alone = {p.unit.display: found for p, found in analyse_here(todo, Run(Settings(), root, files))}
    monkeypatch.setattr(parallel, "_check", _explode)
    after_failure = {
        p.unit.display: found for p, found in _analyse(Run(Settings(), root, files, jobs=2), todo)
    }
    assert after_failure == alone
    assert "a worker process failed (RuntimeError: a bug in a step)" in capsys.readouterr().err


def test_the_steps_spare_a_worker_the_other_workers_modules(project) -> None:  # type: ignore[no-untyped-def]
    """The workers' steps, run here one worker after the other: once the tables and the sites
    are shared, a worker gathers and checks its half without parsing the other half."""
    from wslint.analysis.names import module_name_for

    root, files = project
    todo = _prepared(root, files)
    halves = [todo[::2], todo[1::2]]
    codes = {code for prepared in todo for code in prepared.rules}
    defined = []
    state = parallel.WorkerState()  # one worker's, the steps run here one after the other
    for half in halves:  # each "worker" parses its own half and says what it defines
        parallel._open(state, Settings(), root, files)
        part, endpoints = parallel._parse(state, half, frozenset({"WSL006"}))
        assert endpoints
        defined.append(part)
    names = parallel._joined_names(codes, defined)
    assert all(names.values()) and set(names) == {kind for kind in KINDS}
    blobs = []
    for half in halves:  # ... and tabulates it
        parallel._open(state, Settings(), root, files)
        parallel._parse(state, half, frozenset({"WSL006"}))
        blobs.append(parallel._tabulate(state, half, names))
    sites: list = []
    for half in halves:  # the second "worker" is left standing, holding the second half
        parallel._open(state, Settings(), root, files)
        parallel._parse(state, half, frozenset({"WSL006"}))
        index = state.opened.index
        loads: list[Path] = []
        loader = index._loader
        index._loader = lambda path, data: loads.append(path) or loader(path, data)
        parallel._share(state, blobs, names)
        sites.append(parallel._gather(state, [module_name_for(p.unit.path, root) for p in half]))
    parallel._install(state, parallel._joined_sites(sites))
    findings = parallel._check(state, halves[1])
    # The questions about the whole project (who references, mentions, constructs what) are
    # answered by the tables: no service of the other half is parsed. A call resolved into
    # one module (an endpoint's ``manager.connect(websocket)``) still parses that module.
    others = {prepared.unit.path for prepared in halves[0] if prepared.unit.path.parent.name == "services"}
    assert len(others) > 5
    assert sum(len(found) for found in findings) > 5
    assert not others.intersection(loads), sorted(others.intersection(loads))[:3]


def _check_project(root: Path, files: list[Path], jobs: int) -> list[tuple[str, int, int, str]]:
    units = [SourceUnit(str(path), path) for path in files]
    report = check_units(units, Settings(), root, files, jobs=jobs)
    return [(f.path, f.line, f.column, f.code) for f in report.findings]


def test_workers_read_and_prefilter_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked with the units to read, the workers read and prefilter them all (the parent reads
    none), and the run finds what one process finds."""
    generate(tmp_path, 12, seed=7)
    for number in range(20):
        (tmp_path / "svc" / f"plain_{number}.py").write_text(f"VALUE = {number}\n")
    root = tmp_path.resolve()
    files = sorted(path.resolve() for path in root.rglob("*.py"))
    alone = _check_project(root, files, 1)
    monkeypatch.setattr(runner, "PARALLEL_PREFILTER_FILES", 1)
    answered: list[int] = []
    spy = parallel.read_and_prefilter

    def counted(workers: Workers, settings: Settings, count: int, project_root: Path) -> Any:
        answers, shares = spy(workers, settings, count, project_root)
        answered.append(len(answers))
        return answers, shares

    parent, read = os.getpid(), checking._read_bytes
    read_here: list[Path] = []

    def spied(path: Path) -> bytes:
        if os.getpid() == parent:
            read_here.append(path)
        return read(path)

    monkeypatch.setattr(parallel, "read_and_prefilter", counted)
    monkeypatch.setattr(checking, "_read_bytes", spied)
    assert _check_project(root, files, 2) == alone
    assert answered == [len(files)]
    assert read_here == []  # the workers read every file
    assert alone


def test_workers_forked_with_the_project_s_files_are_not_sent_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unpickling a project's paths in every worker costs more than the step they open."""
    generate(tmp_path, 12, seed=3)
    root = tmp_path.resolve()
    files = sorted(path.resolve() for path in root.rglob("*.py"))
    alone = _check_project(root, files, 1)
    monkeypatch.setattr(runner, "PARALLEL_PREFILTER_FILES", 1)
    opened: list[Any] = []
    each = Workers.each

    def spied(workers: Workers, step: Callable[..., Any], arguments: Any) -> list[Any]:
        if step is parallel._open:
            opened.extend(args[2] for args in arguments)
        return each(workers, step, arguments)

    monkeypatch.setattr(Workers, "each", spied)
    assert _check_project(root, files, 2) == alone
    assert opened == [None, None]  # the workers were forked with the files: none were sent


def _fails_to_prefilter(_: object, run: slice, settings: Settings, root: Path) -> None:
    raise RuntimeError("a bug in the prefilter")


def test_a_worker_failing_to_prefilter_leaves_it_to_the_parent(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    root, files = project
    alone = _check_project(root, files, 1)
    monkeypatch.setattr(runner, "PARALLEL_PREFILTER_FILES", 1)
    monkeypatch.setattr(parallel, "_read_and_prefilter", _fails_to_prefilter)
    assert _check_project(root, files, 2) == alone


@pytest.mark.parametrize(("count", "jobs"), [(0, 2), (5, 2), (400, 2), (1790, 2), (1790, 8)])
def test_runs_cover_every_unit_once_and_shrink(count: int, jobs: int) -> None:
    runs = parallel._shrinking_runs(count, jobs)
    assert [index for run in runs for index in range(count)[run]] == list(range(count))
    sizes = [run.stop - run.start for run in runs]
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)  # the last: what was left
    assert all(size >= parallel.SHORTEST_RUN for size in sizes[:-1])
    assert count < 400 or sizes[0] > sizes[len(sizes) // 2]  # many units: the first runs are long


def _twice(_: object, item: int) -> tuple[int, int]:
    return item * 2, os.getpid()


def test_items_sent_ahead_are_answered_in_item_order() -> None:
    """With several items in a worker's hands, its answers still pair with their items."""
    with parallel.forked_workers(2, None) as workers:
        answers, answered_by = parallel._distribute(workers, _twice, list(range(25)), (), ahead=3)
    assert [doubled for doubled, _ in answers] == [item * 2 for item in range(25)]
    pids = [pid for _, pid in answers]
    assert len(set(pids)) == 2 and len(set(answered_by)) == 2
    assert all(pids[i] == pids[j] for i in range(25) for j in range(25) if answered_by[i] == answered_by[j])
