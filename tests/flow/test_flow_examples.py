"""The examples linted as a user would lint them: copied out of this repository, so that
``wslint.reference`` is a library there, not part of the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flow_support import REPO, copy_project, run_wslint

EXAMPLES = REPO / "examples"
BROKEN_APP_FINDINGS = [
    ("broken_app/background_tasks.py", 24, "WSL001"),
    ("broken_app/background_tasks.py", 36, "WSL002"),
    ("broken_app/background_tasks.py", 52, "WSL003"),
    ("broken_app/background_tasks.py", 59, "WSL004"),
    ("broken_app/background_tasks.py", 65, "WSL005"),
    ("broken_app/client/src/useDashboard.ts", 17, "WSL014"),  # worker_status_update is never sent
    ("broken_app/client/src/useDashboard.ts", 19, "WSL015"),  # nothing serves /ws/alerts
]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "examples"\n', encoding="utf-8")
    for name in ("clean_app", "broken_app"):
        copy_project(EXAMPLES / name, root / name)
    for name in ("clean_app", "broken_app"):
        (root / name / "pyproject.toml").unlink(missing_ok=True)  # one project: the examples
    assert not (root / "wslint").exists()
    return root


def findings(out: str) -> list[tuple[str, int, str]]:
    return [(item["path"], item["line"], item["code"]) for item in json.loads(out)]


def test_clean_app_outside_this_repository_has_no_finding(outside: Path) -> None:
    status, out, _ = run_wslint("--format", "json", "--no-cache", "clean_app", cwd=outside)
    assert (status, findings(out)) == (0, [])


def test_broken_app_outside_this_repository_has_its_five_findings(outside: Path) -> None:
    status, out, _ = run_wslint("--format", "json", "--no-cache", "broken_app", cwd=outside)
    assert status == 1 and findings(out) == BROKEN_APP_FINDINGS


def test_both_at_once_with_workers(outside: Path) -> None:
    for jobs in ("1", "2"):
        _, out, _ = run_wslint("--format", "json", "--no-cache", "--jobs", jobs, ".", cwd=outside)
        assert findings(out) == BROKEN_APP_FINDINGS


def test_the_map_of_the_examples(outside: Path) -> None:
    _, out, _ = run_wslint("map", "--format", "json", "--no-cache", cwd=outside)
    data = json.loads(out)
    endpoints = {(e["file"], e["path"], e["status"], tuple(e["initial_types"])) for e in data["endpoints"]}
    assert endpoints == {
        ("broken_app/main.py", "/ws", "updated", ("queue_update",)),
        # clean_app's endpoint sends nothing itself: its manager hands a new client the latest
        # status_update, which the PollingBroadcaster reaching it sends
        ("clean_app/app.py", "/ws", "updated", ()),
    }
    # one project here: both apps serve /ws, so each client may connect to either endpoint
    clients = {e["file"]: e["clients"] for e in data["endpoints"]}
    expected = [
        {
            "file": "broken_app/client/src/useDashboard.ts",
            "line": 13,
            "waits": ["queue_update", "worker_status_update"],
            "unsent": ["worker_status_update"],
        },
        {"file": "clean_app/client/src/useStatus.ts", "line": 11, "waits": ["status_update"], "unsent": []},
    ]
    assert clients == {"broken_app/main.py": expected, "clean_app/app.py": expected}
    rows = {b["function"]: b for b in data["broadcasters"]}
    reference = rows["create_app -> wslint.reference.PollingBroadcaster"]
    assert (reference["types"], reference["interval"], reference["started"]) == (["status_update"], 5.0, True)
    alerts = rows["BackgroundTasks._broadcast_alerts"]
    assert (alerts["started"], alerts["started_by"]) == (False, [])
    assert rows["BackgroundTasks._broadcast_metrics"]["interval"] == 0.1
