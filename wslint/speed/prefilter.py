"""The byte-level prefilter: a file none of whose bytes can start a finding is never parsed.

Each rule declares, as data, the words its findings cannot exist without
(:meth:`Rule.required_words`, in the vocabulary of :mod:`wslint.core.needs`); :func:`compiled`
turns a declaration into this layer's words for the configuration in force, and a file is
parsed only when, for some selected rule, one alternative's words all appear in its bytes. A
word here is a byte string (a substring test), a :class:`ByteTest` (a pattern, a fan-out) or a
:class:`ProjectWord`, which the rest of the project decides (a route registered elsewhere, a
broadcasting function named).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from wslint.core import needs
from wslint.core.options import Settings
from wslint.speed.byte_tests import (
    ASYNC_DEF,
    ASYNC_FOR,
    FAN_OUT,
    FAN_OUT_IN_ASYNC_DEF,
    ByteTest,
    CallOf,
    FileWords,
    Pattern,
    call_of,
    keywords,
)
from wslint.speed.project_words import (
    AnyFileHolds,
    NamesABroadcastingFunction,
    NoProductionDefinition,
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
    groups += [(ASYNC_DEF, broadcast_call(settings)), (ASYNC_DEF, FAN_OUT_IN_ASYNC_DEF)]
    helper = names_a_broadcasting_function(settings)
    groups += [(ASYNC_DEF, b"while", helper), (ASYNC_DEF, ASYNC_FOR, helper)]
    return tuple(groups)


def compiled(declared: needs.Needs, settings: Settings) -> WordGroups:
    """This layer's words for a rule's declared needs, in the configuration in force. A group
    naming :data:`~wslint.core.needs.BROADCASTER` stands for each of the broadcaster's groups,
    with the group's other words around it."""
    groups: list[tuple[Word, ...]] = []
    for alternative in declared:
        if needs.BROADCASTER in alternative:
            at = alternative.index(needs.BROADCASTER)
            before = tuple(_word(word, settings) for word in alternative[:at])
            after = tuple(_word(word, settings) for word in alternative[at + 1 :])
            groups += [(*before, *group, *after) for group in broadcaster_words(settings)]
        else:
            groups.append(tuple(_word(word, settings) for word in alternative))
    return tuple(groups)


def _word(word: Any, settings: Settings) -> Word:
    if isinstance(word, str):
        return word.encode()
    if word == needs.BROADCAST_CALL:
        return broadcast_call(settings)
    if isinstance(word, (bytes, ByteTest, ProjectWord)):
        return word  # already this layer's own
    return _settled_word(word)


@cache
def _settled_word(word: Any) -> Word:
    """The one test of a declaration that depends on no setting (tests compare by identity)."""
    if isinstance(word, needs.Keywords):
        return _KEYWORDS.get(word.phrase) or keywords(word.phrase)
    if isinstance(word, needs.CallOf):
        return call_of(word.names)
    if isinstance(word, needs.AnyProjectFileHolds):
        return AnyFileHolds(name.encode() for name in word.words)
    if isinstance(word, needs.NoProductionDefinition):
        return NoProductionDefinition(word.name.encode())
    if isinstance(word, needs.SpawnStatement):
        from wslint.speed.spawn_calls import BARE_SPAWN_CALL, SPAWN_ON_AN_ATTRIBUTE

        return SPAWN_ON_AN_ATTRIBUTE if word.on_an_attribute else BARE_SPAWN_CALL
    if isinstance(word, needs.StateStoredOnlyInInit):
        from wslint.speed.remembered_state import StateStoredOnlyInInit

        return StateStoredOnlyInInit(word.words)
    raise TypeError(f"not a word a rule may need: {word!r}")


_KEYWORDS = {"async def": ASYNC_DEF, "async for": ASYNC_FOR}


# The codes that hold only if the project says so: (code, alternatives of project words, each
# given by its number in :attr:`Relevance.project_words`); the code holds if, for one
# alternative, the project holds every word.
Pending = tuple[tuple[str, tuple[tuple[int, ...], ...]], ...]


class Relevance:
    """Which rules may fire on a file, from its bytes.

    The rules' alternatives are pooled (most rules share the broadcaster's). A file holding
    none of their first words (most files) is ruled out with a handful of substring tests.
    Otherwise each alternative's cheap words are looked up (each once per file:
    :class:`FileWords`); its costly words (a :class:`ByteTest` marked ``costly``, then the
    project words) only when no alternative without any holds, also in a file parsed for
    another rule anyway (a rule checked for nothing costs more than a byte test). Project
    words are answered apart, once the whole project has been read (:meth:`settled`).
    """

    @classmethod
    def of(cls, rules: Sequence[needs.Declaring], settings: Settings) -> Relevance:
        """The prefilter of ``rules`` in the configuration ``settings``."""
        return cls([(rule.code, compiled(rule.required_words(settings), settings)) for rule in rules])

    def __init__(self, rule_words: Sequence[tuple[str, WordGroups]]) -> None:
        numbers: dict[tuple[Word, ...], int] = {}
        self._rules: list[tuple[str, tuple[int, ...]]] = []
        for code, alternatives in rule_words:
            groups = [_costly_last(group) for group in alternatives if group]
            self._rules.append((code, tuple(numbers.setdefault(group, len(numbers)) for group in groups)))
        self._firsts = list(dict.fromkeys(group[0] for group in numbers))
        self._first_literals = _literals_of(self._firsts)
        self.project_words = tuple(
            dict.fromkeys(word for group in numbers for word in group if isinstance(word, ProjectWord))
        )
        self._groups = [self._split(group) for group in numbers]
        self._first_of = [self._firsts.index(group[0]) for group in numbers]  # per group

    def _split(self, group: tuple[Word, ...]) -> tuple[tuple[Word, ...], tuple[Word, ...], tuple[int, ...]]:
        """A group's cheap words, its costly byte tests, and the numbers of its project words."""
        cheap = tuple(word for word in group if not _costly(word))
        costly = tuple(word for word in group if _costly(word) and not isinstance(word, ProjectWord))
        asked = tuple(self.project_words.index(word) for word in group if isinstance(word, ProjectWord))
        return cheap, costly, asked

    def project_answers(
        self, files: ProjectFiles, sources: Mapping[Path, bytes] | None = None, root: Path | None = None
    ) -> ProjectWords:
        """One run's answers to these rules' project words, about ``files`` (the bytes the run
        has read in ``sources``) of the project at ``root``."""
        return ProjectWords(self.project_words, files, sources, root)

    def codes(self, data: bytes, project: ProjectAnswers | None = None) -> tuple[str, ...]:
        """The codes of the rules that may fire on ``data``, in the rules' order; without
        ``project`` to ask, every project word is held."""
        codes, pending = self.codes_unasked(data)
        return self.settled(codes, pending, data, project) if project is not None and pending else codes

    def codes_scanning(
        self, files: Iterable[tuple[Path, bytes]], project: ProjectWords
    ) -> list[tuple[tuple[str, ...], Pending]]:
        """:meth:`codes_unasked` of each file, scanned for the ``project`` words meanwhile (the
        literals both look up, looked up once)."""
        answers = []
        for path, data in files:
            present = FileWords(data)
            answers.append(self.codes_unasked(data, present))
            project.scan(path, data, present)
        return answers

    def codes_unasked(self, data: bytes, present: FileWords | None = None) -> tuple[tuple[str, ...], Pending]:
        """The codes of the rules that may fire on ``data`` with every project word held, and
        those of them that hold only if the project's words do (:meth:`settled` tells);
        ``present``: the lookups in ``data`` made so far, to share."""
        present = FileWords(data) if present is None else present
        if self._first_literals is not None and not present.holds_any(self._first_literals):
            return (), ()  # most files: no alternative can even start (told by substrings alone)
        starts = [first in present for first in self._firsts]
        if not any(starts):
            return (), ()
        surely: set[str] = set()
        doubtful: dict[str, list[int]] = {}  # code -> its groups held if their costly words are
        cheap: dict[int, bool] = {}
        for code, numbers in self._rules:
            held_if: list[int] = []
            for number in numbers:
                if number not in cheap:  # (most groups: their first word is absent)
                    cheap[number] = starts[self._first_of[number]] and all(
                        word in present for word in self._groups[number][0]
                    )
                if not cheap[number]:
                    continue
                if not self._groups[number][1] and not self._groups[number][2]:
                    surely.add(code)
                    break
                held_if.append(number)
            else:
                if held_if:
                    doubtful[code] = held_if
        # A file parsed for some rule anyway still has its costly words looked up for the others:
        # a rule checked for nothing costs more than they do.
        codes: list[str] = []
        pending: list[tuple[str, tuple[tuple[int, ...], ...]]] = []
        costly: dict[int, bool] = {}
        for code, groups in doubtful.items():
            conditions = []
            for number in groups:
                if number not in costly:
                    costly[number] = all(word in present for word in self._groups[number][1])
                if costly[number]:
                    conditions.append(self._groups[number][2])
            if conditions:
                codes.append(code)
                if all(conditions):  # every alternative left asks the project
                    pending.append((code, tuple(conditions)))
        if surely:
            codes = [code for code, _ in self._rules if code in surely or code in codes]
        return tuple(codes), tuple(pending)

    def settled(
        self, codes: tuple[str, ...], pending: Pending, data: bytes, project: ProjectAnswers
    ) -> tuple[str, ...]:
        """``codes`` (of :meth:`codes_unasked`) but those the project's answers rule out; each
        project word is asked once."""
        asked = dict(pending)
        answers: dict[int, bool] = {}

        def held(word: int) -> bool:
            if word not in answers:
                answers[word] = project.held(self.project_words[word], data)
            return answers[word]

        return tuple(
            code
            for code in codes
            if code not in asked or any(all(held(word) for word in words) for words in asked[code])
        )


def _literals_of(words: Sequence[Word]) -> tuple[bytes, ...] | None:
    """Substrings one of which a file holds wherever one of ``words`` holds (None: a word
    promises none, such as a project word)."""
    literals: list[bytes] = []
    for word in words:
        if isinstance(word, bytes):
            literals.append(word)
        elif isinstance(word, ByteTest) and word.literals:
            literals.extend(word.literals)
        else:
            return None
    return tuple(dict.fromkeys(literals))


def _costly(word: Word) -> bool:
    return isinstance(word, ProjectWord) or (isinstance(word, ByteTest) and word.costly)


def _costly_last(group: tuple[Word, ...]) -> tuple[Word, ...]:
    """The group's cheap words first, then its costly ones, project words last of all (the
    first word is the one a file is first asked about)."""
    return tuple(sorted(group, key=lambda word: (_costly(word), isinstance(word, ProjectWord))))
