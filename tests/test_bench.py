"""The benchmark harness works (no timing is asserted: the machines are noisy)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.corpus import generate  # not installed: found through sys.path (conftest.py)
from bench.run import Row, measure_rounds

REPO = Path(__file__).resolve().parent.parent


def test_corpus_is_deterministic_varied_and_valid(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 6, seed=3)
    second = generate(tmp_path / "b", 6, seed=3)
    assert len(first.modules) == 6
    assert (first.root / "pyproject.toml").is_file()
    assert (first.root / "svc" / "config.py").is_file()
    texts = [path.read_text() for path in first.modules]
    assert texts == [path.read_text() for path in second.modules]
    assert len(set(texts)) == 6
    for path in first.files:
        ast.parse(path.read_text(), str(path))
    for text in texts:
        assert 150 <= text.count("\n") <= 320
        assert "@router.websocket" in text and "async def start(self)" in text
        assert "self._push(" in text and "interval: float =" in text
    assert generate(tmp_path / "c", 6, seed=4).modules[0].read_text() != texts[0]


def test_wslint_finds_the_broadcasters_of_every_module(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "corpus", 5, seed=0)
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--jobs", "1", "--format", "json", "."],
        cwd=corpus.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    findings = json.loads(run.stdout)
    assert not [f for f in findings if f["code"] == "WSL000"]
    reported = {(Path(f["path"]).as_posix(), f["code"], f["message"]) for f in findings}
    assert corpus.planted
    for planted in corpus.planted:
        assert any(
            path.endswith(planted.path) and code == planted.code and f"`{planted.function}`" in message
            for path, code, message in reported
        ), planted
    # Each module's own mistakes, nothing else: the rest of its broadcasters are recognised as correct.
    assert len(findings) == len(corpus.planted)
    assert {Path(f["path"]).name for f in findings} == {path.name for path in corpus.modules}


@pytest.mark.timeout(600)
def test_harness_runs_end_to_end_in_quick_mode(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--tools",
            "wslint,ruff",
            "--stdlib-limit",
            "8",
            "--json",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| corpus-10 | wslint cold" in run.stdout
    results = json.loads(out.read_text())
    labels = {(r["target"], r["label"]) for r in results["results"]}
    assert ("corpus-20", "wslint cold (--jobs 1)") in labels
    assert all(not r["error"] for r in results["results"])
    assert {t["verdict"] for t in results["targets"]} <= {"PASS", "FAIL", "SKIP"}
    assert len(results["targets"]) == 8
    assert ("client-10", "wslint cold (client files)") in labels
    assert ("client-10", "ast.parse (10 Python files)") in labels
    assert "| client-10 | wslint cold (client files)" in run.stdout


def test_run_py_is_runnable_as_a_script() -> None:
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "--quick" in run.stdout


def test_rows_are_measured_in_rounds_every_other_one_reversed(tmp_path: Path) -> None:
    """A B B A A B: a steady drift of the machine weighs on both rows of a ratio alike."""
    log = tmp_path / "order.txt"

    def row(name: str, repeat: int, warmup: bool = False) -> Row:
        command = [sys.executable, "-c", f"open({str(log)!r}, 'a').write({name!r})"]
        return Row(name, command, repeat, warmup)

    results = measure_rounds(
        "t", [row("A", 3), row("B", 3), row("W", 1, warmup=True)], tmp_path, 60, log=lambda *a, **k: None
    )
    assert log.read_text() == "W" + "ABW" + "BA" + "AB"
    assert [len(result.runs) for result in results] == [3, 3, 1]
    assert all(result.wall > 0 and not result.error for result in results)


def test_client_corpus_is_deterministic_and_wslint_finds_its_planted_mistakes(tmp_path: Path) -> None:
    from bench.client_corpus import generate as generate_client

    corpus = generate_client(tmp_path / "a", 120, seed=1)
    again = generate_client(tmp_path / "b", 120, seed=1)
    assert [p.read_text() for p in corpus.files] == [p.read_text() for p in again.files]
    assert len(corpus.files) == 120 and corpus.planted
    kinds = {path.parent.name for path in corpus.files}
    assert kinds == {"hooks", "contexts", "components"}
    run = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--select", "WSL014,WSL015", "--format", "json", "."],
        cwd=corpus.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    found = {(f["path"], f["code"]) for f in json.loads(run.stdout)}
    assert found == {(planted.path, planted.code) for planted in corpus.planted}
