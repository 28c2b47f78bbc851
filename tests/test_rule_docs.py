"""Every rule is documented in ruff's shape, and the README's table is generated from the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wslint.docs import rule_table
from wslint.engine.options import OPTIONS_BY_KEY
from wslint.fixes import FIXABLE
from wslint.rules import ALL_RULES
from wslint.rules.base import DOC_SECTIONS

README = Path(__file__).parent.parent / "README.md"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_rule_has_every_section(rule) -> None:
    sections = rule.sections()
    for title in DOC_SECTIONS:
        assert sections.get(title), f"{rule.code} lacks '## {title}'"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_a_rule_with_a_fix_documents_it_and_only_then(rule) -> None:
    fix = rule.sections().get("Fix")
    if rule.code not in FIXABLE:
        assert fix is None, f"{rule.code} documents a fix it does not have"
        return
    assert fix, f"{rule.code} has a fix but no '## Fix' section"
    safety = "Unsafe" if FIXABLE[rule.code] == "unsafe" else "Safe"
    assert fix.startswith(safety), f"{rule.code}'s Fix section must start by saying it is {safety.lower()}"
    titles = list(rule.sections())
    assert titles.index("Fix") > titles.index("Use instead"), "the fix comes after the example's repair"


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
