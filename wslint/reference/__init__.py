"""Reference runtime: a connection manager and the four broadcasting patterns.

Dependency-free (asyncio and the standard library only). Works with any
socket object that has ``async send_text(str)`` (Starlette / FastAPI) or
``async send(str)`` (``websockets``).
"""

from wslint.reference.broadcasting import (
    ConditionalBroadcaster,
    EventBroadcaster,
    HybridBroadcaster,
    PollingBroadcaster,
)
from wslint.reference.manager import ConnectionManager

__all__ = [
    "ConditionalBroadcaster",
    "ConnectionManager",
    "EventBroadcaster",
    "HybridBroadcaster",
    "PollingBroadcaster",
]
