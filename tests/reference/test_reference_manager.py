"""ConnectionManager against a real ``websockets`` server and clients."""

from __future__ import annotations

import asyncio
import base64
import json
import os

import pytest
import websockets
from reference_support import (
    BrokenSocket,
    GatedSocket,
    RecordingSocket,
    StalledSocket,
    close_all,
    connect,
    recv_all,
    run,
    small_receive_buffer_socket,
    wait_until,
    ws_server,
)

from wslint.reference import ConnectionManager

pytestmark = [pytest.mark.integration, pytest.mark.timeout(30)]


def numbered(n: int) -> dict[str, object]:
    return {"type": "n_update", "data": n}


def test_broadcast_reaches_every_client_and_serialises_once() -> None:
    manager = ConnectionManager()
    recorders = [RecordingSocket(), RecordingSocket()]

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 3)
            for recorder in recorders:
                manager.connect(recorder)
            message = {"type": "job_update", "data": {"id": 1}}
            assert await manager.broadcast(message) == 5
            assert await recv_all(clients) == [message] * 3
            assert await manager.flush(3)
            assert recorders[0].sent[0] is recorders[1].sent[0]
            assert json.loads(recorders[0].sent[0]) == message
            assert await manager.broadcast("plain text") == 5
            assert [await c.recv() for c in clients] == ["plain text"] * 3
            assert await manager.aclose() == 0
            await close_all(clients)

    run(main)


def test_dead_clients_are_dropped_without_affecting_others() -> None:
    manager = ConnectionManager(send_timeout=1.0)

    async def main() -> None:
        async with ws_server(manager, unregister=False) as (port, conns):
            clients = await connect(port, 3)
            broken = BrokenSocket()
            manager.connect(broken)
            clients[0].transport.abort()
            await asyncio.wait_for(conns[0].wait_closed(), 3)
            assert conns[0] in manager

            assert await manager.broadcast({"type": "job_update", "data": 2}) == 4
            assert [m["data"] for m in await recv_all(clients[1:])] == [2, 2]
            assert await manager.flush(3)

            assert conns[0] not in manager and broken not in manager
            assert len(manager) == 2
            await manager.aclose()
            await close_all(clients[1:])

    run(main)


def test_stalled_socket_does_not_delay_the_others() -> None:
    manager = ConnectionManager(send_timeout=0.5)
    stalled = StalledSocket()

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 3)
            manager.connect(stalled)
            assert await manager.broadcast({"type": "x_update"}) == 4
            await recv_all(clients)
            # The others have the message while the stalled send still waits.
            assert stalled in manager and not stalled.cancelled
            await wait_until(lambda: stalled not in manager)
            assert stalled.cancelled
            await manager.aclose()
            await close_all(clients)

    run(main)


def test_slow_client_over_a_run_of_broadcasts_keeps_only_the_latest() -> None:
    manager = ConnectionManager(send_timeout=10.0, max_queue=4)
    slow = GatedSocket()

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 3)
            manager.connect(slow)
            for n in range(10):
                await manager.broadcast(numbered(n))
                assert [m["data"] for m in await recv_all(clients)] == [n] * 3
            # Message 0 is being sent; the queue kept the four latest.
            assert manager.queued(slow) == 4 and slow.sent == []
            slow.gate.set()
            assert await manager.flush(3)
            assert [json.loads(t)["data"] for t in slow.sent] == [0, 6, 7, 8, 9]
            assert manager.dropped_messages == 5 and slow in manager
            await manager.aclose()
            await close_all(clients)

    run(main)


def test_disconnect_policy_drops_a_client_whose_queue_overflows() -> None:
    manager = ConnectionManager(send_timeout=10.0, max_queue=2, overflow="disconnect")
    slow = GatedSocket()

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 2)
            manager.connect(slow)
            for n in range(4):
                await manager.broadcast(numbered(n))
                assert [m["data"] for m in await recv_all(clients)] == [n] * 2
            await wait_until(lambda: slow.cancelled)
            assert slow not in manager and len(manager) == 2
            assert slow.sent == []
            await manager.aclose()
            await close_all(clients)

    run(main)


def test_new_clients_get_the_latest_message_of_each_type() -> None:
    async def main() -> None:
        everything = ConnectionManager()
        only_status = ConnectionManager(initial_state=["status_update"])
        nothing = ConnectionManager(initial_state=False)
        for manager in (everything, only_status, nothing):
            await manager.broadcast({"type": "status_update", "data": 1})
            await manager.broadcast({"type": "job_update", "data": "a"})
            await manager.broadcast({"type": "status_update", "data": 2})
            await manager.broadcast("text messages have no type")
        got = {}
        for name, manager in (("all", everything), ("status", only_status), ("none", nothing)):
            late = RecordingSocket()
            manager.connect(late)
            assert await manager.send_personal(late, {"type": "welcome_update"})
            got[name] = [json.loads(text) for text in late.sent]
            await manager.aclose()
        assert got["all"] == [
            {"type": "job_update", "data": "a"},
            {"type": "status_update", "data": 2},
            {"type": "welcome_update"},
        ]
        assert got["status"] == [{"type": "status_update", "data": 2}, {"type": "welcome_update"}]
        assert got["none"] == [{"type": "welcome_update"}]

    run(main)


def test_real_client_that_never_reads_is_dropped_after_the_send_timeout() -> None:
    manager = ConnectionManager(send_timeout=0.5)
    payload = base64.b64encode(os.urandom(192 * 1024)).decode()  # incompressible

    async def main() -> None:
        async with ws_server(manager, unregister=False) as (port, conns):
            readers = await connect(port, 2)
            sock = small_receive_buffer_socket(port)
            idle = await websockets.connect(f"ws://127.0.0.1:{port}/", sock=sock, max_queue=1)
            await wait_until(lambda: len(manager) == 3)
            idle_conn = conns[2]
            for _ in range(100):
                await manager.broadcast(payload)
                for reader in readers:
                    assert await asyncio.wait_for(reader.recv(), 5) == payload
                if idle_conn not in manager:
                    break
            else:
                pytest.fail("the idle client never stalled")
            assert len(manager) == 2
            await manager.aclose()
            idle.transport.abort()
            await close_all(readers)

    run(main)


def test_send_personal_drops_a_failing_client() -> None:
    manager = ConnectionManager(send_timeout=0.2)
    stalled, broken, fine = StalledSocket(), BrokenSocket(), RecordingSocket()

    async def main() -> None:
        for ws in (stalled, broken, fine):
            manager.connect(ws)
        assert not await manager.send_personal(stalled, {"type": "a_update"})
        assert not await manager.send_personal(broken, {"type": "a_update"})
        assert await manager.send_personal(fine, {"type": "a_update"})
        assert manager.active_connections == [fine]
        unregistered = RecordingSocket()
        assert await manager.send_personal(unregistered, "direct")
        assert unregistered.sent == ["direct"] and unregistered not in manager
        await manager.aclose()

    run(main)


def test_send_personal_answers_false_when_the_client_leaves_mid_send() -> None:
    async def main() -> None:
        manager = ConnectionManager(send_timeout=5.0)
        gated = GatedSocket()
        manager.connect(gated)
        sending = asyncio.ensure_future(manager.send_personal(gated, {"type": "a_update"}))
        await wait_until(lambda: gated.started == 1)  # taken off the queue, being sent
        manager.disconnect(gated)
        assert await asyncio.wait_for(sending, 3) is False
        assert gated.cancelled
        await manager.aclose()

    run(main)


def test_aclose_flushes_what_it_can_and_reports_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        manager = ConnectionManager(send_timeout=5.0)
        fine, gated = RecordingSocket(), GatedSocket()
        manager.connect(fine)
        manager.connect(gated)
        for n in range(3):
            await manager.broadcast(numbered(n))
        # The gated client's first send is cut short, two more never left the queue.
        assert await manager.aclose(flush_timeout=0.2) == 3
        assert [json.loads(t)["data"] for t in fine.sent] == [0, 1, 2]
        assert gated.cancelled and len(manager) == 0

    run(main)
    assert any("3 message(s) unsent" in r.getMessage() for r in caplog.records)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        ConnectionManager(send_timeout=0)
    with pytest.raises(ValueError):
        ConnectionManager(max_queue=0)
    with pytest.raises(ValueError):
        ConnectionManager(overflow="drop-newest")  # type: ignore[arg-type]
