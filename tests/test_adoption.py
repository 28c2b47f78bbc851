"""Adopting wslint as a newcomer does: a clone, the README's install, a baseline, the Action.

The walk-through clones this repository (its committed state) into a temporary folder, runs the
README's "from a clone" commands with a fresh virtual environment's ``pip`` (the environment
sees the test environment's packages, so only wslint itself is built and installed), then uses
the installed ``wslint``: never this checkout's code (``PYTHONPATH`` is cleared).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from samples import FAST_POLLER

from wslint import __version__

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = REPO / "tests" / "frontends" / "data" / "sarif-schema-2.1.0.json"
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_version_in_pyproject_is_the_packages() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project.get("dynamic", [])
    assert project["version"] == __version__
    assert f"## {__version__}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert project["license"] == "MIT"


@pytest.mark.parametrize(
    "claim",
    [
        re.compile(r"pip install ['\"]?wslint(?![\[\]\w,-]*\s*@)"),  # from an index
        re.compile(r"github\.com/wslint"),
        re.compile(r"pypi\.org/project/wslint"),
        re.compile(r"rev: v\d"),
    ],
    ids=["index", "address", "pypi", "tag"],
)
def test_no_claim_of_an_index_or_an_address(claim: re.Pattern[str]) -> None:
    """wslint is installed from a git URL or a clone: nothing may say otherwise."""
    texts = [REPO / "README.md", REPO / "pyproject.toml", REPO / "action.yml", REPO / "CHANGELOG.md"]
    texts += sorted((REPO / "docs").rglob("*.md")) + sorted((REPO / "wslint").rglob("*.py"))
    for path in texts:
        found = claim.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.relative_to(REPO)}: {found.group(0) if found else ''}"


# -- the walk-through -----------------------------------------------------------------------


def environment(venv: Path) -> dict[str, str]:
    """The shell of a user whose virtual environment is active (no PYTHONPATH to this checkout)."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "NO_COLOR")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` run as GitHub runs a composite step's: bash, errexit, pipefail."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def readme_block(after: str) -> str:
    """The first ``console`` block of the README after the text ``after``."""
    start = README.index(after)
    block = re.search(r"```console\n(.*?)```", README[start:], re.S)
    assert block is not None
    return block.group(1)


@pytest.fixture(scope="module")
def workplace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A virtual environment, and a folder to clone into."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of wslint")
    root = tmp_path_factory.mktemp("newcomer")
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300
    )
    return {"root": root, "venv": venv}


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_newcomer_walk_through(workplace: dict[str, Path]) -> None:
    root, venv = workplace["root"], workplace["venv"]
    env = environment(venv)
    install = readme_block("Or from a clone:")
    assert "git clone <repository URL> wslint" in install and "pip install ." in install
    commands = install.replace("<repository URL>", str(REPO))
    installed = shell(commands, root, env)
    assert installed.returncode == 0, installed.stderr[-3000:]
    clone = root / "wslint"

    def wslint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["wslint", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=300
        )

    assert shutil.which("wslint", path=env["PATH"]) == str(venv / "bin" / "wslint")
    where = subprocess.run(
        ["python", "-c", "import wslint; print(wslint.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(venv)), where.stdout  # the installed copy, not a checkout

    assert wslint("server", "--help").stdout.startswith("Usage: wslint server")  # pygls: test extra
    page = (clone / "docs" / "rules" / "WSL003.md").as_uri()  # installed from the clone: its pages
    assert wslint("--explain", "WSL003").stdout.endswith(f"\n\nDocumentation: {page}\n")
    sarif = json.loads(wslint("--format", "sarif", "examples/").stdout)
    assert sarif["runs"][0]["tool"]["driver"]["rules"][3]["helpUri"] == page

    first = wslint("examples/")
    assert first.returncode == 1, first.stderr
    codes = [line.split()[1] for line in first.stdout.splitlines()]
    assert codes == ["WSL001", "WSL002", "WSL003", "WSL004", "WSL005", "WSL014", "WSL015"]  # server, client

    recorded = wslint("--write-baseline", "wslint-baseline.json", "examples/")
    assert (
        recorded.returncode == 0 and recorded.stderr == "wslint: wrote 7 findings to wslint-baseline.json\n"
    )
    assert wslint("--baseline", "wslint-baseline.json", "examples/").returncode == 0

    module = clone / "examples" / "clean_app" / "ticker.py"  # new code, with a new mistake
    module.write_text(FAST_POLLER, encoding="utf-8")
    new = wslint("--baseline", "wslint-baseline.json", "examples/")
    assert new.returncode == 1, new.stderr
    assert [line.split()[1] for line in new.stdout.splitlines()] == ["WSL003"]
    assert new.stdout.startswith(str(module.relative_to(clone)))


# -- the GitHub Action ----------------------------------------------------------------------


def action_steps() -> list[dict[str, Any]]:
    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    return list(action["runs"]["steps"]), action["inputs"]  # type: ignore[return-value]


def step_env(step: dict[str, Any], inputs: dict[str, str], action_path: Path) -> dict[str, str]:
    """The step's ``env:``, its expressions evaluated as the runner would."""
    values = {}
    for name, expression in step.get("env", {}).items():
        match = re.fullmatch(r"\$\{\{\s*(inputs\.([\w-]+)|github\.action_path)\s*\}\}", str(expression))
        assert match, f"{name}: only inputs and github.action_path reach the scripts"
        values[name] = str(action_path) if match.group(1) == "github.action_path" else inputs[match.group(2)]
    return values


def run_step(name: str, inputs: dict[str, str], cwd: Path, env: dict[str, str], action_path: Path):
    steps, declared = action_steps()
    given = {key: str(spec.get("default", "")) for key, spec in declared.items()}
    given.update(inputs)
    (step,) = [step for step in steps if step.get("name") == name]
    assert step["shell"] == "bash"
    return shell(step["run"], cwd, {**env, **step_env(step, given, action_path)})


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_action_steps_install_and_check(workplace: dict[str, Path], tmp_path: Path) -> None:
    import jsonschema

    root, venv = workplace["root"], workplace["venv"]
    env = environment(venv)
    checkout = root / "action-checkout"  # what the runner checks out for `uses: <repo>@<rev>`
    subprocess.run(["git", "clone", "-q", str(REPO), str(checkout)], check=True, timeout=300)
    installed = run_step("Install wslint", {}, tmp_path, env, checkout)
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert installed.stdout.strip().endswith(f"wslint, version {__version__}")

    project = tmp_path / "project"
    shutil.copytree(REPO / "examples", project / "examples")
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    outputs = tmp_path / "github-output"
    env["GITHUB_OUTPUT"] = str(outputs)

    inputs = {"paths": "examples/broken_app", "sarif": "true", "sarif-file": "wslint.sarif"}
    checked = run_step("Run wslint", inputs, project, env, checkout)
    assert checked.returncode == 1, checked.stderr
    annotations = checked.stdout.splitlines()
    assert len(annotations) == 7
    assert [line.split(",")[0] for line in annotations] == [
        *["::error file=examples/broken_app/background_tasks.py"] * 5,
        *["::error file=examples/broken_app/client/src/useDashboard.ts"] * 2,
    ]
    log = json.loads((project / "wslint.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    assert len(log["runs"][0]["results"]) == 7
    assert outputs.read_text(encoding="utf-8") == "sarif-file=wslint.sarif\n"

    selected = run_step(
        "Run wslint", {"paths": "examples", "args": "--select WSL003"}, project, env, checkout
    )
    assert (
        selected.returncode == 1
        and len(selected.stdout.splitlines()) == 1
        and "title=WSL003" in selected.stdout
    )

    (project / "clean").mkdir()
    (project / "clean" / "feed.py").write_text(
        FAST_POLLER.replace("sleep(0.1)", "sleep(5)"), encoding="utf-8"
    )
    clean = run_step("Run wslint", {"paths": "clean"}, project, env, checkout)
    assert (clean.returncode, clean.stdout) == (0, "")

    broken_config = run_step("Run wslint", {"args": "--select WSL9", "sarif": "true"}, project, env, checkout)
    assert broken_config.returncode == 2 and "WSL9" in broken_config.stderr
