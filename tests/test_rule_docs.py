"""Every rule is documented in ruff's shape, and the README's table is generated from the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wslint.core.options import OPTIONS_BY_KEY
from wslint.docs import rule_table
from wslint.rules import ALL_RULES
from wslint.rules.base import DOC_SECTIONS

README = Path(__file__).parent.parent / "README.md"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_rule_has_every_section(rule) -> None:
    sections = rule.sections()
    for title in DOC_SECTIONS:
        assert sections.get(title), f"{rule.code} lacks '## {title}'"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_rule_options_exist_and_are_documented(rule) -> None:
    documented = re.findall(r"`([a-z-]+)`", rule.sections().get("Options", ""))
    assert sorted(documented) == sorted(rule.options)
    for key in rule.options:
        assert key in OPTIONS_BY_KEY, f"{rule.code} names unknown option {key}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_rule_metadata(rule) -> None:
    assert re.fullmatch(r"WSL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
    assert rule.summary and rule.fix
    assert rule.__module__.rsplit(".", 1)[-1] == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"


def test_readme_rule_table_is_generated_from_the_rules() -> None:
    assert rule_table() in README.read_text(encoding="utf-8")
