"""Connection manager: a bounded outgoing queue and one sender task per client.

``broadcast()`` serialises the message once, puts it on every client's queue
and returns: a slow client only ever delays itself. Each client's sender
task sends what its queue holds, in order; one watchdog task cancels any
send still running after ``send_timeout`` (it looks every quarter of that,
so a send is cut after 1 to 1.25 times it), and a client whose send fails
or times out is dropped. When a client's queue is full, the overflow
policy decides: ``"drop-oldest"`` (the default: for state updates only the
latest matters) or ``"disconnect"``.

With a backplane (see :mod:`wslint.reference.backplane`), every broadcast is
also published to a message bus, and what other processes publish there is
fanned out to this process's clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from collections import deque
from collections.abc import Callable, Collection, Coroutine
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from wslint.reference.backplane import Backplane

logger = logging.getLogger(__name__)

Message = str | dict[str, Any]
Overflow = Literal["drop-oldest", "disconnect"]
OVERFLOW_POLICIES: tuple[Overflow, ...] = ("drop-oldest", "disconnect")
DEFAULT_SEND_TIMEOUT = 1.0
DEFAULT_MAX_QUEUE = 64


def encode(message: Message) -> str:
    """Serialise a message once: strings pass through, dicts become JSON."""
    if isinstance(message, str):
        return message
    return json.dumps(message, separators=(",", ":"))


def message_type_of(message: Message) -> str | None:
    """The ``"type"`` of a dict message (a string), else ``None``."""
    if isinstance(message, dict):
        kind = message.get("type")
        if isinstance(kind, str):
            return kind
    return None


def sender_for(ws: Any) -> Callable[[str], Coroutine[Any, Any, Any]]:
    """Return the socket's text-send coroutine function.

    ``send_text`` wins when both exist: Starlette's ``send`` takes an ASGI
    message dict, not a string.
    """
    send_text = getattr(ws, "send_text", None)
    if send_text is not None:
        return send_text
    return ws.send


if sys.version_info >= (3, 11):

    async def send_within(send: Callable[[str], Coroutine[Any, Any, Any]], text: str, seconds: float) -> None:
        """``await send(text)``, cancelled after ``seconds`` (TimeoutError)."""
        async with asyncio.timeout(seconds):
            await send(text)

else:  # pragma: no cover - Python 3.10

    async def send_within(send: Callable[[str], Coroutine[Any, Any, Any]], text: str, seconds: float) -> None:
        """``await send(text)``, cancelled after ``seconds`` (TimeoutError)."""
        await asyncio.wait_for(send(text), seconds)


class _Outgoing:
    """A message for one client that someone waits for (personal or a flush mark)."""

    __slots__ = ("text", "done")

    def __init__(self, text: str | None, done: asyncio.Future[bool]) -> None:
        self.text = text
        self.done = done

    def settle(self, sent: bool) -> None:
        if not self.done.done():
            self.done.set_result(sent)


class _Client:
    """One connected socket: its send function, queue and sender task."""

    __slots__ = ("ws", "send", "queue", "waiter", "task", "dropped", "send_started", "timed_out")

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.send = sender_for(ws)
        self.queue: deque[str | _Outgoing] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.task: asyncio.Task[None] | None = None
        self.dropped = 0
        self.send_started: float | None = None  # loop time at which the current send began
        self.timed_out = False

    def put(self, item: str | _Outgoing) -> None:
        """Queue ``item`` and wake the sender if it is idle."""
        self.queue.append(item)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def discard_queue(self) -> int:
        """Empty the queue; returns how many messages were never sent."""
        unsent = 0
        for item in self.queue:
            if isinstance(item, _Outgoing):
                item.settle(False)
                unsent += item.text is not None
            else:
                unsent += 1
        self.queue.clear()
        return unsent


class ConnectionManager:
    """Registry of connected clients and a fan-out that never waits for them.

    * ``send_timeout`` bounds every send (to 1-1.25 times it); a client whose
      send fails or times out is dropped (and closed in the background).
    * ``max_queue`` bounds each client's outgoing queue; ``overflow`` says
      what a full queue does: ``"drop-oldest"`` drops the client's oldest
      queued message, ``"disconnect"`` drops the client.
    * ``initial_state``: a new client is first sent the latest message of
      each type broadcast so far (``True``), of the listed types only (a
      collection of type names), or nothing (``False``).
    * ``backplane``: publish every broadcast on a message bus and fan out
      what other processes publish there; call ``await start()`` first.
    """

    def __init__(
        self,
        send_timeout: float = DEFAULT_SEND_TIMEOUT,
        max_queue: int = DEFAULT_MAX_QUEUE,
        overflow: Overflow = "drop-oldest",
        initial_state: bool | Collection[str] = True,
        backplane: Backplane | None = None,
    ) -> None:
        if send_timeout <= 0:
            raise ValueError("send_timeout must be positive")
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if overflow not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow must be one of {OVERFLOW_POLICIES}, got {overflow!r}")
        self.send_timeout = send_timeout
        self.max_queue = max_queue
        self.overflow = overflow
        self.backplane = backplane
        self.origin = uuid.uuid4().hex
        self.dropped_messages = 0
        self._initial_types = None if isinstance(initial_state, bool) else frozenset(initial_state)
        self._remember = bool(initial_state)
        self._latest: dict[str, str] = {}
        self._restored: dict[str, str] = {}
        self._clients: dict[Any, _Client] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def active_connections(self) -> list[Any]:
        """The connected clients, in connection order."""
        return list(self._clients)

    @property
    def latest_messages(self) -> dict[str, str]:
        """The latest serialised message of each remembered type."""
        return dict(self._latest)

    def __len__(self) -> int:
        return len(self._clients)

    def __contains__(self, ws: object) -> bool:
        return ws in self._clients

    def queued(self, ws: Any) -> int:
        """How many messages wait in ``ws``'s queue (0 for unknown sockets)."""
        client = self._clients.get(ws)
        return len(client.queue) if client is not None else 0

    async def start(self) -> None:
        """Start the backplane, if any (a no-op without one)."""
        if self.backplane is not None:
            await self.backplane.start(self._receive, self._restore)

    def connect(self, ws: Any) -> None:
        """Register an already accepted socket and queue the initial state.

        Call it from the event loop: it starts the client's sender task.
        """
        if ws in self._clients:
            return
        client = _Client(ws)
        client.task = asyncio.create_task(self._send_queued(client), name=f"wslint-sender-{id(ws):x}")
        self._clients[ws] = client
        self._watch_sends()
        for text in self._latest.values():
            client.put(text)

    def disconnect(self, ws: Any) -> None:
        """Forget a socket (its unsent messages are dropped); unknown sockets are ignored."""
        client = self._clients.pop(ws, None)
        if client is not None:
            self._retire(client)

    async def send_personal(self, ws: Any, message: Message) -> bool:
        """Send to one client, after what is already queued for it.

        Returns whether it was sent; a client whose send fails is dropped.
        An unregistered socket is sent to directly, within the send timeout.
        """
        text = encode(message)
        client = self._clients.get(ws)
        if client is None:
            try:
                await send_within(sender_for(ws), text, self.send_timeout)
            except Exception as exc:
                logger.info("sending to unregistered client %r failed: %r", ws, exc)
                return False
            return True
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._enqueue(client, _Outgoing(text, done))
        return await done

    async def broadcast(self, message: Message) -> int:
        """Queue ``message`` for every client and return without waiting.

        The message is serialised once, remembered as the latest of its type
        and published on the backplane, if any. Returns the number of local
        clients it was queued for.
        """
        text = encode(message)
        kind = message_type_of(message)
        remembered = self._note_latest(kind, text)
        if self.backplane is not None:
            self.backplane.publish(pack(self.origin, kind, text), retain=kind if remembered else None)
        return self._fan_out(text)

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every message queued so far was sent (or its client dropped).

        Returns False if ``timeout`` seconds passed first.
        """
        loop = asyncio.get_running_loop()
        marks: list[asyncio.Future[bool]] = []
        for client in list(self._clients.values()):
            done: asyncio.Future[bool] = loop.create_future()
            client.put(_Outgoing(None, done))
            marks.append(done)
        if not marks:
            return True
        _, pending = await asyncio.wait(marks, timeout=timeout)
        return not pending

    async def aclose(self, flush_timeout: float | None = None) -> int:
        """Shut down: flush the queues, stop the senders and the backplane.

        Waits up to ``flush_timeout`` seconds (default: ``send_timeout``) for
        queued messages to go out. Returns how many were never sent, counting
        sends cut short (they are logged); every client is unregistered.
        """
        await self.flush(self.send_timeout if flush_timeout is None else flush_timeout)
        unsent = 0
        for client in list(self._clients.values()):
            unsent += client.discard_queue() + (client.send_started is not None)
        for ws in list(self._clients):
            self.disconnect(ws)
        if unsent:
            logger.warning("connection manager closed with %d message(s) unsent", unsent)
        if self.backplane is not None:
            await self.backplane.stop()
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
            self._watchdog = None
        closing = list(self._closing)
        if closing:
            await asyncio.wait(closing)
        return unsent

    def _receive(self, payload: str) -> None:
        """Fan out a message that another process published on the backplane."""
        unpacked = unpack(payload)
        if unpacked is None:
            logger.warning("ignoring a malformed backplane message (%d characters)", len(payload))
            return
        origin, kind, text = unpacked
        if origin == self.origin:
            return
        if kind is not None and self._restored.pop(kind, None) == text:
            return  # published while we resubscribed: restored already
        self._note_latest(kind, text)
        self._fan_out(text)

    def _restore(self, payload: str) -> None:
        """Take a retained message (sent after a (re)subscription) unless it is not news."""
        unpacked = unpack(payload)
        if unpacked is None:
            return
        origin, kind, text = unpacked
        if origin == self.origin or kind is None or self._latest.get(kind) == text:
            return
        if self._note_latest(kind, text):
            self._restored[kind] = text
            self._fan_out(text)

    def _note_latest(self, kind: str | None, text: str) -> bool:
        """Remember ``text`` as the latest of its type, if that type is remembered."""
        if kind is None or not self._remember:
            return False
        if self._initial_types is not None and kind not in self._initial_types:
            return False
        self._latest.pop(kind, None)
        self._latest[kind] = text
        return True

    def _fan_out(self, text: str) -> int:
        clients = list(self._clients.values())
        for client in clients:
            self._enqueue(client, text)
        return len(clients)

    def _enqueue(self, client: _Client, item: str | _Outgoing) -> None:
        """Queue ``item`` for ``client``, applying the overflow policy when full."""
        if len(client.queue) >= self.max_queue:
            if self.overflow == "disconnect":
                if isinstance(item, _Outgoing):
                    item.settle(False)
                self._drop(client, "its queue overflowed")
                return
            oldest = client.queue.popleft()
            if isinstance(oldest, _Outgoing):
                oldest.settle(False)
            client.dropped += 1
            self.dropped_messages += 1
        client.put(item)

    async def _send_queued(self, client: _Client) -> None:
        """The client's sender task: send its queue in order until it fails."""
        loop = asyncio.get_running_loop()
        queue = client.queue
        while True:
            while not queue:
                client.waiter = loop.create_future()
                await client.waiter
            item = queue.popleft()
            outgoing: _Outgoing | None = None
            text: str | None
            if isinstance(item, _Outgoing):
                outgoing, text = item, item.text
            else:
                text = item
            if text is not None:
                failure = await self._send_one(client, text, outgoing)
                if failure is not None:
                    self._drop(client, failure)
                    return
            if outgoing is not None:
                outgoing.settle(True)

    async def _send_one(self, client: _Client, text: str, outgoing: _Outgoing | None) -> BaseException | None:
        """Send ``text``; return why it failed, or None.

        The watchdog cancels a send older than ``send_timeout`` (one timer for
        all clients: a timeout context per send cost more than the send).
        """
        client.send_started = asyncio.get_running_loop().time()
        try:
            await client.send(text)
        except asyncio.CancelledError:
            if not self._cancelled_by_watchdog(client):
                if outgoing is not None:
                    outgoing.settle(False)  # disconnected or shut down mid-send
                raise
            failure: BaseException | None = TimeoutError(f"send took over {self.send_timeout} s")
        except Exception as exc:
            failure = exc
        else:
            failure = None
        finally:
            client.send_started = None
        if failure is not None and outgoing is not None:
            outgoing.settle(False)
        return failure

    def _cancelled_by_watchdog(self, client: _Client) -> bool:
        """Whether the watchdog alone cancelled this client's sender (then it goes on)."""
        if not client.timed_out:
            return False
        uncancel = getattr(client.task, "uncancel", None)  # Python 3.11+
        return uncancel is None or uncancel() == 0

    def _watch_sends(self) -> None:
        """Make sure the watchdog runs while there are clients."""
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._expire_slow_sends(), name="wslint-send-watchdog")

    async def _expire_slow_sends(self) -> None:
        """Every quarter of the send timeout, cancel the sends older than it."""
        loop = asyncio.get_running_loop()
        while self._clients:
            await asyncio.sleep(self.send_timeout / 4)
            oldest_allowed = loop.time() - self.send_timeout
            for client in list(self._clients.values()):
                started = client.send_started
                if started is not None and started <= oldest_allowed and not client.timed_out:
                    client.timed_out = True
                    if client.task is not None:
                        client.task.cancel()

    def _drop(self, client: _Client, reason: object) -> None:
        """Unregister a failed client and close it without waiting."""
        if self._clients.get(client.ws) is not client:
            return
        del self._clients[client.ws]
        self._retire(client)
        logger.info("dropped WebSocket client %r: %s", client.ws, reason or "send failed or timed out")
        self._in_background(self._close_quietly(client.ws))

    def _retire(self, client: _Client) -> None:
        """Stop an unregistered client's sender and fail what it still had queued."""
        client.discard_queue()
        task = client.task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def _in_background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
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


def pack(origin: str, kind: str | None, text: str) -> str:
    """The backplane payload: origin and type on their own lines, then the message."""
    if kind is None or "\n" in kind:
        kind = ""
    return f"{origin}\n{kind}\n{text}"


def unpack(payload: str) -> tuple[str, str | None, str] | None:
    """Split a backplane payload into (origin, type or None, message); None if malformed."""
    parts = payload.split("\n", 2)
    if len(parts) != 3 or not parts[0]:
        return None
    origin, kind, text = parts
    return origin, kind or None, text

