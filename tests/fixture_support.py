"""Reading fixture files: inline expectations (``# error: 9 WSL003``, ``// error: 12 WSL014`` in
client files) and option headers."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from wslint.core.options import Settings
from wslint.driver.client_stage import check_client_files
from wslint.driver.discovery import discover, discover_names
from wslint.driver.runner import SourceUnit, check_units

FIXTURES = Path(__file__).parent / "fixtures"
# ``# error: WSL003`` or, where the column matters, ``# error: 9 WSL003`` (1-based, as reported);
# several findings on one line are separated by commas: ``# error: 5 WSL008, 20 WSL008``.
EXPECTED_FINDING = r"(?:\d+\s+)?WSL\d{3}"
EXPECTATION = re.compile(rf"#\s*error:\s*({EXPECTED_FINDING}(?:\s*,\s*{EXPECTED_FINDING})*)")
# In client files (JavaScript / TypeScript), the same after ``//``: ``// error: 12 WSL014``.
CLIENT_EXPECTATION = re.compile(rf"//\s*error:\s*({EXPECTED_FINDING}(?:\s*,\s*{EXPECTED_FINDING})*)")
OPTIONS_HEADER = re.compile(r"^#\s*wslint-options:\s*(\{.*\})\s*$", re.MULTILINE)
# A case written in syntax newer than some supported Python holds only on the older ones.
PYTHON_BELOW = re.compile(r"^#\s*wslint-python-below:\s*(\d+)\.(\d+)\s*$", re.MULTILINE)


class Expected(NamedTuple):
    """A finding a fixture promises; ``column`` is None where the marker names no column."""

    file: str  # relative to the case
    line: int
    code: str
    column: int | None = None


def parse_marker(text: str) -> list[tuple[int | None, str]]:
    """The (column or None, code) pairs of a marker's text, ``9 WSL003, WSL004``."""
    pairs: list[tuple[int | None, str]] = []
    for item in re.split(r"\s*,\s*", text.strip()):
        *column, code = item.split()
        pairs.append((int(column[0]) if column else None, code))
    return pairs


Mismatch = tuple[list[Expected], list[Expected]]  # (missing, unexpected)


def compare(expected: Iterable[Expected], actual: Iterable[Expected]) -> Mismatch:
    """Markers against findings: a marker without a column accepts a finding at any column."""
    expected, actual = set(expected), set(actual)
    anywhere = {e[:3] for e in expected if e.column is None}
    found_anywhere = {a[:3] for a in actual}
    missing = [e for e in expected if (e not in actual if e.column else e[:3] not in found_anywhere)]
    unexpected = [a for a in actual if a not in expected and a[:3] not in anywhere]
    return sorted(missing, key=str), sorted(unexpected, key=str)


@dataclass(frozen=True)
class Case:
    """A fixture: one file, or a directory that is a whole project."""

    path: Path

    @property
    def root(self) -> Path:
        return self.path if self.path.is_dir() else self.path.parent

    @property
    def files(self) -> list[Path]:
        return sorted(discover([self.path], ())) if self.path.is_dir() else [self.path]

    @property
    def client_files(self) -> list[Path]:
        """The case's JavaScript / TypeScript files (a directory case's ``client/``)."""
        if not self.path.is_dir():
            return []
        found: list[str] = []
        list(discover_names([self.path], (), found))
        return sorted(Path(name) for name in found)

    @property
    def id(self) -> str:
        return self.path.relative_to(FIXTURES).as_posix()

    def settings(self) -> Settings:
        values: dict[str, object] = {}
        for file in self.files:
            for match in OPTIONS_HEADER.finditer(file.read_text(encoding="utf-8", errors="replace")):
                values.update(ast.literal_eval(match.group(1)))
        return Settings().with_values(values)

    def expected(self) -> set[Expected]:
        found = set()
        for file in (*self.files, *self.client_files):
            text = file.read_text(encoding="utf-8", errors="replace")
            marker = EXPECTATION if file.suffix == ".py" else CLIENT_EXPECTATION
            for number, line in enumerate(text.splitlines(), start=1):
                match = marker.search(line)
                if match:
                    for column, code in parse_marker(match.group(1)):
                        found.add(Expected(self._relative(file), number, code, column))
        return found

    def actual(self) -> set[Expected]:
        units = [SourceUnit(str(file), file.resolve()) for file in self.files]
        project_files = [file.resolve() for file in self.files]
        settings, root = self.settings(), self.root.resolve()
        report = check_units(units, settings, root, project_files)
        clients = [str(file) for file in self.client_files]
        report = check_client_files(clients, settings, root, project_files, None, report)
        return {Expected(self._relative(Path(f.path)), f.line, f.code, f.column) for f in report.findings}

    def _relative(self, file: Path) -> str:
        return file.relative_to(self.root).as_posix() if self.path.is_dir() else file.name


def all_cases() -> list[Case]:
    """Every fixture file or project directory under ``tests/fixtures/<group>/``."""
    cases = []
    for group in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(group.iterdir()):
            if entry.suffix == ".py" or (entry.is_dir() and not entry.name.startswith((".", "__"))):
                if _holds_on_this_python(entry):
                    cases.append(Case(entry))
    return cases


def _holds_on_this_python(entry: Path) -> bool:
    """False for a file whose ``# wslint-python-below: X.Y`` header excludes the running Python."""
    if not entry.is_file():
        return True
    below = PYTHON_BELOW.search(entry.read_text(encoding="utf-8", errors="replace"))
    return below is None or sys.version_info[:2] < (int(below.group(1)), int(below.group(2)))
