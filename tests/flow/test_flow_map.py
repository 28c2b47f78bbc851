"""``wslint map``: its formats, its JSON keys, its statuses (those of WSL006), bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flow_support import DATA, REPO, copy_project, run_wslint

ENDPOINT_KEYS = ["path", "function", "file", "line", "initial_types", "status", "senders", "clients"]
BROADCASTER_KEYS = [
    "function",
    "file",
    "line",
    "types",
    "kind",
    "interval",
    "started",
    "started_by",
    "change_guard",
    "error_handling",
    "logs",
]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_project(DATA / "shop", tmp_path / "shop")


def map_json(project: Path, *args: str, cache: bool = False) -> dict:
    options = () if cache else ("--no-cache",)
    status, out, _ = run_wslint("map", "--format", "json", *options, *args, cwd=project)
    assert status == 0
    return json.loads(out)


def test_json_has_exactly_the_spec_keys(shop: Path) -> None:
    data = map_json(shop)
    assert list(data) == ["endpoints", "broadcasters"]
    for endpoint in data["endpoints"]:
        assert list(endpoint) == ENDPOINT_KEYS
        assert endpoint["clients"] == []
        for sender in endpoint["senders"]:
            assert list(sender) == ["function", "file", "line"]
    for broadcaster in data["broadcasters"]:
        assert list(broadcaster) == BROADCASTER_KEYS
        for place in broadcaster["started_by"]:
            assert list(place) == ["file", "line"]


def test_endpoints_paths_types_and_statuses(shop: Path) -> None:
    endpoints = {e["function"]: e for e in map_json(shop)["endpoints"]}
    assert {name: (e["path"], e["status"], e["initial_types"]) for name, e in endpoints.items()} == {
        "orders_socket": ("/api/ws/orders", "updated", ["orders_update"]),
        "stock_socket": ("/api/ws/stock/{store_id}", "never-updated", ["stock_update"]),
        "clock_socket": ("/api/ws/clock", "self-updating", ["clock_update"]),
        "feed_socket": (None, "unknown", []),  # path and type read from the environment
    }
    orders = endpoints["orders_socket"]
    assert (orders["file"], orders["line"]) == ("shop/api.py", 16)
    assert orders["senders"] == [{"function": "Tasks._broadcast_orders", "file": "shop/tasks.py", "line": 29}]


def test_broadcasters_rows(shop: Path) -> None:
    rows = {b["function"]: b for b in map_json(shop)["broadcasters"]}
    orders, stock = rows["Tasks._broadcast_orders"], rows["Tasks._broadcast_stock"]
    assert (orders["kind"], orders["interval"], orders["types"]) == ("polling", 10.0, ["orders_update"])
    assert (orders["started"], orders["change_guard"], orders["error_handling"], orders["logs"]) == (
        True,
        True,
        True,
        True,
    )
    assert orders["started_by"] == [{"file": "shop/tasks.py", "line": 43}]
    assert (stock["interval"], stock["change_guard"], stock["error_handling"]) == (2.0, False, False)


def test_map_statuses_are_wsl006_findings(shop: Path) -> None:
    never = {(e["file"], e["line"]) for e in map_json(shop)["endpoints"] if e["status"] == "never-updated"}
    _, out, _ = run_wslint("--select", "WSL006", "--no-cache", ".", cwd=shop)
    reported = {
        (line.split(":")[0], int(line.split(":")[1])) for line in out.splitlines() if "WSL006" in line
    }
    assert never == reported == {("shop/api.py", 24)}


WSL006_CASES = sorted(
    p for p in (REPO / "tests" / "fixtures" / "wsl006").iterdir() if p.is_dir() or p.suffix == ".py"
)


def never_updated_and_reported(project: Path) -> tuple[set, set]:
    endpoints = map_json(project)["endpoints"]
    never = {(e["file"], e["line"]) for e in endpoints if e["status"] == "never-updated"}
    _, out, _ = run_wslint("--select", "WSL006", "--no-cache", ".", cwd=project)
    reported = {
        (line.split(":")[0], int(line.split(":")[1])) for line in out.splitlines() if "WSL006" in line
    }
    return never, reported


@pytest.mark.parametrize("case", WSL006_CASES, ids=[p.name for p in WSL006_CASES])
def test_map_agrees_with_wsl006_on_every_fixture(case: Path, tmp_path: Path) -> None:
    if case.is_dir():
        project = copy_project(case, tmp_path / case.name)
    else:
        project = tmp_path / case.stem
        project.mkdir()
        (project / "pyproject.toml").write_text("[project]\nname = 'case'\n", encoding="utf-8")
        (project / case.name).write_text(case.read_text(encoding="utf-8"), encoding="utf-8")
    never, reported = never_updated_and_reported(project)
    assert never == reported
    marked = any("# error: WSL006" in path.read_text(encoding="utf-8") for path in project.rglob("*.py"))
    assert bool(never) == marked


def test_map_agrees_with_wsl006_on_the_generated_corpus(tmp_path: Path) -> None:
    from bench.corpus import generate

    corpus = generate(tmp_path / "corpus", 12, seed=1)
    never, reported = never_updated_and_reported(corpus.root)
    assert never == reported


def test_output_is_byte_identical_between_runs_and_to_a_file(shop: Path) -> None:
    for output_format in ("text", "json", "mermaid", "html"):
        first = run_wslint("map", "--format", output_format, "--no-cache", cwd=shop)[1]
        second = run_wslint("map", "--format", output_format, cwd=shop)[1]  # built, then cached
        third = run_wslint("map", "--format", output_format, cwd=shop)[1]  # read from the cache
        assert first == second == third
        target = shop / f"map.{output_format}"
        status, out, _ = run_wslint("map", "--format", output_format, "-o", str(target), cwd=shop)
        assert status == 0 and out == ""
        assert target.read_text(encoding="utf-8") == first


def test_the_cached_model_follows_the_project(shop: Path) -> None:
    before = {
        e["function"]: e["status"] for e in map_json(shop, "--cache-dir", ".cache", cache=True)["endpoints"]
    }
    tasks = shop / "shop" / "tasks.py"
    source = tasks.read_text(encoding="utf-8").replace('"stock_level"', '"stock_update"')
    tasks.write_text(source + "\n", encoding="utf-8")
    after = {
        e["function"]: e["status"] for e in map_json(shop, "--cache-dir", ".cache", cache=True)["endpoints"]
    }
    assert (before["stock_socket"], after["stock_socket"]) == ("never-updated", "updated")
    assert (shop / ".cache" / "flow-model.pickle").is_file()


def test_text_table(shop: Path) -> None:
    out = run_wslint("map", "--no-cache", cwd=shop)[1]
    assert "/api/ws/stock/{store_id}\n  function       stock_socket  shop/api.py:24\n" in out
    assert "  status         never-updated (nothing sends `stock_update`)\n" in out
    assert "  senders        orders_update <- Tasks._broadcast_orders (broadcast) shop/tasks.py:29\n" in out
    assert "<path unknown>\n  function       feed_socket" in out


def test_a_project_without_websocket_code_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'plain'\n", encoding="utf-8")
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    status, out, err = run_wslint("map", "--no-cache", cwd=tmp_path)
    assert (status, out, err) == (0, "No WebSocket server code found: nothing to map.\n", "")
    data = map_json(tmp_path)
    assert data == {"endpoints": [], "broadcasters": []}


def test_unreadable_paths_types_and_prefixes_are_unknown(tmp_path: Path) -> None:
    project = tmp_path / "odd"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'odd'\n", encoding="utf-8")
    (project / "app.py").write_text(
        "import os\n"
        "from fastapi import APIRouter, FastAPI, WebSocket\n"
        "app = FastAPI()\n"
        "router = APIRouter(prefix=os.environ['PREFIX'])\n"
        "def route() -> str:\n"
        "    return '/ws'\n"
        "@router.websocket('/live')\n"
        "async def live(websocket: WebSocket):\n"
        "    await websocket.send_json({'type': KIND})\n"
        "    while True:\n"
        "        await websocket.receive_text()\n"
        "@app.websocket(f'/ws/{os.getpid()}')\n"
        "async def built(websocket: WebSocket):\n"
        "    await websocket.send_json(make())\n"
        "    await websocket.receive_text()\n"
        "app.include_router(router)\n"
        "app.include_router(router, prefix='/again')\n",
        encoding="utf-8",
    )
    (project / "broken.py").write_text("def (:\n", encoding="utf-8")
    endpoints = {e["function"]: e for e in map_json(project)["endpoints"]}
    assert endpoints["live"]["path"] is None and endpoints["built"]["path"] is None
    assert endpoints["live"]["initial_types"] == endpoints["built"]["initial_types"] == []
    # Types unknown, but nothing in the project sends anything after the first message.
    assert {e["status"] for e in endpoints.values()} == {"never-updated"}


def test_mounted_apps_add_their_path(tmp_path: Path) -> None:
    project = tmp_path / "mounted"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'mounted'\n", encoding="utf-8")
    (project / "live.py").write_text(
        "from fastapi import FastAPI, WebSocket\n"
        "live = FastAPI()\n"
        "@live.websocket('/feed')\n"
        "async def feed(websocket: WebSocket):\n"
        "    await websocket.accept()\n"
        "    while True:\n"
        "        await websocket.receive_text()\n",
        encoding="utf-8",
    )
    (project / "other.py").write_text(
        "from starlette.applications import Starlette\n"
        "from starlette.routing import Mount\n"
        "from starlette.websockets import WebSocket\n"
        "inner = Starlette()\n"
        "@inner.websocket_route('/ticks')\n"
        "async def ticks(websocket: WebSocket):\n"
        "    await websocket.accept()\n"
        "    await websocket.receive_text()\n"
        "outer = Starlette(routes=[Mount('/deep', app=inner)])\n",
        encoding="utf-8",
    )
    (project / "main.py").write_text(
        "from fastapi import FastAPI\nfrom live import live\napp = FastAPI()\napp.mount('/live/', live)\n",
        encoding="utf-8",
    )
    paths = {e["function"]: e["path"] for e in map_json(project)["endpoints"]}
    # A Mount among another app's routes: where that app is served is not followed (unknown).
    assert paths == {"feed": "/live/feed", "ticks": None}


def test_paths_narrow_what_is_shown(shop: Path) -> None:
    data = map_json(shop, "shop/main.py")
    assert data["endpoints"] == [] and data["broadcasters"] == []
    data = map_json(shop, "shop/api.py")
    assert len(data["endpoints"]) == 4 and data["broadcasters"] == []


def test_usage_errors_are_one_line(shop: Path) -> None:
    status, out, err = run_wslint("map", "missing/", cwd=shop)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1
    status, _, err = run_wslint("map", "--format", "svg", cwd=shop)
    assert status == 2
