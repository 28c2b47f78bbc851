"""The README's ``repo: local`` pre-commit hook, run by the real pre-commit.

It runs the ``wslint`` found on the ``PATH`` (the user installed it); here that is a ``wslint``
command running this checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from frontend_support import REPO, run, tool

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

BROKEN = (REPO / "tests" / "fixtures" / "seed" / "mistake3_too_frequent.py").read_text(encoding="utf-8")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "wslint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "wslint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def readme_local_hook() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    (local,) = [block for block in blocks if "repo: local" in block]
    return local


def test_the_readmes_local_hook(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    command = bin_folder / "wslint"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m wslint "$@"\n', encoding="utf-8")
    command.chmod(command.stat().st_mode | stat.S_IEXEC)
    project = tmp_path / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(readme_local_hook(), encoding="utf-8")
    (project / "pyproject.toml").write_text("[project]\nname = 'user-app'\n", encoding="utf-8")
    (project / "app.py").write_text(BROKEN, encoding="utf-8")
    env = {
        **GIT_ENV,
        "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    assert run(["git", "init", "-q"], project, env).returncode == 0
    assert run(["git", "add", "-A"], project, env).returncode == 0
    result = run([*tool("pre-commit"), "run", "--all-files"], project, env, timeout=500)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:21:19: WSL003 " in result.stdout
    (project / "app.py").write_text(
        BROKEN.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)"), encoding="utf-8"
    )
    assert run(["git", "add", "-A"], project, env).returncode == 0
    result = run([*tool("pre-commit"), "run", "--all-files"], project, env, timeout=500)
    assert "WSL003" not in result.stdout, result.stdout
