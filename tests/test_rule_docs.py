"""Every rule is documented in ruff's shape, and the README's table is generated from the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wslint.core.options import OPTIONS_BY_KEY
from wslint.docs import rule_table
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


RULE_PAGES = Path(__file__).parent.parent / "docs" / "rules"


def test_rule_pages_are_generated_from_the_rules() -> None:
    """``python -m wslint.docs --pages docs/rules`` has been run since a rule's documentation changed."""
    from wslint.docs import pages

    expected = pages()
    stored = {path.name: path.read_text(encoding="utf-8") for path in RULE_PAGES.glob("*.md")}
    assert sorted(stored) == sorted(expected) == ["README.md", *(f"{rule.code}.md" for rule in ALL_RULES)]
    for name, text in expected.items():
        assert stored[name] == text, f"docs/rules/{name} is stale: python -m wslint.docs --pages docs/rules"


def test_rule_page_holds_the_documentation(tmp_path: Path) -> None:
    from wslint.docs import write_pages

    (tmp_path / "WSL999.md").write_text("a rule that is gone\n", encoding="utf-8")
    written = write_pages(tmp_path)
    assert len(written) == len(ALL_RULES) + 1 and not (tmp_path / "WSL999.md").exists()
    assert "| [WSL003](WSL003.md) | `poll-interval-too-short` |" in (tmp_path / "README.md").read_text()
    page = (tmp_path / "WSL003.md").read_text(encoding="utf-8")
    assert page.splitlines()[2] == "# WSL003: `poll-interval-too-short`"
    for title in DOC_SECTIONS:
        assert f"## {title}" in page
    assert write_pages(tmp_path) == []  # up to date: nothing rewritten
