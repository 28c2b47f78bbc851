"""The example FastAPI app, served by uvicorn, with real websockets clients."""

from __future__ import annotations

import pytest
from reference_support import (
    assert_silent,
    close_all,
    leftover_tasks,
    recv_all,
    run,
    uvicorn_server,
    wait_until,
)

from examples.clean_app.app import StatusStore, create_app

pytestmark = [pytest.mark.integration, pytest.mark.timeout(30)]


async def _connect(port: int, count: int) -> tuple[list, list]:
    import websockets

    clients = [await websockets.connect(f"ws://127.0.0.1:{port}/ws") for _ in range(count)]
    return clients, await recv_all(clients)


def test_clients_get_initial_status_then_each_change_only() -> None:
    store = StatusStore(status="idle", count=0)
    app = create_app(poll_interval=0.05, store=store)

    async def main() -> None:
        async with uvicorn_server(app) as port:
            await wait_until(lambda: app.state.broadcaster.last_state is not None)
            clients, initial = await _connect(port, 3)
            expected = {"type": "status_update", "data": {"status": "idle", "count": 0}}
            assert initial == [expected] * 3
            await assert_silent(clients, 0.3)

            for count in (1, 2):
                store.update(status="busy", count=count)
                received = await recv_all(clients)
                expected = {"type": "status_update", "data": {"status": "busy", "count": count}}
                assert received == [expected] * 3

            await assert_silent(clients, 0.4)
            await close_all(clients)
        assert not app.state.broadcaster.running
        assert not leftover_tasks()

    run(main)


def test_client_leaving_does_not_affect_the_others() -> None:
    store = StatusStore(count=0)
    app = create_app(poll_interval=0.05, store=store)

    async def main() -> None:
        async with uvicorn_server(app) as port:
            clients, _ = await _connect(port, 3)
            manager = app.state.manager
            await wait_until(lambda: len(manager) == 3)
            clients[0].transport.abort()
            store.update(count=1)
            received = await recv_all(clients[1:])
            assert [m["data"] for m in received] == [{"count": 1}] * 2
            await wait_until(lambda: len(manager) == 2)
            await close_all(clients[1:])

    run(main)


def test_failing_store_keeps_the_app_loop_alive(caplog: pytest.LogCaptureFixture) -> None:
    class FlakyStore(StatusStore):
        failing = True

        def snapshot(self) -> dict:
            if self.failing:
                raise OSError("status backend unavailable")
            return super().snapshot()

    store = FlakyStore(count=0)
    app = create_app(poll_interval=0.05, store=store)

    async def main() -> None:
        async with uvicorn_server(app) as port:
            await wait_until(lambda: app.state.broadcaster.failures >= 2)
            store.failing = False
            await wait_until(lambda: app.state.broadcaster.last_state is not None)
            clients, initial = await _connect(port, 2)
            store.update(count=7)
            received = await recv_all(clients)
            assert [m["data"] for m in initial] == [{"count": 0}] * 2
            assert [m["data"] for m in received] == [{"count": 7}] * 2
            await close_all(clients)

    run(main)
    assert any("polling failed" in r.getMessage() for r in caplog.records)
