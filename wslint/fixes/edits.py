"""Text edits: the smallest edits that turn one source into another, and applying edits.

Positions are 1-based lines and columns counting UTF-8 bytes (as a finding's), so an edit's
columns need converting wherever a line holds non-ASCII text before them.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Sequence

from wslint.fixes import Edit


def edits_between(old: str, new: str) -> tuple[Edit, ...]:
    """Edits turning ``old`` into ``new``: one per changed run of lines, trimmed to the
    characters that differ."""
    old_lines = source_lines(old)
    new_lines = source_lines(new)
    starts = _line_starts(old_lines)
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        prefix = _common_prefix(removed, added)
        suffix = _common_suffix(removed[prefix:], added[prefix:])
        start = starts[i1] + prefix
        end = starts[i1] + len(removed) - suffix
        line, column = position_of(old, start)
        end_line, end_column = position_of(old, end)
        edits.append(Edit(line, column, end_line, end_column, added[prefix : len(added) - suffix]))
    return tuple(edits)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` (which must not overlap) applied."""
    spans = sorted(
        ((offset_of(text, e.line, e.column), offset_of(text, e.end_line, e.end_column), e) for e in edits),
        key=lambda span: (span[0], span[1]),
    )
    pieces = []
    cursor = 0
    for start, end, edit in spans:
        if start < cursor:
            raise ValueError("overlapping edits")
        pieces.append(text[cursor:start])
        pieces.append(edit.content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def overlaps(first: Sequence[Edit], second: Sequence[Edit]) -> bool:
    """Whether any edit of ``first`` touches any of ``second`` (two insertions at one place
    count: their order would be arbitrary)."""
    for a in first:
        for b in second:
            a_start, a_end = (a.line, a.column), (a.end_line, a.end_column)
            b_start, b_end = (b.line, b.column), (b.end_line, b.end_column)
            if a_start <= b_end and b_start <= a_end:
                return True
    return False


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The (line, byte column) of character ``offset`` of ``text``, both 1-based."""
    starts = _line_starts(source_lines(text))
    index = bisect.bisect_right(starts, offset) - 1
    index = min(index, len(starts) - 1)
    line_start = starts[index]
    return index + 1, len(text[line_start:offset].encode("utf-8", "surrogatepass")) + 1


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of (line, byte column), both 1-based; past the end is the end."""
    starts = _line_starts(source_lines(text))
    if line > len(starts) - 1:
        return len(text)
    start = starts[line - 1]
    end = starts[line]
    raw = text[start:end].encode("utf-8", "surrogatepass")[: column - 1]
    return start + len(raw.decode("utf-8", "surrogatepass"))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(text: str) -> list[str]:
    """``text``'s lines with their ends, split where Python's tokenizer splits them (a form
    feed or a vertical tab, which ``str.splitlines`` splits on, ends no line)."""
    return _LINE.findall(text)


def _line_starts(lines: Sequence[str]) -> list[int]:
    """The offset where each line starts, then the end of the text."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


def _common_suffix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        count += 1
    return count
