"""What the runtime asks of a message bus, and of a deployment-wide lease.

A **backplane** carries every broadcast to the other processes of a
deployment (``uvicorn --workers 4``, several pods): the manager publishes a
payload string, and hands each payload that another process published to
its own clients; the latest payload of each message type is retained, for
processes that start or reconnect later. Three methods, so that Redis pub/sub
(:class:`wslint.reference.redis_backplane.RedisBackplane`), Postgres
``LISTEN``/``NOTIFY`` or a NATS subject can each implement it in a page.
Delivery is at most once: a payload published while the bus is unreachable
is dropped, never retried into a later reconnection.

A **lease** makes a broadcaster poll once per deployment instead of once
per process: only the process that holds it polls; when that process dies,
the lease expires and another one takes it.

This module imports nothing outside the standard library.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Protocol, runtime_checkable

Receive = Callable[[str], None]


@runtime_checkable
class Backplane(Protocol):
    """A message bus shared by the processes of one deployment."""

    async def start(self, receive: Receive, restore: Receive) -> None:
        """Begin receiving: call ``receive(payload)`` for every payload published
        by any process (this one included; the manager skips its own).

        After each (re)subscription, call ``restore(payload)`` with every
        payload retained so far (see ``publish``), so that a process that
        starts or reconnects late learns the current state. Must not raise
        when the bus is down: keep reconnecting in the background instead.
        """

    def publish(self, payload: str, retain: str | None = None) -> None:
        """Queue ``payload`` for every subscriber and return at once (at most once).

        With ``retain``, also keep it as the latest payload under that name
        for ``restore``; a bus that cannot keep anything may ignore it.
        """

    async def stop(self) -> None:
        """Stop receiving and publishing; release the connection."""


@runtime_checkable
class Lease(Protocol):
    """Leadership of one task across a deployment (held by one process at a time)."""

    @property
    def held(self) -> bool:
        """Whether this process holds the lease right now."""

    async def wait_held(self) -> None:
        """Return once this process holds the lease."""


class Backoff:
    """Exponential delays with jitter: ``minimum`` doubling up to ``maximum``."""

    def __init__(self, minimum: float, maximum: float) -> None:
        if minimum <= 0 or maximum < minimum:
            raise ValueError("need 0 < minimum <= maximum")
        self.minimum = minimum
        self.maximum = maximum
        self.failures = 0

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self) -> float:
        """The delay after one more failure (between half and all of the nominal one)."""
        self.failures += 1
        nominal = min(self.minimum * 2 ** min(self.failures - 1, 32), self.maximum)
        return nominal * (0.5 + random.random() / 2)
