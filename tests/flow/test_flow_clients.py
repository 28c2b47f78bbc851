"""``wslint map`` lists each endpoint's clients (the project's JavaScript / TypeScript sockets
that may connect to its path) and marks the types a client waits for that nothing sends."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from flow_support import (
    CHROMIUM,
    DATA,
    chromium_command,
    copy_project,
    mermaid_parse,
    mermaid_script,
    run_wslint,
)

LIVE = """\
// The shop's live views.
const origin = `ws://${window.location.host}`;

export function live(storeId: string, show: (m: unknown) => void) {
  const orders = new WebSocket(`${origin}/api/ws/orders`);
  orders.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "orders_update") show(message);
  };
  const stock = new WebSocket(`${origin}/api/ws/stock/${storeId}`);
  stock.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "stock_update") show(message);
  };
  const elsewhere = new WebSocket(`${origin}/api/ws/nowhere`);
}
"""
WAITS = ["orders_update", "stock_update"]
UNSENT = ["stock_update"]  # the stock endpoint is never updated: nothing sends it


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The shop with a client of its own, and one of a project nested in it."""
    root = copy_project(DATA / "shop", tmp_path / "shop")
    (root / "web" / "src").mkdir(parents=True)
    (root / "web" / "src" / "live.ts").write_text(LIVE, encoding="utf-8")
    admin = root / "admin"
    (admin / "src").mkdir(parents=True)
    (admin / "pyproject.toml").write_text('[project]\nname = "admin"\n', encoding="utf-8")
    (admin / "src" / "admin.ts").write_text(
        'export const s = new WebSocket("/api/ws/orders");\n', encoding="utf-8"
    )
    return root


def map_output(project: Path, output_format: str) -> str:
    status, out, _ = run_wslint("map", "--format", output_format, "--no-cache", cwd=project)
    assert status == 0
    return out


def test_json_lists_each_endpoints_clients_with_their_waits(shop: Path) -> None:
    endpoints = {e["function"]: e["clients"] for e in json.loads(map_output(shop, "json"))["endpoints"]}
    assert endpoints == {
        "orders_socket": [{"file": "web/src/live.ts", "line": 5, "waits": WAITS, "unsent": UNSENT}],
        "stock_socket": [{"file": "web/src/live.ts", "line": 10, "waits": WAITS, "unsent": UNSENT}],
        "clock_socket": [],  # no client opens it
        "feed_socket": [],  # its path is unknown: no client can be told to connect to it
    }


def test_the_map_marks_what_wsl014_reports(shop: Path) -> None:
    status, out, _ = run_wslint("--format", "json", "--no-cache", "--select", "WSL014", ".", cwd=shop)
    reported = [(f["path"], f["message"]) for f in json.loads(out)]
    assert status == 1 and len(reported) == 1 and reported[0][0] == "web/src/live.ts"
    assert "`stock_update`" in reported[0][1]


def test_text_shows_the_clients_and_the_types_never_sent(shop: Path) -> None:
    text = map_output(shop, "text")
    shown = "web/src/live.ts:{} waits for orders_update, stock_update (never sent: stock_update)"
    assert f"  clients        {shown.format(5)}" in text
    assert f"  clients        {shown.format(10)}" in text
    assert "admin" not in text  # a nested project's client is held against its own server
    assert text.count("clients        none known") == 2


def test_mermaid_draws_clients_after_their_endpoints_and_marks_them(shop: Path) -> None:
    mermaid = map_output(shop, "mermaid")
    clients = dict(re.findall(r'^    (c\d+)\("([^"]*)"\)$', mermaid, re.MULTILINE))
    assert sorted(clients.values()) == [
        "web/src/live.ts:10 waits for orders_update, stock_update (never sent: stock_update)",
        "web/src/live.ts:5 waits for orders_update, stock_update (never sent: stock_update)",
    ]
    endpoints = dict(re.findall(r'^    (e\d+)\[\["([^"]*)"\]\]$', mermaid, re.MULTILINE))
    edges = re.findall(r"^    (\w+) --> (c\d+)$", mermaid, re.MULTILINE)
    assert sorted(endpoints[source].split()[0] for source, _ in edges) == [
        "/api/ws/orders",
        "/api/ws/stock/{store_id}",
    ]
    assert "classDef waits_unsent" in mermaid
    assert sorted(re.findall(r"^    class (c\d+) waits_unsent$", mermaid, re.MULTILINE)) == sorted(clients)


def test_html_draws_clients_as_the_last_column(shop: Path) -> None:
    page = map_output(shop, "html")
    columns = {
        shape: {int(x) for x in re.findall(rf'<g class="node {shape}[^"]*"[^>]*>.*?<rect x="(\d+)"', page)}
        for shape in ("sender", "type", "endpoint", "client")
    }
    assert len(columns["client"]) == 1 and min(columns["client"]) > max(columns["endpoint"])
    unsent = re.findall(
        r'<g class="node client unsent" id="c\d+" data-waits="([^"]*)" data-unsent="([^"]*)"', page
    )
    assert unsent == [("orders_update stock_update", "stock_update")] * 2
    assert "web/src/live.ts:5 waits for orders_update, stock_update (never sent: stock_update)" in page
    assert "<th>clients</th>" in page


def test_a_project_without_client_code_lists_none(tmp_path: Path) -> None:
    shop = copy_project(DATA / "shop", tmp_path / "shop")
    endpoints = json.loads(map_output(shop, "json"))["endpoints"]
    assert [e["clients"] for e in endpoints] == [[], [], [], []]


def test_mermaid_with_clients_is_well_formed_and_parses(shop: Path, tmp_path: Path) -> None:
    mermaid = map_output(shop, "mermaid")
    node = re.compile(r'^    [setc]\d+(\["|\(\["|\[\["|\(")[^"]*("\]|"\]\)|"\]\]|"\))$')
    edge = re.compile(r"^    [setc]\d+ --> [setc]\d+$")
    style = re.compile(r"^    (classDef \w+ [\w:#,]+|class [setc]\d+ \w+)$")
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        assert node.match(line) or edge.match(line) or style.match(line), line
    script = mermaid_script()
    if script is None or CHROMIUM is None:
        pytest.skip("Mermaid's bundle or Chromium is not installed (npm install mermaid)")
    assert mermaid_parse(script, [mermaid], tmp_path) == ["ok"]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_chromium_draws_the_clients(shop: Path, tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    page.write_text(map_output(shop, "html"), encoding="utf-8")
    dumped = subprocess.run(
        chromium_command(tmp_path / "profile", "--dump-dom", page.as_uri()),
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert 'data-ready="yes"' in dumped  # the page's script ran
    drawn = re.findall(r'<g class="node client unsent" id="(c\d+)"', dumped)
    assert len(drawn) == 2
