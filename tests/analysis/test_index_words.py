"""The project index's word index reads the words a ``\\b...\\b`` search would find."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wslint.analysis.index import WORD, words_of

SOURCE_BYTES = st.binary(max_size=200) | st.text(alphabet="ab_1 .\t\n(é#'\\", max_size=60).map(str.encode)


@given(SOURCE_BYTES)
def test_the_words_of_any_bytes_are_the_word_runs(data: bytes) -> None:
    assert words_of(data) == set(WORD.findall(data))
