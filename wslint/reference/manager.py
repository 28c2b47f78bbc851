"""Connection manager with concurrent, time-bounded fan-out."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

logger = logging.getLogger(__name__)

Message = str | dict[str, Any]
DEFAULT_SEND_TIMEOUT = 1.0
# Python 3.12+ runs a send eagerly up to its first suspension: most sends
# finish without ever being scheduled.
_TASK_OPTIONS: dict[str, Any] = {"eager_start": True} if sys.version_info >= (3, 12) else {}


def encode(message: Message) -> str:
    """Serialise a message once: strings pass through, dicts become JSON."""
    if isinstance(message, str):
        return message
    return json.dumps(message, separators=(",", ":"))


def sender_for(ws: Any) -> Callable[[str], Coroutine[Any, Any, Any]]:
    """Return the socket's text-send coroutine function.

    ``send_text`` wins when both exist: Starlette's ``send`` takes an ASGI
    message dict, not a string.
    """
    send_text = getattr(ws, "send_text", None)
    if send_text is not None:
        return send_text
    return ws.send


class ConnectionManager:
    """Registry of connected clients and a concurrent broadcaster.

    Every send is bounded by ``send_timeout`` seconds. A client whose send
    fails or times out is dropped (and closed in the background), so one
    slow or dead client never delays the others.
    """

    def __init__(self, send_timeout: float = DEFAULT_SEND_TIMEOUT) -> None:
        if send_timeout <= 0:
            raise ValueError("send_timeout must be positive")
        self.send_timeout = send_timeout
        self._connections: dict[Any, None] = {}
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def active_connections(self) -> list[Any]:
        """The connected clients, in connection order."""
        return list(self._connections)

    def __len__(self) -> int:
        return len(self._connections)

    def __contains__(self, ws: object) -> bool:
        return ws in self._connections

    def connect(self, ws: Any) -> None:
        """Register an already accepted socket."""
        self._connections[ws] = None

    def disconnect(self, ws: Any) -> None:
        """Forget a socket; unknown sockets are ignored."""
        self._connections.pop(ws, None)

    async def send_personal(self, ws: Any, message: Message) -> bool:
        """Send to one client (e.g. the initial state); drop it on failure."""
        try:
            await asyncio.wait_for(sender_for(ws)(encode(message)), self.send_timeout)
        except Exception as exc:
            self._drop([ws], exc)
            return False
        return True

    async def broadcast(self, message: Message) -> int:
        """Send ``message`` to every client concurrently.

        The message is serialised once. Returns the number of clients that
        received it; the others are dropped.
        """
        text = encode(message)
        clients = list(self._connections)
        if not clients:
            return 0
        loop = asyncio.get_running_loop()
        sends: dict[asyncio.Task[Any], Any] = {
            asyncio.Task(sender_for(ws)(text), loop=loop, **_TASK_OPTIONS): ws for ws in clients
        }
        try:
            _, pending = await asyncio.wait(sends, timeout=self.send_timeout)
        finally:
            for task in sends:
                if not task.done():
                    task.cancel()
        failed = [sends[task] for task in sends if not _succeeded(task, pending)]
        if pending:
            await asyncio.wait(pending, timeout=self.send_timeout)
        self._drop(failed, None)
        return len(clients) - len(failed)

    async def aclose(self) -> None:
        """Wait for the background closes of dropped clients."""
        closing = list(self._closing)
        if closing:
            await asyncio.wait(closing)

    def _drop(self, clients: Iterable[Any], exc: BaseException | None) -> None:
        """Unregister failed clients and close them without waiting."""
        for ws in clients:
            if ws not in self._connections:
                continue
            self.disconnect(ws)
            logger.info("dropped WebSocket client %r: %s", ws, exc or "send failed or timed out")
            task = asyncio.ensure_future(self._close_quietly(ws))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_quietly(self, ws: Any) -> None:
        """Close a dropped socket, bounded by the send timeout."""
        close = getattr(ws, "close", None)
        if close is None:
            return
        try:
            await asyncio.wait_for(close(), self.send_timeout)
        except Exception:
            logger.debug("closing dropped client %r failed", ws, exc_info=True)


def _succeeded(task: asyncio.Task[Any], pending: set[asyncio.Task[Any]]) -> bool:
    """Whether a per-client send finished cleanly (marks errors retrieved)."""
    if task in pending or task.cancelled():
        return False
    exc = task.exception()
    if exc is not None:
        logger.debug("send failed: %r", exc)
    return exc is None
