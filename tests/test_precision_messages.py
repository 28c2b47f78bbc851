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
    from wslint.driver.runner import SourceUnit, check_units

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


def test_a_missing_type_is_suggested_from_the_broadcasters_name() -> None:
    (message,) = messages("wsl013/bad_missing_type_named_after_broadcaster.py", "WSL013")
    assert '"type": "orders_update"' in message and "queue_update" not in message


def test_the_start_advice_passes_the_broadcasters_parameters() -> None:
    (message,) = messages("wsl005/bad_never_started_takes_parameters.py", "WSL005")
    assert "asyncio.create_task(self._broadcast_prices(symbol, interval))" in message
    assert "PriceFeed.start()" in message


def test_a_dropped_task_message_gives_the_fix_show_source_gives() -> None:
    from wslint.rules.wsl008_task_reference_dropped import TaskReferenceDropped

    found = messages("wsl008/bad_event_loop_beside_project_wrapper.py", "WSL008")
    assert found
    for message in found:
        advice = message.split("so keep it in a set ", 1)[1]
        for step in ("`self._tasks.add(task)`", "`task.add_done_callback(self._tasks.discard)`", "TaskGroup"):
            assert step in advice and step in TaskReferenceDropped.fix


def test_the_docs_name_the_broadcasting_checklist_not_where_it_came_from() -> None:
    import re
    from pathlib import Path

    from wslint.rules import ALL_RULES

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    texts = {rule.code: rule.documentation() + rule.fix + rule.summary for rule in ALL_RULES}
    texts["README.md"] = readme.replace("tests/fixtures/seed/", "")
    for where, text in texts.items():
        assert not re.search(r"\bseed\b", text, re.IGNORECASE), where
