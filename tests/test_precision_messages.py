"""What the findings of the precision cases say, not only where they are.

The fixture runner checks codes and lines; these cases also depend on the message's words:
the Python a newer syntax needs, the fix each message suggests.
"""

from __future__ import annotations

import pytest
from fixture_support import FIXTURES, Case, all_cases

CASES = {case.id: case for case in all_cases()}


def messages(case_id: str, code: str) -> list[str]:
    case = CASES.get(case_id) or Case(FIXTURES / case_id)
    units = case.files
    from wslint.engine.runner import SourceUnit, check_units

    report = check_units(
        [SourceUnit(str(f), f.resolve()) for f in units],
        case.settings(),
        case.root.resolve(),
        [f.resolve() for f in units],
    )
    return [f.message for f in report.findings if f.code == code]


NEWER = [case_id for case_id in CASES if case_id.startswith("wsl000/newer_syntax_")]


@pytest.mark.parametrize("case_id", NEWER)
def test_newer_syntax_names_the_python_it_needs(case_id: str) -> None:
    (message,) = messages(case_id, "WSL000")
    assert "Python 3.12 syntax" in message and "run wslint with the project's Python" in message


def test_a_plain_syntax_error_blames_no_python() -> None:
    (message,) = messages("wsl000/fstring_empty_braces.py", "WSL000")
    assert message.startswith("syntax error: ") and "Python" not in message
