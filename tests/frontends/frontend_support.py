"""Shared by the front-end tests: fixture cases laid out as real projects, and running tools.

Each fixture case becomes its own project directory (a ``pyproject.toml`` marks its root and
carries the case's ``# wslint-options`` header as ``[tool.wslint]``), so every front end sees
the same projects the fixture runner checks. Cases without options are gathered under
``plain/`` and checked in one run; cases with options sit under ``configured/`` and are checked
one by one from their own directory, where the configuration is found.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fixture_support import Case, Expected, all_cases, compare

REPO = Path(__file__).resolve().parents[2]
# The OASIS schema (errata 01), as shipped next to the project; a copy travels with the tests.
SARIF_SCHEMA = next(
    path
    for path in (
        REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json",
        Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json",
    )
    if path.is_file()
)
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")

Row = tuple[str, int, int, str, str]  # (file relative to the project, line, column, code, message)


@dataclass(frozen=True)
class Project:
    """A fixture case copied into its own project directory."""

    case: Case
    root: Path

    @property
    def configured(self) -> bool:
        return self.root.parent.name == "configured"

    def expected(self) -> set[Expected]:
        return self.case.expected()

    def python_expected(self) -> set[Expected]:
        """What flake8 and pylint can report: they read Python files only, never the client's."""
        return {item for item in self.expected() if item.file.endswith(".py")}

    def unmatched(
        self, rows: set[Row], expected: set[Expected] | None = None
    ) -> tuple[list[Expected], list[Expected]]:
        """(missing, unexpected) of what a tool reported against the case's markers (or ``expected``)."""
        return compare(self.expected() if expected is None else expected, positions(rows))


def _slug(case: Case) -> str:
    return case.id.replace("/", "__").removesuffix(".py")


def toml_table(values: dict[str, object]) -> str:
    """``[tool.wslint]`` for an options header (strings, numbers and lists of strings)."""
    lines = ["[tool.wslint]"]
    for key, value in values.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def options_of(case: Case) -> dict[str, object]:
    import ast

    from fixture_support import OPTIONS_HEADER

    values: dict[str, object] = {}
    for file in case.files:
        for match in OPTIONS_HEADER.finditer(file.read_text(encoding="utf-8")):
            values.update(ast.literal_eval(match.group(1)))
    return values


# Unreadable files are the host tool's to report (flake8: E902/E999; pylint: fatal), and
# flake8 itself crashes on some of them (a coding cookie naming a non-text codec).
NOT_FOR_HOSTS = ("wsl000/",)


def materialize(dest: Path) -> list[Project]:
    """Every fixture case as a project under ``dest/plain`` or ``dest/configured``."""
    projects = []
    for case in all_cases():
        if case.id.startswith(NOT_FOR_HOSTS):
            continue
        options = options_of(case)
        root = dest / ("configured" if options else "plain") / _slug(case)
        if case.path.is_dir():
            shutil.copytree(case.path, root)
        else:
            root.mkdir(parents=True)
            shutil.copy2(case.path, root / case.path.name)
        (root / "pyproject.toml").write_text(toml_table(options) if options else "", encoding="utf-8")
        projects.append(Project(case, root))
    return projects


def run(
    command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def in_parallel(jobs: Sequence, function) -> list:  # type: ignore[no-untyped-def,type-arg]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(function, jobs))


def tool(name: str) -> list[str]:
    """A tool of the running interpreter's environment, started through that interpreter."""
    modules = {"flake8": "flake8", "pylint": "pylint", "pre-commit": "pre_commit", "wslint": "wslint"}
    return [sys.executable, "-m", modules[name]]


def parse_lines(output: str, base: Path, column_offset: int = 0) -> list[Row]:
    """``path:line:col: CODE message`` lines, paths made relative to ``base``."""
    rows = []
    for text in output.splitlines():
        match = LINE.match(text)
        if match is None:
            continue
        path = Path(os.path.normpath(base / match["path"]))
        rows.append(
            (
                path.as_posix(),
                int(match["line"]),
                int(match["column"]) + column_offset,
                match["code"],
                match["message"],
            )
        )
    return rows


def by_project(rows: Sequence[Row], projects: Sequence[Project]) -> dict[Path, set[Row]]:
    """Rows grouped by the project holding their file, paths made relative to its root."""
    grouped: dict[Path, set[Row]] = {project.root: set() for project in projects}
    for path, line, column, code, message in rows:
        file = Path(path)
        for root in grouped:
            if root in file.parents:
                grouped[root].add((file.relative_to(root).as_posix(), line, column, code, message))
                break
        else:
            raise AssertionError(f"finding outside every project: {path}")
    return grouped


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def cli_rows(project_root: Path) -> set[Row]:
    """What the standalone command reports for a project, run from its root (in process)."""
    from wslint.cli import main

    buffer = io.StringIO()
    with working_directory(project_root), contextlib.redirect_stdout(buffer):
        status = main(["--format", "json", "--no-cache", "."])
    assert status in (0, 1), f"wslint exited {status} in {project_root}"
    return {
        (Path(os.path.normpath(f["path"])).as_posix(), f["line"], f["column"], f["code"], f["message"])
        for f in json.loads(buffer.getvalue() or "[]")
    }


def python_rows(rows: set[Row]) -> set[Row]:
    """The rows about Python files: all that flake8 and pylint can report."""
    return {row for row in rows if row[0].endswith(".py")}


def positions(rows: set[Row]) -> set[Expected]:
    return {Expected(path, line, code, column) for path, line, column, code, _ in rows}
