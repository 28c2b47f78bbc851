"""The byte-level prefilter: a file none of whose bytes can start a finding is never parsed.

Each rule names the words its findings cannot exist without (:meth:`Rule.required_words`),
derived from the configuration in force; a file is parsed only when, for some selected rule,
one alternative's words all appear in its bytes. A word is a byte string (a substring test)
or a :class:`Pattern` (a regular expression, tried only when its literal part is present).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from wslint.analysis.calls import SEND_METHODS
from wslint.engine.options import Settings


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: looked up per file, often
class Pattern:
    """A word spelled by a regular expression over the bytes; every match holds one of
    ``literals``, so the expression runs only where one is present."""

    literals: tuple[bytes, ...]
    expression: bytes
    usual: bytes | None = None  # the usual spelling: where it occurs, the expression matches

    def search(self, data: bytes) -> bool:
        if self.usual is not None and self.usual in data:
            return True
        if not any(literal in data for literal in self.literals):
            return False
        return _compiled(self.expression).search(data) is not None


@lru_cache(maxsize=64)
def _compiled(expression: bytes) -> re.Pattern[bytes]:
    return re.compile(expression)


def keywords(phrase: str) -> Pattern:
    """``async def`` as Python spells it: the keywords apart by any whitespace or line joins."""
    words = [word.encode() for word in phrase.split()]
    gap = rb"(?:[ \t\f]|\\\r?\n)+"
    # No ``\b`` in front: an expression that starts with a literal is scanned for it first.
    expression = gap.join(re.escape(word) for word in words) + rb"\b"
    return Pattern((words[0],), expression, usual=b" ".join(words))


ASYNC_DEF = keywords("async def")
ASYNC_FOR = keywords("async for")
Word = bytes | Pattern
WordGroups = tuple[tuple[Word, ...], ...]


def _literal_fragment(glob: str) -> bytes:
    """The longest literal run of a glob: ``_broadcast_`` for ``_broadcast_*``."""
    runs = re.split(r"[*?\[\]]", glob)
    return max(runs, key=len).encode()


@lru_cache(maxsize=32)
def broadcaster_words(settings: Settings) -> WordGroups:
    """What a broadcaster needs: an ``async def`` that is named like one, broadcasts, fans out or loops."""
    groups: list[tuple[Word, ...]] = []
    groups += [(ASYNC_DEF, _literal_fragment(glob)) for glob in settings.broadcaster_patterns]
    groups += [(ASYNC_DEF, name.encode()) for name in settings.broadcast_methods]
    groups += [(ASYNC_DEF, b"for", name.encode()) for name in sorted(SEND_METHODS)]  # fan-outs
    groups += [(ASYNC_DEF, b"while"), (ASYNC_DEF, ASYNC_FOR)]  # loops calling project helpers
    return tuple(groups)


class Relevance:
    """Which rules may fire on a file, from its bytes.

    The rules' alternatives are pooled (most rules share the broadcaster's) and sorted by their
    first word: a file without that word (``async def``, most often) rules them all out with
    one lookup, so a file that concerns no rule costs a handful of substring tests.
    """

    def __init__(self, rule_words: Sequence[tuple[str, WordGroups]]) -> None:
        groups: dict[tuple[Word, ...], int] = {}
        self._rules: list[tuple[str, frozenset[int]]] = []
        for code, alternatives in rule_words:
            numbers = frozenset(groups.setdefault(group, len(groups)) for group in alternatives if group)
            self._rules.append((code, numbers))
        self._by_first: dict[Word, list[tuple[int, tuple[Word, ...]]]] = {}
        for group, number in groups.items():
            self._by_first.setdefault(group[0], []).append((number, group[1:]))

    def codes(self, data: bytes) -> tuple[str, ...]:
        """The codes of the rules that may fire on ``data``, in the rules' order."""
        present = FileWords(data)
        holding = {
            number
            for first, rests in self._by_first.items()
            if first in present
            for number, rest in rests
            if all(word in present for word in rest)
        }
        if not holding:
            return ()
        return tuple(code for code, numbers in self._rules if not numbers.isdisjoint(holding))


class FileWords:
    """``word in FileWords(data)``: whether a file's bytes contain ``word``, each looked up once.

    A plain substring test is a fast scan in C; most files fail on the first words they are
    asked about (``async def``), so only a few words are ever looked up per file.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._seen: dict[Word, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, (bytes, Pattern)):
            return False
        found = self._seen.get(word)
        if found is None:
            found = word.search(self._data) if isinstance(word, Pattern) else word in self._data
            self._seen[word] = found
        return found
