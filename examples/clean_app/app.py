"""A FastAPI app whose ``/ws`` endpoint gets live ``status_update`` messages.

Run it with ``uvicorn examples.clean_app.app:app``. The poll interval comes
from ``CLEAN_APP_POLL_INTERVAL`` (seconds, default 5.0) or from
``create_app(poll_interval=...)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from wslint.reference import ConnectionManager, PollingBroadcaster

STATUS_UPDATE = "status_update"


class StatusStore:
    """The data source: a small, thread-safe dict of status fields."""

    def __init__(self, **fields: Any) -> None:
        self._fields: dict[str, Any] = dict(fields)
        self._lock = threading.Lock()

    def update(self, **fields: Any) -> None:
        """Change some fields; the next poll broadcasts the new snapshot."""
        with self._lock:
            self._fields.update(fields)

    def snapshot(self) -> dict[str, Any]:
        """A copy of the current fields."""
        with self._lock:
            return dict(self._fields)


def create_app(poll_interval: float = 5.0, store: StatusStore | None = None) -> FastAPI:
    """Build the app; ``store`` defaults to a fresh ``StatusStore``."""
    store = store if store is not None else StatusStore(status="starting")
    manager = ConnectionManager(send_timeout=1.0)
    broadcaster = PollingBroadcaster(
        manager, store.snapshot, message_type=STATUS_UPDATE, interval=poll_interval
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        broadcaster.start()
        try:
            yield
        finally:
            await broadcaster.stop()
            await manager.aclose()

    app = FastAPI(lifespan=lifespan)
    app.state.store = store
    app.state.manager = manager
    app.state.broadcaster = broadcaster

    @app.websocket("/ws")
    async def status_socket(websocket: WebSocket) -> None:
        """Register the client: the manager sends it the latest status first."""
        await websocket.accept()
        manager.connect(websocket)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            manager.disconnect(websocket)

    return app


app = create_app(poll_interval=float(os.environ.get("CLEAN_APP_POLL_INTERVAL", "5.0")))
