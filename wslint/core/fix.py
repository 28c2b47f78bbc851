"""What a fix is: text edits to one file, safe or unsafe.

The types live here, below every layer, so that the output of the driver and the front ends can
show fixes; :mod:`wslint.fixes` computes them (and re-exports these names).
"""

from __future__ import annotations

from dataclasses import dataclass

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with ``content``.

    Lines and columns are 1-based and the end is exclusive, like a :class:`Finding`'s; columns
    count the line's UTF-8 bytes, as a finding's do. An insertion has an empty range.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    """A repair of one finding: whether it is safe, what it does, and its edits."""

    applicability: str  # "safe" | "unsafe"
    message: str  # what the fix does, imperative ("Await the broadcast")
    edits: tuple[Edit, ...]

    def applies(self, unsafe_fixes: bool) -> bool:
        """Whether ``--fix`` applies it (an unsafe fix only with ``--unsafe-fixes``)."""
        return self.applicability == SAFE or unsafe_fixes
