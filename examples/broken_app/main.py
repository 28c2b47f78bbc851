"""The FastAPI application: one WebSocket endpoint and the background broadcasters."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from .background_tasks import BackgroundTasks
from .data import get_queue_state
from .manager import ConnectionManager

manager = ConnectionManager()
tasks = BackgroundTasks(manager)


@asynccontextmanager
async def lifespan(app: FastAPI):
    await tasks.start()
    yield
    await tasks.stop()


app = FastAPI(lifespan=lifespan)


@app.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    await manager.connect(websocket)
    await websocket.send_json({"type": "queue_update", "data": get_queue_state()})
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        manager.disconnect(websocket)
