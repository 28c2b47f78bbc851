"""Every rule's "Use instead" example is code wslint itself finds nothing wrong with.

A documented fix that draws a finding (its own rule's or another's) teaches the mistake it
means to cure. Each example is checked as a file of its own project, through the command line
with every rule selected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wslint.cli import main
from wslint.rules import ALL_RULES

CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
EXAMPLES = [
    (rule.code, number, block)
    for rule in ALL_RULES
    for number, block in enumerate(CODE_BLOCK.findall(rule.sections().get("Use instead", "")))
]


def test_every_rule_but_the_unreadable_file_shows_what_to_write_instead() -> None:
    documented = {code for code, _, _ in EXAMPLES}
    assert documented == {rule.code for rule in ALL_RULES}


@pytest.mark.parametrize(("code", "number", "source"), EXAMPLES, ids=[f"{c}-{n}" for c, n, _ in EXAMPLES])
def test_use_instead_example_lints_clean(
    code: str, number: int, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wslint]\nselect = ["WSL"]\n', encoding="utf-8")
    (tmp_path / "example.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status = main(["--no-cache", "--format", "json", "example.py"])
    findings = json.loads(capsys.readouterr().out or "[]")
    assert status == 0, "\n".join(f"{f['line']}: {f['code']} {f['message']}" for f in findings)
