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

    The rules' alternatives are pooled (most rules share the broadcaster's). A file holding
    none of their first words (most files) is ruled out with a handful of substring tests;
    otherwise each alternative is looked at once, only until a rule is known to apply, and
    each word is looked up once per file (:class:`FileWords`).
    """

    def __init__(self, rule_words: Sequence[tuple[str, WordGroups]]) -> None:
        numbers: dict[tuple[Word, ...], int] = {}
        self._rules: list[tuple[str, tuple[int, ...]]] = []
        for code, alternatives in rule_words:
            self._rules.append(
                (code, tuple(numbers.setdefault(group, len(numbers)) for group in alternatives if group))
            )
        self._groups = list(numbers)
        self._firsts = list(dict.fromkeys(group[0] for group in self._groups))

    def codes(self, data: bytes) -> tuple[str, ...]:
        """The codes of the rules that may fire on ``data``, in the rules' order."""
        present = FileWords(data)
        if not any(first in present for first in self._firsts):
            return ()  # most files: no alternative can even start
        holds: dict[int, bool] = {}
        found = []
        for code, numbers in self._rules:
            for number in numbers:
                held = holds.get(number)
                if held is None:
                    held = holds[number] = all(word in present for word in self._groups[number])
                if held:
                    found.append(code)
                    break
        return tuple(found)


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
