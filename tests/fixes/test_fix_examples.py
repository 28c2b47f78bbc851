"""``wslint --fix --unsafe-fixes`` on a copy of examples/broken_app leaves only the findings that
have no fix, and the fixed app still imports and starts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from wslint.cli import main

REPO = Path(__file__).resolve().parents[2]
BROKEN_APP = REPO / "examples" / "broken_app"

# Starts the fixed app's background tasks (the broadcaster the fix added among them) with a
# manager that records what it is sent, and stops them: the app's own start/stop path.
START_AND_STOP = """
import asyncio
from broken_app.background_tasks import BackgroundTasks

class Manager:
    def __init__(self):
        self.sent = []
    async def broadcast(self, message):
        self.sent.append(message["type"])

async def main():
    manager = Manager()
    tasks = BackgroundTasks(manager)
    await tasks.start()
    await asyncio.sleep(0.3)
    started = len(tasks._tasks)
    await tasks.stop()
    print(started, sorted(set(manager.sent)))

asyncio.run(main())
"""


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:  # type: ignore[type-arg]
    main(["--no-cache", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_fixing_the_broken_app_leaves_only_findings_without_a_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("fastapi")
    shutil.copytree(BROKEN_APP, tmp_path / "broken_app", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = findings(capsys, "broken_app")
    without_fix = Counter((f["code"], f["message"]) for f in before if f["fix"] is None)
    assert sum(1 for f in before if f["fix"] is not None) >= 3  # WSL002, WSL004, WSL005
    assert main(["--no-cache", "--fix", "--unsafe-fixes", "broken_app"]) == 1
    capsys.readouterr()
    after = findings(capsys, "broken_app")
    assert Counter((f["code"], f["message"]) for f in after) == without_fix
    assert all(f["fix"] is None for f in after)
    # The fixed app still imports (the test's own output, run in a process of its own) ...
    imported = subprocess.run(
        [sys.executable, "-c", "import broken_app.main"], cwd=tmp_path, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    # ... and starts every broadcaster, the one the fix added included, and stops them.
    started = subprocess.run(
        [sys.executable, "-c", START_AND_STOP], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
    count, types = started.stdout.split(maxsplit=1)
    assert int(count) == 5  # four before the fix, and the alerts broadcaster
    assert "alerts_update" in types and "workflows_update" in types
