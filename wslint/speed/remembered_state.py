"""Remembered state that only ``__init__`` stores (:class:`wslint.core.needs.StateStoredOnlyInInit`),
told from the bytes: the file is parsed for WSL012's reading only where such an attribute may
be compared in a loop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from wslint.analysis.assignments import READ_ONLY_METHODS
from wslint.analysis.guards import name_parts
from wslint.core.vocabulary import IDENTIFIER
from wslint.speed.byte_tests import (
    ByteTest,
    DefBlocks,
    loop_keywords,
    matching_bracket,
    named_def_spans,
    shortest_literals,
    whole_word_starts,
)

# ``self.<name>`` as Python spells it (``self . x``, ``self.\<newline>x``); ``myself.x`` too,
# which only costs a parse.
_SELF_ATTRIBUTE = re.compile(rb"self(?:\s|\\)*\.(?:\s|\\)*(" + IDENTIFIER + rb"+)")


class StateStoredOnlyInInit(ByteTest):
    """A remembered attribute (``self.last_status``) that an ``__init__`` may assign and that
    the bytes never write anywhere else. A write elsewhere (``x.last_status = ...``, ``+=``,
    ``x.last_status[key] = ...``, ``x.last_status.append(...)``, in another function or
    outside every function) updates the state whatever object it is on (see :func:`_updated`),
    so such an attribute is never a finding; nor is one ``__init__`` only calls
    (``self._fill_cache()``: a method), nor one no loop compares (every mention comes before
    any ``while`` / ``async for`` of its own ``def`` block). Writes in a comment or a string
    are not counted (a string is told by the quotes before it on its line and by the triple
    quotes before it in the file), nor those the bytes cannot tell (``del``, a subscript
    spanning lines): either only keeps the file."""

    costly = True

    literals = (b"self",)

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self._words_bytes = re.compile(b"|".join(shortest_literals(word.encode() for word in words)))
        self._remembered_bytes = lru_cache(maxsize=4096)(self._remembered_name)

    def _remembered_name(self, name: bytes) -> bool:
        """Whether the attribute's name holds a remembered word (``last_status``)."""
        if name.isascii() and not self._words_bytes.search(name.lower()):
            return False  # most names: no remembered word anywhere in them
        try:
            return any(part in self.words for part in name_parts(name.decode()))
        except UnicodeDecodeError:
            return True  # another encoding: the file is parsed to tell

    def search_where_present(self, data: bytes) -> bool:
        # The names an ``__init__`` may assign: mentioned in one's bytes (nested functions too),
        # and written nowhere else that is surely outside every ``__init__`` (a cheap first look).
        inits = list(named_def_spans(data, b"__init__"))
        names = {
            name
            for start, end in inits
            for name in set(_SELF_ATTRIBUTE.findall(data, start, end))
            if self._remembered_bytes(name) and not _written_outside(data, name, inits)
        }
        if not names:
            return False
        blocks = DefBlocks(data)  # every name is mentioned: each one's mentions are placed
        loops = loop_keywords(data)
        return any(_may_stay_as_initialised(data, name, blocks, loops) for name in sorted(names))

    def __repr__(self) -> str:
        return f"StateStoredOnlyInInit({self.words!r})"


_GAP = rb"(?:\s|\\)*"
_ASSIGNED = re.compile(rb"(?:[ \t]|\\\r?\n)*(?:\*\*|//|>>|<<|[-+*/%&|^@])?=(?!=)")
_CALLED = re.compile(_GAP + rb"\(")
_METHOD_CALLED = re.compile(_GAP + rb"\." + _GAP + rb"(" + IDENTIFIER + rb"+)" + _GAP + rb"\(")
_SUBSCRIPTED = re.compile(rb"[ \t]*\[")
_SELF_BEFORE = re.compile(rb"(?:^|[^\w\x80-\xff.])self" + _GAP + rb"$")


def _may_stay_as_initialised(data: bytes, name: bytes, blocks: DefBlocks, loops: list[int]) -> bool:
    """Whether ``self.<name>`` may be assigned in an ``__init__``, written nowhere else and
    compared in a loop: mentioned after a loop keyword of its own function."""
    initialised = in_a_loop = False
    for position, end in _attribute_mentions(data, name):
        around = blocks.around(position)
        if any(block.name == b"__init__" for block in around):
            # Any mention not called (a string or a comment too: it only keeps the file).
            if not initialised and not _CALLED.match(data, end):
                initialised = _SELF_BEFORE.search(data, max(0, position - 200), position) is not None
        elif _written_after(data, end) and _in_code(data, position):  # the count over the file last
            return False
        if not in_a_loop:
            in_a_loop = any(blocks.in_a_loop_of(block, position, loops) for block in around)
    return initialised and in_a_loop


def _written_outside(data: bytes, name: bytes, spans: list[tuple[int, int]]) -> bool:
    """Whether ``self.<name>`` is written (:func:`_written_after`) in code outside ``spans``."""
    return any(
        _written_after(data, end)
        and not any(start <= position < stop for start, stop in spans)
        and _in_code(data, position)
        for position, end in _attribute_mentions(data, name)
    )


def _attribute_mentions(data: bytes, name: bytes) -> Iterator[tuple[int, int]]:
    """``(where its dot is, where it ends)`` of every ``.<name>`` (``. name`` too) in ``data``."""
    for start in whole_word_starts(data, name):
        dot = start - 1
        while dot >= 0 and data[dot] in b" \t\r\n\\":
            dot -= 1
        if dot >= 0 and data[dot] == ord("."):
            yield dot, start + len(name)


def _written_after(data: bytes, end: int) -> bool:
    """Whether the attribute mention ending at ``end`` is written: assigned, assigned through
    a subscript, or the receiver of a method that is not known to only read."""
    if _ASSIGNED.match(data, end):
        return True
    method = _METHOD_CALLED.match(data, end)
    if method:
        return method.group(1).decode("ascii", "replace") not in READ_ONLY_METHODS
    subscript = _SUBSCRIPTED.match(data, end)
    if subscript:
        closing = matching_bracket(data, subscript.end() - 1)
        return closing is not None and _ASSIGNED.match(data, closing + 1) is not None
    return False


def _in_code(data: bytes, position: int) -> bool:
    """Whether ``position`` is surely outside comments and strings: nothing on its line before
    it opens one, and an even number of triple quotes of each kind comes before it."""
    line = data[data.rfind(b"\n", 0, position) + 1 : position]
    if any(quote in line for quote in (b"#", b'"', b"'")):
        return False
    return data.count(b'"""', 0, position) % 2 == 0 and data.count(b"'''", 0, position) % 2 == 0
