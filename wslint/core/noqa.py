"""``# noqa`` and ``# noqa: WSL003`` on the reported line, with flake8's semantics."""

from __future__ import annotations

import re
from collections.abc import Sequence

# flake8's own pattern: a code is letters then digits (``WSL003``, a prefix ``WSL00``), codes
# are separated by commas and/or whitespace.
NOQA = re.compile(
    r"#\s*noqa"
    r"(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


def is_suppressed(code: str, line: str, pattern: re.Pattern[str] = NOQA) -> bool:
    """Whether ``line`` carries a ``# noqa`` that covers ``code`` (codes match by prefix);
    ``pattern``: another comment marker's (a ``codes`` group, as :data:`NOQA`)."""
    if "noqa" not in line.lower():
        return False
    for match in pattern.finditer(line):
        codes = match.group("codes")
        if codes is None:
            return True
        wanted = [item.upper() for item in re.split(r"[,\s]+", codes) if item]
        if any(code.startswith(prefix) for prefix in wanted):
            return True
    return False


def suppressed_on(
    code: str, lines: Sequence[str], line_number: int, pattern: re.Pattern[str] = NOQA
) -> bool:
    """Whether the 1-based ``line_number`` of ``lines`` suppresses ``code`` (``pattern``: as for
    :func:`is_suppressed`)."""
    if 1 <= line_number <= len(lines):
        return is_suppressed(code, lines[line_number - 1], pattern)
    return False
