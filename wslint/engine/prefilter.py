"""The byte-level prefilter: a file none of whose bytes can start a finding is never parsed.

Every finding of WSL001-WSL005 sits in a broadcaster, and a broadcaster is an ``async def``
that broadcasts, fans out, loops, or is named like one: the words that can make one are
derived from the configuration in force, and each alternative needs ``async``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from wslint.analysis.calls import SEND_METHODS
from wslint.engine.options import Settings


def _literal_fragment(glob: str) -> bytes:
    """The longest literal run of a glob: ``_broadcast_`` for ``_broadcast_*``."""
    runs = re.split(r"[*?\[\]]", glob)
    return max(runs, key=len).encode()


@lru_cache(maxsize=32)
def _groups(settings: Settings) -> tuple[tuple[bytes, ...], ...]:
    """Alternatives, each a set of words that must all appear."""
    groups: list[tuple[bytes, ...]] = []
    groups += [(b"async", _literal_fragment(glob)) for glob in settings.broadcaster_patterns]
    groups += [(b"async", name.encode()) for name in settings.broadcast_methods]
    groups += [(b"async", b"for", name.encode()) for name in sorted(SEND_METHODS)]  # fan-outs
    groups += [(b"async", b"while"), (b"async for",)]  # loops calling project helpers
    return tuple(groups)


def may_hold_finding(data: bytes, settings: Settings) -> bool:
    """Whether ``data`` contains any word a WSL001-WSL005 finding needs."""
    return any(all(word in data for word in group) for group in _groups(settings))
