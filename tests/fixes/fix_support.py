"""Fix fixtures: ``tests/fixtures/wslNNN/fix_<case>.py`` and the text ``--fix --unsafe-fixes``
makes of it, ``fix_<case>.py.expected``, each checked as its own one-file project."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixture_support import FIXTURES, Case

FIX_CASES = sorted(FIXTURES.glob("wsl*/fix_*.py"))


def code_of(fixture: Path) -> str:
    return fixture.parent.name.upper()


def expected_of(fixture: Path) -> Path:
    return fixture.with_name(fixture.name + ".expected")


def as_project(fixture: Path, root: Path) -> Path:
    """``fixture`` copied alone into ``root``, which a ``setup.cfg`` makes a project."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "setup.cfg").write_text("", encoding="utf-8")
    copy = root / fixture.name
    shutil.copyfile(fixture, copy)
    return copy


def settings_of(fixture: Path):  # type: ignore[no-untyped-def]
    return Case(fixture).settings()
