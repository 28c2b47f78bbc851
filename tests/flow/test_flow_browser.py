"""The map's HTML in a real browser (headless Chromium), and its Mermaid against a golden file
and Mermaid's own parser."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import subprocess
import time
from html.parser import HTMLParser
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

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
EXPECTED = {
    "orders_socket": "updated",
    "stock_socket": "never-updated",
    "clock_socket": "self-updating",
    "feed_socket": "unknown",
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_project(DATA / "shop", tmp_path / "shop")


def write_map(project: Path, output_format: str) -> Path:
    target = project.parent / f"map.{output_format}"
    status, _, _ = run_wslint("map", "--format", output_format, "--no-cache", "-o", str(target), cwd=project)
    assert status == 0
    return target


class Elements(HTMLParser):
    """Every start tag's attributes, by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {key: value or "" for key, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_html_is_self_contained(shop: Path) -> None:
    html = write_map(shop, "html").read_text(encoding="utf-8")
    for tag, attributes in elements(html):
        assert "src" not in attributes and "href" not in attributes, (tag, attributes)
    assert "@import" not in html and "url(" not in html


@needs_chromium
def test_chromium_draws_every_endpoint_with_its_status(shop: Path, tmp_path: Path) -> None:
    page = write_map(shop, "html")
    dumped = subprocess.run(
        chromium_command(tmp_path / "profile", "--dump-dom", page.as_uri()),
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = elements(dumped)
    drawn = {
        attributes["data-function"]: attributes
        for tag, attributes in found
        if tag == "g" and "endpoint" in attributes.get("class", "").split()
    }
    assert {name: attributes["data-status"] for name, attributes in drawn.items()} == EXPECTED
    for name, status in EXPECTED.items():
        assert f"status-{status}" in drawn[name]["class"].split()
    assert drawn["stock_socket"]["data-path"] == "/api/ws/stock/{store_id}"
    assert any(
        tag == "body" and attributes.get("data-ready") == "yes" for tag, attributes in found
    )  # script ran
    statuses = [a["data-status"] for tag, a in found if tag == "tr" and "endpoint-row" in a.get("class", "")]
    assert sorted(statuses) == sorted(EXPECTED.values())
    rows = [a["data-function"] for tag, a in found if tag == "tr" and a.get("class") == "broadcaster"]
    assert rows == ["Tasks._broadcast_orders", "Tasks._broadcast_stock"]
    assert "✗" in dumped and "✓" in dumped
    shot = tmp_path / "map.png"
    subprocess.run(
        chromium_command(
            tmp_path / "profile", "--window-size=1300,900", f"--screenshot={shot}", page.as_uri()
        ),
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_no_console_errors_in_chromium(shop: Path, tmp_path: Path) -> None:
    page = write_map(shop, "html")
    errors, ready = asyncio.run(console_errors(page.as_uri(), tmp_path / "devtools"))
    assert errors == [] and ready == "yes"


@needs_chromium
def test_console_errors_are_seen(tmp_path: Path) -> None:
    """The check above can fail: a page that throws is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><body><script>missing_function();</script></body>", encoding="utf-8")
    errors, _ = asyncio.run(console_errors(page.as_uri(), tmp_path / "devtools"))
    assert errors and "missing_function" in errors[0]


async def console_errors(url: str, profile: Path) -> tuple[list[str], str | None]:
    """Errors a page logs or throws while loading, read over the DevTools protocol, and its
    ``document.body.dataset.ready``."""
    import websockets

    process = subprocess.Popen(
        chromium_command(profile, "--remote-debugging-port=0", "about:blank"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port, path = await _devtools_address(profile / "DevToolsActivePort")
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as socket:
            return await _load_and_listen(socket, url)
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _devtools_address(port_file: Path) -> tuple[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if port_file.is_file():
            lines = port_file.read_text().split()
            if len(lines) >= 2:
                return lines[0], lines[1]
        await asyncio.sleep(0.05)
    raise AssertionError("Chromium did not open its DevTools port")


async def _load_and_listen(socket, url: str) -> tuple[list[str], str | None]:  # type: ignore[no-untyped-def]
    numbers = itertools.count(1)
    events: list[dict] = []

    async def call(method: str, params: dict | None = None, session: str | None = None) -> dict:
        number = next(numbers)
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await socket.send(json.dumps(message))
        while True:
            reply = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
            if reply.get("id") == number:
                assert "error" not in reply, reply
                return reply["result"]
            events.append(reply)

    target = (await call("Target.createTarget", {"url": "about:blank"}))["targetId"]
    session = (await call("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
    for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
        await call(domain, session=session)
    await call("Page.navigate", {"url": url}, session=session)
    deadline = time.monotonic() + 60
    while not any(e.get("method") == "Page.loadEventFired" for e in events) and time.monotonic() < deadline:
        events.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=60)))
    ready = await call(
        "Runtime.evaluate",
        {"expression": "document.body.dataset.ready || null", "returnByValue": True},
        session,
    )
    return _errors(events), ready["result"].get("value")


def _errors(events: list[dict]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            found.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(
                " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            found.append(params["entry"].get("text", ""))
    return found


# -- Mermaid ---------------------------------------------------------------------------------
def test_mermaid_matches_the_golden_file(shop: Path) -> None:
    """``data/shop.mmd`` was checked by hand against the shop: orders updated by its
    broadcaster, stock never updated (its broadcaster sends `stock_level`), the clock pushing
    on its own, the feed's path and type unknown, `stock_level` reaching no endpoint."""
    produced = write_map(shop, "mermaid").read_text(encoding="utf-8")
    assert produced == (DATA / "shop.mmd").read_text(encoding="utf-8")


def test_mermaid_lines_are_well_formed(shop: Path) -> None:
    lines = write_map(shop, "mermaid").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "flowchart LR"
    node = re.compile(r'^    [setc]\d+(\["|\(\["|\[\["|\(")[^"]*("\]|"\]\)|"\]\]|"\))$')
    edge = re.compile(r"^    [setc]\d+ --> [setc]\d+$")
    style = re.compile(r"^    (classDef \w+ [\w:#,]+|class [setc]\d+ \w+)$")
    for line in lines[1:]:
        assert node.match(line) or edge.match(line) or style.match(line), line


@needs_chromium
def test_mermaid_parses_with_mermaids_own_parser(shop: Path, tmp_path: Path) -> None:
    script = mermaid_script()
    if script is None:
        pytest.skip("Mermaid's bundle is not installed (npm install mermaid, or set WSLINT_MERMAID_JS)")
    produced = write_map(shop, "mermaid").read_text(encoding="utf-8")
    broken = produced.replace("flowchart LR", "flowchart LR\n    x[[ unclosed")  # the check can fail
    results = mermaid_parse(script, [produced, broken], tmp_path)
    assert results[0] == "ok" and results[1].startswith("error")
