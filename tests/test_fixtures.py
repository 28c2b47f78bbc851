"""Every fixture reports exactly the findings written inline in it."""

from __future__ import annotations

import re

import pytest
from fixture_support import (
    CLIENT_EXPECTATION,
    EXPECTATION,
    FIXTURES,
    Case,
    Expected,
    all_cases,
    compare,
    parse_marker,
)

from wslint.rules import ALL_RULES

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture_findings(case: Case) -> None:
    missing, unexpected = compare(case.expected(), case.actual())
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


RULE_DIRS = sorted(p for p in FIXTURES.iterdir() if re.fullmatch(r"wsl\d{3}", p.name) and p.name != "wsl000")


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=[p.name for p in RULE_DIRS])
def test_each_rule_has_five_firing_and_five_silent_cases(rule_dir) -> None:
    code = rule_dir.name.upper()
    cases = [Case(p) for p in rule_dir.iterdir() if p.suffix == ".py" or p.is_dir()]
    bad = [c for c in cases if c.path.name.startswith("bad_")]
    good = [c for c in cases if c.path.name.startswith("good_")]
    assert len(bad) >= 5 and len(good) >= 5
    for case in bad:
        assert any(e[2] == code for e in case.expected()), f"{case.id} expects no {code}"
    for case in good:
        assert not any(e[2] == code for e in case.expected()), f"{case.id} expects {code}"


def test_every_rule_with_a_check_has_fixtures() -> None:
    for rule in ALL_RULES:
        if rule.code != "WSL000":
            assert (FIXTURES / rule.code.lower()).is_dir(), f"no fixtures for {rule.code}"


def test_a_marker_names_a_column_where_it_matters() -> None:
    assert parse_marker("19 WSL002, WSL004") == [(19, "WSL002"), (None, "WSL004")]
    assert EXPECTATION.search("x = 1  # why  # error: 5 WSL008, 20 WSL008").group(1) == "5 WSL008, 20 WSL008"
    client_line = 'if (msg.type === "x_update") {  // error: 20 WSL014, WSL015'
    assert CLIENT_EXPECTATION.search(client_line).group(1) == "20 WSL014, WSL015"
    template = "const ws = new WebSocket(`${proto}//${host}/ws`);  // error: 12 WSL015"
    assert CLIENT_EXPECTATION.search(template).group(1) == "12 WSL015"


def test_a_marker_with_a_column_rejects_a_finding_elsewhere_on_its_line() -> None:
    at_five = Expected("a.py", 3, "WSL008", 5)
    at_nine = Expected("a.py", 3, "WSL008", 9)
    assert compare({at_five}, {at_nine}) == ([at_five], [at_nine])
    assert compare({at_five}, {at_five}) == ([], [])


def test_a_marker_without_a_column_accepts_any_column() -> None:
    anywhere = Expected("a.py", 3, "WSL008")
    found = {Expected("a.py", 3, "WSL008", 5), Expected("a.py", 3, "WSL008", 9)}
    assert compare({anywhere}, found) == ([], [])
    assert compare({anywhere}, set()) == ([anywhere], [])
    assert compare(set(), found) == ([], sorted(found, key=str))
