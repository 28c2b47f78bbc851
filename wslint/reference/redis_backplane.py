"""Redis pub/sub as the backplane, and a Redis key as the poller's lease.

Needs redis-py (``pip install redis``, or wslint's ``redis`` extra), imported when a
backplane or lease starts, so importing :mod:`wslint.reference` never
needs it.

* :class:`RedisBackplane` publishes every broadcast on one channel and
  hands what it receives there to the manager. The latest message of each
  type is also kept in a hash (``<channel>:latest``, expiring after
  ``retain_expiry`` seconds without a write), read back after every
  (re)subscription, so a worker that starts late or reconnects learns the
  current state. Delivery is at most once:
  while Redis is unreachable, publishes fail and are dropped (counted in
  ``lost``), payloads older than ``expiry`` are not sent late, and the
  subscriber reconnects with exponential backoff; nothing raises into the
  app.
* :class:`RedisLease` takes a key with ``SET NX PX`` and renews it every
  ``ttl / 3``; when its holder dies the key expires after ``ttl`` and the
  next process to try takes it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import deque
from typing import Any

from wslint.reference.backplane import Backoff, Receive

logger = logging.getLogger(__name__)

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_CHANNEL = "wslint:broadcast"
PUBLISH_BATCH = 100

# Renew the lease if we hold it, else take it if it is free: one round trip.
ACQUIRE_OR_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return 1
end
return 0
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def connect_redis(url: str, connect_timeout: float, command_timeout: float) -> Any:
    """An asyncio Redis client that fails fast instead of retrying on its own
    (the backplane and the lease back off themselves)."""
    try:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("the Redis backplane needs redis-py: pip install redis") from exc
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=connect_timeout,
        socket_timeout=command_timeout,
        retry=Retry(NoBackoff(), 0),
        # An idle subscription pings now and then, so a silently dead link is noticed.
        health_check_interval=10.0,
    )


async def close_quietly(client: Any) -> None:
    """Close a Redis client or pub/sub object, whatever state it is in."""
    try:
        await client.aclose()
    except Exception:
        logger.debug("closing %r failed", client, exc_info=True)


class RedisBackplane:
    """Redis pub/sub carrying broadcasts between the processes of a deployment.

    ``max_pending`` bounds the payloads waiting to be published (the oldest
    is dropped when full); ``expiry`` drops a payload that waited longer than
    that many seconds. Reconnection waits start at ``min_backoff`` and
    double up to ``max_backoff``.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        channel: str = DEFAULT_CHANNEL,
        *,
        max_pending: int = 1000,
        expiry: float = 10.0,
        retain_expiry: float = 86400.0,
        min_backoff: float = 0.1,
        max_backoff: float = 5.0,
        connect_timeout: float = 1.0,
        command_timeout: float = 2.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self.max_pending = max_pending
        self.expiry = expiry
        self.retain_expiry = retain_expiry
        self.latest_key = f"{channel}:latest"
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.published = 0
        self.received = 0
        self.lost = 0
        self.reconnects = 0
        self.subscribed = asyncio.Event()
        self._pending: deque[tuple[float, str, str | None]] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._drained = asyncio.Event()  # set while nothing waits to be published
        self._client: Any = None
        self._receive: Receive | None = None
        self._restore: Receive | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, receive: Receive, restore: Receive) -> None:
        """Connect, subscribe and start publishing.

        Waits up to ``connect_timeout`` for the subscription; if Redis is
        unreachable it keeps trying in the background and returns anyway.
        """
        if self._tasks:
            raise RuntimeError("the backplane is already started")
        self._receive = receive
        self._restore = restore
        self._client = connect_redis(self.url, self.connect_timeout, self.command_timeout)
        loops = {"subscriber": self._subscribe_forever, "publisher": self._publish_forever}
        for name, loop_body in loops.items():
            task = asyncio.create_task(loop_body(), name=f"redis-backplane-{name}")
            self._tasks.add(task)
        try:
            await asyncio.wait_for(self.subscribed.wait(), self.connect_timeout)
        except asyncio.TimeoutError:
            logger.warning("Redis at %s unreachable; the backplane keeps retrying", self.url)

    def publish(self, payload: str, retain: str | None = None) -> None:
        """Queue ``payload`` for publishing (and keeping under ``retain``) and return at once."""
        if len(self._pending) >= self.max_pending:
            self._pending.popleft()
            self.lost += 1
        self._pending.append((time.monotonic(), payload, retain))
        self._drained.clear()
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)

    async def stop(self, flush_timeout: float = 1.0) -> None:
        """Publish what is pending (for up to ``flush_timeout`` seconds), then
        cancel the subscriber and publisher and close the connections.

        Payloads still pending are counted in ``lost`` and logged.
        """
        if self._pending and self._tasks:
            try:
                await asyncio.wait_for(self._drained.wait(), flush_timeout)
            except asyncio.TimeoutError:
                pass
        tasks = list(self._tasks)
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await close_quietly(self._client)
            self._client = None
        self.subscribed.clear()
        if self._pending:
            self.lost += len(self._pending)
            logger.warning("Redis backplane stopped with %d message(s) unpublished", len(self._pending))
            self._pending.clear()

    async def _subscribe_forever(self) -> None:
        """Subscribe, hand every message over; on any failure back off and resubscribe."""
        backoff = Backoff(self.min_backoff, self.max_backoff)
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                if backoff.failures:
                    self.reconnects += 1
                    logger.info("Redis backplane subscribed again to %s", self.channel)
                backoff.reset()
                await self._restore_retained()
                self.subscribed.set()
                await self._receive_until_failure(pubsub)
            except Exception as exc:
                self.subscribed.clear()
                await close_quietly(pubsub)
                delay = backoff.next_delay()
                logger.warning("Redis backplane lost its subscription (%r); retrying in %.2f s", exc, delay)
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                await close_quietly(pubsub)
                raise

    async def _restore_retained(self) -> None:
        """Hand over the retained payloads (read after subscribing, so none is missed)."""
        restore = self._restore
        assert restore is not None
        for payload in (await self._client.hgetall(self.latest_key)).values():
            try:
                restore(payload)
            except Exception:
                logger.exception("restoring a retained backplane message failed")

    async def _receive_until_failure(self, pubsub: Any) -> None:
        receive = self._receive
        assert receive is not None
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            self.received += 1
            try:
                receive(message["data"])
            except Exception:
                logger.exception("handling a backplane message failed")

    async def _publish_forever(self) -> None:
        """Publish what is pending in batches; on failure drop the batch and back off."""
        backoff = Backoff(self.min_backoff, self.max_backoff)
        loop = asyncio.get_running_loop()
        while True:
            while not self._pending:
                self._drained.set()
                self._wakeup = loop.create_future()
                await self._wakeup
            batch = self._take_batch()
            if not batch:
                continue
            try:
                await self._publish_batch(batch)
                self.published += len(batch)
                backoff.reset()
            except Exception as exc:
                self.lost += len(batch)
                delay = backoff.next_delay()
                logger.warning("Redis backplane dropped %d message(s) (%r); retrying in %.2f s",
                               len(batch), exc, delay)
                await asyncio.sleep(delay)

    def _take_batch(self) -> list[tuple[str, str | None]]:
        """Up to PUBLISH_BATCH pending payloads, skipping (and counting) expired ones."""
        oldest_allowed = time.monotonic() - self.expiry
        batch: list[tuple[str, str | None]] = []
        while self._pending and len(batch) < PUBLISH_BATCH:
            queued_at, payload, retain = self._pending.popleft()
            if queued_at < oldest_allowed:
                self.lost += 1
            else:
                batch.append((payload, retain))
        return batch

    async def _publish_batch(self, batch: list[tuple[str, str | None]]) -> None:
        """Keep the retained payloads, then publish all, in one round trip."""
        if len(batch) == 1 and batch[0][1] is None:
            await self._client.publish(self.channel, batch[0][0])
            return
        async with self._client.pipeline(transaction=False) as pipe:
            retained = {name: payload for payload, name in batch if name is not None}
            if retained:
                pipe.hset(self.latest_key, mapping=retained)
                pipe.pexpire(self.latest_key, int(self.retain_expiry * 1000))
            for payload, _ in batch:
                pipe.publish(self.channel, payload)
            await pipe.execute()


class RedisLease:
    """A lease on ``key``: held by one process of the deployment at a time.

    The holder renews it every ``ttl / 3`` seconds and counts it as held
    only until ``ttl`` after its last successful renewal started, so a
    holder cut off from Redis stops acting before anyone else can take over.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        key: str = "wslint:lease",
        ttl: float = 3.0,
        *,
        connect_timeout: float = 1.0,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.url = url
        self.key = key
        self.ttl = ttl
        self.connect_timeout = connect_timeout
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.acquisitions = 0
        self._valid_until = 0.0
        self._held_event = asyncio.Event()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lease right now."""
        return time.monotonic() < self._valid_until

    async def wait_held(self) -> None:
        """Return once this process holds the lease."""
        while not self.held:
            await self._held_event.wait()
            if not self.held:
                self._held_event.clear()

    async def start(self) -> None:
        """Try to take the lease now, then keep taking or renewing it in the background."""
        if self._task is not None:
            raise RuntimeError("the lease is already started")
        self._client = connect_redis(self.url, self.connect_timeout, self.ttl / 3)
        await self._attempt()
        self._task = asyncio.create_task(self._renew_forever(), name=f"redis-lease-{self.key}")

    async def stop(self) -> None:
        """Stop renewing and release the lease if this process holds it."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._client is None:
            return
        if self.held:
            try:
                await self._client.eval(RELEASE, 1, self.key, self.token)
            except Exception as exc:
                logger.warning("could not release lease %s (%r); it expires on its own", self.key, exc)
        self._valid_until = 0.0
        self._held_event.clear()
        await close_quietly(self._client)
        self._client = None

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            await self._attempt()

    async def _attempt(self) -> None:
        """One acquire-or-renew round trip; errors leave the lease to run out."""
        was_held = self.held
        started = time.monotonic()
        try:
            taken = await self._client.eval(ACQUIRE_OR_RENEW, 1, self.key, self.token, int(self.ttl * 1000))
        except Exception as exc:
            # Unknown: a holder keeps acting until its last renewal runs out.
            logger.warning("lease %s: Redis unreachable (%r)", self.key, exc)
        else:
            self._valid_until = started + self.ttl if taken else 0.0
        if self.held and not was_held:
            self.acquisitions += 1
            logger.info("lease %s taken by %s", self.key, self.token)
        elif was_held and not self.held:
            logger.warning("lease %s lost by %s", self.key, self.token)
        if self.held:
            self._held_event.set()
        else:
            self._held_event.clear()
