"""Deterministic output and a result cache that can be trusted.

Output is byte-identical whatever ``--jobs`` is and from one run to the next, over a realistic
multi-file project (the fixture corpus). The cache (``.wslint_cache/`` by default) survives
truncated and garbage entries, two runs writing it at once, and is invalidated by a change of
a file, of the configuration or of wslint's version.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from time import time_ns

import pytest

import wslint
from wslint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FAST = (
    "import asyncio\n\n\nasync def _broadcast_x(m):\n    while True:\n"
    "        await m.broadcast({'type': 'x'})\n        await asyncio.sleep(%s)\n\n\n"
    "async def start(m):\n    return asyncio.create_task(_broadcast_x(m))\n"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "project"
    shutil.copytree(FIXTURES, root)
    (root / ".git").mkdir()
    return root


def command(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wslint", "--select", "WSL", *args],
        cwd=root,
        capture_output=True,
        timeout=600,
    )


def test_identical_bytes_for_any_jobs_and_across_runs(corpus: Path) -> None:
    outputs = {}
    runs = (("1", "text"), ("2", "text"), ("4", "text"), ("4", "text"), ("1", "json"), ("4", "json"))
    for jobs, output_format in runs:
        process = command(corpus, "--no-cache", "--jobs", jobs, "--format", output_format, ".")
        assert process.returncode == 1 and process.stderr == b"", process.stderr
        outputs.setdefault(output_format, set()).add(process.stdout)
    assert len(outputs["text"]) == 1 and len(outputs["json"]) == 1
    assert outputs["text"].pop().count(b"\n") > 50


def test_cached_and_uncached_runs_are_identical(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    uncached = command(corpus, "--no-cache", ".")
    cold = command(corpus, "--cache-dir", str(cache), ".")
    warm = command(corpus, "--cache-dir", str(cache), "--jobs", "2", ".")
    assert uncached.stdout == cold.stdout == warm.stdout and uncached.returncode == warm.returncode == 1


# -- the result cache --------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "feed.py").write_text(FAST % "0.1")
    (tmp_path / "other.py").write_text(FAST % "0.2")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["--jobs", "1", "--select", "WSL003", *args])
    out, err = capsys.readouterr()
    assert err == "", err
    return status, out


def cache_files(project: Path) -> list[Path]:
    directory = project / ".wslint_cache"
    if not directory.is_dir():
        pytest.xfail("the result cache is not implemented yet")
    markers = ("README", "CACHEDIR.TAG", ".gitignore")
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name not in markers)


def test_cache_is_written_in_the_default_directory(project: Path, capsys) -> None:
    first = run(capsys, ".")
    assert cache_files(project), "no cache entry written"
    assert run(capsys, ".") == first and first[0] == 1


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "binary", "wrong-json"])
def test_corrupt_entries_are_ignored_and_rebuilt(project: Path, capsys, damage: str) -> None:
    expected = run(capsys, ".")
    entries = cache_files(project)
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(
            {
                "truncate": data[: len(data) // 2],
                "garbage": b"this is not a cache entry",
                "empty": b"",
                "binary": bytes(range(256)) * 4,
                "wrong-json": b'{"project": 1, "files": {"x": {"hash": null, "findings": [{"line": "a"}]}}}',
            }[damage]
        )
    assert run(capsys, ".") == expected
    rebuilt = cache_files(project)
    assert rebuilt and all(entry.read_bytes() != b"this is not a cache entry" for entry in rebuilt)
    assert run(capsys, ".") == expected


def test_poisoned_entry_with_valid_shape_for_another_content_is_not_used(project: Path, capsys) -> None:
    expected = run(capsys, ".")
    cache_files(project)
    (project / "feed.py").write_text(FAST % "5.0")
    status, out = run(capsys, ".")
    assert "feed.py" not in out and "other.py" in out and out != expected[1]


def test_two_runs_writing_at_the_same_time(project: Path) -> None:
    for index in range(30):
        (project / f"module_{index:02}.py").write_text(FAST % f"0.{index + 1:02}")
    expected = command(project, "--no-cache", ".").stdout
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "wslint", "--select", "WSL", "--jobs", jobs, "."],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for jobs in ("1", "2", "1")
    ]
    results = [process.communicate(timeout=600) for process in runs]
    for out, err in results:
        assert (out, err) == (expected, b"")
    cache_files(project)
    again = command(project, ".")
    assert (again.stdout, again.stderr) == (expected, b"")


def test_changed_file_invalidates_its_entry(project: Path, capsys) -> None:
    assert "feed.py:7" in run(capsys, ".")[1]
    cache_files(project)
    (project / "feed.py").write_text(FAST % "3.0")
    status, out = run(capsys, ".")
    assert "feed.py" not in out and "other.py:7" in out


def test_same_size_same_mtime_edit_invalidates_its_entry(project: Path, capsys) -> None:
    """A content hash, not only size and mtime: `git checkout` can keep both."""
    import os

    path = project / "feed.py"
    before = path.stat()
    assert "feed.py:7" in run(capsys, ".")[1]
    cache_files(project)
    path.write_text(FAST % "9.9")  # same length as 0.1
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "feed.py" not in run(capsys, ".")[1]


def test_changed_configuration_invalidates(project: Path, capsys) -> None:
    assert run(capsys, ".")[1].count("WSL003") == 2
    cache_files(project)
    (project / "pyproject.toml").write_text("[tool.wslint]\nmin-interval = 0.15\n")
    status, out = run(capsys, ".")
    assert "other.py" not in out and "feed.py:7" in out
    (project / "pyproject.toml").write_text("[tool.wslint]\nmin-interval = 0.05\n")
    assert run(capsys, ".") == (0, "")
    assert run(capsys, "--min-interval", "1")[1].count("WSL003") == 2


def test_changed_version_invalidates(project: Path, capsys, monkeypatch) -> None:
    """A new release may report differently: simulate one whose WSL003 says nothing."""
    from wslint.rules import RULES_BY_CODE

    assert run(capsys, ".")[1].count("WSL003") == 2
    cache_files(project)
    monkeypatch.setattr(RULES_BY_CODE["WSL003"], "check", lambda self, context: iter(()))
    assert run(capsys, ".")[1].count("WSL003") == 2, "the cache answers while the version is the same"
    old = wslint.__version__
    new = old + ".post1"
    monkeypatch.setattr(wslint, "__version__", new)
    for module in [m for name, m in sys.modules.items() if name.startswith("wslint.")]:
        if getattr(module, "__version__", None) == old:  # modules that copied it at import
            monkeypatch.setattr(module, "__version__", new)
    assert run(capsys, ".") == (0, "")


def reads_during(capsys, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[list[str], str]:
    """The files the command reads during one run, and what it prints."""
    from wslint.driver import checking

    read: list[str] = []
    real = checking._read_bytes

    def counting(path: Path) -> bytes:
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(checking, "_read_bytes", counting)
    status, out = run(capsys, *args)
    return read, out


def test_unchanged_files_are_not_read_again(project: Path, capsys, monkeypatch) -> None:
    """Stat only: size, times and inode as recorded (files old enough not to be racy)."""
    from wslint.driver import cache

    (project / "quiet.py").write_text("x = 1\n")  # skipped by the prefilter: cached too
    monkeypatch.setattr(cache, "RACY_NS", -10**18)  # every file counts as settled
    first_reads, first = reads_during(capsys, monkeypatch, ".")
    assert sorted(first_reads) == ["feed.py", "other.py", "quiet.py"]
    second_reads, second = reads_during(capsys, monkeypatch, ".")
    assert second_reads == [] and second == first


def test_times_set_back_after_an_edit_are_caught_by_the_change_time(
    project: Path, capsys, monkeypatch
) -> None:
    import os
    import time

    from wslint.driver import cache

    monkeypatch.setattr(cache, "RACY_NS", -10**18)
    path = project / "feed.py"
    before = path.stat()
    assert "feed.py:7" in run(capsys, ".")[1]
    time.sleep(0.01)  # a later change time
    path.write_text(FAST % "9.9")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_ctime_ns != before.st_ctime_ns
    reads, out = reads_during(capsys, monkeypatch, ".")
    assert "feed.py" in reads and "feed.py" not in out


def test_files_written_just_now_are_hashed_not_trusted(project: Path, capsys, monkeypatch) -> None:
    """A file as young as the cache could change again within the same clock tick."""
    run(capsys, ".")
    reads, _ = reads_during(capsys, monkeypatch, ".")
    assert sorted(reads) == ["feed.py", "other.py"]


def test_a_run_answered_from_the_cache_loads_no_analysis(project: Path) -> None:
    """A second run over an unchanged tree stats files: it imports neither the analysis, the
    prefilter nor the worker processes (a fresh interpreter, so that nothing is loaded yet)."""
    script = (
        "import sys\n"
        "from wslint.cli import main\n"
        "try:\n"
        "    main(['.', '--jobs', '2'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('wslint.analysis', 'wslint.rules.', 'wslint.speed.prefilter', 'wslint.driver.parallel')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)), file=sys.stderr)\n"
    )
    import os
    import subprocess
    import sys

    from wslint.driver import cache

    old = time_ns() - 2 * cache.RACY_NS  # settled files: stat only on the second run
    for path in project.glob("*.py"):
        os.utime(path, ns=(old, old))

    def loaded() -> str:
        done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True)
        return done.stderr.strip().splitlines()[-1]

    assert loaded() != "[]"  # the first run checks the files
    assert loaded() == "[]"


@pytest.mark.parametrize("settled", [True, False])
def test_a_file_named_after_a_run_that_skipped_it_is_parsed(
    project: Path, capsys, monkeypatch, settled: bool
) -> None:
    """The prefilter skips a file no rule could fire on, unparsed: its cache entry says so, and
    naming the file later still parses it (a syntax error is WSL000), whether its stat is
    trusted (settled) or its bytes are hashed."""
    from wslint.driver import cache

    if settled:
        monkeypatch.setattr(cache, "RACY_NS", -10**18)
    (project / "broken.py").write_text("def broken(:\n")
    assert "WSL000" not in run(capsys, ".")[1]
    status, out = run(capsys, "broken.py")
    assert "broken.py:1:" in out and "WSL000" in out and status == 1
    assert "WSL000" not in run(capsys, ".")[1]  # the whole tree: still skipped


def test_a_partial_run_keeps_the_other_files_entries_and_an_answered_run_writes_nothing(
    project: Path, capsys, monkeypatch
) -> None:
    """Checking one file (pre-commit passes the changed files) leaves the other files' entries
    in place; a run answered entirely from the cache does not rewrite it."""
    from wslint.driver import cache

    monkeypatch.setattr(cache, "RACY_NS", -10**18)
    run(capsys, ".")
    [entry] = cache_files(project)
    run(capsys, "feed.py")
    assert sorted(Path(name).name for name in json.loads(entry.read_text())["files"]) == [
        "feed.py",
        "other.py",
    ]
    written = entry.stat().st_mtime_ns
    reads, _ = reads_during(capsys, monkeypatch, ".")
    assert reads == [] and entry.stat().st_mtime_ns == written
