"""ConnectionManager against a real ``websockets`` server and clients."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time

import pytest
import websockets
from reference_support import (
    BrokenSocket,
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
            assert recorders[0].sent[0] is recorders[1].sent[0]
            assert json.loads(recorders[0].sent[0]) == message
            assert await manager.broadcast("plain text") == 5
            assert [await c.recv() for c in clients] == ["plain text"] * 3
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

            delivered = await manager.broadcast({"type": "job_update", "data": 2})

            assert delivered == 2
            assert conns[0] not in manager and broken not in manager
            assert len(manager) == 2
            assert [m["data"] for m in await recv_all(clients[1:])] == [2, 2]
            await manager.aclose()
            await close_all(clients[1:])

    run(main)


def test_stalled_socket_does_not_delay_the_others() -> None:
    send_timeout = 0.5
    manager = ConnectionManager(send_timeout=send_timeout)
    stalled = StalledSocket()

    async def main() -> None:
        async with ws_server(manager) as (port, _):
            clients = await connect(port, 3)
            manager.connect(stalled)
            start = time.monotonic()
            broadcast = asyncio.ensure_future(manager.broadcast({"type": "x_update"}))
            await recv_all(clients)
            delivered_after = time.monotonic() - start
            assert await broadcast == 3
            finished_after = time.monotonic() - start

            assert delivered_after < send_timeout
            assert finished_after < send_timeout + 0.5
            assert stalled.cancelled and stalled not in manager
            await close_all(clients)

    run(main)


def test_real_client_that_never_reads_is_dropped_after_the_send_timeout() -> None:
    send_timeout = 0.5
    manager = ConnectionManager(send_timeout=send_timeout)
    payload = base64.b64encode(os.urandom(192 * 1024)).decode()  # incompressible

    async def main() -> None:
        async with ws_server(manager, unregister=False) as (port, conns):
            readers = await connect(port, 2)
            sock = small_receive_buffer_socket(port)
            idle = await websockets.connect(f"ws://127.0.0.1:{port}/", sock=sock, max_queue=1)
            await wait_until(lambda: len(manager) == 3)
            idle_conn = conns[2]
            for _ in range(100):
                start = time.monotonic()
                broadcast = asyncio.ensure_future(manager.broadcast(payload))
                for reader in readers:
                    assert await asyncio.wait_for(reader.recv(), 5) == payload
                delivered_after = time.monotonic() - start
                await broadcast
                assert delivered_after < send_timeout + 0.5
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
        await manager.aclose()

    run(main)

