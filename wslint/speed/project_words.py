"""Prefilter words that a file holds or not depending on the rest of the project.

A file's bytes cannot tell whether a route is registered elsewhere, or whether a name it
calls is a function that broadcasts in another module. A :class:`ProjectWord` asks the
project's bytes: the command answers it once per run (:class:`ProjectWords`, reading each
project file at most once more); where there is no project to ask (the plugins see one
file at a time, and the first pass over the files), every project word is held.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from wslint.core.source import read_or_empty
from wslint.speed.byte_tests import (
    FAN_OUT,
    IDENTIFIER,
    DefBlocks,
    FileWords,
    call_of,
    fan_out_defs,
    mentioned_in_a_coroutine_loop,
    mentions,
    shortest_literals,
    whole_word_starts,
)

ProjectFiles = Sequence[Path] | Callable[[], Iterable[Path]]


class ProjectWord(ABC):
    """A word whose presence in a file depends on the project; compared by identity."""

    @abstractmethod
    def reader(self, root: Path | None) -> ProjectReader:
        """What one run learns of the project (``root``: where its paths are relative to, when
        known) for this word."""


class ProjectReader(ABC):
    """One run's knowledge for one project word, gathered file by file."""

    @abstractmethod
    def scan(self, path: Path, data: bytes, present: FileWords) -> None:
        """Note what the word needs of one project file's bytes (``present``: the file's
        lookups, shared with the prefilter where it asks about the same file)."""

    def settled(self) -> bool:
        """Whether the files scanned so far answer every question (no need to read the rest)."""
        return False

    @abstractmethod
    def held(self, data: bytes, project: ProjectWords) -> bool:
        """Whether a file with these bytes holds the word, once every project file is scanned
        (or the reader settled)."""

    @abstractmethod
    def share(self) -> object:
        """What the files scanned here taught (picklable), for the run's reader of the same
        word in another process (:meth:`merge`)."""

    @abstractmethod
    def merge(self, share: object) -> None:
        """Learn what another process's reader of this word learnt (:meth:`share`)."""


class ProjectWords:
    """One run's answers to the project words: the files the run reads are scanned as they
    are read (here, or by the workers that read them: what they learnt is merged, and they
    search the bytes they hold when asked); the project's other files only when a question
    needs them."""

    def __init__(
        self,
        words: Iterable[ProjectWord],
        files: ProjectFiles,
        sources: Mapping[Path, bytes] | None = None,
        root: Path | None = None,
    ) -> None:
        self._readers = {word: word.reader(root) for word in words}
        self._files = files
        self._sources = sources or {}
        self._scanned: set[Path] = set()
        self._complete = False  # every project file scanned
        # Files whose bytes other processes hold, and how to search them (:meth:`hand_over`).
        self._elsewhere: tuple[frozenset[Path], Callable[[frozenset[bytes]], set[bytes]]] | None = None
        self._local_search: CallerSearch | None = None

    def scan(self, path: Path, data: bytes, present: FileWords | None = None) -> None:
        if self._readers and path not in self._scanned:
            self._scanned.add(path)
            for reader in self._readers.values():
                reader.scan(path, data, FileWords(data) if present is None else present)

    def held(self, word: ProjectWord, data: bytes) -> bool:
        reader = self._readers.get(word)
        if reader is None:
            return True  # a word of a rule this run does not select: nothing to narrow
        if not self._complete and not reader.settled():
            self._scan_the_rest(reader)
        return reader.held(data, self)

    def shares(self) -> tuple[object, ...]:
        """What the files scanned here taught each word (:meth:`merge` takes it)."""
        return tuple(reader.share() for reader in self._readers.values())

    def merge(self, shares: tuple[object, ...]) -> None:
        """Learn what the same words learnt in another process (:meth:`shares`) from the files
        it scanned (:meth:`hand_over` tells which)."""
        for reader, share in zip(self._readers.values(), shares, strict=True):
            reader.merge(share)

    def _scan_the_rest(self, reader: ProjectReader) -> None:
        for path in self.project_files():
            if path not in self._scanned:
                self.scan(path, self._read(path))
                if reader.settled():
                    return
        self._complete = True

    def production_definitions(self) -> dict[str, bool]:
        """What the run has learnt of the names the project's production modules define
        (:class:`NoProductionDefinition`): name -> whether one does."""
        listed = self._listed()
        if not self._complete and listed is not None and self._scanned.issuperset(listed):
            self._complete = True  # every file was scanned as the run read it
        known = {}
        for reader in self._readers.values():
            if isinstance(reader, _Undefined):
                defined = reader.defined(every_file_scanned=self._complete)
                if defined is not None:
                    known[reader.name] = defined
        return known

    def project_files(self) -> Iterable[Path]:
        return self._files() if callable(self._files) else self._files

    def _listed(self) -> Iterable[Path] | None:
        """The project's files where known without walking the project (None: not walked yet)."""
        if not callable(self._files):
            return self._files
        listed = getattr(self._files, "listed", None)  # the runner's walk, done only when asked
        return listed() if callable(listed) else None

    def hand_over(
        self, scanned: Iterable[Path], held: Iterable[Path], search: Callable[[frozenset[bytes]], set[bytes]]
    ) -> None:
        """Other processes scanned the files of ``scanned`` (what they learnt is merged: see
        :meth:`merge`) and hold the bytes of those of ``held``, which :meth:`callers_of` asks
        them about through ``search`` (as :meth:`CallerSearch.callers` over those files)
        instead of reading the files here."""
        self._scanned.update(scanned)
        self._elsewhere = (frozenset(held), search)

    def callers_of(self, names: frozenset[bytes]) -> set[bytes]:
        """The functions of the project's files that name one of ``names``, and the aliases of
        them (:class:`CallerSearch`)."""
        elsewhere, search = self._elsewhere or (frozenset(), None)
        if self._local_search is None:
            paths = [path for path in self.project_files() if path not in elsewhere]
            self._local_search = CallerSearch(self._read(path) for path in paths)
        found = self._local_search.callers(names)
        return found | search(names) if search is not None else found

    def _read(self, path: Path) -> bytes:
        data = self._sources.get(path)
        return data if data is not None else read_or_empty(path)


# -- the project words ----------------------------------------------------------------------


class AnyFileHolds(ProjectWord):
    """Held (by every file) when some project file holds one of ``words``."""

    def __init__(self, words: Iterable[bytes]) -> None:
        self.words = frozenset(words)

    def reader(self, root: Path | None) -> ProjectReader:
        return _Holding(self.words)


class _Holding(ProjectReader):
    def __init__(self, words: frozenset[bytes]) -> None:
        self._words = words
        self._found = False
        # What every word holds (``ocket`` of ``WebSocketRoute`` and ``add_websocket_route``):
        # one search rules most files out, where one per word would.
        common = common_part(words)
        self._common = common if len(common) >= COMMON_PART else None

    def scan(self, path: Path, data: bytes, present: FileWords) -> None:
        if not self._found and (self._common is None or self._common in present):
            self._found = any(word in present for word in self._words)

    def settled(self) -> bool:
        return self._found

    def held(self, data: bytes, project: ProjectWords) -> bool:
        return self._found

    def share(self) -> bool:
        return self._found

    def merge(self, share: object) -> None:
        self._found = self._found or bool(share)


# The shortest part common to every word worth a search of its own.
COMMON_PART = 4


def common_part(words: Iterable[bytes]) -> bytes:
    """The longest byte string that every word holds (the first of those, in the shortest)."""
    ordered = sorted(words, key=lambda word: (len(word), word))
    if not ordered:
        return b""
    shortest = ordered[0]
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            part = shortest[start : start + size]
            if all(part in word for word in ordered[1:]):
                return part
    return b""


class NoProductionDefinition(ProjectWord):
    """Held (by every file) when no production module of the project says ``def <name>``: none
    outside the test paths (``test_*.py``, ``tests/``, ... relative to the project root), as
    :meth:`ProjectIndex.production_names_defining` finds them. Without the root, always held."""

    def __init__(self, name: bytes) -> None:
        self.name = name
        self.definition = re.compile(rb"\bdef\s+" + re.escape(name) + rb"\b")

    def reader(self, root: Path | None) -> ProjectReader:
        return _Undefined(self, root)


class _Undefined(ProjectReader):
    def __init__(self, word: NoProductionDefinition, root: Path | None) -> None:
        self._word = word
        self._root = root
        self._defined = False

    def scan(self, path: Path, data: bytes, present: FileWords) -> None:
        if self._defined or self._root is None or self._word.name not in present:
            return
        if self._word.definition.search(data):
            from wslint.analysis.module import is_test_path

            try:
                self._defined = not is_test_path(path.relative_to(self._root))
            except ValueError:
                self._defined = True  # outside the root: production, as the index takes it

    @property
    def name(self) -> str:
        return self._word.name.decode()

    def defined(self, every_file_scanned: bool) -> bool | None:
        """Whether a production module defines the name (None: not known, without the root
        or before every file is scanned)."""
        if self._defined:
            return True
        return False if every_file_scanned and self._root is not None else None

    def settled(self) -> bool:
        return self._defined

    def held(self, data: bytes, project: ProjectWords) -> bool:
        return not self._defined

    def share(self) -> bool:
        return self._defined

    def merge(self, share: object) -> None:
        self._defined = self._defined or bool(share)


class NamesABroadcastingFunction(ProjectWord):
    """Held by a file that names a project function that may broadcast in the loop of a
    coroutine (:func:`byte_tests.mentioned_in_a_coroutine_loop`).

    A loop broadcasts through a call only when the call resolves to a project function that
    broadcasts, itself or through the functions it calls, and such a call names the function
    (``helper()``, ``hub.push()``) or an import alias of it (``import helper as h``). The
    functions that may broadcast are found in the bytes: every ``def`` whose own body may
    hold a broadcast call or a fan-out (:meth:`byte_tests.DefBlocks.around`), then, until
    nothing is added, every ``def`` whose own body may name one of them, and every alias of
    one.
    """

    def __init__(self, broadcast_methods: Iterable[str]) -> None:
        self.broadcast_call = call_of(broadcast_methods)
        self.literals = shortest_literals((b"send", *self.broadcast_call.literals))

    def reader(self, root: Path | None) -> ProjectReader:
        return _BroadcastingNames(self)


class _BroadcastingNames(ProjectReader):
    def __init__(self, word: NamesABroadcastingFunction) -> None:
        self._word = word
        self._candidates: list[bytes] = []  # files with a broadcast call or a fan-out, not yet read
        self._own: set[bytes] = set()  # the functions those read broadcast in
        self._names: frozenset[bytes] | None = None

    def scan(self, path: Path, data: bytes, present: FileWords) -> None:
        if any(literal in present for literal in self._word.literals) and (
            self._word.broadcast_call in present or FAN_OUT in present  # (the prefilter's, if asked)
        ):
            self._candidates.append(data)

    def held(self, data: bytes, project: ProjectWords) -> bool:
        return mentioned_in_a_coroutine_loop(data, self._names_in(project))

    def share(self) -> frozenset[bytes]:
        self._read_candidates()
        return frozenset(self._own)

    def merge(self, share: object) -> None:
        assert isinstance(share, frozenset)
        self._own.update(share)

    def _read_candidates(self) -> None:
        """The functions whose own bodies broadcast, in the files that do (each read once)."""
        for data in self._candidates:
            self._own.update(self._own_broadcasters(data, DefBlocks(data)))
        self._candidates = []

    def _names_in(self, project: ProjectWords) -> frozenset[bytes]:
        if self._names is None:
            self._read_candidates()
            self._names = self._broadcasting_names(project, frozenset(self._own))
        return self._names

    def _broadcasting_names(self, project: ProjectWords, own: frozenset[bytes]) -> frozenset[bytes]:
        """``own`` and, until nothing is added, the functions naming one of them, and aliases."""
        names = set(own)
        added = frozenset(names)
        while added:
            added = frozenset(project.callers_of(added) - names)
            names |= added
        return frozenset(names)

    def _own_broadcasters(self, data: bytes, blocks: DefBlocks) -> Iterator[bytes]:
        """The ``def``s whose own bodies may hold a broadcast call or a fan-out (the analysis
        looks at a function's own nodes, not at those of the functions nested in it)."""
        for start in self._word.broadcast_call.starts(data):
            for block in blocks.around(start):
                yield block.name
        for block in fan_out_defs(data, blocks):
            yield block.name


# Past this many names, a text's identifiers are listed once (a pass about 80 times as long
# as a search for one name) and the names looked up among them.
MANY_NAMES = 64
_IDENTIFIERS = re.compile(IDENTIFIER + rb"+")


class _NameFinder:
    """Which of ``names`` a text mentions as whole identifiers."""

    def __init__(self, names: Iterable[bytes]) -> None:
        self._names = sorted(names)
        self._many = len(self._names) > MANY_NAMES
        self._set = frozenset(self._names)

    def named(self, text: bytes) -> list[bytes]:
        if self._many:
            return sorted(self._set.intersection(_IDENTIFIERS.findall(text)))
        return [name for name in self._names if mentions(text, name)]



class CallerSearch:
    """Searches ``files`` (their bytes), round after round, for the functions that name one of
    a set of names and for aliases of them; each file's def blocks are listed once."""

    def __init__(self, files: Iterable[bytes]) -> None:
        self._files = list(files)
        self._blocks: dict[int, DefBlocks] = {}  # by the number of a file

    def callers(self, names: Iterable[bytes]) -> set[bytes]:
        """The ``def``s whose own bodies may name one of ``names``, and ``h`` for every
        ``import <name> as h``."""
        found: set[bytes] = set()
        finder = _NameFinder(names)
        for number, data in enumerate(self._files):
            named = finder.named(data)
            if named:
                if number not in self._blocks:
                    self._blocks[number] = DefBlocks(data)
                found.update(_callers(data, self._blocks[number], named), _aliases(data, named))
        return found


def _callers(data: bytes, blocks: DefBlocks, named: list[bytes]) -> Iterator[bytes]:
    """The ``def``s of ``data`` whose own bodies (:meth:`DefBlocks.around`) may name one of
    ``named`` (a call the analysis follows lies in a function's own nodes)."""
    for name in named:
        for start in whole_word_starts(data, name):
            if _DEF_BEFORE.search(data, max(0, start - 16), start):
                continue  # ``def name``: the function itself, named where it is defined
            for block in blocks.around(start):
                yield block.name


def _aliases(data: bytes, named: list[bytes]) -> Iterator[bytes]:
    """``h`` for ``import helper as h`` where ``helper`` is one of ``named``."""
    for name in named:
        for start in whole_word_starts(data, name):
            alias = _AS_ALIAS.match(data, start + len(name))
            if alias:
                yield alias.group(1)


_DEF_BEFORE = re.compile(rb"(?<![\w\x80-\xff])def(?:[ \t]|\\\r?\n)+\Z")
_AS_ALIAS = re.compile(rb"\s+as\s+(" + IDENTIFIER + rb"+)")
