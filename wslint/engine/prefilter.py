"""The byte-level prefilter: a file none of whose bytes can start a finding is never parsed.

Each rule names the words its findings cannot exist without (:meth:`Rule.required_words`),
derived from the configuration in force; a file is parsed only when, for some selected rule,
one alternative's words all appear in its bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from wslint.analysis.calls import SEND_METHODS
from wslint.engine.options import Settings

WordGroups = tuple[tuple[bytes, ...], ...]


def _literal_fragment(glob: str) -> bytes:
    """The longest literal run of a glob: ``_broadcast_`` for ``_broadcast_*``."""
    runs = re.split(r"[*?\[\]]", glob)
    return max(runs, key=len).encode()


@lru_cache(maxsize=32)
def broadcaster_words(settings: Settings) -> WordGroups:
    """What a broadcaster needs: an ``async def`` that is named like one, broadcasts, fans out or loops."""
    groups: list[tuple[bytes, ...]] = []
    groups += [(b"async", _literal_fragment(glob)) for glob in settings.broadcaster_patterns]
    groups += [(b"async", name.encode()) for name in settings.broadcast_methods]
    groups += [(b"async", b"for", name.encode()) for name in sorted(SEND_METHODS)]  # fan-outs
    groups += [(b"async", b"while"), (b"async for",)]  # loops calling project helpers
    return tuple(groups)


def combined(groups: Sequence[WordGroups]) -> WordGroups:
    """The union of several rules' alternatives, without repeats, in a stable order."""
    seen: dict[tuple[bytes, ...], None] = {}
    for alternatives in groups:
        for group in alternatives:
            seen.setdefault(group, None)
    return tuple(seen)


def may_hold_finding(data: bytes | FileWords, groups: WordGroups | Settings) -> bool:
    """Whether ``data`` (bytes, or the words found in them) holds every word of one alternative.

    Given settings, the alternatives are those of every selected rule.
    """
    if isinstance(groups, Settings):
        groups = selected_words(groups)
    return any(all(word in data for word in group) for group in groups)


class FileWords:
    """``word in FileWords(data)``: whether a file's bytes contain ``word``, each looked up once.

    A plain substring test is a fast scan in C; most files fail on their first word
    (``async``), so only a few words are ever looked up per file.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._seen: dict[bytes, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, bytes):
            return False
        found = self._seen.get(word)
        if found is None:
            found = self._seen[word] = word in self._data
        return found


@lru_cache(maxsize=32)
def selected_words(settings: Settings) -> WordGroups:
    """The alternatives of every rule the settings select."""
    from wslint.rules import selected_rules  # the rules build on this module

    rules = selected_rules(settings.select, settings.ignore, settings.extend_select)
    return combined([rule.required_words(settings) for rule in rules])
