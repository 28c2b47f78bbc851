"""Reading client code: sockets, waited types, URL paths and their match with endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from wslint.client.clients import ClientReader, clients_of
from wslint.client.resolve import external_host, matches, shown, url_path
from wslint.driver.client_stage import project_clients


def view_of(tmp_path: Path, source: str, name: str = "app.ts", **others: str):  # type: ignore[no-untyped-def]
    for other, text in others.items():
        (tmp_path / other.replace("__", ".")).write_text(text, encoding="utf-8")
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    view = ClientReader().view(name, path)
    assert view is not None
    return view


def paths(view) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [s.shown_path for s in view.sockets]


def waits(view) -> list[tuple[str | None, int]]:  # type: ignore[no-untyped-def]
    return [(w.type, w.place.line) for w in view.waits]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ('"ws://localhost:8000/ws/x"', "/ws/x"),
        ('"wss://example.com/ws/x?token=1"', "/ws/x"),
        ('"/ws/x/"', "/ws/x"),
        ("`ws://${host}/ws/${room}`", "/ws/*"),
        ("`${proto}//${location.host}/api/ws`", "/api/ws"),
        ("`${BASE}/ws/x`", "*/ws/x"),
        ('BASE + "/ws/x"', "*/ws/x"),
        ('location.origin.replace("http", "ws") + "/ws/x"', "*/ws/x"),
        ("url", None),
        ('"ws://localhost:8000"', None),
        ("`${BASE}`", None),
        ('"ws/x"', None),
        ('cond ? "/a" : "/b"', None),
    ],
)
def test_url_paths(tmp_path: Path, url: str, path: str | None) -> None:
    view = view_of(tmp_path, f"const ws = new WebSocket({url});\n")
    assert paths(view) == [path]


def test_constants_helpers_and_imports(tmp_path: Path) -> None:
    config = (
        'export const WS_BASE = "ws://localhost:8000/api";\n'
        "export const ENDPOINTS = { STATUS: `/ws/status` };\n"
        "export function wsUrl(path: string) { return `${WS_BASE}${path}`; }\n"
        "export const wsUrl2 = (path) => WS_BASE + path;\n"
    )
    source = (
        'import { WS_BASE, ENDPOINTS, wsUrl, wsUrl2 as other } from "./config";\n'
        'import * as cfg from "./config";\n'
        "new WebSocket(`${WS_BASE}/ws/a`);\n"
        "new WebSocket(WS_BASE + ENDPOINTS.STATUS);\n"
        'new WebSocket(wsUrl("/ws/b"));\n'
        'new WebSocket(other("/ws/c"));\n'
        "new WebSocket(cfg.WS_BASE + '/ws/d');\n"
        "new WebSocket(wsUrl(dynamic));\n"
    )
    view = view_of(tmp_path, source, config__ts=config)
    assert paths(view) == ["/api/ws/a", "/api/ws/status", "/api/ws/b", "/api/ws/c", "/api/ws/d", "/api*"]


def test_default_exports_of_a_config_module(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('export default { WS: "ws://localhost/ws/a" };\n')
    (tmp_path / "b.js").write_text('const config = { WS: "ws://localhost/ws/b" };\nexport default config;\n')
    source = (
        'import a from "./a";\nimport b from "./b";\n'
        "new WebSocket(a.WS);\nnew WebSocket(b.WS);\nnew WebSocket(b.MISSING);\n"
    )
    assert paths(view_of(tmp_path, source, name="app.js")) == ["/ws/a", "/ws/b", None]


def test_a_name_bound_twice_is_not_read(tmp_path: Path) -> None:
    source = 'function a() { const u = "/ws/a"; }\nfunction b() { const u = "/ws/b"; new WebSocket(u); }\n'
    assert paths(view_of(tmp_path, source)) == [None]


def test_socket_openers(tmp_path: Path) -> None:
    source = (
        'import { io } from "socket.io-client";\n'
        'new ReconnectingWebSocket("ws://h/ws/r");\n'
        'new window.WebSocket("ws://h/ws/w");\n'
        'useWebSocket("ws://h/ws/hook");\n'
        'useReliableWebSocket("ws://h/ws/reliable", { onMessage: () => {} });\n'
        "useSocket();\n"
        'useSocket("/chat");\n'
        'io("http://h/chat");\n'
        "io();\n"
        'new Worker("/x.js");\n'
    )
    view = view_of(tmp_path, source)
    assert [(s.kind, s.shown_path) for s in view.sockets] == [
        ("websocket", "/ws/r"),
        ("websocket", "/ws/w"),
        ("hook", "/ws/hook"),
        ("hook", "/ws/reliable"),
        ("socket-hook", "/chat"),
        ("socketio", "/chat"),
        ("socketio", None),
    ]


def test_waited_types_in_every_shape(tmp_path: Path) -> None:
    source = """\
import { T } from "./types";
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.type === "a_update") {}
  if ("b_update" == msg.type) {}
  if (msg["type"] === "c_update") {}
  if (msg.type !== "not_waited") {}
  switch (msg.type) { case "d_update": break; case T.E: break; default: break; }
  const { type: kind } = msg;
  if (kind === "f_update") {}
  handlers[msg.type](msg);
};
const handlers = { g_update: () => {}, "h.update"() {}, i_update };
useWebSocket(url, { onMessage: (m) => { if (m.type === "j_update") {} } });
const { lastJsonMessage } = useWebSocket(url);
if (lastJsonMessage?.type === "k_update") {}
if (action.type === "not_a_message") {}
iframeResizer({ onMessage: (p) => { if (p.type === "not_a_socket_update") {} } });
handlers["l_update"] = () => {};
const registry = new Map();
registry.set("m_update", () => {});
ws.addEventListener("message", (e) => { const m2 = JSON.parse(e.data); registry.get(m2.type)?.(m2); });
const settings = {};
settings["n_update"] = 1;
"""
    view = view_of(tmp_path, source, types__ts='export const T = { E: "e_update" };\n')
    assert waits(view) == [
        ("a_update", 4),
        ("b_update", 5),
        ("c_update", 6),
        ("d_update", 8),
        ("e_update", 8),
        ("f_update", 10),
        ("g_update", 13),
        ("h.update", 13),
        ("i_update", 13),
        ("j_update", 14),
        ("k_update", 16),
        ("l_update", 19),
        ("m_update", 21),
    ]


def test_json_in_a_file_that_handles_no_socket_is_no_message(tmp_path: Path) -> None:
    source = (
        "// talks about sockets, handles none\n"
        "const saved = JSON.parse(localStorage.getItem('prefs'));\n"
        'if (saved.type === "theme_update") {}\n'
    )
    assert waits(view_of(tmp_path, source)) == []
    handler = "export function handle(event) {\n" + source + "}\nsocket.onmessage = handle;\n"
    assert waits(view_of(tmp_path, handler)) == [("theme_update", 4)]


def test_socketio_events(tmp_path: Path) -> None:
    source = (
        'import io from "socket.io-client";\n'
        'const s = io("http://h");\n'
        's.on("a_update", () => {});\n'
        'socketRef.current.on("b_update", () => {});\n'
        'emitter.on("c_update", () => {});\n'
    )
    assert waits(view_of(tmp_path, source, name="app.js")) == [("a_update", 3), ("b_update", 4)]


def test_nothing_is_read_under_an_error_node(tmp_path: Path) -> None:
    source = (
        'const ws = new WebSocket("ws://h/ws/ok");\n'
        "ws.onmessage = (e) => { const m = JSON.parse(e.data);\n"
        '  if (m.type === "a_update" {{ ) }\n'
        '  if (m.type === "b_update") {}\n'
        "};\n"
        'const broken = new WebSocket("ws://h/ws/" +);\n'
    )
    view = view_of(tmp_path, source)
    assert paths(view) == ["/ws/ok"]
    assert waits(view) == [("b_update", 4)]  # a sound statement of the same handler


@pytest.mark.parametrize(
    ("client", "endpoint", "expected"),
    [
        ("/ws/x", "/ws/x", True),
        ("/ws/x", "/ws/x/", True),
        ("/ws/x", "/ws/y", False),
        ("/ws/room1", "/ws/{room}", True),
        ("/ws/a/b", "/ws/{room}", False),
        ("/ws/a/b", "/ws/{rest:path}", True),
        ("/ws/", "/ws/{room}", False),
        ("/ws/*", "/ws/{room}", True),
        ("/ws/*", "/ws/a/b", True),
        ("*/ws/x", "/api/v1/ws/x", True),
        ("*/ws/x", "/api/ws/y", False),
        ("/ws/x", "/ws/<int:room>", True),
        ("/ws/x/y", "/ws/<int:room>", False),
    ],
)
def test_paths_match_endpoints(client: str, endpoint: str, expected: bool) -> None:
    pattern = tuple(None if c == "*" else c for c in client)
    assert matches(pattern, endpoint) is expected
    assert shown(pattern) == client


@pytest.mark.parametrize(
    ("parts", "host"),
    [
        (["wss://stream.example.com:9443/ws/x"], "stream.example.com"),
        (["ws://localhost:8000/ws/x"], None),
        (["ws://127.0.0.1/ws"], None),
        (["ws://[::1]:8000/ws"], None),
        (["ws://app.localhost/ws"], None),
        (["ws://", None, "/ws"], None),
        ([None, "/ws"], None),
        (["/ws"], None),
    ],
)
def test_a_literal_host_other_than_this_machine_is_another_service(parts, host) -> None:  # type: ignore[no-untyped-def]
    assert external_host(parts) == host


def test_url_path_ends_at_query_and_fragment() -> None:
    assert url_path(["ws://h/ws/x?a=1#f"]) == tuple("/ws/x")
    assert url_path([None, "/ws/", None, "?t=", None]) == (None, *"/ws/", None)


def test_the_map_lists_each_client_file_and_the_clients_of_an_endpoint(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "a.ts").write_text(
        'const ws = new WebSocket("ws://h/ws/rooms/1");\n'
        'ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === "room_update") {} };\n'
    )
    (tmp_path / "web" / "b.ts").write_text("export const plain = 1;\n")
    views = project_clients([Path(".")], ())
    assert [v.as_dict() for v in views] == [
        {
            "file": "web/a.ts",
            "sockets": [{"path": "/ws/rooms/1", "kind": "websocket", "line": 1, "host": "h"}],
            "waits": [{"type": "room_update", "line": 2}],
        }
    ]
    found = clients_of("/ws/rooms/{room_id}", views)
    assert [(view.display, socket.place.line) for view, socket in found] == [("web/a.ts", 1)]
    assert clients_of("/ws/other", views) == []
