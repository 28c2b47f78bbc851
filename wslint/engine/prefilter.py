"""The byte-level prefilter: a file none of whose bytes can start a finding is never parsed.

Each rule names the words its findings cannot exist without (:meth:`Rule.required_words`),
derived from the configuration in force; a file is parsed only when, for some selected rule,
one alternative's words all appear in its bytes. A word is a byte string (a substring test),
a :class:`ByteTest` (a pattern, a fan-out) or a :class:`ProjectWord`, which the rest of the
project decides (a route registered elsewhere, a broadcasting function named).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from wslint.engine.byte_tests import (
    ASYNC_DEF,
    ASYNC_FOR,
    FAN_OUT,
    ByteTest,
    CallOf,
    Pattern,
    call_of,
    keywords,
)
from wslint.engine.options import Settings
from wslint.engine.project_words import (
    EveryWordHeld,
    NamesABroadcastingFunction,
    ProjectFiles,
    ProjectWord,
    ProjectWords,
)

__all__ = [
    "ASYNC_DEF",
    "ASYNC_FOR",
    "FAN_OUT",
    "ByteTest",
    "Pattern",
    "ProjectWord",
    "Relevance",
    "WordGroups",
    "broadcaster_words",
    "call_of",
    "keywords",
]

Word = bytes | ByteTest | ProjectWord
WordGroups = tuple[tuple[Word, ...], ...]


class ProjectAnswers(Protocol):
    def held(self, word: ProjectWord, data: bytes) -> bool: ...


def _literal_fragment(glob: str) -> bytes:
    """The longest literal run of a glob: ``_broadcast_`` for ``_broadcast_*``."""
    runs = re.split(r"[*?\[\]]", glob)
    return max(runs, key=len).encode()


@lru_cache(maxsize=32)
def broadcast_call(settings: Settings) -> CallOf:
    """A call of a broadcast method: ``broadcast(``, ``manager.broadcast_json (``."""
    return call_of(settings.broadcast_methods)


@lru_cache(maxsize=32)
def names_a_broadcasting_function(settings: Settings) -> NamesABroadcastingFunction:
    return NamesABroadcastingFunction(settings.broadcast_methods)


@lru_cache(maxsize=32)
def broadcaster_words(settings: Settings) -> WordGroups:
    """What a broadcaster needs: an ``async def`` named like one, or one with a loop that
    broadcasts (a broadcast call, a fan-out, or a call of a project function that broadcasts)."""
    groups: list[tuple[Word, ...]] = []
    groups += [(ASYNC_DEF, _literal_fragment(glob)) for glob in settings.broadcaster_patterns]
    groups += [(ASYNC_DEF, broadcast_call(settings)), (ASYNC_DEF, FAN_OUT)]
    helper = names_a_broadcasting_function(settings)
    groups += [(ASYNC_DEF, b"while", helper), (ASYNC_DEF, ASYNC_FOR, helper)]
    return tuple(groups)


class Relevance:
    """Which rules may fire on a file, from its bytes.

    The rules' alternatives are pooled (most rules share the broadcaster's). A file holding
    none of their first words (most files) is ruled out with a handful of substring tests.
    Otherwise each alternative's cheap words are looked up (each once per file:
    :class:`FileWords`); its costly words (a :class:`ByteTest` marked ``costly``, a project
    word, which comes last of all) only when no alternative without any holds. A file some
    rule must be checked in is parsed whatever they say, so there they are taken as held: the
    rules then check what the words only foretell.
    """

    def __init__(self, rule_words: Sequence[tuple[str, WordGroups]]) -> None:
        numbers: dict[tuple[Word, ...], int] = {}
        self._rules: list[tuple[str, tuple[int, ...]]] = []
        for code, alternatives in rule_words:
            groups = [_costly_last(group) for group in alternatives if group]
            self._rules.append((code, tuple(numbers.setdefault(group, len(numbers)) for group in groups)))
        self._groups = [_cheap_and_costly(group) for group in numbers]
        self._firsts = list(dict.fromkeys(group[0] for group in numbers))
        self.project_words = tuple(
            dict.fromkeys(word for group in numbers for word in group if isinstance(word, ProjectWord))
        )

    def project_answers(
        self, files: ProjectFiles, sources: Mapping[Path, bytes] | None = None
    ) -> ProjectWords:
        """One run's answers to these rules' project words, about ``files`` (the bytes the run
        has read in ``sources``)."""
        return ProjectWords(self.project_words, files, sources)

    def codes_unasked(self, data: bytes) -> tuple[tuple[str, ...], bool]:
        """The codes with every project word held, and whether one was asked (the file's codes
        then await the project's answers: :meth:`codes` with them)."""
        unasked = EveryWordHeld()
        return self.codes(data, unasked), unasked.asked

    def codes(self, data: bytes, project: ProjectAnswers | None = None) -> tuple[str, ...]:
        """The codes of the rules that may fire on ``data``, in the rules' order; without
        ``project`` to ask, every project word is held."""
        present = FileWords(data, project or EveryWordHeld())
        if not any(first in present for first in self._firsts):
            return ()  # most files: no alternative can even start
        cheap: dict[int, bool | None] = {}  # group -> held; None: held if its costly words are
        surely: set[str] = set()
        doubtful: dict[str, list[int]] = {}  # code -> its groups held if their costly words are
        for code, numbers in self._rules:
            pending = []
            for number in numbers:
                state = self._cheap_state(number, present, cheap)
                if state:
                    surely.add(code)
                    break
                if state is None:
                    pending.append(number)
            else:
                if pending:
                    doubtful[code] = pending
        if surely:  # parsed anyway: the doubtful rules check what their costly words foretell
            return tuple(code for code, _ in self._rules if code in surely or code in doubtful)
        costly: dict[int, bool] = {}
        return tuple(
            code
            for code, pending in doubtful.items()
            if any(self._costly_held(number, present, costly) for number in pending)
        )

    def _cheap_state(self, number: int, present: FileWords, cheap: dict[int, bool | None]) -> bool | None:
        if number not in cheap:
            words, costly_words = self._groups[number]
            if not all(word in present for word in words):
                cheap[number] = False
            else:
                cheap[number] = None if costly_words else True
        return cheap[number]

    def _costly_held(self, number: int, present: FileWords, costly_held: dict[int, bool]) -> bool:
        held = costly_held.get(number)
        if held is None:
            held = costly_held[number] = all(word in present for word in self._groups[number][1])
        return held


def _cheap_and_costly(group: tuple[Word, ...]) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    return tuple(w for w in group if not _costly(w)), tuple(w for w in group if _costly(w))


def _costly(word: Word) -> bool:
    return isinstance(word, ProjectWord) or (isinstance(word, ByteTest) and word.costly)


def _costly_last(group: tuple[Word, ...]) -> tuple[Word, ...]:
    """The group's cheap words first, then its costly ones, project words last of all."""
    return tuple(sorted(group, key=lambda word: (_costly(word), isinstance(word, ProjectWord))))


class FileWords:
    """``word in FileWords(data, project)``: whether a file's bytes contain ``word``, each
    looked up once.

    A plain substring test is a fast scan in C; most files fail on the first words they are
    asked about (``async def``), so only a few words are ever looked up per file.
    """

    def __init__(self, data: bytes, project: ProjectAnswers) -> None:
        self._data = data
        self._project = project
        self._seen: dict[Word, bool] = {}

    def __contains__(self, word: object) -> bool:
        found = self._seen.get(word)  # type: ignore[call-overload]
        if found is None:
            if isinstance(word, bytes):
                found = word in self._data
            elif isinstance(word, ByteTest):
                found = word.search(self._data)
            elif isinstance(word, ProjectWord):
                found = self._project.held(word, self._data)
            else:
                return False
            self._seen[word] = found
        return found
