"""Questions asked of a file's bytes, never of its tree: the prefilter's vocabulary.

Each test answers for a superset of what the analysis would find: where the analysis sees
a construct, the bytes hold the words the test looks for (a test may say yes where the
analysis then finds nothing, which only costs a parse).
"""

from __future__ import annotations

import bisect
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from wslint.core.vocabulary import GAP, IDENTIFIER, SEND_METHODS

IDENTIFIER_BYTES = frozenset(
    b"_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + bytes(range(0x80, 0x100))
)


class ByteTest(ABC):
    """A word spelled by more than a substring; compared and hashed by identity (looked up
    per file, often). A ``costly`` one is asked only where the file's other words leave its
    parse in doubt (:class:`prefilter.Relevance`). Where it holds, one of its ``literals``
    occurs (none: no such promise): the prefilter looks each literal up once per file, for
    all the tests that name it."""

    costly = False
    literals: tuple[bytes, ...]  # each test says which (``()``: no promise)

    def search(self, data: bytes) -> bool:
        if self.literals and not any(literal in data for literal in self.literals):
            return False
        return self.search_where_present(data)

    @abstractmethod
    def search_where_present(self, data: bytes) -> bool:
        """:meth:`search`, where one of the ``literals`` is known to occur."""

    __hash__ = object.__hash__


@dataclass(frozen=True, eq=False)
class Pattern(ByteTest):
    """A regular expression over the bytes; every match holds one of ``literals``, so the
    expression runs only where one is present."""

    literals: tuple[bytes, ...]
    expression: bytes
    usual: bytes | None = None  # the usual spelling: where it occurs, the expression matches

    # The literals first: most files hold none (one scan where the usual spelling takes two).
    def search_where_present(self, data: bytes) -> bool:
        if self.usual is not None and self.usual in data:
            return True
        return self.compiled().search(data) is not None

    def compiled(self) -> re.Pattern[bytes]:
        return _compiled(self.expression)


@lru_cache(maxsize=64)
def _compiled(expression: bytes) -> re.Pattern[bytes]:
    return re.compile(expression)


class FileWords:
    """``word in FileWords(data)``: whether a file's bytes contain ``word`` (a substring or a
    :class:`ByteTest`), each looked up once, for the prefilter and the project words alike.

    A plain substring test is a fast scan in C; most files hold none of the substrings the
    prefilter's first words promise (:meth:`holds_any`), so only a few words are ever looked
    up per file.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._seen: dict[object, bool] = {}

    def holds_any(self, literals: tuple[bytes, ...]) -> bool:
        """Whether one of ``literals`` occurs (each looked up as ``in`` would, and noted)."""
        seen, data = self._seen, self._data
        for literal in literals:
            found = seen.get(literal)
            if found is None:
                found = seen[literal] = literal in data
            if found:
                return True
        return False

    def __contains__(self, word: object) -> bool:
        found = self._seen.get(word)
        if found is None:
            if isinstance(word, bytes):
                found = word in self._data
            elif isinstance(word, ByteTest):  # its literals looked up here, once for all tests
                literals = word.literals
                found = (not literals or any(literal in self for literal in literals)) and bool(
                    word.search_where_present(self._data)
                )
            else:
                return False  # a word the bytes cannot tell (a project word)
            self._seen[word] = found
        return found


def keywords(phrase: str) -> Pattern:
    """``async def`` as Python spells it: the keywords apart by any whitespace or line joins."""
    words = [word.encode() for word in phrase.split()]
    gap = rb"(?:[ \t\f]|\\\r?\n)+"
    # No ``\b`` in front: an expression that starts with a literal is scanned for it first.
    expression = gap.join(re.escape(word) for word in words) + rb"\b"
    return Pattern((words[0],), expression, usual=b" ".join(words))


ASYNC_DEF = keywords("async def")
ASYNC_FOR = keywords("async for")


def call_of(names: Iterable[str]) -> CallOf:
    """A call whose callee's last name is one of ``names``: ``broadcast(``, ``hub.broadcast (``.
    One test for the same names (a file's lookups of it are shared: see :class:`FileWords`)."""
    return _call_of(tuple(sorted(name.encode() for name in names)))


@lru_cache(maxsize=32)
def _call_of(names: tuple[bytes, ...]) -> CallOf:
    return CallOf(names)


class CallOf(ByteTest):
    """A call of one of ``names`` (the last name of the callee, as :func:`names.final_name`
    reads it), with anything Python allows between the name and its parenthesis."""

    def __init__(self, names: tuple[bytes, ...]) -> None:
        self.names = names
        self.literals = shortest_literals(names)
        self._expression = re.compile(
            rb"(?:" + b"|".join(re.escape(name) for name in names) + rb")" + GAP + rb"\("
        )

    def search_where_present(self, data: bytes) -> bool:
        return any(True for _ in self.starts(data))

    def starts(self, data: bytes) -> Iterator[int]:
        """Where each call's name starts."""
        # The names first, so that re scans for their first bytes; the byte before is
        # looked at here (a look-behind in front would try the expression at every byte).
        for match in self._expression.finditer(data):
            start = match.start()
            if not start or not _IDENTIFIER_BYTE.match(data, start - 1):
                yield start

    def __repr__(self) -> str:
        return f"CallOf({self.names!r})"


_IDENTIFIER_BYTE = re.compile(IDENTIFIER)


class StatementCall(ByteTest):
    """A call of one of ``names`` that may be a whole statement, its value thrown away:
    ``asyncio.create_task(c)`` at the start of a line, after ``;`` or ``:``, or in brackets
    there. An occurrence is ruled out only where the bytes before its callee show an expression
    around it (``t = ``, ``await ``, ``f(``, ``[``, a comment, a string); anything unclear (a
    line start, which may lie inside brackets; a string or a line break inside the receiver; an
    import ``as`` another name) may be one."""

    costly = True

    def __init__(self, names: tuple[bytes, ...]) -> None:
        self.names = names
        self._calls = CallOf(names)
        self.literals = self._calls.literals

    def search_where_present(self, data: bytes) -> bool:
        return self.renamed(data) or any(self.may_count(data, start) for start in self._calls.starts(data))

    def renamed(self, data: bytes) -> bool:
        """``from asyncio import create_task as spawn``: ``spawn(c)`` is one, anywhere."""
        for name in self.names:  # each found by a search in C, what follows it looked at
            start = data.find(name)
            while start >= 0:
                if _AS_AFTER.match(data, start + len(name)):
                    return True
                start = data.find(name, start + 1)
        return False

    def calls(self, data: bytes) -> Iterator[int]:
        """Where the name of each call of one of ``names`` starts."""
        return self._calls.starts(data)

    def may_count(self, data: bytes, start: int) -> bool:
        """Whether the call whose name starts at ``start`` may be one the test looks for."""
        return may_start_statement(data, start)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.names!r})"


# `` as `` after a name (in brackets: across lines).
_AS_AFTER = re.compile(rb"(?:\s|\\)" + GAP + rb"as\b")
_BLANKS = b" \t"
_STATEMENT_BOUNDARIES = b"\n\r;:"
_CLOSING = b")]"


def may_start_statement(data: bytes, start: int) -> bool:
    """Whether the callee whose final name starts at ``start`` may begin a statement."""
    before = _blank_before(data, start)
    if before >= 0 and data[before] == ord("."):  # a receiver: ``self._loop.create_task``
        receiver_end = _blank_before(data, before)
        found = _before_primary(data, receiver_end) if receiver_end >= 0 else None
        if found is None:
            return True
        before = found
    while before >= 0 and data[before] == ord("("):  # ``(loop.create_task(c))``, or ``f(...)``
        outside = _blank_before(data, before)
        if outside >= 0 and (data[outside] in IDENTIFIER_BYTES or data[outside] in _CLOSING):
            return False  # an argument of a call, a subscript, after a keyword
        before = outside
    return before < 0 or data[before] in _STATEMENT_BOUNDARIES


def receiver_names(data: bytes, start: int) -> list[bytes] | None:
    """``[self, loop]`` for ``self.loop.create_task`` whose final name starts at ``start``: the
    names of a receiver that is a chain of names on one line (None otherwise: no receiver,
    ``f().g``, ``x[0].g``, a chain the bytes cannot tell whole)."""
    names: list[bytes] = []
    dot = _blank_before(data, start)
    while dot >= 0 and data[dot] == ord("."):
        end = _blank_before(data, dot)
        begin = end
        while begin >= 0 and data[begin] in IDENTIFIER_BYTES:
            begin -= 1
        if begin == end or data[begin + 1] in b"0123456789":
            return None
        names.insert(0, data[begin + 1 : end + 1])
        dot = _blank_before(data, begin + 1)
    if not names:
        return None
    while dot >= 0 and data[dot] in b"\r\n":  # brackets may hold line breaks
        line_start = data.rfind(b"\n", 0, dot) + 1
        code = data[line_start:dot].split(b"#", 1)[0].rstrip()  # the line before, uncommented
        if code:
            return None if code.endswith((b".", b"\\")) else names
        dot = line_start - 1
    if dot >= 0 and data[dot] == ord("\\"):
        return None
    return names


_OPENING_AFTER_NAME = re.compile(GAP + rb"\(")


def call_arguments(data: bytes, name_end: int) -> bytes | None:
    """The bytes between the brackets of the call whose callee's name ends at ``name_end``,
    where they close on the same line with no string or comment between (None otherwise)."""
    opening = _OPENING_AFTER_NAME.match(data, name_end)
    if opening is None:
        return None
    closing = matching_bracket(data, opening.end() - 1)
    return None if closing is None else data[opening.end() : closing]


def _blank_before(data: bytes, position: int) -> int:
    """The index of the last byte before ``position`` that is no space or tab (-1: none)."""
    index = position - 1
    while index >= 0 and data[index] in _BLANKS:
        index -= 1
    return index


def _before_primary(data: bytes, end: int) -> int | None:
    """The index of the last byte before the primary ending at ``end`` (``loop``,
    ``get_loop()``, ``loops[0]``, ``self.hub``) that is no blank (-1: none), or None where the
    bytes are unclear (a string, a comment or a line break in brackets, no name)."""
    index = end
    while True:
        if data[index] in _CLOSING:
            opening = matching_bracket(data, index)
            if opening is None:
                return None
            previous = _blank_before(data, opening)
            if previous >= 0 and (data[previous] in _CLOSING or data[previous] in IDENTIFIER_BYTES):
                index = previous  # what is called or subscripted
                continue
            return previous  # a parenthesized expression
        if data[index] not in IDENTIFIER_BYTES:
            return None
        while index >= 0 and data[index] in IDENTIFIER_BYTES:
            index -= 1
        previous = _blank_before(data, index + 1)
        if previous < 0 or data[previous] != ord("."):
            return previous
        index = _blank_before(data, previous)
        if index < 0:
            return None


def matching_bracket(data: bytes, index: int) -> int | None:
    """Where the bracket at ``index`` is matched: forward from an opening one, backward from a
    closing one, on the same line with no string or comment between (None otherwise)."""
    step = 1 if data[index] in b"([{" else -1
    depth = 0
    while 0 <= index < len(data):
        byte = data[index]
        if byte in b"([{":
            depth += step
        elif byte in b")]}":
            depth -= step
        elif byte in b"\n\r\"'#":
            return None
        if depth == 0:
            return index
        index += step
    return None


def shortest_literals(words: Iterable[bytes]) -> tuple[bytes, ...]:
    """The words no other word contains: where none of them occurs, none of ``words`` does."""
    unique = set(words)
    return tuple(sorted(w for w in unique if not any(o != w and o in w for o in unique)))


_SEND_CALL = re.compile(  # re moves the alternatives' common ``send`` out and scans for it
    rb"(?:" + b"|".join(re.escape(name.encode()) for name in sorted(SEND_METHODS)) + rb")" + GAP + rb"\("
)
# The receiver's first name: ``ws`` of ``ws.send(`` and of ``ws.socket.send(`` (an attribute chain).
_RECEIVER_BEFORE = re.compile(
    rb"(?:^|[^\w\x80-\xff.])("
    + IDENTIFIER
    + rb"+)(?:(?:\s|\\)*\.(?:\s|\\)*"
    + IDENTIFIER
    + rb"+)*(?:\s|\\)*\.(?:\s|\\)*$"
)
_LOOP_TARGETS = re.compile(rb"for\s+([\w\x80-\xff\s,()\[\]*]+?)\s+in(?![\w\x80-\xff])")
_NAME = re.compile(IDENTIFIER + rb"+")
RECEIVER_REACH = 200  # bytes looked back from ``.send(`` for its receiver


class FanOut(ByteTest):
    """``for ws in clients: await ws.send_json(m)`` (a loop or comprehension): a plain name is
    both a ``for`` target and the receiver (or the first name of the receiver:
    ``c.ws.send_json``) of a ``send*()`` call (:func:`calls.fan_out_send`)."""

    costly = True
    literals = (b"send",)

    def search_where_present(self, data: bytes) -> bool:
        return b"for" in data and _a_loop_target_receives(data, list(_send_receivers(data)))


class FanOutInAsyncDef(ByteTest):
    """A fan-out (:class:`FanOut`) whose ``for`` and ``send*()`` lie in one ``async def`` and in
    no ``def`` nested in it: a coroutine's own loop sending to each client, as a broadcaster's
    loop does (one in a helper makes the helper a function that broadcasts instead)."""

    costly = True
    literals = FanOut.literals

    def search_where_present(self, data: bytes) -> bool:
        if b"for" not in data:
            return False
        sends = list(_send_receivers(data))
        if not _a_loop_target_receives(data, sends):  # anywhere in the file: no block to list
            return False
        return any(block.is_async for block in fan_out_defs(data, DefBlocks(data), sends))


def _a_loop_target_receives(data: bytes, sends: list[tuple[int, bytes]]) -> bool:
    """Whether some ``for`` target of ``data`` is the receiver of one of ``sends``."""
    receivers = {name for _, name in sends}
    return bool(receivers) and any(
        not receivers.isdisjoint(_NAME.findall(targets)) for targets in _LOOP_TARGETS.findall(data)
    )


def fan_out_defs(
    data: bytes, blocks: DefBlocks, sends: list[tuple[int, bytes]] | None = None
) -> Iterator[DefSpan]:
    """The ``def`` blocks whose own bodies (:meth:`DefBlocks.around`) may hold a fan-out: a
    ``for`` whose target receives a ``send*()`` in the same body (:class:`FanOut`); ``sends``:
    :func:`_send_receivers`, when already listed."""
    found = _send_receivers(data) if sends is None else sends
    # (a block's start, the receiver of a send its own body may hold)
    sending = {(block.start, name) for start, name in found for block in blocks.around(start)}
    if not sending:
        return
    for loop in _LOOP_TARGETS.finditer(data):
        names = _NAME.findall(loop.group(1))
        for block in blocks.around(loop.start()):
            if any((block.start, name) in sending for name in names):
                yield block


def _send_receivers(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(where the send starts, its receiver's first name)`` of every ``<name>.send*(`` and
    ``<name>.<attribute>.send*(`` call."""
    for call in _SEND_CALL.finditer(data):
        start = call.start()  # ``resend(`` is no send: no dot right before it
        found = _RECEIVER_BEFORE.search(data, max(0, start - RECEIVER_REACH), start)
        if found:
            yield start, found.group(1)


FAN_OUT = FanOut()
FAN_OUT_IN_ASYNC_DEF = FanOutInAsyncDef()


# ``def`` first, so that re scans for it as a literal (a pattern anchored at every line start
# is tried at every line); what comes before it on its line is looked at for each one found.
_DEF = re.compile(rb"def(?:[ \t]|\\\r?\n)+(" + IDENTIFIER + rb"+)")
_BEFORE_DEF = re.compile(rb"[ \t]*(?:async(?:[ \t]|\\\r?\n)+)?")
# ``async`` before a ``def`` (``async \`` may end the line before).
_ASYNC_BEFORE_DEF = re.compile(rb"async(?:[ \t]|\\\r?\n)+\Z")
_ASYNC_REACH = 64


class DefSpan(NamedTuple):
    """Where a ``def`` block lies in the bytes: from its line to the next ``def`` indented no
    deeper (``end``). The bytes hold the whole function and may run on (nested functions, code
    after it), unless a string spans lines that start like a shallower ``def``. The blocks of
    a file nest: one ends no later than the block around it."""

    name: bytes
    start: int
    end: int
    is_async: bool


def _def_spans(data: bytes) -> tuple[list[DefSpan], list[int], list[int]]:
    """The blocks, their indentations and the numbers of the blocks they are nested in (-1:
    none)."""
    found: list[tuple[bytes, int, bool]] = []
    ends: list[int] = []
    indents: list[int] = []
    parents: list[int] = []
    open_blocks: list[int] = []
    for match in _DEF.finditer(data):
        line = _def_line(data, match)
        if line is None:
            continue
        start, indent = line
        while open_blocks and indents[open_blocks[-1]] >= indent:
            ends[open_blocks.pop()] = start
        is_async = b"async" in data[start : match.start()] or (
            _ASYNC_BEFORE_DEF.search(data, max(0, match.start() - _ASYNC_REACH), match.start()) is not None
        )
        parents.append(open_blocks[-1] if open_blocks else -1)
        open_blocks.append(len(found))
        found.append((match.group(1), start, is_async))
        ends.append(len(data))
        indents.append(indent)
    spans = [DefSpan(name, start, end, is_async) for (name, start, is_async), end in zip(found, ends)]
    return spans, indents, parents


def _def_line(data: bytes, match: re.Match[bytes]) -> tuple[int, int] | None:
    """Where the line of a ``def`` found by :data:`_DEF` starts, and its indentation (None:
    the ``def`` does not open its line)."""
    start = data.rfind(b"\n", 0, match.start()) + 1
    before = _BEFORE_DEF.match(data, start, match.start())
    if before is None or before.end() != match.start():
        return None
    prefix = data[start : match.start()]
    return start, len(prefix[: len(prefix) - len(prefix.lstrip(b" \t"))].expandtabs())


@lru_cache(maxsize=16)
def _def_of(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"def(?:[ \t]|\\\r?\n)+" + re.escape(name) + rb"(?![\w\x80-\xff])")


def named_def_spans(data: bytes, name: bytes) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every ``def <name>`` block as :class:`DefSpan` reads it (from its
    line to the next ``def`` opening a line indented no deeper), without listing every block:
    only the ``def``s after it, up to that one, are looked at."""
    for match in _def_of(name).finditer(data):
        line = _def_line(data, match)
        if line is None:
            continue
        start, indent = line
        end = len(data)
        for following in _DEF.finditer(data, match.end()):
            other = _def_line(data, following)
            if other is not None and other[1] <= indent:
                end = other[0]
                break
        yield start, end


# A line where code may start: not blank, no comment, no closing bracket first.
_CODE_LINE = re.compile(rb"^[ \t]*(?=[^ \t\r\n\f#)\]}])", re.MULTILINE)


@lru_cache(maxsize=64)
def _no_deeper(indent: int) -> re.Pattern[bytes]:
    """A line of code (as :data:`_CODE_LINE`) indented by at most ``indent`` spaces."""
    return re.compile(rb"\n {0,%d}(?=[^ \t\r\n\f#)\]}])" % indent)


class DefBlocks:
    """A file's ``def`` blocks, to ask which function's own body (not a nested function's) may
    hold a position.

    A block's bytes may run on past its function (:class:`DefSpan`): after a nested function,
    the outer one's code reads as the nested one's. So each block is also known to end no
    earlier than its first line of code indented no deeper (a line in a string or in brackets
    may end it early): a position up to there surely lies in it, and past there, up to the
    block's end, in it or in a block around it.
    """

    def __init__(self, data: bytes) -> None:
        self.spans, self._indents, self._parents = _def_spans(data)
        self._data = data
        self._starts = [span.start for span in self.spans]
        self._header_ends = [_line_end(data, span.start) for span in self.spans]
        self._sure_ends: list[int | None] = [None] * len(self.spans)  # found when first asked
        if b"\t" in data or b"\f" in data or data.count(b"\r") != data.count(b"\r\n"):
            self._close_surely()  # indentation the line patterns do not read: every line, once

    def _sure_end(self, number: int) -> int:
        end = self._sure_ends[number]
        if end is None:  # the first line of code indented no deeper, in C
            line = _no_deeper(self._indents[number]).search(self._data, self._header_ends[number])
            found = line.start() + 1 if line else len(self._data)
            end = self._sure_ends[number] = min(self.spans[number].end, found)
        return end

    def _close_surely(self) -> None:
        following = 0  # the next block to open
        open_blocks: list[int] = []
        ends = [span.end for span in self.spans]
        for line in _CODE_LINE.finditer(self._data):
            start, indent = line.start(), len(line.group().expandtabs())
            while open_blocks and self._indents[open_blocks[-1]] >= indent:
                if start < self._header_ends[open_blocks[-1]]:
                    break  # the line of the ``def`` itself
                closed = open_blocks.pop()
                ends[closed] = min(start, ends[closed])
            while following < len(self.spans) and self._starts[following] <= start:
                open_blocks.append(following)
                following += 1
        self._sure_ends = list(ends)

    def around(self, position: int) -> list[DefSpan]:
        """The blocks whose own body may hold ``position``, innermost first (none: only code
        outside every function can)."""
        number = bisect.bisect_right(self._starts, position) - 1
        while number >= 0 and position >= self.spans[number].end:
            number = self._parents[number]
        found = []
        while number >= 0:
            found.append(self.spans[number])
            if self._header_ends[number] <= position < self._sure_end(number):
                break  # surely in this one: not in the blocks around it
            number = self._parents[number]
        return found

    def in_a_loop_of(self, block: DefSpan, position: int, loops: list[int]) -> bool:
        """Whether a loop keyword that ``block``'s own body may hold comes before ``position``:
        where the bytes at ``position`` may lie in that loop's body."""
        first = bisect.bisect_left(loops, block.start)
        last = bisect.bisect_left(loops, position)
        return any(block in self.around(loop) for loop in loops[first:last])


def _line_end(data: bytes, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end < 0 else end


# ``while`` and ``async for``: the loops of a broadcaster or of a change check (a ``for`` counts
# only inside one). In identifiers, strings and comments too, which only keeps a file. Apart,
# each starts with its literal, which re scans for (an alternation is tried at every byte).
_LOOP_KEYWORDS = (re.compile(rb"while"), re.compile(rb"async(?:[ \t]|\\\r?\n)+for"))


def loop_keywords(data: bytes) -> list[int]:
    """Where each ``while`` / ``async for`` starts, in order."""
    return sorted(match.start() for keyword in _LOOP_KEYWORDS for match in keyword.finditer(data))


def mentioned_in_a_coroutine_loop(data: bytes, names: Iterable[bytes]) -> bool:
    """Whether one of ``names`` occurs as a whole identifier in the loop of an ``async def``
    (:meth:`DefBlocks.in_a_loop_of`), as a call a broadcaster's loop makes does."""
    blocks: DefBlocks | None = None
    loops: list[int] = []
    for name in names:
        for position in whole_word_starts(data, name):
            if blocks is None:
                blocks, loops = DefBlocks(data), loop_keywords(data)
            if any(b.is_async and blocks.in_a_loop_of(b, position, loops) for b in blocks.around(position)):
                return True
    return False


def mentions(data: bytes, name: bytes) -> bool:
    """Whether ``name`` occurs in ``data`` as a whole identifier."""
    return any(True for _ in whole_word_starts(data, name))


def whole_word_starts(data: bytes, name: bytes) -> Iterator[int]:
    """Where ``name`` occurs in ``data`` as a whole identifier (a search for the name, its
    neighbours looked at: no pattern to compile for each of many names)."""
    start = data.find(name)
    while start >= 0:
        end = start + len(name)
        if (end == len(data) or data[end] not in IDENTIFIER_BYTES) and (
            start == 0 or data[start - 1] not in IDENTIFIER_BYTES
        ):
            yield start
        start = data.find(name, start + 1)
