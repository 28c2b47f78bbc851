"""The four broadcasting patterns against a real ``websockets`` server."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
from reference_support import (
    assert_silent,
    close_all,
    connect,
    leftover_tasks,
    recv_all,
    run,
    wait_until,
    ws_server,
)

from wslint.reference import (
    ConditionalBroadcaster,
    ConnectionManager,
    EventBroadcaster,
    HybridBroadcaster,
    PollingBroadcaster,
    RedisBackplane,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(30)]


class Source:
    """A mutable data source that counts its reads."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.reads: list[float] = []
        self.error: Exception | None = None

    def __call__(self) -> Any:
        self.reads.append(time.monotonic())
        if self.error is not None:
            raise self.error
        return self.value


def test_polling_broadcasts_each_change_once() -> None:
    manager = ConnectionManager()
    source = Source({"n": 0})
    poller = PollingBroadcaster(manager, source, "counter_update", interval=0.05)

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 3)
            poller.start()
            assert await recv_all(clients) == [{"type": "counter_update", "data": {"n": 0}}] * 3
            await assert_silent(clients, 0.3)
            assert len(source.reads) >= 4
            source.value = {"n": 1}
            assert [m["data"] for m in await recv_all(clients)] == [{"n": 1}] * 3
            await assert_silent(clients, 0.3)
            await poller.stop()
            await close_all(clients)

    run(main)


def test_polling_survives_errors_and_backs_off(caplog: pytest.LogCaptureFixture) -> None:
    manager = ConnectionManager()
    source = Source({"n": 0})
    source.error = RuntimeError("database down")
    poller = PollingBroadcaster(manager, source, "counter_update", interval=0.05, max_backoff=0.4)

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            (client,) = await connect(port, 1)
            poller.start()
            await asyncio.sleep(1.2)
            failing_reads = list(source.reads)
            source.error = None
            message = await recv_all([client])
            assert message == [{"type": "counter_update", "data": {"n": 0}}]
            assert poller.failures == 0
            await poller.stop()
            await client.close()
        # Without backoff a 0.05 s loop reads ~24 times in 1.2 s; with it,
        # the gaps go 0.05, 0.1, 0.2, 0.4 (cap), 0.4 ...
        assert 4 <= len(failing_reads) <= 8, failing_reads
        gaps = [b - a for a, b in itertools.pairwise(failing_reads)]
        assert gaps[1] > 1.5 * gaps[0] and gaps[2] > 1.5 * gaps[1], gaps
        assert max(gaps) < 0.4 + 0.15, gaps

    run(main)
    errors = [r for r in caplog.records if "polling failed" in r.getMessage()]
    assert errors and all(r.exc_info for r in errors)


def test_event_broadcaster_delivers_in_order_and_skips_failures() -> None:
    manager = ConnectionManager()

    def process(event: int) -> dict[str, int]:
        if event == 2:
            raise ValueError("bad event")
        return {"id": event}

    events = EventBroadcaster(manager, "job_update", process=process)

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 2)
            events.start()
            for event in (1, 2, 3):
                events.publish(event)
            await asyncio.wait_for(events.join(), 3)
            for client in clients:
                got = [(await recv_all([client]))[0] for _ in range(2)]
                assert got == [{"type": "job_update", "data": {"id": i}} for i in (1, 3)]
            await assert_silent(clients, 0.2)
            await events.stop()
            await close_all(clients)

    run(main)


def test_hybrid_publishes_at_once_and_polls_as_backup() -> None:
    manager = ConnectionManager()
    source = Source({"v": 0})
    hybrid = HybridBroadcaster(manager, source, "queue_update", interval=0.3)

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            hybrid.start()
            await wait_until(lambda: hybrid.last_state == {"v": 0})
            clients = await connect(port, 2)
            # The manager sends a new client the latest state of each type.
            assert [m["data"] for m in await recv_all(clients)] == [{"v": 0}] * 2

            source.value = {"v": 1}
            start = time.monotonic()
            assert await hybrid.publish({"v": 1})
            assert [m["data"] for m in await recv_all(clients)] == [{"v": 1}] * 2
            assert time.monotonic() - start < 0.3
            await assert_silent(clients, 0.8)  # the backup poll sees no change

            source.value = {"v": 2}  # the event was missed: polling catches it
            assert [m["data"] for m in await recv_all(clients)] == [{"v": 2}] * 2
            await hybrid.stop()
            await close_all(clients)

    run(main)


def test_conditional_needs_clients_and_significant_change() -> None:
    manager = ConnectionManager()
    source = Source({"count": 100})

    def significant(new: dict[str, int], old: dict[str, int] | None) -> bool:
        return old is None or abs(new["count"] - old["count"]) > 0.1 * old["count"]

    cond = ConditionalBroadcaster(
        manager, source, "stats_update", interval=0.05, is_significant=significant
    )

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            cond.start()
            await wait_until(lambda: len(source.reads) >= 3)
            assert cond.last_state is None  # nobody connected: nothing sent
            clients = await connect(port, 2)
            assert [m["data"] for m in await recv_all(clients)] == [{"count": 100}] * 2
            source.value = {"count": 105}
            await assert_silent(clients, 0.3)
            source.value = {"count": 200}
            assert [m["data"] for m in await recv_all(clients)] == [{"count": 200}] * 2
            await cond.stop()
            await close_all(clients)

    run(main)


def test_stop_cancels_and_awaits_every_task() -> None:
    manager = ConnectionManager()
    source = Source({"a": 1})

    async def main() -> None:
        broadcasters = [
            PollingBroadcaster(manager, source, interval=0.05),
            EventBroadcaster(manager),
            HybridBroadcaster(manager, source, interval=0.05),
            ConditionalBroadcaster(manager, source, interval=0.05),
        ]
        for broadcaster in broadcasters:
            broadcaster.start()
        assert all(b.running for b in broadcasters)
        with pytest.raises(RuntimeError):
            broadcasters[0].start()
        await asyncio.sleep(0.2)
        for broadcaster in broadcasters:
            await broadcaster.stop()
        assert not any(b.running for b in broadcasters)
        assert not leftover_tasks()

    run(main)


def test_message_type_must_be_snake_case() -> None:
    with pytest.raises(ValueError):
        PollingBroadcaster(ConnectionManager(), dict, message_type="StatusUpdate")


def test_event_stop_flushes_the_queue_and_join_returns_after_it() -> None:
    manager = ConnectionManager()
    events = EventBroadcaster(manager, "job_update")

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            (client,) = await connect(port, 1)
            events.start()
            for n in range(5):
                events.publish(n)
            assert await events.stop() == 0
            await asyncio.wait_for(events.join(), 3)
            assert [(await recv_all([client]))[0]["data"] for _ in range(5)] == list(range(5))
            with pytest.raises(RuntimeError):
                events.publish(5)
            await manager.aclose()
            await client.close()

    run(main)


def test_event_stop_reports_what_it_could_not_flush(caplog: pytest.LogCaptureFixture) -> None:
    manager = ConnectionManager()
    release = asyncio.Event()

    async def slow_process(event: int) -> int:
        await release.wait()
        return event

    async def main() -> None:
        events = EventBroadcaster(manager, "job_update", process=slow_process)
        events.start()
        for n in range(4):
            events.publish(n)
        # The first event is being processed when the flush gives up; three stay queued.
        assert await events.stop(flush_timeout=0.1) == 3
        await asyncio.wait_for(events.join(), 3)
        assert not events.running
        await manager.aclose()

    run(main)
    assert any("3 event(s) never broadcast" in r.getMessage() for r in caplog.records)


def test_hybrid_publish_does_not_wait_for_a_slow_fetch() -> None:
    manager = ConnectionManager()
    fetch_started = asyncio.Event()
    fetch_may_end = asyncio.Event()
    source = {"v": 0}
    polls = 0

    async def slow_fetch() -> dict[str, int]:
        nonlocal polls
        polls += 1
        snapshot = dict(source)
        if polls == 2:  # the second poll hangs until the test lets it go
            fetch_started.set()
            await fetch_may_end.wait()
        return snapshot

    hybrid = HybridBroadcaster(manager, slow_fetch, "queue_update", interval=0.05)

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            hybrid.start()
            await wait_until(lambda: hybrid.last_state == {"v": 0})
            clients = await connect(port, 2)
            assert [m["data"] for m in await recv_all(clients)] == [{"v": 0}] * 2
            await asyncio.wait_for(fetch_started.wait(), 3)
            # The poll is stuck in its fetch: a publish still goes out at once.
            source["v"] = 1
            assert await asyncio.wait_for(hybrid.publish({"v": 1}), 1)
            assert [m["data"] for m in await recv_all(clients)] == [{"v": 1}] * 2
            fetch_may_end.set()
            # The stuck poll read {"v": 0} before the publish: it must not undo it.
            await wait_until(lambda: polls >= 4)
            await assert_silent(clients, 0.2)
            assert hybrid.last_state == {"v": 1}
            await hybrid.stop()
            await manager.aclose()
            await close_all(clients)

    run(main)


def test_conditional_with_a_backplane_broadcasts_without_local_clients() -> None:
    """The clients may be on another process: only a manager without a backplane is asked."""
    # Never started: what it is given waits in its buffer, which is all this test needs.
    backplane = RedisBackplane("redis://127.0.0.1:1/0")
    manager = ConnectionManager(backplane=backplane)
    source = Source({"count": 1})
    cond = ConditionalBroadcaster(manager, source, "stats_update", interval=0.05)

    async def main() -> None:
        cond.start()
        await wait_until(lambda: cond.last_state == {"count": 1})
        assert len(manager) == 0 and "stats_update" in manager.latest_messages
        await cond.stop()

    run(main)
