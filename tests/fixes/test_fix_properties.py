"""Properties of ``--fix --unsafe-fixes``, on every must-fire fixture of a fixable rule and on
grammar-generated programs dropped into a broadcaster (hypothesmith, as the fuzzer does): the
fixed file parses, a file without a fixable finding is never changed, and fixing again changes
nothing.

For a long run: ``WSLINT_FUZZ_EXAMPLES=2000 python -m pytest tests/fixes/test_fix_properties.py``.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
import textwrap
import warnings
from pathlib import Path

import hypothesmith
import pytest
from fix_support import as_project
from fixture_support import FIXTURES, Case
from hypothesis import HealthCheck, given, settings

from wslint.core.options import Settings
from wslint.fixes import FIXABLE
from wslint.fixes.apply import fix_source
from wslint.fixes.verify import findings_of

MUST_FIRE = sorted(
    path
    for code in FIXABLE
    for path in (FIXTURES / code.lower()).glob("bad_*")
    if path.suffix == ".py" or path.is_dir()
)
EVERY_RULE = Settings().with_values({"select": ["WSL"]})
EXAMPLES = int(os.environ.get("WSLINT_FUZZ_EXAMPLES", "25"))


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError:
        return False
    return True


def check_fix_properties(path: Path, settings: Settings) -> int:
    """Fix ``path`` (a file of a project on disk) in memory; assert the properties; how many
    findings were fixed."""
    source = path.read_bytes().decode("utf-8")
    fixed, count = fix_source(source, str(path), settings, unsafe_fixes=True)
    assert parses(fixed), f"--fix broke {path.name}:\n{fixed}"
    if not any(f.code in FIXABLE for f in findings_of(source, str(path), settings)):
        assert (fixed, count) == (source, 0), "a file without a fixable finding was changed"
    path.write_bytes(fixed.encode("utf-8"))
    again, more = fix_source(fixed, str(path), settings, unsafe_fixes=True)
    assert (again, more) == (fixed, 0), "a second --fix changed the file"
    return count


@pytest.mark.parametrize("fixture", MUST_FIRE, ids=[p.relative_to(FIXTURES).as_posix() for p in MUST_FIRE])
def test_fix_on_must_fire_fixtures_parses_and_is_idempotent(fixture: Path, tmp_path: Path) -> None:
    settings = Case(fixture).settings()
    if fixture.is_dir():
        root = tmp_path / fixture.name
        shutil.copytree(fixture, root)
        (root / "setup.cfg").write_text("", encoding="utf-8")
        files = sorted(root.rglob("*.py"))
    else:
        files = [as_project(fixture, tmp_path)]
    for file in files:
        check_fix_properties(file, settings)


BROADCASTER = """\
import asyncio


class Feed:
    def __init__(self, manager):
        self.manager = manager
        self.last = None

    async def _broadcast_fuzz(self):
        while True:
{body}
            self.manager.broadcast({{"type": "fuzz_update", "data": 1}})
            await self.manager.broadcast({{"type": "fuzz_update", "data": self.fetch()}})
            await asyncio.sleep(5)

    async def start(self):
        asyncio.create_task(self._broadcast_fuzz())
"""


def as_broadcaster(program: str) -> str:
    body = textwrap.indent(program, " " * 12) if program.strip() else ""
    return BROADCASTER.format(body=body + "\n            pass" if body else "            pass")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
@given(hypothesmith.from_grammar())
def test_fix_on_grammar_generated_broadcasters(program: str) -> None:
    source = as_broadcaster(program)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "setup.cfg").write_text("", encoding="utf-8")
        path = root / "feed.py"
        path.write_bytes(source.encode("utf-8", "surrogatepass"))
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            return  # a lone surrogate: not a file anyone can write
        check_fix_properties(path, EVERY_RULE)


@settings(max_examples=max(5, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_fix_never_changes_a_program_without_findings(program: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "setup.cfg").write_text("", encoding="utf-8")
        path = root / "program.py"
        try:
            path.write_bytes(program.encode("utf-8"))
        except UnicodeEncodeError:
            return
        check_fix_properties(path, EVERY_RULE)


def test_the_broadcasters_own_findings_are_fixed(tmp_path: Path) -> None:
    """The programs above land in a broadcaster that has fixes of its own: they are exercised."""
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    path = tmp_path / "feed.py"
    path.write_text(as_broadcaster(""), encoding="utf-8")
    assert check_fix_properties(path, EVERY_RULE) == 3  # WSL002, WSL007, WSL008
