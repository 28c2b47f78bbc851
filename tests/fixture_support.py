"""Reading fixture files: inline expectations (``# error: WSL003``, ``// error: WSL014`` in
client files) and option headers."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from wslint.client.stage import check_client_files
from wslint.engine.discovery import discover, discover_names
from wslint.engine.options import Settings
from wslint.engine.runner import SourceUnit, check_units

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTATION = re.compile(r"#\s*error:\s*(WSL\d{3}(?:\s*,\s*WSL\d{3})*)")
# In client files (JavaScript / TypeScript): ``// error: WSL014``.
CLIENT_EXPECTATION = re.compile(r"//\s*error:\s*(WSL\d{3}(?:\s*,\s*WSL\d{3})*)")
OPTIONS_HEADER = re.compile(r"^#\s*wslint-options:\s*(\{.*\})\s*$", re.MULTILINE)

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
                    for code in re.split(r"\s*,\s*", match.group(1)):
                        found.add((self._relative(file), number, code))
        return found

    def actual(self) -> set[Expected]:
        units = [SourceUnit(str(file), file.resolve()) for file in self.files]
        project_files = [file.resolve() for file in self.files]
        settings, root = self.settings(), self.root.resolve()
        report = check_units(units, settings, root, project_files)
        clients = [str(file) for file in self.client_files]
        report = check_client_files(clients, settings, root, project_files, None, report)
        return {(self._relative(Path(f.path)), f.line, f.code) for f in report.findings}

    def _relative(self, file: Path) -> str:
        return file.relative_to(self.root).as_posix() if self.path.is_dir() else file.name


def all_cases() -> list[Case]:
    """Every fixture file or project directory under ``tests/fixtures/<group>/``."""
    cases = []
    for group in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(group.iterdir()):
            if entry.suffix == ".py" or (entry.is_dir() and not entry.name.startswith((".", "__"))):
                cases.append(Case(entry))
    return cases
