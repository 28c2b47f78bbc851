"""Background broadcasters for the four patterns: polling, event-driven,
hybrid (events plus backup polling) and conditional.

Every broadcaster keeps references to its tasks, starts them in ``start()``
and cancels and awaits them in ``stop()``. Errors inside a loop are logged
and never end it; polling loops back off exponentially (capped) while the
data source keeps failing. Cancellation is never swallowed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from wslint.reference.backplane import Lease

logger = logging.getLogger(__name__)

T = TypeVar("T")
E = TypeVar("E")

DEFAULT_INTERVAL = 5.0
DEFAULT_MAX_BACKOFF = 60.0
DEFAULT_FLUSH_TIMEOUT = 2.0
MESSAGE_TYPE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_UNSET: Any = object()

Fetch = Callable[[], T | Awaitable[T]]
Significance = Callable[[T, T | None], bool]


def check_message_type(message_type: str) -> str:
    """Return ``message_type`` if it is snake_case, else raise ``ValueError``."""
    if not MESSAGE_TYPE.match(message_type):
        raise ValueError(f"message type must be snake_case, got {message_type!r}")
    return message_type


async def resolve(value: T | Awaitable[T]) -> T:
    """Await ``value`` if it is awaitable (sync and async sources alike)."""
    if inspect.isawaitable(value):
        return await value
    return value


def _identity(event: Any) -> Any:
    return event


def _always(new: Any, old: Any) -> bool:
    return True


class _TaskOwner:
    """Keeps a reference to every task it starts; cancels them on stop()."""

    def __init__(self, message_type: str) -> None:
        self.message_type = check_message_type(message_type)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def name(self) -> str:
        """Name used for tasks and log lines."""
        return f"{type(self).__name__}[{self.message_type}]"

    @property
    def running(self) -> bool:
        """Whether any task of this broadcaster is still running."""
        return any(not task.done() for task in self._tasks)

    def _check_not_running(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")

    def _keep(self, task: asyncio.Task[None]) -> None:
        """Hold a strong reference to ``task`` and report unexpected exits."""
        self._tasks.add(task)
        task.add_done_callback(self._report_exit)

    def _report_exit(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error("%s: task %s died", self.name, task.get_name(), exc_info=task.exception())

    async def stop(self) -> int:
        """Cancel every task and wait until all of them have finished.

        Returns how many published events were never broadcast (always 0
        for the polling broadcasters).
        """
        await self._cancel_tasks()
        return 0

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class PollingBroadcaster(_TaskOwner, Generic[T]):
    """Template 1: poll ``fetch`` every ``interval`` seconds and broadcast
    ``{"type": message_type, "data": state}`` only when the state changed.

    ``fetch`` may be a plain or an async function; it must return a fresh
    value (a snapshot), not an object it later mutates in place.

    With a ``lease`` (e.g. :class:`~wslint.reference.redis_backplane.RedisLease`),
    only the process holding it polls: several workers sharing a backplane
    poll the data source once, not once each. A process that takes the lease
    over broadcasts the current state at its first poll.
    """

    def __init__(
        self,
        manager: Any,
        fetch: Fetch[T],
        message_type: str = "state_update",
        interval: float = DEFAULT_INTERVAL,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        lease: Lease | None = None,
    ) -> None:
        super().__init__(message_type)
        if interval <= 0 or max_backoff < interval:
            raise ValueError("need 0 < interval <= max_backoff")
        self._manager = manager
        self._fetch = fetch
        self.interval = interval
        self.max_backoff = max_backoff
        self.lease = lease
        self.failures = 0
        self.fetches = 0
        self._last_state: Any = _UNSET
        # Bumped by every broadcast, so that a poll whose fetch began before
        # one does not overwrite it with what it read.
        self._version = 0
        self._lock = asyncio.Lock()

    @property
    def last_state(self) -> T | None:
        """The last state broadcast, or ``None`` before the first one."""
        return None if self._last_state is _UNSET else self._last_state

    @property
    def retry_delay(self) -> float:
        """Backoff after the latest failure: doubles per failure, capped."""
        exponent = min(max(self.failures - 1, 0), 32)
        return min(self.interval * 2**exponent, self.max_backoff)

    def start(self) -> None:
        """Start the polling task."""
        self._check_not_running()
        task = asyncio.create_task(self._broadcast_updates(), name=self.name)
        self._keep(task)

    def _wanted(self, current: T) -> bool:
        """Extra condition on a changed state (see ConditionalBroadcaster)."""
        return True

    async def _broadcast_updates(self) -> None:
        """Poll, compare with the last broadcast state, broadcast changes."""
        while True:
            try:
                if self.lease is not None and not self.lease.held:
                    self._last_state = _UNSET  # whoever polls meanwhile may broadcast other states
                    await self.lease.wait_held()
                    continue
                await self._poll_once()
                self.failures = 0
                await asyncio.sleep(self.interval)
            except Exception:
                self.failures += 1
                logger.exception(
                    "%s: polling failed (%d in a row), retrying in %.1f s",
                    self.name,
                    self.failures,
                    self.retry_delay,
                )
                await asyncio.sleep(self.retry_delay)

    async def _poll_once(self) -> None:
        """Fetch outside the lock; broadcast a change unless a newer state went out meanwhile."""
        version = self._version
        self.fetches += 1
        current = await resolve(self._fetch())
        async with self._lock:
            if version != self._version:
                return  # published while we fetched: the published state is newer
            if current != self._last_state and self._wanted(current):
                await self._manager.broadcast({"type": self.message_type, "data": current})
                self._last_state = current
                self._version += 1
                logger.debug("%s: broadcast update", self.name)


class EventBroadcaster(_TaskOwner, Generic[E]):
    """Template 2: broadcast each published event as soon as it arrives.

    ``publish(event)`` queues the event; one task turns it into
    ``{"type": message_type, "data": process(event)}`` and broadcasts it.
    A failing event is logged and skipped. The loop needs no backoff: every
    iteration waits for the next event, so a failure cannot spin it.
    """

    def __init__(
        self,
        manager: Any,
        message_type: str = "event_update",
        process: Callable[[E], Any] | None = None,
        max_queue: int = 0,
    ) -> None:
        super().__init__(message_type)
        self._manager = manager
        self._process = process or _identity
        self._queue: asyncio.Queue[E] = asyncio.Queue(max_queue)
        self._stopped = False

    def publish(self, event: E) -> None:
        """Queue ``event`` for broadcasting (raises ``QueueFull`` when full,
        ``RuntimeError`` after ``stop()``)."""
        if self._stopped:
            raise RuntimeError(f"{self.name} is stopped")
        self._queue.put_nowait(event)

    async def join(self) -> None:
        """Wait until every published event has been handled (or dropped by ``stop()``)."""
        await self._queue.join()

    async def stop(self, flush_timeout: float = DEFAULT_FLUSH_TIMEOUT) -> int:
        """Broadcast what is queued (for up to ``flush_timeout`` seconds), then stop.

        Returns how many events were still queued and are dropped; they are
        logged. ``join()`` returns once ``stop()`` has.
        """
        self._stopped = True
        if self.running and flush_timeout > 0:
            try:
                await asyncio.wait_for(self._queue.join(), flush_timeout)
            except asyncio.TimeoutError:
                pass
        await self._cancel_tasks()
        dropped = 0
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
            dropped += 1
        if dropped:
            logger.warning("%s: stopped with %d event(s) never broadcast", self.name, dropped)
        return dropped

    def start(self) -> None:
        """Start the event task."""
        self._check_not_running()
        self._stopped = False
        task = asyncio.create_task(self._broadcast_events(), name=self.name)
        self._keep(task)

    async def _broadcast_events(self) -> None:
        """Take events off the queue and broadcast them in order."""
        while True:
            try:
                event = await self._queue.get()
                try:
                    data = await resolve(self._process(event))
                    await self._manager.broadcast({"type": self.message_type, "data": data})
                finally:
                    self._queue.task_done()
            except Exception:
                logger.exception("%s: handling an event failed; event skipped", self.name)


class HybridBroadcaster(PollingBroadcaster[T]):
    """Template 3: ``publish(state)`` broadcasts at once (the event path);
    slow backup polling catches changes whose event was missed.

    Both paths share the remembered state, so a published state is not
    broadcast again by the next poll. The poll fetches outside the lock, so
    a slow data source never delays a publish; a poll that read the state
    before a publish went out discards what it read.
    """

    def __init__(
        self,
        manager: Any,
        fetch: Fetch[T],
        message_type: str = "state_update",
        interval: float = 10.0,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        lease: Lease | None = None,
    ) -> None:
        super().__init__(manager, fetch, message_type, interval, max_backoff, lease)

    async def publish(self, state: T) -> bool:
        """Broadcast ``state`` now; log and return False if that fails."""
        try:
            async with self._lock:
                self._version += 1
                await self._manager.broadcast({"type": self.message_type, "data": state})
                self._last_state = state
        except Exception:
            logger.exception("%s: event broadcast failed", self.name)
            return False
        return True


class ConditionalBroadcaster(PollingBroadcaster[T]):
    """Template 4: poll, and broadcast only if the state changed, clients
    are connected, and ``is_significant(new, old)`` says the change matters
    (``old`` is ``None`` before the first broadcast).
    """

    def __init__(
        self,
        manager: Any,
        fetch: Fetch[T],
        message_type: str = "state_update",
        interval: float = DEFAULT_INTERVAL,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        is_significant: Significance[T] | None = None,
        lease: Lease | None = None,
    ) -> None:
        super().__init__(manager, fetch, message_type, interval, max_backoff, lease)
        self._is_significant = is_significant or _always

    def _wanted(self, current: T) -> bool:
        """Skip when nobody listens or the change is not significant.

        With a backplane the clients of other processes count too, so only
        a manager without one is asked whether it has clients.
        """
        if getattr(self._manager, "backplane", None) is None and not self._manager.active_connections:
            logger.debug("%s: no clients connected, skipping", self.name)
            return False
        return self._is_significant(current, self.last_state)
