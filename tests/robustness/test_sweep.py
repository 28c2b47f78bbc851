"""The sweep: wslint over the whole standard library and the test environment's site-packages.

Test suites and bad-syntax samples included (``test/tokenizedata/bad_coding*.py``,
``lib2to3/tests/data``): zero tracebacks, exit 0 or 1, every file that cannot be decoded (and
every unparsable file the prefilter lets through) reported as WSL000, and no WSL000 for a
file that is fine. Run it alone with ``python -m pytest -m sweep``.

site-packages can hold tens of thousands of files; to keep CI to a couple of minutes the
default run checks every fourth of its top-level packages (a fixed choice: the sorted names,
one in four). ``WSLINT_SWEEP_SITE_PACKAGES=all`` checks all of them.

The standard library may sit below a ``.gitignore`` that ignores it (pyenv keeps it under a
git checkout whose ``.gitignore`` lists ``/versions``): named on the command line, it is checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from wslint.core.options import Settings
from wslint.core.source import Unreadable, decode_source, parse_source
from wslint.driver.checking import relevance_for
from wslint.driver.discovery import discover

pytestmark = pytest.mark.sweep

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
EVERY_RULE = Settings().with_values({"select": ["WSL"]})
# What wslint says when its own analysis, not the file, failed: never expected here.
CRASH_REASONS = ("failed on this file", "analysis nested too deeply", "internal error")


def expected_wsl000(files: list[Path]) -> set[str]:
    """The files that must be WSL000: undecodable, or unparsable and past the prefilter."""
    expected = set()
    for path in files:
        try:
            data = path.read_bytes()
            text = decode_source(data)
        except Unreadable:
            expected.add(str(path))
            continue
        except OSError:
            continue
        if relevance_for(EVERY_RULE).codes(data):
            try:
                parse_source(text, str(path))
            except Unreadable:
                expected.add(str(path))
    return expected


def sweep(paths: list[Path], tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--select", "WSL", "--exit-zero", *map(str, paths)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stdout + process.stderr
    assert process.stderr == ""
    reported = {}
    for line in process.stdout.splitlines():
        path, _, _, rest = line.split(":", 3)
        code, _, message = rest.strip().partition(" ")
        if code == "WSL000":
            reported[path] = message
    files = list(discover(paths, Settings().exclude))
    assert len(files) > 100, f"only {len(files)} files found under {paths}"
    crashes = {
        path: message for path, message in reported.items() if any(r in message for r in CRASH_REASONS)
    }
    assert not crashes, crashes
    assert set(reported) == expected_wsl000(files)


def test_standard_library(tmp_path: Path) -> None:
    assert (STDLIB / "test" / "tokenizedata").is_dir() or (STDLIB / "test").is_dir()
    sweep([STDLIB], tmp_path)


def test_site_packages(tmp_path: Path) -> None:
    entries = sorted(
        entry
        for entry in SITE_PACKAGES.iterdir()
        if not entry.name.startswith((".", "__"))
        and (
            entry.suffix == ".py"
            or (entry.is_dir() and entry.suffix not in (".dist-info", ".egg-info", ".libs"))
        )
    )
    if os.environ.get("WSLINT_SWEEP_SITE_PACKAGES") != "all":
        entries = entries[::4]
    sweep(entries, tmp_path)


def test_standard_library_bad_samples_are_reported(tmp_path: Path) -> None:
    samples = STDLIB / "test" / "tokenizedata"
    if not samples.is_dir():
        pytest.skip("no test/tokenizedata in this Python")
    assert {p.name for p in samples.glob("bad_coding*.py")} <= {
        Path(p).name for p in expected_wsl000(list(samples.glob("*.py")))
    }
