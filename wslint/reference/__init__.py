"""Reference runtime: a connection manager and the four broadcasting patterns.

Dependency-free (asyncio and the standard library only). Works with any
socket object that has ``async send_text(str)`` (Starlette / FastAPI) or
``async send(str)`` (``websockets``). The Redis backplane and lease need
redis-py (``pip install redis``, or wslint's ``redis`` extra), imported only when they start.
"""

from wslint.reference.backplane import Backplane, Lease
from wslint.reference.broadcasting import (
    ConditionalBroadcaster,
    EventBroadcaster,
    HybridBroadcaster,
    PollingBroadcaster,
)
from wslint.reference.manager import ConnectionManager
from wslint.reference.redis_backplane import RedisBackplane, RedisLease

__all__ = [
    "Backplane",
    "ConditionalBroadcaster",
    "ConnectionManager",
    "EventBroadcaster",
    "HybridBroadcaster",
    "Lease",
    "PollingBroadcaster",
    "RedisBackplane",
    "RedisLease",
]
