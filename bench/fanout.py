"""Fan-out latency: time from a broadcast until every client has the message.

Compares, in one run and over the same real ``websockets`` connections on
loopback:

* ``reference``  -- ``wslint.reference.ConnectionManager.broadcast()``
  (one queue and sender task per client, per-send timeout, message
  serialised once);
* ``sequential`` -- the seed's loop, ``for c in clients: await c.send(...)``,
  serialising per client (as ``send_json`` does) and wrapped in the same
  per-client ``asyncio.wait_for`` timeout (without one, a stalled client
  would block it forever);
* ``websockets.broadcast`` -- the library's synchronous write to every
  transport (no backpressure, no timeout).

Each case runs with and without one stalled client: a real connection whose
peer never reads, with tiny socket buffers, pre-filled until its sends block.
It is the first connection in the list (the oldest connection, the usual
place for a long-dead client). Clients run in a separate process and report
when the last of them received each message (``time.monotonic()`` is one
system-wide clock on Linux). Compression is off, so the numbers measure the
fan-out itself.

Usage: ``python bench/fanout.py --clients 100 1000 --repeat 10``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wslint.reference import ConnectionManager

METHODS = ("reference", "sequential", "websockets.broadcast")
TINY_BUFFER = 4096
CONNECT_BATCH = 50


def raise_fd_limit(needed: int) -> None:
    """Raise the soft fd limit so 1000+ sockets per process fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


# --- client process -----------------------------------------------------


def tiny_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, TINY_BUFFER)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


async def run_clients(port: int, readers: int, idle: int, pipe: Connection) -> None:
    """Open the readers, then the idle clients; report each round's last receipt."""
    uri = f"ws://127.0.0.1:{port}/"
    options: dict[str, Any] = {"compression": None, "ping_interval": None, "max_queue": 1}
    conns = []
    for start in range(0, readers, CONNECT_BATCH):
        batch = range(start, min(start + CONNECT_BATCH, readers))
        conns += await asyncio.gather(*(websockets.connect(uri, **options) for _ in batch))
    idlers = [await websockets.connect(uri, sock=tiny_socket(port), **options) for _ in range(idle)]
    counts: dict[int, int] = {}
    latest: dict[int, float] = {}

    async def read(ws: Any) -> None:
        async for message in ws:
            now = time.monotonic()
            round_no = json.loads(message)["round"]
            counts[round_no] = counts.get(round_no, 0) + 1
            latest[round_no] = max(latest.get(round_no, 0.0), now)
            if counts[round_no] == readers:
                pipe.send((round_no, latest.pop(round_no)))

    pipe.send(("ready", sorted(ws.local_address[1] for ws in idlers)))
    tasks = [asyncio.ensure_future(read(ws)) for ws in conns]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, pipe.recv)  # "stop"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for ws in idlers:
        ws.transport.abort()
    await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)


def client_process(port: int, readers: int, idle: int, pipe: Connection) -> None:
    raise_fd_limit(readers + idle + 256)
    asyncio.run(run_clients(port, readers, idle, pipe))


# --- server side ----------------------------------------------------------


async def sequential_broadcast(conns: list[ServerConnection], message: dict, timeout: float) -> None:
    """The seed's loop: one client after the other, serialising per client."""
    for conn in conns:
        try:
            await asyncio.wait_for(conn.send(json.dumps(message)), timeout)
        except Exception:  # the seed drops the client and goes on
            continue


async def stall(conn: ServerConnection) -> None:
    """Fill a non-reading connection's buffers until its writes stay blocked."""
    sock = conn.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, TINY_BUFFER)
    junk = "j" * 65536
    for _ in range(1000):
        try:
            await asyncio.wait_for(conn.send(junk), 0.05)
        except asyncio.TimeoutError:
            pass
        buffered = conn.transport.get_write_buffer_size()
        await asyncio.sleep(0.1)
        if conn.paused and conn.transport.get_write_buffer_size() == buffered:
            return  # over the high-water mark and nothing drains: sends block
    raise RuntimeError("connection never stalled")


class Bench:
    """One client population and the three fan-out methods over it."""

    def __init__(
        self,
        readers: list[ServerConnection],
        idle: list[ServerConnection],
        pipe: Connection,
        send_timeout: float,
    ) -> None:
        self.readers = readers
        self.idle = idle
        self.pipe = pipe
        self.send_timeout = send_timeout
        self.round = 0
        # One manager for the whole run, as in an app: its sender tasks are
        # waiting for work when a broadcast starts.
        self.manager = ConnectionManager(send_timeout=send_timeout, initial_state=False)
        for conn in readers:
            self.manager.connect(conn)

    async def wait_report(self, round_no: int) -> float:
        loop = asyncio.get_running_loop()
        got_round, when = await loop.run_in_executor(None, self.pipe.recv)
        assert got_round == round_no, (got_round, round_no)
        return when

    async def measure(self, method: str, stalled: bool) -> float:
        """One round: seconds until the last reader had the message."""
        self.round += 1
        message = {"type": "bench_update", "round": self.round}
        targets = ([self.idle.pop()] if stalled else []) + self.readers
        send = self.sender(method, targets, message)
        start = time.monotonic()
        done = asyncio.ensure_future(send())
        when = await asyncio.wait_for(self.wait_report(self.round), 30)
        await done
        return when - start

    def sender(
        self, method: str, targets: list[ServerConnection], message: dict
    ) -> Callable[[], Awaitable[Any]]:
        if method == "reference":
            manager = self.manager
            extra = [conn for conn in targets if conn not in manager]
            for conn in extra:
                manager.connect(conn)

            async def reference() -> None:
                await manager.broadcast(message)
                await manager.flush(2 * self.send_timeout)
                for conn in extra:
                    manager.disconnect(conn)

            return reference
        if method == "sequential":
            return lambda: sequential_broadcast(targets, message, self.send_timeout)

        async def library() -> None:
            websockets.broadcast(targets, json.dumps(message))

        return library


async def bench_population(
    count: int, repeat: int, warmup: int, send_timeout: float
) -> dict[tuple[str, bool], list[float]]:
    """Serve ``count`` readers plus idle clients and time every method."""
    idle_needed = (repeat + warmup) * len(METHODS) + 1
    conns: list[ServerConnection] = []

    async def handler(conn: ServerConnection) -> None:
        conns.append(conn)
        await conn.wait_closed()

    parent, child = multiprocessing.Pipe()
    async with websockets.serve(
        handler, "127.0.0.1", 0, compression=None, ping_interval=None, backlog=2048
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        proc = multiprocessing.get_context("spawn").Process(
            target=client_process, args=(port, count, idle_needed, child)
        )
        proc.start()
        loop = asyncio.get_running_loop()
        ready, idle_ports = await loop.run_in_executor(None, parent.recv)
        assert ready == "ready"
        while len(conns) < count + idle_needed:
            await asyncio.sleep(0.01)
        idle = [c for c in conns if c.remote_address[1] in idle_ports]
        readers = [c for c in conns if c.remote_address[1] not in idle_ports]
        assert len(idle) == idle_needed and len(readers) == count
        await asyncio.gather(*(stall(conn) for conn in idle))
        bench = Bench(readers, idle, parent, send_timeout)
        results: dict[tuple[str, bool], list[float]] = {}
        for index in range(warmup + repeat):
            for method in METHODS:
                for stalled in (False, True):
                    elapsed = await bench.measure(method, stalled)
                    if index >= warmup:
                        results.setdefault((method, stalled), []).append(elapsed)
        parent.send("stop")
        await loop.run_in_executor(None, proc.join, 30)
    return results


def table(all_results: dict[int, dict[tuple[str, bool], list[float]]], send_timeout: float) -> str:
    """A markdown table of medians (ms) and ratios."""
    lines = [
        (
            "| clients | method | median, no stall (ms) | median, 1 stalled client (ms) "
            "| stalled / no stall | no stall / websockets.broadcast |"
        ),
        "|---:|---|---:|---:|---:|---:|",
    ]
    for count, results in all_results.items():
        base = statistics.median(results[("websockets.broadcast", False)])
        for method in METHODS:
            free = statistics.median(results[(method, False)])
            stuck = statistics.median(results[(method, True)])
            lines.append(
                f"| {count} | {method} | {free * 1000:.1f} | {stuck * 1000:.1f} "
                f"| {stuck / free:.2f}x | {free / base:.2f}x |"
            )
    lines.append("")
    lines.append(f"Per-client send timeout: {send_timeout:.1f} s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=10, help="measured rounds per case")
    parser.add_argument("--warmup", type=int, default=2, help="discarded rounds per case")
    parser.add_argument("--send-timeout", type=float, default=1.0)
    args = parser.parse_args(argv)
    raise_fd_limit(max(args.clients) + 3 * (args.repeat + args.warmup) + 256)
    all_results = {}
    for count in args.clients:
        print(f"benchmarking {count} clients ...", file=sys.stderr, flush=True)
        all_results[count] = asyncio.run(bench_population(count, args.repeat, args.warmup, args.send_timeout))
    print(table(all_results, args.send_timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
