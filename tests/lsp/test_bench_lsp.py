"""``python -m bench.lsp`` runs end to end on a small project (what it measures is not judged here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_the_language_server_benchmark_runs(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    report = tmp_path / "lsp.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.lsp", "--modules", "4", "--edits", "2", "--json", str(report)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "initialize" in result.stdout and "edit -> diagnostics" in result.stdout
    measured = json.loads(report.read_text(encoding="utf-8"))
    assert measured["files"] == 9 and len(measured["edit_s"]) == 2
    assert all(seconds > 0 for seconds in [measured["initialize_s"], measured["open_s"], *measured["edit_s"]])
