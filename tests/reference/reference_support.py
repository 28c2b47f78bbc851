"""Real servers and clients on 127.0.0.1 for the reference runtime tests."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import socket
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection

from wslint.reference import ConnectionManager

T = TypeVar("T")
_RUNNERS: set[asyncio.Task[Any]] = set()
WELCOME = {"type": "welcome_update", "data": "hello"}


def run(main: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
    """Run ``main()`` under asyncio.run and fail on leaked tasks/coroutines.

    Fails when the loop reports a problem ("Task was destroyed but it is
    pending", "exception was never retrieved") or a coroutine is never awaited.
    """
    problems: list[str] = []

    def on_problem(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        problems.append(str(context.get("message")))
        loop.default_exception_handler(context)

    async def guarded() -> T:
        asyncio.get_running_loop().set_exception_handler(on_problem)
        runner = asyncio.current_task()
        assert runner is not None
        _RUNNERS.add(runner)
        try:
            return await asyncio.wait_for(main(), timeout)
        finally:
            _RUNNERS.discard(runner)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = asyncio.run(guarded())
        gc.collect()
    unawaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert not problems, problems
    assert not unawaited, unawaited
    return result


def leftover_tasks() -> set[asyncio.Task[Any]]:
    """Tasks still alive besides the test itself (and run()'s wrapper)."""
    return asyncio.all_tasks() - {asyncio.current_task()} - _RUNNERS


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any) -> AsyncIterator[int]:
    """Serve ``app`` with uvicorn (lifespan on) and yield its port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        ws="websockets-sansio",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn exited during startup")
            await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@contextlib.asynccontextmanager
async def ws_server(
    manager: ConnectionManager, unregister: bool = True
) -> AsyncIterator[tuple[int, list[ServerConnection]]]:
    """A ``websockets`` server registering every connection with ``manager``.

    Yields the port and the list of server-side connections. With
    ``unregister=False`` closed connections stay registered, so only the
    manager's own failure handling can drop them.
    """
    connections: list[ServerConnection] = []

    async def handler(conn: ServerConnection) -> None:
        connections.append(conn)
        # Sent before registering, so it comes before the manager's initial state.
        await manager.send_personal(conn, WELCOME)
        manager.connect(conn)
        try:
            await conn.wait_closed()
        finally:
            if unregister:
                manager.disconnect(conn)

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield port, connections


async def connect(port: int, count: int, path: str = "/") -> list[ClientConnection]:
    """Open ``count`` clients and consume each one's initial message."""
    clients = [await websockets.connect(f"ws://127.0.0.1:{port}{path}") for _ in range(count)]
    for client in clients:
        await recv_json(client)
    return clients


async def close_all(clients: list[ClientConnection]) -> None:
    """Close clients, ignoring the ones already gone."""
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def recv_json(client: ClientConnection, timeout: float = 3.0) -> Any:
    """The next message, decoded."""
    return json.loads(await asyncio.wait_for(client.recv(), timeout))


async def recv_all(clients: list[ClientConnection], timeout: float = 3.0) -> list[Any]:
    """The next message of every client, received concurrently."""
    return list(await asyncio.gather(*(recv_json(c, timeout) for c in clients)))


async def assert_silent(clients: list[ClientConnection], window: float) -> None:
    """Fail if any client receives a message within ``window`` seconds."""
    results = await asyncio.gather(
        *(asyncio.wait_for(c.recv(), window) for c in clients), return_exceptions=True
    )
    received = [r for r in results if not isinstance(r, asyncio.TimeoutError)]
    assert not received, f"unexpected messages: {received!r}"


async def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``predicate`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def small_receive_buffer_socket(port: int) -> socket.socket:
    """A connected TCP socket with a tiny receive buffer (stalls quickly)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


class StalledSocket:
    """A socket whose send never completes (a client that never reads)."""

    def __init__(self) -> None:
        self.cancelled = False

    async def send(self, text: str) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


class RecordingSocket:
    """A Starlette-style socket that records what it was sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(text)


class BrokenSocket:
    """A socket whose connection dies during the send."""

    async def send(self, text: str) -> None:
        await asyncio.sleep(0.01)
        raise ConnectionResetError("peer went away mid-send")


class GatedSocket:
    """A socket whose sends wait until the test opens its gate; records what it sent."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.sent: list[str] = []
        self.started = 0
        self.cancelled = False

    async def send(self, text: str) -> None:
        self.started += 1
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.sent.append(text)
