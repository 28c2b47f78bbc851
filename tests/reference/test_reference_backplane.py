"""Managers in one process joined by RedisBackplane over a real redis-server.

Each manager stands for a worker process: it has its own ``websockets``
server and real clients, and only the backplane connects them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from redis_support import RedisServer
from reference_support import assert_silent, close_all, connect, recv_all, run, wait_until, ws_server
from websockets.asyncio.client import ClientConnection

from wslint.reference import ConnectionManager, PollingBroadcaster, RedisBackplane, RedisLease

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
FAST_RETRY = {"min_backoff": 0.05, "max_backoff": 0.2, "connect_timeout": 0.5}


@contextlib.asynccontextmanager
async def worker(url: str, clients: int) -> AsyncIterator[tuple[ConnectionManager, list[ClientConnection]]]:
    """A manager with a Redis backplane, a server and ``clients`` connected clients."""
    manager = ConnectionManager(backplane=RedisBackplane(url, "test:broadcast", **FAST_RETRY))
    await manager.start()
    async with ws_server(manager) as (port, _):
        connected = await connect(port, clients)
        try:
            yield manager, connected
        finally:
            await manager.aclose()
            await close_all(connected)


def test_a_broadcast_reaches_the_clients_of_every_process_once(redis_server: RedisServer) -> None:
    async def main() -> None:
        url = redis_server.url
        async with worker(url, 2) as (a, a_clients), worker(url, 3) as (b, b_clients):
            everyone = a_clients + b_clients
            for n in range(3):
                assert await a.broadcast({"type": "job_update", "data": n}) == 2
                assert [m["data"] for m in await recv_all(everyone)] == [n] * 5
            await b.broadcast({"type": "status_update", "data": "from b"})
            assert [m["data"] for m in await recv_all(everyone)] == ["from b"] * 5
            await assert_silent(everyone, 0.3)  # nobody got its own process's message twice
            # A client joining B gets the latest status, which B only heard of.
            assert b.latest_messages.keys() == {"job_update", "status_update"}

    run(main)


def test_subscribers_reconnect_after_redis_restarts(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "wslint.reference")

    async def main() -> None:
        url = redis_server.url
        async with worker(url, 1) as (a, a_clients), worker(url, 1) as (b, b_clients):
            assert a.backplane is not None and b.backplane is not None
            await a.broadcast({"type": "job_update", "data": "before"})
            assert [m["data"] for m in await recv_all(a_clients + b_clients)] == ["before"] * 2

            await asyncio.to_thread(redis_server.kill)
            await wait_until(lambda: not b.backplane.subscribed.is_set(), 5)  # type: ignore[union-attr]
            # While Redis is down: local clients still get it, nothing raises, B misses it.
            await a.broadcast({"type": "job_update", "data": "during"})
            assert [m["data"] for m in await recv_all(a_clients)] == ["during"]
            await assert_silent(b_clients, 0.3)

            await asyncio.to_thread(redis_server.start)
            for backplane in (a.backplane, b.backplane):
                await wait_until(backplane.subscribed.is_set, 10)
            await a.broadcast({"type": "job_update", "data": "after"})
            assert [m["data"] for m in await recv_all(a_clients + b_clients)] == ["after"] * 2
            assert b.backplane.reconnects >= 1
            assert a.backplane.lost >= 1  # at most once: "during" was never retried

    run(main)
    assert any("lost its subscription" in r.getMessage() for r in caplog.records)


def test_backplane_starts_while_redis_is_down_and_connects_later(redis_server: RedisServer) -> None:
    async def main() -> None:
        await asyncio.to_thread(redis_server.kill)
        async with worker(redis_server.url, 1) as (a, a_clients):
            assert a.backplane is not None and not a.backplane.subscribed.is_set()
            await asyncio.to_thread(redis_server.start)
            async with worker(redis_server.url, 1) as (b, b_clients):
                await wait_until(a.backplane.subscribed.is_set, 10)
                await b.broadcast({"type": "job_update", "data": 1})
                assert [m["data"] for m in await recv_all(a_clients + b_clients)] == [1, 1]

    run(main)


def test_only_the_lease_holder_polls_and_another_takes_over(redis_server: RedisServer) -> None:
    async def main() -> None:
        reads: dict[str, int] = {"first": 0, "second": 0}

        def reader(name: str):  # type: ignore[no-untyped-def]
            def fetch() -> dict[str, int]:
                reads[name] += 1
                return {"n": 1}

            return fetch

        leases = {name: RedisLease(redis_server.url, "test:poller", ttl=0.6) for name in reads}
        managers = {name: ConnectionManager() for name in reads}
        pollers = {
            name: PollingBroadcaster(managers[name], reader(name), interval=0.05, lease=leases[name])
            for name in reads
        }
        await leases["first"].start()
        await leases["second"].start()
        assert leases["first"].held and not leases["second"].held
        for poller in pollers.values():
            poller.start()
        await wait_until(lambda: reads["first"] >= 5)
        assert reads["second"] == 0 and leases["first"].held
        assert pollers["first"].last_state == {"n": 1}

        await pollers["first"].stop()
        await leases["first"].stop()  # releases the key: the other takes it at its next renewal
        await wait_until(lambda: reads["second"] >= 3, 5)
        assert leases["second"].held and leases["second"].acquisitions == 1
        # The new holder broadcasts the current state at once.
        assert managers["second"].latest_messages["state_update"] == '{"type":"state_update","data":{"n":1}}'
        await pollers["second"].stop()
        await leases["second"].stop()
        for manager in managers.values():
            await manager.aclose()

    run(main)


def test_a_process_that_starts_late_learns_the_latest_state(redis_server: RedisServer) -> None:
    async def main() -> None:
        async with worker(redis_server.url, 1) as (a, a_clients):
            await a.broadcast({"type": "status_update", "data": "old"})
            await a.broadcast({"type": "status_update", "data": "current"})
            await a.broadcast({"type": "job_update", "data": 7})
            assert [m["data"] for m in await recv_all(a_clients)] == ["old"]
            assert [m["data"] for m in await recv_all(a_clients)] == ["current"]
            assert [m["data"] for m in await recv_all(a_clients)] == [7]
            await a.flush(3)
            await wait_until(lambda: a.backplane is not None and a.backplane.published == 3)
            # B starts after the fact: its first client is sent what A broadcast last.
            async with worker(redis_server.url, 0) as (b, _):
                assert b.latest_messages == {
                    "status_update": '{"type":"status_update","data":"current"}',
                    "job_update": '{"type":"job_update","data":7}',
                }
            await assert_silent(a_clients, 0.2)  # A is not sent its own retained messages back

    run(main)


def test_stopping_publishes_what_is_still_pending(redis_server: RedisServer) -> None:
    async def main() -> None:
        async with worker(redis_server.url, 1) as (b, b_clients):
            a = ConnectionManager(backplane=RedisBackplane(redis_server.url, "test:broadcast", **FAST_RETRY))
            await a.start()
            for n in range(3):
                await a.broadcast({"type": "job_update", "data": n})
            assert await a.aclose() == 0  # right away: the three are still pending
            assert [(await recv_all(b_clients))[0]["data"] for _ in range(3)] == [0, 1, 2]
            assert a.backplane is not None and a.backplane.lost == 0

    run(main)
