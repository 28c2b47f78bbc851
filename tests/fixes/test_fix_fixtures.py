"""Every fix fixture becomes its ``.expected`` text, byte for byte, and is clean for its rule
afterwards (a ``fix_refused_<case>.py`` stays as it is: its fix would change another finding);
every fixable rule has fix fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fix_support import FIX_CASES, as_project, code_of, expected_of, settings_of
from fixture_support import FIXTURES

from wslint.fixes import FIXABLE
from wslint.fixes.apply import fix_source
from wslint.fixes.verify import findings_of

REWRITE = os.environ.get("WSLINT_WRITE_EXPECTED") == "1"  # to write new cases' expectations


@pytest.mark.parametrize("fixture", FIX_CASES, ids=[p.relative_to(FIXTURES).as_posix() for p in FIX_CASES])
def test_fix_fixture_becomes_its_expected_text(fixture: Path, tmp_path: Path) -> None:
    copy = as_project(fixture, tmp_path)
    settings = settings_of(fixture)
    source = copy.read_bytes().decode("utf-8")
    code = code_of(fixture)
    before = [f.code for f in findings_of(source, str(copy), settings)]
    assert code in before, f"{fixture.name} has no {code} to fix"
    fixed, count = fix_source(source, str(copy), settings, unsafe_fixes=True, codes={code})
    if REWRITE:
        expected_of(fixture).write_bytes(fixed.encode("utf-8"))
    assert fixed.encode("utf-8") == expected_of(fixture).read_bytes()  # byte for byte
    if fixture.name.startswith("fix_refused_"):  # the fix would change another finding
        assert (fixed, count) == (source, 0)
        return
    assert count == before.count(code)
    after = [f.code for f in findings_of(fixed, str(copy), settings)]
    assert code not in after
    # Only the rule's findings went: the others are all still there.
    assert sorted(after) == sorted(c for c in before if c != code)


def test_every_fix_fixture_has_its_expected_text_and_back() -> None:
    expected = sorted(FIXTURES.glob("wsl*/fix_*.py.expected"))
    assert [expected_of(p) for p in FIX_CASES] == expected


@pytest.mark.parametrize("code", sorted(FIXABLE))
def test_every_fixable_rule_has_fix_fixtures(code: str) -> None:
    assert any(code_of(p) == code for p in FIX_CASES), f"no fix_*.py fixture for {code}"


# Runs a fixed fixture's module body (definitions only: the fixtures start nothing at import),
# where every module it imports is installed: what a fix adds at module level must run.
RUN_MODULE = """
import ast, importlib.util, runpy, sys
path = sys.argv[1]
tree = ast.parse(open(path, encoding="utf-8").read())
for node in ast.walk(tree):
    names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
        [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
    for name in names:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            print("skipped", name)
            sys.exit(0)
runpy.run_path(path, run_name="fixed_fixture")
print("ran")
"""


@pytest.mark.parametrize("fixture", FIX_CASES, ids=[p.relative_to(FIXTURES).as_posix() for p in FIX_CASES])
def test_fixed_fixture_module_runs(fixture: Path, tmp_path: Path) -> None:
    fixed = tmp_path / fixture.name
    fixed.write_bytes(expected_of(fixture).read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", RUN_MODULE, str(fixed)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] in ("ran", "skipped")
