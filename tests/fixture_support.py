"""Reading fixture files: inline expectations (``# error: WSL003``) and option headers."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from wslint.engine.discovery import discover
from wslint.engine.options import Settings
from wslint.engine.runner import SourceUnit, check_units

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTATION = re.compile(r"#\s*error:\s*(WSL\d{3}(?:\s*,\s*WSL\d{3})*)")
OPTIONS_HEADER = re.compile(r"^#\s*wslint-options:\s*(\{.*\})\s*$", re.MULTILINE)
# A case written in syntax newer than some supported Python holds only on the older ones.
PYTHON_BELOW = re.compile(r"^#\s*wslint-python-below:\s*(\d+)\.(\d+)\s*$", re.MULTILINE)

Expected = tuple[str, int, str]  # (file relative to the case, line, code)


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
        for file in self.files:
            text = file.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                match = EXPECTATION.search(line)
                if match:
                    for code in re.split(r"\s*,\s*", match.group(1)):
                        found.add((self._relative(file), number, code))
        return found

    def actual(self) -> set[Expected]:
        units = [SourceUnit(str(file), file.resolve()) for file in self.files]
        project_files = [file.resolve() for file in self.files]
        report = check_units(units, self.settings(), self.root.resolve(), project_files)
        return {(self._relative(Path(f.path)), f.line, f.code) for f in report.findings}

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
