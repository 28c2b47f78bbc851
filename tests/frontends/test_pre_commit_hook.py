"""The pre-commit hook, from a user's ``.pre-commit-config.yaml`` pointing at a copy of this checkout.

The hook repository is a throwaway git repository holding the current working tree (so the
tests work on any checkout, committed or not). pre-commit installs the hook's environment
once per module, in a temporary ``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from frontend_support import REPO, run, tool

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

FIXTURES = REPO / "tests" / "fixtures"
BROKEN = (FIXTURES / "seed" / "mistake3_too_frequent.py").read_text(encoding="utf-8")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "wslint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "wslint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    result = run(["git", *args], cwd, GIT_ENV)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def working_tree_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository with the current working tree committed, and its revision."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in working_tree_files():
        if name.startswith("tests/"):
            continue  # not needed to install the hook
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, repo / name)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hook repository under test")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Iterator[Path]:
    repo, rev = hook_repo
    git(tmp_path, "init", "-q")
    (tmp_path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: wslint\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'user-app'\n", encoding="utf-8")
    yield tmp_path


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    git(cwd, "add", "-A")
    return run([*tool("pre-commit"), *args], cwd, {**GIT_ENV, "PRE_COMMIT_HOME": str(home)}, timeout=500)


def fix(project: Path) -> None:
    """Replace the broken module with the reference runtime, which wslint holds up as clean."""
    (project / "app.py").unlink()
    shutil.copytree(
        REPO / "wslint" / "reference", project / "app", ignore=shutil.ignore_patterns("__pycache__")
    )


def test_run_all_files_fails_on_a_broken_file_and_passes_on_a_fixed_one(
    user_project: Path, pre_commit_home: Path
) -> None:
    (user_project / "app.py").write_text(BROKEN, encoding="utf-8")
    result = pre_commit(user_project, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "wslint" in result.stdout and "Failed" in result.stdout
    assert "app.py:21:19: WSL003 " in result.stdout and "app.py:20:19: WSL004 " in result.stdout
    fix(user_project)
    result = pre_commit(user_project, pre_commit_home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_changed_files_only_still_see_the_whole_project(user_project: Path, pre_commit_home: Path) -> None:
    shutil.copytree(FIXTURES / "wsl005" / "good_multi_file_started_in_main", user_project / "good")
    shutil.copytree(FIXTURES / "wsl005" / "bad_multi_file_defined_not_started", user_project / "bad")
    for case in ("good", "bad"):
        (user_project / case / "setup.cfg").write_text("", encoding="utf-8")  # each its own project
    defining = sorted(p.relative_to(user_project).as_posix() for p in (user_project / "good").rglob("*.py"))
    result = pre_commit(user_project, pre_commit_home, "run", "--files", *defining)
    assert result.returncode == 0, result.stdout + result.stderr
    bad_files = sorted(p.relative_to(user_project).as_posix() for p in (user_project / "bad").rglob("*.py"))
    result = pre_commit(user_project, pre_commit_home, "run", "--files", *bad_files)
    assert result.returncode == 1 and "WSL005" in result.stdout, result.stdout + result.stderr


def test_client_files_go_to_the_hook_and_are_held_against_the_server(
    user_project: Path, pre_commit_home: Path
) -> None:
    case = FIXTURES / "wsl015" / "bad_mistyped_literal"
    shutil.copytree(case / "server", user_project / "server")
    shutil.copytree(case / "client", user_project / "client")
    (user_project / "pyproject.toml").write_text("[tool.wslint]\nselect = ['WSL015']\n", encoding="utf-8")
    for name in ("status.ts", "Status.tsx", "status.jsx"):  # every client type pre-commit knows
        (user_project / "client" / "src" / name).write_text(
            'const ws = new WebSocket("ws://localhost:8000/ws/sytem-status");\n', encoding="utf-8"
        )
    (user_project / "client" / "src" / "notes.txt").write_text('new WebSocket("ws://h/nowhere")\n')
    result = pre_commit(user_project, pre_commit_home, "run", "--files", "client/src/status.ts")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "client/src/status.ts:1:12: WSL015 " in result.stdout
    assert "status.js" not in result.stdout  # only the files it was given are reported
    result = pre_commit(user_project, pre_commit_home, "run", "--all-files")
    for name in ("status.js", "status.ts", "Status.tsx", "status.jsx"):
        assert f"client/src/{name}:" in result.stdout, result.stdout + result.stderr
    assert "notes.txt" not in result.stdout


def test_try_repo_fails_on_a_broken_file_and_passes_on_a_fixed_one(
    user_project: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    repo, rev = hook_repo
    (user_project / "app.py").write_text(BROKEN, encoding="utf-8")
    result = pre_commit(
        user_project, pre_commit_home, "try-repo", str(repo), "wslint", "--ref", rev, "--all-files"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "WSL003" in result.stdout
    fix(user_project)
    result = pre_commit(
        user_project, pre_commit_home, "try-repo", str(repo), "wslint", "--ref", rev, "--all-files"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_with_fix_fails_the_commit_and_rewrites_the_files(
    user_project: Path, pre_commit_home: Path, hook_repo: tuple[Path, str]
) -> None:
    repo, rev = hook_repo
    (user_project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: wslint\n        args: [--fix]\n",
        encoding="utf-8",
    )
    fixable = FIXTURES / "wsl007" / "fix_await_broadcast.py"  # its findings all have a safe fix
    (user_project / "feed.py").write_bytes(fixable.read_bytes())
    assert pre_commit(user_project, pre_commit_home, "install").returncode == 0
    environment = {**GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}
    committed = run(["git", "commit", "-q", "-m", "feed"], user_project, environment)
    assert committed.returncode == 1, committed.stdout + committed.stderr  # not committed ...
    assert "files were modified by this hook" in committed.stdout + committed.stderr
    # ... the file is rewritten, and committing the repair passes.
    expected = FIXTURES / "wsl007" / "fix_await_broadcast.py.expected"
    assert (user_project / "feed.py").read_bytes() == expected.read_bytes()
    result = pre_commit(user_project, pre_commit_home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_definition_follows_pre_commit_conventions() -> None:
    import yaml  # pre-commit depends on PyYAML

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "wslint" and hook["entry"] == "wslint"
    assert hook["language"] == "python" and hook["types_or"] == ["python", "javascript", "jsx", "ts", "tsx"]
    assert hook["require_serial"] is True
    assert (
        subprocess.run(
            [*tool("pre-commit"), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")]
        ).returncode
        == 0
    )
