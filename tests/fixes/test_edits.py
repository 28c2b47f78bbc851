"""Edits between two texts: applied, they give the new text; their columns count UTF-8 bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslint.fixes import Edit
from wslint.fixes.edits import apply_edits, edits_between, offset_of, overlaps, position_of, source_lines

LINES = st.lists(
    st.text(alphabet=st.sampled_from(["a", "b", " ", "é", "😀", "\t", "#", "\x0c"]), max_size=6).map(
        lambda text: text + "\n"
    ),
    max_size=8,
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=200, deadline=None)
@given(LINES, LINES, ENDINGS)
def test_edits_turn_the_old_text_into_the_new(old: list[str], new: list[str], ending: str) -> None:
    before = "".join(old).replace("\n", ending)
    after = "".join(new).replace("\n", ending)
    assert apply_edits(before, edits_between(before, after)) == after


def test_columns_count_utf8_bytes_like_a_finding() -> None:
    before = 'x = "é"; m.broadcast(1)\n'
    after = 'x = "é"; await m.broadcast(1)\n'
    (edit,) = edits_between(before, after)
    assert edit == Edit(1, len('x = "é"; '.encode()) + 1, 1, len('x = "é"; '.encode()) + 1, "await ")


def test_an_insertion_at_the_end_of_the_file() -> None:
    (edit,) = edits_between("a = 1\n", "a = 1\nb = 2\n")
    assert edit == Edit(2, 1, 2, 1, "b = 2\n")
    assert position_of("a = 1\n", 6) == (2, 1) and offset_of("a = 1\n", 2, 1) == 6


def test_lines_end_where_pythons_tokenizer_ends_them() -> None:
    assert source_lines("a\r\nb\x0cc\rd") == ["a\r\n", "b\x0cc\r", "d"]


def test_overlapping_edits_are_told_and_refused() -> None:
    first = (Edit(2, 1, 2, 1, "x"),)
    assert overlaps(first, (Edit(2, 1, 2, 1, "y"),))  # two insertions at one place
    assert not overlaps(first, (Edit(3, 1, 3, 1, "y"),))
    with pytest.raises(ValueError):
        apply_edits("a\nb\nc\n", [Edit(1, 1, 2, 2, "x"), Edit(2, 1, 2, 1, "y")])
