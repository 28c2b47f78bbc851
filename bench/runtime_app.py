"""The worker app of the cross-process latency benchmark (``bench/runtime.py``).

One FastAPI app, run as two uvicorn processes sharing one redis-server, that
fans a message out through either backplane:

* ``/ws`` + ``wslint``: :class:`wslint.reference.ConnectionManager` with a
  :class:`~wslint.reference.RedisBackplane` (local clients are sent to at
  once, the other workers' through Redis);
* ``/bws`` + ``broadcaster``: encode/broadcaster's Redis backend in its
  documented shape, one ``broadcast.subscribe(channel)`` per WebSocket
  forwarding every event (every client, local or not, through Redis).

A text sent on ``/control/{backplane}`` is broadcast through that backplane,
stamped with ``time.monotonic()`` at the call (one clock for every process on
Linux). Settings: ``REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from broadcaster import Broadcast
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from wslint.reference import ConnectionManager, RedisBackplane

CHANNEL = "bench:broadcaster"
PRIMER = "bench:broadcaster-primer"


async def forward(subscriber: Any, websocket: WebSocket) -> None:
    while True:
        event = await subscriber.get()
        await websocket.send_text(event.message)


def create_app(redis_url: str) -> FastAPI:
    manager = ConnectionManager(initial_state=False, backplane=RedisBackplane(redis_url, "bench:wslint"))
    broadcast = Broadcast(redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await manager.start()
        await broadcast.connect()
        try:
            # broadcaster 0.3.1's Redis listener starts listening when the first
            # channel is subscribed, but with redis-py 5+ it can look before the
            # subscription is recorded, find none and wait for the next "first"
            # subscription. Holding one to a channel nobody uses for the whole run
            # makes the clients' channel that next one; nothing else changes.
            async with broadcast.subscribe(channel=PRIMER):
                yield
        finally:
            await broadcast.disconnect()
            await manager.aclose()

    app = FastAPI(lifespan=lifespan)

    @app.websocket("/ws")
    async def wslint_clients(websocket: WebSocket) -> None:
        await websocket.accept()
        manager.connect(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            manager.disconnect(websocket)

    @app.websocket("/bws")
    async def broadcaster_clients(websocket: WebSocket) -> None:
        """broadcaster's documented shape: a task forwarding the subscription while this one reads."""
        await websocket.accept()
        async with broadcast.subscribe(channel=CHANNEL) as subscriber:
            await websocket.send_text("subscribed")
            forwarding = asyncio.ensure_future(forward(subscriber, websocket))
            try:
                while True:
                    await websocket.receive_text()
            except WebSocketDisconnect:
                pass
            finally:
                forwarding.cancel()
                await asyncio.gather(forwarding, return_exceptions=True)

    @app.websocket("/control/{backplane}")
    async def control(websocket: WebSocket, backplane: str) -> None:
        await websocket.accept()
        try:
            while True:
                seq = await websocket.receive_text()
                message: dict[str, Any] = {"type": "bench_update", "seq": int(seq), "at": time.monotonic()}
                if backplane == "wslint":
                    await manager.broadcast(message)
                else:
                    await broadcast.publish(channel=CHANNEL, message=json.dumps(message))
        except WebSocketDisconnect:
            pass

    @app.get("/ready")
    async def ready() -> dict[str, Any]:
        backplane = manager.backplane
        assert isinstance(backplane, RedisBackplane)
        return {"subscribed": backplane.subscribed.is_set(), "pid": os.getpid()}

    return app


app = create_app(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
