"""A worst-case corpus for wslint: N realistic broadcasting service modules.

Every module is relevant to wslint (no file is skipped by the byte prefilter) and makes it
do its most expensive work: several broadcasters per module, polling intervals that come
through ``__init__`` defaults and through constants imported from a shared ``config.py``
(so inference is needed), helpers that broadcast through ``self._push()`` (so calls are
resolved), ``@router.websocket`` endpoints (WSL006), a ``start()`` that starts the
broadcasters (WSL005, project-wide), and a connection manager. The code shapes vary
(polling loops, ``queue.get()`` event loops, hot ``async for`` loops, Django Channels
consumers and ``group_send``, ``websockets.broadcast``, fan-out loops), so the corpus is not
one file copied N times. Each module also plants one or two of the mistakes wslint exists to
find; :func:`generate` returns them so a test can check that wslint really reports them.

The output is deterministic for a given ``(n, seed)``::

    corpus/
      pyproject.toml
      svc/__init__.py
      svc/config.py          shared intervals and limits
      svc/manager.py         the shared ConnectionManager
      svc/routing.py         the shared APIRouter
      svc/services/__init__.py
      svc/services/svc_0000.py ... svc_{n-1}.py
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

DOMAINS = [
    "orders",
    "metrics",
    "queue",
    "workers",
    "alerts",
    "prices",
    "inventory",
    "sessions",
    "jobs",
    "builds",
    "deployments",
    "sensors",
    "telemetry",
    "trades",
    "notifications",
    "presence",
    "scores",
    "shipments",
    "tickets",
    "invoices",
    "devices",
    "clusters",
    "pods",
    "backups",
    "payments",
    "auctions",
    "rides",
    "drivers",
    "flights",
    "gates",
    "rooms",
    "bookings",
    "players",
    "matches",
    "streams",
    "uploads",
    "exports",
    "reports",
    "crawls",
    "indexes",
    "caches",
    "feeds",
    "votes",
    "polls",
    "comments",
    "reviews",
    "carts",
    "stock",
]

# The shared constants. FAST_* ones are shorter than the default min-interval (1 s).
CONFIG_CONSTANTS = {
    "POLL_INTERVAL": "5.0",
    "SLOW_POLL_INTERVAL": "30.0",
    "STATUS_INTERVAL": "10.0",
    "HEARTBEAT_INTERVAL": "15",
    "RETRY_BACKOFF": "2.0",
    "FAST_REFRESH_INTERVAL": "0.25",
    "TICK_INTERVAL": "0.1",
    "BATCH_SIZE": "100",
    "MAX_QUEUE": "1000",
    "SEND_TIMEOUT": "1.0",
}
GOOD_CONSTANTS = ["POLL_INTERVAL", "SLOW_POLL_INTERVAL", "STATUS_INTERVAL", "HEARTBEAT_INTERVAL"]
FAST_CONSTANTS = ["FAST_REFRESH_INTERVAL", "TICK_INTERVAL"]


@dataclass
class Planted:
    """A mistake planted on purpose: wslint must report ``code`` naming ``function``."""

    path: str  # relative to the corpus root, with forward slashes
    code: str
    function: str


@dataclass
class Corpus:
    root: Path
    modules: list[Path] = field(default_factory=list)  # the N service modules
    files: list[Path] = field(default_factory=list)  # every .py file written
    planted: list[Planted] = field(default_factory=list)
    lines: int = 0


def generate(root: Path | str, n: int, seed: int = 0) -> Corpus:
    """Write ``n`` service modules (plus the shared support files) under ``root``."""
    root = Path(root)
    package = root / "svc"
    services = package / "services"
    services.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(root)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench-corpus"\nversion = "0"\n\n[tool.wslint]\nmin-interval = 1.0\n'
    )

    def write(path: Path, text: str) -> None:
        path.write_text(text)
        corpus.files.append(path)
        corpus.lines += text.count("\n")

    write(
        package / "__init__.py",
        '"""Generated broadcasting services (wslint benchmark corpus)."""\n',
    )
    write(services / "__init__.py", '"""One module per service."""\n')
    write(package / "config.py", _config())
    write(package / "manager.py", _MANAGER)
    write(package / "routing.py", _ROUTING)
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        name = f"svc_{i:04d}"
        builder = _ModuleBuilder(rng, name, f"svc/services/{name}.py")
        text = builder.build()
        path = services / f"{name}.py"
        write(path, text)
        corpus.modules.append(path)
        corpus.planted.extend(builder.planted)
    return corpus


def _config() -> str:
    lines = ['"""Intervals and limits shared by every service (seconds unless noted)."""', ""]
    lines += [f"{name} = {value}" for name, value in CONFIG_CONSTANTS.items()]
    lines += ["", 'DEFAULT_GROUP = "updates"', 'ENABLED_FEEDS = frozenset({"all"})', ""]
    return "\n".join(lines)


_MANAGER = '''"""The connection manager every service pushes through."""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import WebSocket

logger = logging.getLogger(__name__)


class ConnectionManager:
    def __init__(self, send_timeout: float = 1.0) -> None:
        self.active: set[WebSocket] = set()
        self.send_timeout = send_timeout

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.add(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.active.discard(websocket)

    async def broadcast(self, message: dict) -> None:
        payload = json.dumps(message)
        dead = []
        for connection in list(self.active):
            try:
                await asyncio.wait_for(connection.send_text(payload), self.send_timeout)
            except Exception:
                logger.warning("dropping a client that failed a send")
                dead.append(connection)
        for connection in dead:
            self.disconnect(connection)


manager = ConnectionManager()
'''

_ROUTING = '''"""The router every service registers its endpoints on."""

from fastapi import APIRouter

router = APIRouter()
'''


class _ModuleBuilder:
    """Builds one service module out of a few randomly chosen parts."""

    def __init__(self, rng: random.Random, name: str, relpath: str) -> None:
        self.rng = rng
        self.name = name
        self.relpath = relpath
        self.planted: list[Planted] = []
        self.domains = rng.sample(DOMAINS, 4)
        self.imports_config_module = rng.random() < 0.5
        self.used_constants: set[str] = set()
        self.module_starts: list[str] = []  # lines for the module's startup()

    # -- helpers ------------------------------------------------------------------------------

    def plant(self, code: str, function: str) -> None:
        self.planted.append(Planted(self.relpath, code, function))

    def constant(self, fast: bool = False) -> str:
        name = self.rng.choice(FAST_CONSTANTS if fast else GOOD_CONSTANTS)
        self.used_constants.add(name)
        return f"config.{name}" if self.imports_config_module else name

    def build(self) -> str:
        rng = self.rng
        d0, d1, d2, d3 = self.domains
        class_name = "".join(part.capitalize() for part in d0.split("_")) + "Service"
        # Which mistakes this module makes: one or two, each in its own broadcaster.
        mistakes = rng.sample(
            ["WSL001", "WSL002", "WSL003", "WSL003i", "WSL004", "WSL005"], rng.choice([1, 2])
        )
        body = [self._service_class(class_name, d0, d1, d2, mistakes)]
        extra = rng.sample(["channels", "websockets", "fanout", "functions"], 2)
        for kind in extra:
            body.append(getattr(self, f"_part_{kind}")(d3))
        body.append(self._endpoints(class_name, d0, d1))
        header = self._header()
        return header + "\n\n" + "\n\n".join(part.strip("\n") + "\n" for part in body)

    def _header(self) -> str:
        imports = [
            f'"""Live {self.domains[0]} and {self.domains[1]} updates for the dashboard ({self.name})."""',
            "",
            "from __future__ import annotations",
            "",
            "import asyncio",
            "import json",
            "import logging",
            "import time",
            "from dataclasses import asdict, dataclass, field",
            "from typing import Any",
            "",
            "import websockets",
            "from channels.generic.websocket import AsyncWebsocketConsumer",
            "from channels.layers import get_channel_layer",
            "from fastapi import WebSocket, WebSocketDisconnect",
            "",
        ]
        if self.imports_config_module:
            imports.append("from svc import config")
        else:
            names = ", ".join(sorted(set(GOOD_CONSTANTS + FAST_CONSTANTS + ["RETRY_BACKOFF", "BATCH_SIZE"])))
            imports.append(f"from svc.config import {names}")
        imports += [
            "from svc.manager import ConnectionManager, manager",
            "from svc.routing import router",
            "",
            "logger = logging.getLogger(__name__)",
            "",
        ]
        return "\n".join(imports)

    # -- the main service class ------------------------------------------------------------------

    def _service_class(self, cls: str, d0: str, d1: str, d2: str, mistakes: list[str]) -> str:
        rng = self.rng
        interval_default = self.constant()
        fast_default = "0.2" if "WSL003i" in mistakes else rng.choice(["5.0", "2.5", "10"])
        backoff = "config.RETRY_BACKOFF" if self.imports_config_module else "RETRY_BACKOFF"
        snapshot = f"{d0.capitalize()}Snapshot"
        lines = f'''
@dataclass
class {snapshot}:
    """What a client sees of the {d0}."""

    total: int = 0
    active: int = 0
    failed: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    updated_at: float = 0.0

    def to_message(self, kind: str) -> dict[str, Any]:
        return {{"type": kind, "data": asdict(self)}}


async def load_{d0}(limit: int = 50) -> {snapshot}:
    """Read the current {d0} from the store."""
    await asyncio.sleep(0)
    items = [{{"id": n, "state": "ok" if n % 3 else "failed"}} for n in range(limit)]
    failed = sum(1 for item in items if item["state"] == "failed")
    return {snapshot}(total=len(items), active=len(items) - failed, failed=failed, items=items, updated_at=time.time())


def summarize_{d1}(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per state, for the {d1} panel."""
    counts: dict[str, int] = {{}}
    for row in rows:
        counts[row.get("state", "unknown")] = counts.get(row.get("state", "unknown"), 0) + 1
    return {{"counts": counts, "size": len(rows)}}


class {cls}:
    """Pushes {d0}, {d1} and {d2} updates to every connected client."""

    def __init__(
        self,
        websocket_manager: ConnectionManager,
        interval: float = {interval_default},
        refresh_interval: float = {fast_default},
    ) -> None:
        self.websocket_manager = websocket_manager
        self.interval = interval
        self.refresh_interval = refresh_interval
        self.running = False
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.last_{d0}: {snapshot} | None = None
        self.last_{d1}: dict[str, Any] | None = None
        self.last_{d2}: dict[str, Any] | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _push(self, kind: str, data: Any) -> None:
        await self.websocket_manager.broadcast({{"type": kind, "data": data, "sent_at": time.time()}})
'''
        broadcasters: list[str] = []
        started: list[str] = []

        # 1. A polling loop through an __init__ default (and maybe the planted short interval).
        name = f"_broadcast_{d0}"
        broadcasters.append(name)
        started.append(name)
        if "WSL003i" in mistakes:
            self.plant("WSL003", name)
            wait = "await asyncio.sleep(self.refresh_interval)"
        else:
            wait = rng.choice(
                [
                    "await asyncio.sleep(self.interval)",
                    "await asyncio.wait_for(self._stop.wait(), timeout=self.interval)",
                ]
            )
        header = "while not self._stop.is_set():" if "wait_for" in wait else "while True:"
        if "wait_for" in wait:
            wait = f"try:\n                {wait}\n            except asyncio.TimeoutError:\n                pass"
        lines += f'''
    async def {name}(self) -> None:
        """Poll the {d0} store; push a snapshot when it changed."""
        {header}
            try:
                current = await load_{d0}()
                if current != self.last_{d0}:
                    await self._push("{d0}_update", asdict(current))
                    self.last_{d0} = current
            except Exception:
                logger.exception("{d0} broadcast failed")
                await asyncio.sleep({backoff})
            {wait}
'''

        # 2. A polling loop through an imported constant, its shape depending on the mistake.
        name = f"_broadcast_{d1}"
        broadcasters.append(name)
        started.append(name)
        if "WSL003" in mistakes:
            self.plant("WSL003", name)
            interval = self.constant(fast=True)
        else:
            interval = self.constant()
        if "WSL002" in mistakes:
            self.plant("WSL002", name)
            lines += f'''
    async def {name}(self) -> None:
        while self.running:
            rows = [dict(row) for row in (await load_{d0}()).items]
            summary = summarize_{d1}(rows)
            if summary != self.last_{d1}:
                await self._push("{d1}_update", summary)
                self.last_{d1} = summary
            await asyncio.sleep({interval})
'''
        elif "WSL004" in mistakes:
            self.plant("WSL004", name)
            lines += f'''
    async def {name}(self) -> None:
        while self.running:
            try:
                rows = [dict(row) for row in (await load_{d0}()).items]
                await self.websocket_manager.broadcast({{"type": "{d1}_update", "data": summarize_{d1}(rows)}})
            except Exception:
                logger.exception("{d1} broadcast failed")
            await asyncio.sleep({interval})
'''
        else:
            lines += f'''
    async def {name}(self) -> None:
        while self.running:
            try:
                rows = [dict(row) for row in (await load_{d0}()).items]
                summary = summarize_{d1}(rows)
                if summary != self.last_{d1}:
                    await self._push("{d1}_update", summary)
                    self.last_{d1} = summary
            except Exception:
                logger.exception("{d1} broadcast failed")
            await asyncio.sleep({interval})
'''

        # 3. An event loop on queue.get(): no timer, broadcasts each event.
        name = f"_relay_{d2}_events"
        started.append(name)
        lines += f'''
    async def {name}(self) -> None:
        """Forward {d2} events as they arrive."""
        while True:
            try:
                event = await self.events.get()
                if event.get("kind") == "{d2}":
                    await self._push("{d2}_update", event)
                else:
                    logger.debug("ignored event %s", event.get("kind"))
                self.events.task_done()
            except Exception:
                logger.exception("relaying a {d2} event failed")
'''

        # 4. Optionally a broadcaster that never broadcasts, or one nobody starts.
        if "WSL001" in mistakes:
            name = f"_broadcast_{d2}_health"
            self.plant("WSL001", name)
            started.append(name)
            lines += f'''
    async def {name}(self) -> None:
        while True:
            try:
                health = {{"ok": True, "checked_at": time.time()}}
                logger.debug("{d2} health %s", health)
            except Exception:
                logger.exception("{d2} health check failed")
            await asyncio.sleep({self.constant()})
'''
        if "WSL005" in mistakes:
            name = f"_broadcast_{d2}_digest"
            self.plant("WSL005", name)
            lines += f'''
    async def {name}(self) -> None:
        while self.running:
            try:
                digest = {{"kind": "{d2}", "at": int(time.time())}}
                if digest != self.last_{d2}:
                    await self._push("{d2}_digest", digest)
                    self.last_{d2} = digest
            except Exception:
                logger.exception("{d2} digest failed")
            await asyncio.sleep({self.constant()})
'''
        creates = "\n".join(
            f"        self._tasks.append(asyncio.create_task(self.{name}()))" for name in started
        )
        lines += f"""
    def publish(self, kind: str, **data: Any) -> None:
        self.events.put_nowait({{"kind": kind, **data}})

    async def start(self) -> None:
        self.running = True
        self._stop.clear()
{creates}

    async def stop(self) -> None:
        self.running = False
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


service = {cls}(manager)
"""
        return lines

    # -- extra parts, two per module ------------------------------------------------------------

    def _part_channels(self, d: str) -> str:
        cls = f"{d.capitalize()}Consumer"
        self.module_starts.append(f"_publishers.add(asyncio.create_task(publish_{d}_changes()))")
        return f'''
_publishers: set[asyncio.Task[None]] = set()


class {cls}(AsyncWebsocketConsumer):
    """Django Channels consumer: joins the {d} group and relays its updates."""

    group_name = "{d}"

    async def connect(self) -> None:
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({{"type": "{d}_update", "data": {{}}}}))

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data == "ping":
            await self.send(text_data="pong")

    async def {d}_update(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event))


async def publish_{d}_changes(interval: float = {self.constant()}) -> None:
    """Poll {d} and push changes to the Channels group."""
    channel_layer = get_channel_layer()
    last = None
    while True:
        try:
            current = await load_{self.domains[0]}(limit=10)
            if current != last:
                await channel_layer.group_send("{d}", {{"type": "{d}.update", "data": asdict(current)}})
                last = current
        except Exception:
            logger.exception("{d} group update failed")
        await asyncio.sleep(interval)
'''

    def _part_websockets(self, d: str) -> str:
        return f'''
CLIENTS_{d.upper()}: set[Any] = set()


async def {d}_handler(websocket: Any) -> None:
    CLIENTS_{d.upper()}.add(websocket)
    try:
        await websocket.send(json.dumps({{"type": "{d}_update", "data": []}}))
        await websocket.wait_closed()
    finally:
        CLIENTS_{d.upper()}.discard(websocket)


async def {d}_ticker(stop: asyncio.Event) -> None:
    """websockets.broadcast() to every {d} client when the feed moves."""
    previous: dict[str, Any] | None = None
    while not stop.is_set():
        try:
            snapshot = summarize_{self.domains[1]}([{{"state": "ok"}}] * len(CLIENTS_{d.upper()}))
            if snapshot != previous:
                websockets.broadcast(CLIENTS_{d.upper()}, json.dumps({{"type": "{d}_update", "data": snapshot}}))
                previous = snapshot
        except Exception:
            logger.exception("{d} ticker failed")
        await asyncio.sleep({self.constant()})


async def serve_{d}(host: str = "127.0.0.1", port: int = 8765) -> None:
    stop = asyncio.Event()
    async with websockets.serve({d}_handler, host, port):
        ticker = asyncio.create_task({d}_ticker(stop))
        try:
            await asyncio.Future()
        finally:
            stop.set()
            await ticker
'''

    def _part_fanout(self, d: str) -> str:
        return f'''
class {d.capitalize()}Hub:
    """Keeps its own sockets and fans out by hand."""

    def __init__(self, feed: Any, batch: int = {"config.BATCH_SIZE" if self.imports_config_module else "BATCH_SIZE"}) -> None:
        self.sockets: list[WebSocket] = []
        self.feed = feed
        self.batch = batch
        self.running = True

    async def _fan_out(self, message: dict[str, Any]) -> None:
        for websocket in list(self.sockets):
            try:
                await websocket.send_json(message)
            except Exception:
                self.sockets.remove(websocket)

    async def pump(self) -> None:
        """Hot loop: relay each message of the feed as it comes."""
        async for message in self.feed:
            try:
                await self._fan_out({{"type": "{d}_update", "data": message}})
            except Exception:
                logger.exception("{d} fan-out failed")

    async def start(self) -> None:
        self._pump = asyncio.create_task(self.pump())
'''

    def _part_functions(self, d: str) -> str:
        return f'''
_{d}_tasks: set[asyncio.Task[None]] = set()


async def _broadcast_{d}_totals(stop: asyncio.Event, interval: float = {self.constant()}) -> None:
    last_totals = None
    while not stop.is_set():
        try:
            totals = summarize_{self.domains[1]}([{{"state": "ok"}}, {{"state": "failed"}}])
            if totals != last_totals:
                await manager.broadcast({{"type": "{d}_update", "data": totals}})
                last_totals = totals
        except Exception:
            logger.exception("{d} totals failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass


def start_background_tasks(stop: asyncio.Event) -> None:
    task = asyncio.create_task(_broadcast_{d}_totals(stop))
    _{d}_tasks.add(task)
    task.add_done_callback(_{d}_tasks.discard)
'''

    def _endpoints(self, cls: str, d0: str, d1: str) -> str:
        starts = "".join(f"    {line}\n" for line in self.module_starts)
        return f'''
@router.websocket("/ws/{self.name}/{d0}")
async def {d0}_socket(websocket: WebSocket) -> None:
    await manager.connect(websocket)
    snapshot = await load_{d0}()
    await websocket.send_json(snapshot.to_message("{d0}_update"))
    try:
        while True:
            text = await websocket.receive_text()
            if text == "refresh":
                await websocket.send_json((await load_{d0}()).to_message("{d0}_update"))
    except WebSocketDisconnect:
        manager.disconnect(websocket)


@router.websocket("/ws/{self.name}/{d1}")
async def {d1}_socket(websocket: WebSocket) -> None:
    await manager.connect(websocket)
    rows = (await load_{d0}()).items
    await websocket.send_json({{"type": "{d1}_update", "data": summarize_{d1}(rows)}})
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        manager.disconnect(websocket)


@router.on_event("startup")
async def startup() -> None:
    await service.start()
{starts}

@router.on_event("shutdown")
async def shutdown() -> None:
    await service.stop()
'''


if __name__ == "__main__":  # pragma: no cover - a convenience: python bench/corpus.py DIR N
    import sys

    made = generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    print(f"{len(made.files)} files, {made.lines} lines, {len(made.planted)} planted findings")
