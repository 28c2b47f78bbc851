"""The server surface: endpoint paths with their prefixes, senders' types, unknown reaches."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from wslint.client.surface import ServerSurface
from wslint.core.options import Settings
from wslint.driver.client_stage import surface_of_project
from wslint.driver.discovery import discover


def surface(tmp_path: Path, **modules: str) -> ServerSurface:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    for name, text in modules.items():
        path = tmp_path / (name.replace("__", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    files = [p.resolve() for p in discover([tmp_path], ())]
    return surface_of_project(tmp_path.resolve(), files, Settings())


def paths(found: ServerSurface) -> list[str | None]:
    return sorted((e.path for e in found.endpoints), key=lambda p: (p is None, p or ""))


ENDPOINT = """
@{receiver}.websocket("{path}")
async def ws_{name}(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
"""


def test_router_prefixes_through_nested_includes_and_mounts(tmp_path: Path) -> None:
    found = surface(
        tmp_path,
        app__ws=(
            "from fastapi import APIRouter, WebSocket\n"
            "router = APIRouter(prefix='/live')\n"
            + ENDPOINT.format(receiver="router", path="/feed/{room}", name="feed")
        ),
        app__api="from fastapi import APIRouter\nfrom app import ws\napi = APIRouter(prefix='/api')\n"
        "api.include_router(ws.router, prefix='/v1')\n",
        app__main="from fastapi import FastAPI\nfrom app.api import api\napp = FastAPI()\n"
        "app.include_router(api)\nsub = FastAPI()\napp.mount('/sub', sub)\n"
        "from fastapi import WebSocket\n" + ENDPOINT.format(receiver="sub", path="/ws", name="sub"),
        app__init="",
    )
    assert paths(found) == ["/api/v1/live/feed/{room}", "/sub/ws"]


def test_registrars_starlette_mounts_and_channels_routes(tmp_path: Path) -> None:
    found = surface(
        tmp_path,
        starlette_app="""
            from starlette.applications import Starlette
            from starlette.routing import Mount, WebSocketRoute

            async def feed(websocket):
                await websocket.accept()

            app = Starlette(
                routes=[Mount("/api", routes=[WebSocketRoute("/feed", feed)]), WebSocketRoute("/top", feed)]
            )
            app.add_websocket_route("/added", feed)
            """,
        routing="""
            from channels.routing import URLRouter
            from django.urls import path
            from .consumers import ChatConsumer

            websocket_urlpatterns = [path("ws/chat/", ChatConsumer.as_asgi())]
            """,
    )
    assert paths(found) == ["/added", "/api/feed", "/top", "/ws/chat"]


def test_what_cannot_be_read_is_none(tmp_path: Path) -> None:
    found = surface(
        tmp_path,
        dynamic="""
            from fastapi import APIRouter, FastAPI, WebSocket
            from settings import PREFIX, make_path

            app = FastAPI()
            router = APIRouter(prefix=PREFIX)
            orphan = APIRouter()

            @router.websocket("/a")
            async def a(websocket: WebSocket): ...

            @orphan.websocket("/b")
            async def b(websocket: WebSocket): ...

            @app.websocket(make_path("c"))
            async def c(websocket: WebSocket): ...

            app.include_router(router)
            """,
        serve="""
            import websockets

            async def main(handler):
                async with websockets.serve(handler, "localhost", 8765):
                    pass
            """,
    )
    assert paths(found) == [None, None, None, None]
    assert not found.paths_known


def test_senders_and_where_unknown_types_reach(tmp_path: Path) -> None:
    found = surface(
        tmp_path,
        app="""
            import asyncio
            import socketio
            from fastapi import FastAPI, WebSocket
            from wslint.reference import EventBroadcaster, PollingBroadcaster

            app = FastAPI()
            sio = socketio.AsyncServer()
            clients = []

            async def send_all(message):
                for ws in clients:
                    await ws.send_json(message)

            async def _broadcast_orders():
                while True:
                    await send_all({"type": "orders_update"})
                    await asyncio.sleep(5)

            async def price(value):
                await sio.emit("price_update", value)

            polling = PollingBroadcaster(manager, fetch, message_type="stock_update")
            events = EventBroadcaster(manager)

            @app.websocket("/ws/ticker")
            async def ticker(websocket: WebSocket):
                await websocket.accept()
                while True:
                    await websocket.send_json(await next_tick())
                    await asyncio.sleep(1)
            """,
    )
    assert {"orders_update", "price_update", "stock_update", "event_update"} <= found.sent_after_first
    assert found.unknown_reaches == frozenset({"/ws/ticker"})  # it pushes on its own
    assert found.has_server_code
    assert found.unknown_could_reach([tuple("/ws/ticker")])
    assert not found.unknown_could_reach([tuple("/ws/x")])
    assert found.unknown_could_reach(None)


def test_a_project_without_server_code(tmp_path: Path) -> None:
    found = surface(tmp_path, settings="DEBUG = True\n")
    assert found == ServerSurface()
