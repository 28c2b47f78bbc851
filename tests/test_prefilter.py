"""The prefilter's promise: a file it skips cannot hold a finding under the configuration in force.

Every fixture (and a slice of the standard library) is checked twice, once as the command
does and once with every rule run on every file; the findings must be the same. The byte
patterns are checked against the analysis they stand in for.
"""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest
from fixture_support import Case, all_cases
from hypothesis import given
from hypothesis import strategies as st

from wslint.analysis.guards import name_parts
from wslint.analysis.index import ProjectIndex
from wslint.core.options import Settings
from wslint.driver import checking
from wslint.driver.runner import SourceUnit, check_units
from wslint.rules import selected_rules
from wslint.rules.wsl012_last_state_never_updated import REMEMBERED_WORDS
from wslint.speed import project_words
from wslint.speed.prefilter import ASYNC_DEF, Pending, Relevance, keywords
from wslint.speed.project_words import CallerSearch, ProjectWords
from wslint.speed.remembered_state import StateStoredOnlyInInit

STATE_STORED_ONLY_IN_INIT = StateStoredOnlyInInit(REMEMBERED_WORDS)
CASES = all_cases()


class EveryRule(Relevance):
    """No prefilter: every selected rule on every file (whatever the rest of the project holds)."""

    def __init__(self, settings: Settings) -> None:
        self._all = tuple(
            rule.code for rule in selected_rules(settings.select, settings.ignore, settings.extend_select)
        )
        self.project_words = ()

    def codes(self, data: bytes, project: object = None) -> tuple[str, ...]:
        return self._all

    def codes_unasked(self, data: bytes, present: object = None) -> tuple[tuple[str, ...], Pending]:
        return self._all, ()


def findings(files: list[Path], root: Path, settings: Settings) -> list[tuple[str, int, int, str]]:
    units = [SourceUnit(str(file), file.resolve()) for file in files]
    report = check_units(units, settings, root.resolve(), [file.resolve() for file in files])
    return [(f.path, f.line, f.column, f.code) for f in report.findings]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_skipped_files_hold_no_finding(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = case.settings()
    filtered = findings(case.files, case.root, settings)
    without_prefilter(monkeypatch)
    assert findings(case.files, case.root, settings) == filtered


def test_skipped_standard_library_files_hold_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncio's own package: real code that uses tasks, loops and ``async def`` everywhere."""
    package = Path(asyncio.__file__).parent
    files = sorted(package.glob("*.py"))
    settings = Settings()
    filtered = findings(files, package, settings)
    without_prefilter(monkeypatch)
    assert findings(files, package, settings) == filtered


def without_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "relevance_for", EveryRule)


# -- narrowed by what the project holds ---------------------------------------------------------

HANDLER = (
    "async def feed(sock):\n"
    "    await sock.send_json({'type': 'status_update', 'data': 1})\n"
    "    while True:\n"
    "        await sock.receive_text()\n"
)
ROUTES = "from starlette.applications import Starlette\nfrom handlers import feed\n\napp = Starlette()\n"


@pytest.mark.parametrize("registered", [True, False])
def test_an_endpoint_registered_elsewhere_keeps_its_file_checked(tmp_path: Path, registered: bool) -> None:
    """``feed`` never says "websocket": it is an endpoint only because routes.py registers it."""
    (tmp_path / "handlers.py").write_text(HANDLER)
    registration = 'app.add_websocket_route("/feed", feed)\n' if registered else ""
    (tmp_path / "routes.py").write_text(ROUTES + registration)
    files = sorted(tmp_path.glob("*.py"))
    found = findings(files, tmp_path, Settings())
    assert [(Path(path).name, code) for path, _, _, code in found] == (
        [("handlers.py", "WSL006")] if registered else []
    )


def test_without_registrations_only_files_saying_websocket_are_endpoint_candidates(tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text(HANDLER)
    (tmp_path / "app.py").write_text("@app.websocket('/ws')\n" + HANDLER.replace("feed", "ws_feed"))
    files = [path.resolve() for path in sorted(tmp_path.glob("*.py"))]
    relevance = checking.relevance_for(Settings())
    assert all("WSL006" in relevance.codes(f.read_bytes()) for f in files)  # no project to ask
    project = ProjectWords(relevance.project_words, files)
    assert {f.name: "WSL006" in relevance.codes(f.read_bytes(), project) for f in files} == {
        "app.py": True,
        "handlers.py": False,
    }


identifier_parts = st.sampled_from(
    [
        *REMEMBERED_WORDS,
        *(w.capitalize() for w in REMEMBERED_WORDS),
        *(w.upper() for w in REMEMBERED_WORDS),
        "x",
        "state",
        "State",
        "STATE",
        "value",
        "2",
        "_",
        "hold",
        "threshold",
        "older",
        "Cold",
        "LASTX",
    ]
)


@given(st.lists(identifier_parts, min_size=1, max_size=4), st.sampled_from([".", " . ", ".\\\n    "]))
def test_remembered_attribute_test_covers_the_rule(parts: list[str], dot: str) -> None:
    """Wherever WSL012 would see a remembered ``self.<name>`` stored only in ``__init__``, the
    byte test holds."""
    name = "".join(parts)
    if not name.isidentifier():
        return
    source = (
        f"class A:\n    def __init__(self):\n        self.{name} = None\n\n"
        "    def poll(self):\n        while True:\n"
        f"            if current != self{dot}{name}:\n                pass\n"
    ).encode()
    remembered = any(part in REMEMBERED_WORDS for part in name_parts(name))
    if remembered:
        assert STATE_STORED_ONLY_IN_INIT.search(source), name


POLLER = """\
import asyncio


class Poller:
    def __init__(self):
        {store}
{init}
    async def run(self):
        while True:
            current = await self.fetch()
            if current != self.last_status:
                await self.manager.broadcast({{"type": "status_update", "data": current}})
{loop}
            await asyncio.sleep(5)
{after}
"""
# (where the code goes, the code, whether the state may stay as __init__ set it)
STATE_STORES = [
    ("loop", "                self.last_status = current", False),
    ("loop", "                self.last_status += 1", False),
    ("after", "    def reset(self):\n        self.last_status = None", False),
    ("after", "\npoller = Poller()\npoller.last_status = 3", False),
    ("init", "        def remember(value):\n            self.last_status = value", False),
    ("loop", "                # self.last_status = current", True),
    ("loop", '                print("self.last_status = current")', True),
    ("after", '    def reset(self):\n        """Then:\n\n        self.last_status = None\n        """', True),
    ("loop", "                if self.last_status == current or self.last_status <= 2: pass", True),
    ("loop", "                self.last_status[0] = current", False),
    ("after", "    def reset(self):\n        self.last_status.clear()", False),
    ("loop", "                print(self.last_status.get('x'))", True),
    ("store", "self.ready, self.last_status = False, None", True),
    ("store", "self.last_status: dict | None = None", True),
    ("store", "x = 'y'; self.last_status = None", True),
    # code after a nested function is the outer function's again
    ("store", "def done(task):\n            pass\n        self.last_status = None", True),
]


@pytest.mark.parametrize(("where", "code", "only_in_init"), STATE_STORES)
def test_a_state_stored_outside_init_rules_its_file_out_for_wsl012(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, code: str, only_in_init: bool
) -> None:
    parts = {"store": "self.last_status = None", "init": "", "loop": "", "after": ""}
    source = POLLER.format(**{**parts, where: code})
    assert STATE_STORED_ONLY_IN_INIT.search(source.encode()) is only_in_init
    path = tmp_path / "poller.py"
    path.write_text(source)
    without_prefilter(monkeypatch)
    found = {code for *_, code in findings([path], tmp_path, Settings(select=("WSL012",)))}
    assert found == ({"WSL012"} if only_in_init else set())


COMPARER = """\
import asyncio


class Poller:
    def __init__(self):
        self.last_status = None

    async def run(self, feed):
{body}
"""
# (the body of ``run``, whether the byte test holds, whether WSL012 fires)
IF_CHANGED = "            if current != self.last_status:\n                pass"
COMPARISONS = [
    ("        while True:\n            current = feed()\n" + IF_CHANGED, True, True),
    ("        async for current in feed:\n" + IF_CHANGED, True, True),
    ("        async \\\n  for current in feed:\n" + IF_CHANGED, True, True),
    ("        if feed() != self.last_status:\n            pass", False, False),
    ("        for current in feed:\n" + IF_CHANGED, False, False),
    (
        "        def wait():\n            while feed():\n                pass\n"
        "        if feed() != self.last_status:\n            pass",
        True,  # a def's bytes run on to the next def no deeper: the nested loop keeps the file
        False,
    ),
    (
        "        while True:\n            def changed(current):\n"
        "                return current != self.last_status\n            changed(feed())",
        False,
        False,
    ),
    (
        "        while True:\n            def changed(current):\n                return current\n"
        "            if changed(feed()) != self.last_status:\n                pass",
        True,
        True,
    ),
    (
        "        while True:\n            await feed()\n\n    def check(self, current):\n"
        "        return current != self.last_status",
        False,
        False,
    ),
]


@pytest.mark.parametrize(("body", "holds", "fires"), COMPARISONS)
def test_a_state_compared_outside_every_loop_rules_its_file_out_for_wsl012(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, holds: bool, fires: bool
) -> None:
    source = COMPARER.format(body=body)
    assert STATE_STORED_ONLY_IN_INIT.search(source.encode()) is holds
    path = tmp_path / "poller.py"
    path.write_text(source)
    without_prefilter(monkeypatch)
    found = {code for *_, code in findings([path], tmp_path, Settings(select=("WSL012",)))}
    assert found == ({"WSL012"} if fires else set())


@pytest.mark.parametrize(
    "source",
    [b"async def f(): ...", b"async  def f(): ...", b"async\tdef f(): ...", b"async \\\n def f(): ..."],
)
def test_async_def_as_python_spells_it(source: bytes) -> None:
    assert ASYNC_DEF.search(source)


@pytest.mark.parametrize("source", [b"asyncdef", b"# async\ndef f(): ...", b"async_def = 1"])
def test_async_def_is_not_found_where_there_is_none(source: bytes) -> None:
    assert not keywords("async def").search(source)


# -- a helper broadcasts through its own body, not through a function nested in it --------------

POLLER_CALLING = (
    "import asyncio\nfrom helpers import outer\n\n\nasync def poll():\n    while True:\n"
    "        outer()\n        await asyncio.sleep(1)\n"
)
NESTED_BROADCAST = (
    "def outer():\n    def inner():\n"
    "        return manager.broadcast({{'type': 'tick'}})\n\n    return {end}\n"
)


@pytest.mark.parametrize(("end", "broadcasts"), [("1", False), ("inner()", True)])
def test_a_broadcast_nested_in_a_helper_counts_only_where_the_helper_calls_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str, broadcasts: bool
) -> None:
    (tmp_path / "poller.py").write_text(POLLER_CALLING)
    (tmp_path / "helpers.py").write_text(NESTED_BROADCAST.format(end=end))
    root = tmp_path.resolve()
    files = sorted(path.resolve() for path in root.glob("*.py"))
    relevance = checking.relevance_for(Settings())
    answers = ProjectWords(relevance.project_words, files, root=root)
    assert ("WSL002" in relevance.codes((tmp_path / "poller.py").read_bytes(), answers)) is broadcasts
    found = findings(files, root, Settings())
    without_prefilter(monkeypatch)
    assert findings(files, root, Settings()) == found
    assert ("WSL002" in {code for *_, code in found}) is broadcasts


# -- a task spawned on an attribute: dropped only where the project has no create_task ----------

# ``self.pool`` may be the project's wrapper; ``self._loop`` would be an event loop, reported
# wherever the project defines a create_task (see the WSL008 fixtures).
SPAWNER = "class Feed:\n    def start(self):\n        self.pool.create_task(self.run())\n"
WRAPPER = "def create_task(coro):\n    return TASKS.add(coro)\n"


@pytest.mark.parametrize(
    ("wrapper_at", "fires"),
    [(None, True), ("tasks.py", False), ("tests/test_helpers.py", True), ("test_helpers.py", True)],
)
def test_a_spawn_on_an_attribute_is_checked_only_where_the_project_has_no_create_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapper_at: str | None, fires: bool
) -> None:
    """``self.pool.create_task(...)`` is reported only where no production module defines a
    ``create_task`` (a wrapper that may keep its tasks); a test module's does not count."""
    (tmp_path / "feed.py").write_text(SPAWNER)
    if wrapper_at is not None:
        (tmp_path / wrapper_at).parent.mkdir(exist_ok=True)
        (tmp_path / wrapper_at).write_text(WRAPPER)
    files = sorted(path.resolve() for path in tmp_path.rglob("*.py"))
    root = tmp_path.resolve()
    settings = Settings(select=("WSL008",))
    relevance = checking.relevance_for(settings)
    feed = (tmp_path / "feed.py").read_bytes()
    project = ProjectWords(relevance.project_words, files, root=root)
    assert ("WSL008" in relevance.codes(feed, project)) is fires
    found = findings(files, root, settings)
    without_prefilter(monkeypatch)
    assert findings(files, root, settings) == found
    assert [Path(path).name for path, *_ in found] == (["feed.py"] if fires else [])


def test_what_the_prefilter_learnt_of_the_project_spares_the_index_a_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a production module defines ``create_task`` is known once the project words are
    answered: the index is told, and does not search the project again."""
    (tmp_path / "feed.py").write_text(SPAWNER + "        asyncio.create_task(self.run())\n")
    (tmp_path / "tasks.py").write_text(WRAPPER)
    root = tmp_path.resolve()
    files = sorted(path.resolve() for path in root.glob("*.py"))
    settings = Settings(select=("WSL008",))
    expected = [("feed.py", 4)]
    found = findings(files, root, settings)
    assert [(Path(path).name, line) for path, line, *_ in found] == expected

    def searched(self: ProjectIndex, name: str) -> list[str]:
        raise AssertionError(f"the index searched the project for def {name}")

    monkeypatch.setattr(ProjectIndex, "production_names_defining", searched)
    assert findings(files, root, settings) == found


# -- broadcasters that broadcast through another module ----------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("many_names", [project_words.MANY_NAMES, 0])
@pytest.mark.parametrize(
    ("project", "kept"),
    [
        ("wsl002/bad_helper_chain_in_other_modules", True),
        ("wsl002/good_helper_in_other_module_never_broadcasts", False),
    ],
)
def test_a_loop_calling_helpers_is_checked_only_where_a_helper_may_broadcast(
    project: str, kept: bool, many_names: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``poll_prices`` loops and calls a helper of another module: it is a broadcaster only if
    some project function that may broadcast is named in its file (here through a chain of
    two modules and an import alias), whether the names are searched for one by one or looked
    up among each file's identifiers (past ``MANY_NAMES``)."""
    monkeypatch.setattr(project_words, "MANY_NAMES", many_names)
    root = FIXTURES / project
    files = [path.resolve() for path in sorted(root.rglob("*.py"))]
    poller = next(path for path in files if path.name == "poller.py").read_bytes()
    relevance = checking.relevance_for(Settings())
    assert "WSL002" in relevance.codes(poller)  # no project to ask: the loop may broadcast
    answers = ProjectWords(relevance.project_words, files)
    assert ("WSL002" in relevance.codes(poller, answers)) is kept


# -- what processes learn of the project apart, joined ------------------------------------------


@pytest.mark.parametrize(
    "project",
    [
        "wsl002/bad_helper_chain_in_other_modules",
        "wsl002/good_helper_in_other_module_never_broadcasts",
        "wsl006",
        "wsl008",
    ],
)
def test_project_words_learnt_in_shares_answer_as_one_process_does(project: str) -> None:
    """Workers each scan a share of the files (every n-th one) and hand over what it taught
    the project words (pickled), and search the files they hold for callers: joined, the
    answers are those of one process that scanned and searched every file."""
    root = (FIXTURES / project).resolve()
    files = [path.resolve() for path in sorted(root.rglob("*.py"))]
    relevance = checking.relevance_for(Settings())
    whole = ProjectWords(relevance.project_words, files, root=root)
    for path in files:
        whole.scan(path, path.read_bytes())
    joined = ProjectWords(relevance.project_words, files, root=root)
    held = files[:-1]  # the others hold the bytes of all files but the last
    searches = []
    for part in range(2):
        share = ProjectWords(relevance.project_words, (), root=root)
        for path in files[part::2]:
            share.scan(path, path.read_bytes())
        joined.merge(pickle.loads(pickle.dumps(share.shares())))
        searches.append(CallerSearch(path.read_bytes() for path in held[part::2]))

    def search(names: frozenset[bytes]) -> set[bytes]:
        return searches[0].callers(names) | searches[1].callers(names)

    joined.hand_over(files, held, search)
    for path in files:
        data = path.read_bytes()
        assert relevance.codes(data, joined) == relevance.codes(data, whole), path
    assert joined.production_definitions() == whole.production_definitions()


ENDPOINT_AND_POLLER = (
    "import asyncio\nfrom helpers import refresh\n\n\nasync def poll():\n    while True:\n"
    "        refresh()\n        await asyncio.sleep(1)\n\n\nasync def feed(websocket):\n"
    "    await websocket.accept()\n"
)


@pytest.mark.parametrize(("helper", "broadcasts"), [("return 1", False), ("manager.broadcast(1)", True)])
def test_a_file_parsed_for_one_rule_still_asks_the_project_for_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: str, broadcasts: bool
) -> None:
    """A WebSocket endpoint makes the file parsed for WSL006 whatever else it holds; its loop
    is a broadcaster's only if the helper it calls may broadcast, which the project tells: the
    broadcaster rules are not checked for nothing."""
    (tmp_path / "poller.py").write_text(ENDPOINT_AND_POLLER)
    (tmp_path / "helpers.py").write_text(f"def refresh():\n    {helper}\n")
    root = tmp_path.resolve()
    files = sorted(path.resolve() for path in root.glob("*.py"))
    relevance = checking.relevance_for(Settings())
    poller = (tmp_path / "poller.py").read_bytes()
    codes, pending = relevance.codes_unasked(poller)
    assert "WSL006" in codes and "WSL006" not in dict(pending) and "WSL002" in dict(pending)
    answered = relevance.codes(poller, ProjectWords(relevance.project_words, files, root=root))
    assert "WSL006" in answered
    assert ("WSL002" in answered) is broadcasts
    found = findings(files, root, Settings())
    without_prefilter(monkeypatch)
    assert findings(files, root, Settings()) == found


def test_what_is_learnt_of_definitions_never_walks_the_project(tmp_path: Path) -> None:
    """Whether every project file was scanned is told only from a list of them already made:
    checking one file of a large tree does not walk the tree for it (it is then not known)."""
    relevance = checking.relevance_for(Settings(select=("WSL008",)))

    class Unwalked:
        def listed(self) -> list[Path] | None:
            return None

        def __call__(self) -> list[Path]:
            raise AssertionError("the project was walked")

    project = ProjectWords(relevance.project_words, Unwalked(), root=tmp_path)
    project.scan(tmp_path / "feed.py", SPAWNER.encode())
    assert project.production_definitions() == {}  # not known: not every file was scanned
    feed = tmp_path / "feed.py"
    listed = ProjectWords(relevance.project_words, [feed], root=tmp_path)
    listed.scan(feed, SPAWNER.encode())
    assert listed.production_definitions() == {"create_task": False}  # every listed file scanned


@pytest.mark.parametrize(
    ("words", "common"),
    [
        ({b"WebSocketRoute", b"add_websocket_route", b"add_api_websocket_route"}, b"ocket"),
        ({b"broadcast"}, b"broadcast"),
        ({b"send", b"emit"}, b"e"),
        ({b"send", b"pull"}, b""),
        (set(), b""),
    ],
)
def test_the_part_every_word_holds(words: set[bytes], common: bytes) -> None:
    assert project_words.common_part(words) == common
    assert all(common in word for word in words)


@pytest.mark.parametrize("words", [{b"WebSocketRoute", b"add_websocket_route"}, {b"route", b"mount"}])
def test_any_file_holds_one_of_the_words_whatever_they_share(words: set[bytes]) -> None:
    for word in sorted(words):
        reader = project_words.AnyFileHolds(words).reader(None)
        reader.scan(Path("plain.py"), b"import socket\n", b"import socket\n")
        assert not reader.settled()
        reader.scan(Path("app.py"), b"x = " + word + b"\n", b"x = " + word + b"\n")
        assert reader.settled()


def test_the_first_words_rule_a_file_out_by_their_literals() -> None:
    """Every first word promises a substring (a test's literals): a file holding none of them
    is ruled out by those alone; a word that promises none (a project word) stops the shortcut."""
    from wslint.speed.prefilter import _literals_of

    assert _literals_of([ASYNC_DEF, b"create_task", b"async"]) == (b"async", b"create_task")
    assert _literals_of([b"create_task", project_words.AnyFileHolds([b"x"])]) is None
    relevance = checking.relevance_for(Settings())
    assert relevance.codes_unasked(b"import os\n") == ((), ())
    assert relevance.codes_unasked(b"async def f():\n    asyncio.create_task(g())\n")[0]
