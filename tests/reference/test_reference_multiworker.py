"""examples/multiworker_app as two uvicorn worker processes joined by a real redis-server.

Real ``websockets`` clients are connected to each worker; jobs are posted over
HTTP; the status lives in Redis. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import redis
import websockets
from multiworker_support import Worker, http_json
from redis_support import RedisServer
from reference_support import assert_silent, close_all, recv_all, recv_json, run, wait_until
from websockets.asyncio.client import ClientConnection

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]
SETTINGS = {"POLL_INTERVAL": "0.1", "MAX_BACKOFF": "0.5", "LEASE_TTL": "1.0"}
STATUS_KEY = "multiworker_app:status"


@pytest.fixture
def workers(redis_server: RedisServer) -> Iterator[list[Worker]]:
    """Two workers of the app, sharing the test's redis-server; the status starts "idle"."""
    set_status(redis_server, state="idle")
    started = [Worker(redis_server.url, SETTINGS) for _ in range(2)]
    try:
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


def set_status(redis_server: RedisServer, **fields: str) -> None:
    with redis.Redis.from_url(redis_server.url) as client:
        client.hset(STATUS_KEY, mapping=fields)


async def connect_to(worker: Worker, count: int) -> list[ClientConnection]:
    clients = [await websockets.connect(f"ws://127.0.0.1:{worker.port}/ws") for _ in range(count)]
    await wait_until(lambda: worker.stats()["clients"] == count, 10)
    return clients


async def post_job(worker: Worker, job: dict[str, object]) -> None:
    answer = await asyncio.to_thread(http_json, worker.port, "/jobs", job)
    assert answer["queued"]


async def next_data(clients: list[ClientConnection], kind: str) -> list[object]:
    """The next message of every client, which must be of type ``kind``."""
    messages = await recv_all(clients, timeout=10)
    assert {m["type"] for m in messages} == {kind}, messages
    return [m["data"] for m in messages]


def leader_of(workers: list[Worker]) -> list[Worker]:
    return [w for w in workers if w.stats()["leader"]]


def test_every_client_of_every_worker_gets_every_broadcast_and_one_worker_polls(
    workers: list[Worker], redis_server: RedisServer
) -> None:
    first, second = workers

    async def main() -> None:
        await wait_until(lambda: len(leader_of(workers)) == 1, 10)
        clients = {first: await connect_to(first, 3), second: await connect_to(second, 3)}
        everyone = clients[first] + clients[second]
        # Each client starts with the latest status, whichever worker polled it.
        assert await next_data(everyone, "status_update") == [{"state": "idle"}] * 6

        for n, worker in enumerate([first, second, first]):
            await post_job(worker, {"id": n, "state": "done"})
            assert await next_data(everyone, "job_update") == [{"id": n, "state": "done"}] * 6

        set_status(redis_server, state="busy")
        assert await next_data(everyone, "status_update") == [{"state": "busy"}] * 6
        await assert_silent(everyone, 0.5)  # no worker polled on its own, nobody got it twice

        (leader,) = leader_of(workers)
        follower = second if leader is first else first
        assert leader.stats()["polls"] > 0 and follower.stats()["polls"] == 0

        # Redis goes away mid-run: no worker crashes, and broadcasts cross again once it is back.
        await asyncio.to_thread(redis_server.kill)
        await post_job(first, {"id": "lost", "state": "dropped"})
        assert await next_data(clients[first], "job_update") == [{"id": "lost", "state": "dropped"}] * 3
        # Once the lease has run out (a restart that loses the key sooner lets the old holder
        # and a new one overlap for up to LEASE_TTL), bring Redis back.
        await wait_until(lambda: not leader_of(workers), 10)
        await asyncio.to_thread(redis_server.start)
        await wait_until(lambda: all(w.stats()["subscribed"] for w in workers), 15)
        assert all(w.alive for w in workers)
        # The restarted Redis is empty: the poller (whoever holds the lease now) sees the empty
        # status, and every client gets it once, live or restored after resubscribing.
        assert await next_data(everyone, "status_update") == [{}] * 6
        await post_job(second, {"id": "after", "state": "done"})
        assert await next_data(everyone, "job_update") == [{"id": "after", "state": "done"}] * 6
        await wait_until(lambda: len(leader_of(workers)) == 1, 10)
        await close_all(everyone)

    run(main, timeout=80)


def test_another_worker_takes_over_polling_when_the_lease_holder_dies(
    workers: list[Worker], redis_server: RedisServer
) -> None:
    async def main() -> None:
        await wait_until(lambda: len(leader_of(workers)) == 1, 10)
        (holder,) = leader_of(workers)
        (survivor,) = [w for w in workers if w is not holder]
        clients = await connect_to(survivor, 2)
        assert await next_data(clients, "status_update") == [{"state": "idle"}] * 2
        assert survivor.stats()["polls"] == 0

        holder.kill()  # SIGKILL: the lease is not released, it has to expire
        await wait_until(lambda: survivor.stats()["leader"], 10)
        set_status(redis_server, state="after takeover")
        # The new holder broadcasts the current state at its first poll, then the change.
        data = await next_data(clients, "status_update")
        if data == [{"state": "idle"}] * 2:
            data = await next_data(clients, "status_update")
        assert data == [{"state": "after takeover"}] * 2
        assert survivor.stats()["polls"] > 0
        reply = await recv_json_or_none(clients[0])
        assert reply is None
        await close_all(clients)

    run(main, timeout=80)


async def recv_json_or_none(client: ClientConnection) -> object:
    try:
        return await recv_json(client, timeout=0.3)
    except asyncio.TimeoutError:
        return None
