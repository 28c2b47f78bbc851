"""Command-line manners: one-line usage errors, a warning when nothing was checked, the summary
line on a terminal only, ``-o/--output-file``. The real command, as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from samples import FAST_POLLER
from terminal_support import on_terminal

from wslint.core.findings import Finding
from wslint.driver.output import render_summary

CLEAN = FAST_POLLER.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    return tmp_path


def command(*args: str, cwd: Path) -> tuple[int, str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    result = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        timeout=60,
        env=environment,
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "Traceback" not in out + err
    return result.returncode, out, err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--format", "xml", "."], "xml"),
        (["--jobs", "0", "."], "--jobs"),
        (["--explain", "WSL999"], "WSL999"),
        (["--frobnicate"], "--frobnicate"),
        (["--min-interval"], "--min-interval"),
        (["--select", "WSL9", "."], "WSL9"),
    ],
)
def test_usage_errors_are_one_line_exit_2(project: Path, args: list[str], names: str) -> None:
    status, out, err = command(*args, cwd=project)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("wslint: error: ") and names in err
    assert "Usage:" not in err and "--help" not in err


def test_no_file_checked_warns_and_exits_0(project: Path) -> None:
    (project / "empty").mkdir()
    (project / "empty" / "notes.txt").write_text("not python\n", encoding="utf-8")
    status, out, err = command("empty", cwd=project)
    assert (status, out) == (0, "")
    assert err == "wslint: warning: no Python files to check in empty\n"


def test_summary_on_a_terminal_with_findings(project: Path) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    (project / "b.py").write_text(FAST_POLLER, encoding="utf-8")
    (project / "c.py").write_text(CLEAN, encoding="utf-8")
    status, shown = on_terminal(["."], project)
    assert status == 1
    assert shown.splitlines()[-1] == "Found 2 findings in 2 files."
    assert len(shown.splitlines()) == 3


def test_summary_on_a_terminal_when_clean(project: Path) -> None:
    (project / "c.py").write_text(CLEAN, encoding="utf-8")
    assert on_terminal(["."], project) == (0, "All checks passed.\n")


@pytest.mark.parametrize("output_format", ["json", "github", "sarif"])
def test_no_summary_in_machine_formats_on_a_terminal(project: Path, output_format: str) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    status, shown = on_terminal(["--format", output_format, "."], project)
    assert status == 1
    assert "Found 1 finding" not in shown and "All checks passed" not in shown


def test_no_summary_when_piped(project: Path) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    status, out, err = command(".", cwd=project)
    assert status == 1 and err == ""
    assert len(out.splitlines()) == 1 and "WSL003" in out
    (project / "a.py").write_text(CLEAN, encoding="utf-8")
    assert command(".", cwd=project) == (0, "", "")


def test_summary_line_counts_and_fixable() -> None:
    one = Finding("a.py", 1, 1, "WSL003", "m")
    assert render_summary([]) == "All checks passed."
    assert render_summary([one]) == "Found 1 finding in 1 file."
    assert render_summary([one, Finding("a.py", 2, 1, "WSL004", "m")]) == "Found 2 findings in 1 file."
    assert render_summary([one, Finding("b.py", 2, 1, "WSL004", "m")], fixable=1) == (
        "Found 2 findings in 2 files (1 fixable with --fix)."
    )


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_output_file(project: Path, output_format: str) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    status, out, err = command("--format", output_format, "-o", "report.out", ".", cwd=project)
    assert (status, out, err) == (1, "", "")
    written = (project / "report.out").read_text(encoding="utf-8")
    if output_format == "json":
        assert [finding["code"] for finding in json.loads(written)] == ["WSL003"]
    else:
        assert written.startswith("a.py:") and "WSL003" in written and "\x1b" not in written


def test_output_file_on_a_terminal_has_no_summary_nor_colour(project: Path) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    status, shown = on_terminal(["--output-file", "report.txt", "."], project)
    assert (status, shown) == (1, "")
    written = (project / "report.txt").read_text(encoding="utf-8")
    assert "WSL003" in written and "Found" not in written and "\x1b" not in written


def test_output_file_that_cannot_be_written(project: Path) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    status, out, err = command("-o", "missing/folder/report.txt", ".", cwd=project)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "missing/folder/report.txt" in err


def test_source_from_stdin_never_stands_for_the_file_in_the_cache(project: Path) -> None:
    """Findings of text read from stdin (an editor's buffer) are cached by its hash only: a later
    run over the unchanged file on disk reads it rather than trust them."""
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    time.sleep(2.1)  # the file's change time settled: the cache would trust a stamped stat
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    piped = subprocess.run(
        [sys.executable, "-m", "wslint", "--stdin-filename", "a.py", "-"],
        input=CLEAN.encode(),
        cwd=project,
        capture_output=True,
        timeout=60,
        env=environment,
    )
    assert (piped.returncode, piped.stdout) == (0, b"")
    on_disk = subprocess.run(
        [sys.executable, "-m", "wslint", "a.py"],
        cwd=project,
        capture_output=True,
        timeout=60,
        env=environment,
    )
    assert on_disk.returncode == 1 and b"WSL003" in on_disk.stdout
