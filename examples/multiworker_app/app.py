"""A FastAPI app meant to run as several workers, joined by a Redis backplane.

    REDIS_URL=redis://127.0.0.1:6379/0 uvicorn examples.multiworker_app.app:app --workers 4

* ``/ws`` clients get ``status_update`` and ``job_update`` messages, whichever
  worker they are connected to: every broadcast goes through Redis pub/sub
  to every worker, and each worker sends it to its own clients.
* The status lives in the Redis hash ``multiworker_app:status``. Only the
  worker holding the lease ``multiworker_app:status-poller`` polls it, so
  four workers read it once per interval, not four times; if that worker
  dies, another takes the lease over within ``LEASE_TTL`` seconds.
* ``POST /jobs`` (a JSON object) broadcasts a ``job_update`` at once, from
  whichever worker the request reaches.
* ``GET /stats`` tells what this worker is doing.

Settings come from the environment: ``REDIS_URL``, ``POLL_INTERVAL``
(seconds, default 2.0), ``MAX_BACKOFF`` (default 30.0), ``LEASE_TTL``
(default 3.0).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as redis
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from wslint.reference import (
    ConnectionManager,
    EventBroadcaster,
    PollingBroadcaster,
    RedisBackplane,
    RedisLease,
)

STATUS_UPDATE = "status_update"
JOB_UPDATE = "job_update"
STATUS_KEY = "multiworker_app:status"


def create_app(
    redis_url: str = "redis://127.0.0.1:6379/0",
    poll_interval: float = 2.0,
    max_backoff: float = 30.0,
    lease_ttl: float = 3.0,
) -> FastAPI:
    """Build one worker's app; every worker of a deployment gets the same settings."""
    store = redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=2.0)
    backplane = RedisBackplane(redis_url, channel="multiworker_app:broadcast")
    # New clients get the latest status; job events are not replayed to them.
    manager = ConnectionManager(send_timeout=1.0, initial_state=[STATUS_UPDATE], backplane=backplane)
    lease = RedisLease(redis_url, key="multiworker_app:status-poller", ttl=lease_ttl)

    async def read_status() -> dict[str, Any]:
        return dict(await store.hgetall(STATUS_KEY))

    status = PollingBroadcaster(
        manager, read_status, STATUS_UPDATE, interval=poll_interval, max_backoff=max_backoff, lease=lease
    )
    jobs: EventBroadcaster[dict[str, Any]] = EventBroadcaster(manager, JOB_UPDATE)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await manager.start()
        await lease.start()
        status.start()
        jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await status.stop()
            await lease.stop()
            await manager.aclose()
            await store.aclose()

    app = FastAPI(lifespan=lifespan)
    app.state.manager = manager
    app.state.status = status

    @app.websocket("/ws")
    async def updates(websocket: WebSocket) -> None:
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

    @app.post("/jobs")
    async def job_changed(job: dict[str, Any]) -> dict[str, Any]:
        """Broadcast a job's new state to every client of every worker."""
        jobs.publish(job)
        return {"queued": True, "worker": os.getpid()}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        """This worker's pid, clients, lease and backplane counters."""
        return {
            "worker": os.getpid(),
            "clients": len(manager),
            "polls": status.fetches,
            "leader": lease.held,
            "subscribed": backplane.subscribed.is_set(),
            "published": backplane.published,
            "received": backplane.received,
            "lost": backplane.lost,
        }

    return app


app = create_app(
    redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    poll_interval=float(os.environ.get("POLL_INTERVAL", "2.0")),
    max_backoff=float(os.environ.get("MAX_BACKOFF", "30.0")),
    lease_ttl=float(os.environ.get("LEASE_TTL", "3.0")),
)
