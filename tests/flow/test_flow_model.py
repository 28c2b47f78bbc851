"""The model's API, as a rule reads it (the client rules among them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow_support import DATA, copy_project

from wslint.core.options import Settings
from wslint.flow.model import SELF, FlowModel
from wslint.flow.project import model_of


@pytest.fixture
def shop(tmp_path: Path) -> FlowModel:
    model, _ = model_of([copy_project(DATA / "shop", tmp_path / "shop")], Settings())
    return model


def test_endpoints_carry_path_place_types_and_status(shop: FlowModel) -> None:
    stock = next(e for e in shop.endpoints if e.function == "stock_socket")
    assert stock.path == "/api/ws/stock/{store_id}"
    assert stock.file.endswith("shop/api.py") and stock.line == 24
    assert stock.initial_types == frozenset({"stock_update"})
    assert stock.status == "never-updated" and stock.missing_type == "stock_update"
    assert stock.clients == ()


def test_senders_types_and_reach(shop: FlowModel) -> None:
    # The stock endpoint pings from its timed receive loop: sent, though no update.
    assert shop.sent_types() == frozenset({"orders_update", "stock_level", "clock_update", "ping"})
    assert shop.unknown_senders() == []
    orders = next(s for s in shop.senders if s.function == "Tasks._broadcast_orders")
    assert orders.types == frozenset({"orders_update"})
    assert {e.function for e in shop.endpoints_reached(orders)} == {
        "orders_socket",
        "stock_socket",
        "clock_socket",
        "feed_socket",
    }
    clock = next(s for s in shop.senders if s.kind == SELF and s.function == "clock_socket")
    assert [e.function for e in shop.endpoints_reached(clock)] == ["clock_socket"]


def test_server_code_and_complete_paths(shop: FlowModel, tmp_path: Path) -> None:
    assert shop.has_server_code and not shop.paths_complete  # the feed's path is unknown
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "pyproject.toml").write_text("[project]\nname = 'plain'\n", encoding="utf-8")
    (plain / "jobs.py").write_text("import asyncio\n\nasync def run():\n    await asyncio.sleep(1)\n")
    model, _ = model_of([plain], Settings())
    assert not model.has_server_code and model.endpoints == []
    served = tmp_path / "served"
    served.mkdir()
    (served / "pyproject.toml").write_text("[project]\nname = 'served'\n", encoding="utf-8")
    (served / "app.py").write_text(
        "from fastapi import FastAPI, WebSocket\n"
        "app = FastAPI()\n"
        "@app.websocket('/ws/{room}')\n"
        "async def room(websocket: WebSocket, room: str):\n"
        "    await websocket.accept()\n"
        "    await websocket.receive_text()\n",
        encoding="utf-8",
    )
    model, _ = model_of([served], Settings())
    assert model.paths_complete and [e.path for e in model.endpoints] == ["/ws/{room}"]
    (served / "legacy.py").write_text("import websockets\n\nasync def handler(ws):\n    await ws.recv()\n")
    model, _ = model_of([served], Settings())
    assert not model.paths_complete  # a websockets server whose paths the model does not list


def _project(root: Path, **modules: str) -> FlowModel:
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    for name, text in modules.items():
        (root / f"{name}.py").write_text(text, encoding="utf-8")
    model, _ = model_of([root], Settings())
    return model


def test_one_endpoint_per_route_a_handler_is_registered_on(tmp_path: Path) -> None:
    model = _project(
        tmp_path / "routes",
        app=(
            "from starlette.applications import Starlette\n"
            "from starlette.routing import Mount, WebSocketRoute\n"
            "async def feed(websocket):\n"
            "    await websocket.accept()\n"
            "    while True:\n"
            "        await websocket.send_json({'type': 'pong'})\n"
            "        await websocket.receive_text()\n"
            "app = Starlette(routes=[Mount('/api', routes=[WebSocketRoute('/feed', feed)])])\n"
            "app.add_websocket_route('/added', feed)\n"
        ),
    )
    assert [(e.path, e.function) for e in model.endpoints] == [("/added", "feed"), ("/api/feed", "feed")]
    assert all(e.replies == frozenset({"pong"}) for e in model.endpoints)  # sent from its loop
    assert model.paths_complete


def test_what_the_model_does_not_read_leaves_paths_incomplete(tmp_path: Path) -> None:
    model = _project(
        tmp_path / "partial",
        app=(
            "from fastapi import APIRouter, FastAPI, WebSocket\n"
            "app = FastAPI()\n"
            "orphan = APIRouter()\n"
            "@orphan.websocket('/b')\n"
            "async def b(websocket: WebSocket):\n"
            "    await websocket.accept()\n"
            "@app.websocket('/c')\n"
            "async def c(first, second):\n"  # which parameter is the socket cannot be told
            "    await first.accept()\n"
        ),
        routing=(
            "from django.urls import path\n"
            "from chat.consumers import ChatConsumer\n"
            "websocket_urlpatterns = [path('ws/chat/', ChatConsumer.as_asgi())]\n"
        ),
    )
    endpoints = {e.function: e for e in model.endpoints}
    assert endpoints["b"].path is None  # a router included nowhere: where it is served is unknown
    assert (endpoints["c"].path, endpoints["c"].status, endpoints["c"].replies) == ("/c", "unknown", None)
    assert [s.path for s in model.served_elsewhere] == ["/ws/chat"]
    assert not model.paths_complete
