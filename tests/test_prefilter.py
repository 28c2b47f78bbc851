"""The prefilter's promise: a file it skips cannot hold a finding under the configuration in force.

Every fixture (and a slice of the standard library) is checked twice, once as the command
does and once with every rule run on every file; the findings must be the same. The byte
patterns are checked against the analysis they stand in for.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fixture_support import Case, all_cases
from hypothesis import given
from hypothesis import strategies as st

from wslint.analysis.guards import name_parts
from wslint.engine import runner
from wslint.engine.options import Settings
from wslint.engine.prefilter import ASYNC_DEF, Relevance, keywords
from wslint.engine.runner import SourceUnit, check_units
from wslint.rules import selected_rules
from wslint.rules.wsl012_last_state_never_updated import REMEMBERED_ATTRIBUTE, REMEMBERED_WORDS

CASES = all_cases()


class EveryRule(Relevance):
    """No prefilter: every selected rule on every file."""

    def __init__(self, settings: Settings) -> None:
        self._all = tuple(
            rule.code for rule in selected_rules(settings.select, settings.ignore, settings.extend_select)
        )

    def codes(self, data: bytes) -> tuple[str, ...]:
        return self._all


def findings(files: list[Path], root: Path, settings: Settings) -> list[tuple[str, int, int, str]]:
    units = [SourceUnit(str(file), file.resolve()) for file in files]
    report = check_units(units, settings, root.resolve(), [file.resolve() for file in files])
    return [(f.path, f.line, f.column, f.code) for f in report.findings]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_skipped_files_hold_no_finding(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = case.settings()
    filtered = findings(case.files, case.root, settings)
    monkeypatch.setattr(runner, "relevance_for", EveryRule)
    assert findings(case.files, case.root, settings) == filtered


def test_skipped_standard_library_files_hold_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """asyncio's own package: real code that uses tasks, loops and ``async def`` everywhere."""
    package = Path(asyncio.__file__).parent
    files = sorted(package.glob("*.py"))
    settings = Settings()
    filtered = findings(files, package, settings)
    monkeypatch.setattr(runner, "relevance_for", EveryRule)
    assert findings(files, package, settings) == filtered


identifier_parts = st.sampled_from(
    [*REMEMBERED_WORDS, *(w.capitalize() for w in REMEMBERED_WORDS), *(w.upper() for w in REMEMBERED_WORDS),
     "x", "state", "State", "STATE", "value", "2", "_", "hold", "threshold", "older", "Cold", "LASTX"]
)


@given(st.lists(identifier_parts, min_size=1, max_size=4), st.sampled_from([".", " . ", ".\\\n    "]))
def test_remembered_attribute_pattern_covers_the_rule(parts: list[str], dot: str) -> None:
    """Wherever WSL012 would see a remembered ``self.<name>``, the byte pattern matches."""
    name = "".join(parts)
    if not name.isidentifier():
        return
    source = f"if current != self{dot}{name}:\n".encode()
    remembered = any(part in REMEMBERED_WORDS for part in name_parts(name))
    if remembered:
        assert REMEMBERED_ATTRIBUTE.search(source), name


@pytest.mark.parametrize(
    "source",
    [b"async def f(): ...", b"async  def f(): ...", b"async\tdef f(): ...", b"async \\\n def f(): ..."],
)
def test_async_def_as_python_spells_it(source: bytes) -> None:
    assert ASYNC_DEF.search(source)


@pytest.mark.parametrize("source", [b"asyncdef", b"# async\ndef f(): ...", b"async_def = 1"])
def test_async_def_is_not_found_where_there_is_none(source: bytes) -> None:
    assert not keywords("async def").search(source)
