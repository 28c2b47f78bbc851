"""The README's quick start shows what ``wslint examples/`` really prints."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wslint.cli import main

REPO = Path(__file__).parent.parent


def test_quick_start_output_is_what_the_command_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start") : readme.index("## What wslint checks")]
    shown = re.search(r"```text\n(.*?)```", quick_start, re.S)
    assert shown is not None
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("NO_COLOR", "1")
    status = main(["--no-cache", "examples" + os.sep])
    out = capsys.readouterr().out
    assert status == 1
    assert out == shown.group(1)
