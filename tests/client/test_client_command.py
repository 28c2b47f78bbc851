"""The client half through the command line: discovery, the doors findings pass, the cache,
and a Python-only project left exactly as it was (tree-sitter never imported)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wslint.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
TWO_SIDED = FIXTURES / "wsl015" / "bad_mistyped_literal"
SERVER = (TWO_SIDED / "server" / "app.py").read_text(encoding="utf-8").split("\n", 1)[1]  # no header
MISTYPED = 'const ws = new WebSocket("ws://localhost:8000/ws/sytem-status");\n'
CORRECT = 'const ws = new WebSocket("ws://localhost:8000/ws/system-status");\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A two-sided project: the server of the WSL015 fixture, a client with a mistyped path."""
    config = "[tool.wslint]\nselect = ['WSL014', 'WSL015']\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "app.py").write_text(SERVER, encoding="utf-8")
    (tmp_path / "client" / "src").mkdir(parents=True)
    (tmp_path / "client" / "src" / "status.js").write_text(MISTYPED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    status = main(["--format", "json", "--no-cache", *args])
    return status, json.loads(capsys.readouterr().out or "[]")


def codes_at(findings: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(f["path"], f["line"], f["code"]) for f in findings]


def test_a_mistyped_path_is_reported_with_its_position(project: Path, capsys) -> None:
    status, findings = lint(capsys, ".")
    assert status == 1
    assert codes_at(findings) == [("client/src/status.js", 1, "WSL015")]
    assert findings[0]["column"] == 12 and findings[0]["end_column"] == 64
    assert "did you mean `/ws/system-status`?" in str(findings[0]["message"])


def test_dependencies_build_output_bundles_and_tests_are_not_read(project: Path, capsys) -> None:
    (project / "client" / "src" / "status.js").write_text(CORRECT, encoding="utf-8")
    for relative in (
        "client/node_modules/lib/index.js",
        "client/dist/app.js",
        "client/build/app.js",
        "client/.next/app.js",
        "client/src/__tests__/socket.js",
        "client/tests/socket.js",
        "client/e2e/socket.ts",
        "client/cypress/socket.ts",
        "client/src/status.test.ts",
        "client/src/status.spec.tsx",
        "client/src/vendor.min.js",
        "client/src/types.d.ts",
    ):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(MISTYPED, encoding="utf-8")
    (project / "client" / "src" / "bundle.js").write_text("var a=1;" * 200 + MISTYPED, encoding="utf-8")
    assert lint(capsys, ".") == (0, [])


def test_gitignore_and_exclude_apply_to_client_files(project: Path, capsys) -> None:
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("client/src/status.js\n", encoding="utf-8")
    assert lint(capsys, ".") == (0, [])
    (project / ".gitignore").unlink()
    assert lint(capsys, "--extend-exclude", "client", ".") == (0, [])
    assert lint(capsys, ".")[0] == 1


def test_every_client_suffix_is_read(project: Path, capsys) -> None:
    (project / "client" / "src" / "status.js").unlink()
    for suffix in (".js", ".jsx", ".ts", ".tsx", ".mjs"):
        (project / "client" / "src" / f"status{suffix}").write_text(MISTYPED, encoding="utf-8")
    status, findings = lint(capsys, ".")
    assert sorted(f["path"] for f in findings) == [
        f"client/src/status{suffix}" for suffix in (".js", ".jsx", ".mjs", ".ts", ".tsx")
    ]


def test_a_client_file_named_alone_is_checked_against_the_whole_project(project: Path, capsys) -> None:
    status, findings = lint(capsys, "client/src/status.js")
    assert codes_at(findings) == [("client/src/status.js", 1, "WSL015")]


@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("// noqa", False),
        ("// noqa: WSL015", False),
        ("/* noqa: WSL01 */", False),
        ("/* noqa */", False),
        ("// NOQA:WSL014,WSL015", False),
        ("// noqa: WSL014", True),
        ("// noqa: WSL006", True),
        ("# noqa", True),
    ],
)
def test_noqa_on_the_reported_line(project: Path, capsys, comment: str, reported: bool) -> None:
    (project / "client" / "src" / "status.js").write_text(MISTYPED.rstrip() + "  " + comment + "\n")
    assert bool(lint(capsys, ".")[1]) is reported


def test_select_ignore_and_per_file_ignores(project: Path, capsys) -> None:
    assert lint(capsys, "--ignore", "WSL015", ".") == (0, [])
    assert lint(capsys, "--select", "WSL014", ".") == (0, [])
    assert lint(capsys, "--select", "WSL01", ".")[0] == 1
    (project / "pyproject.toml").write_text(
        "[tool.wslint]\nselect = ['WSL015']\nper-file-ignores = { 'client/*.js' = ['WSL015'] }\n"
    )
    assert lint(capsys, ".") == (0, [])


def test_text_and_github_formats(project: Path, capsys) -> None:
    assert main(["--no-cache", "."]) == 1
    assert capsys.readouterr().out.startswith("client/src/status.js:1:12: WSL015 the client connects to")
    assert main(["--no-cache", "--format", "github", "."]) == 1
    assert capsys.readouterr().out.startswith(
        "::error file=client/src/status.js,line=1,col=12,endLine=1,endColumn=64,title=WSL015::"
    )


def run_isolated(cwd: Path, *args: str, probe: str = "") -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter, printing afterwards whether tree-sitter was loaded."""
    code = (
        "import sys\n"
        "from wslint.cli import main\n"
        f"status = main({list(args)!r})\n"
        "sys.stdout.flush()\n"
        "print('TREE-SITTER', 'tree_sitter' in sys.modules)\n"
        "sys.exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env)


def test_a_python_only_project_never_loads_tree_sitter(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "wsl006" / "bad_fastapi_router_services", tmp_path / "app")
    (tmp_path / "app" / "pyproject.toml").write_text("", encoding="utf-8")
    result = run_isolated(tmp_path / "app", "--no-cache", ".")
    assert "WSL006" in result.stdout and result.stdout.rstrip().endswith("TREE-SITTER False"), result.stderr


def test_client_files_without_socket_code_cost_a_byte_search_only(tmp_path: Path) -> None:
    shutil.copytree(TWO_SIDED / "server", tmp_path / "server")
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "client").mkdir()
    (tmp_path / "client" / "Button.tsx").write_text("export const Button = () => <button/>;\n")
    (tmp_path / "client" / "format.ts").write_text("export const f = (s: string) => s.trim();\n")
    result = run_isolated(tmp_path, "--no-cache", ".")
    assert result.stdout.rstrip().endswith("TREE-SITTER False"), result.stderr


def test_python_findings_are_the_same_with_a_client_beside_them(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "wsl006" / "bad_fastapi_router_services", tmp_path / "app")
    (tmp_path / "app" / "pyproject.toml").write_text("", encoding="utf-8")
    alone = run_isolated(tmp_path / "app", "--no-cache", ".").stdout
    (tmp_path / "app" / "web").mkdir()
    (tmp_path / "app" / "web" / "socket.ts").write_text("const ws = new WebSocket(url);\n")
    beside = run_isolated(tmp_path / "app", "--no-cache", ".")
    assert beside.stdout.replace("TREE-SITTER True", "TREE-SITTER False") == alone, beside.stderr
    assert "TREE-SITTER True" in beside.stdout  # it did read the client this time


def test_the_cache_answers_a_second_run_and_notices_a_changed_config_module(project: Path, capsys) -> None:
    source = project / "client" / "src" / "status.js"
    (project / "client" / "src" / "config.js").write_text('export const PATH = "/ws/system-status";\n')
    source.write_text('import { PATH } from "./config";\nconst ws = new WebSocket(`ws://localhost${PATH}`);\n')
    assert main(["--format", "json", "."]) == 0
    capsys.readouterr()
    second = run_isolated(project, "--format", "json", ".")
    assert second.stdout.rstrip().endswith("TREE-SITTER False"), second.stderr  # from the cache
    (project / "client" / "src" / "config.js").write_text('export const PATH = "/ws/sytem-status";\n')
    assert main(["--format", "json", "."]) == 1
    (finding,) = json.loads(capsys.readouterr().out)
    assert (finding["path"], finding["line"], finding["code"]) == ("client/src/status.js", 2, "WSL015")
    assert main(["--format", "json", "."]) == 1  # the cached finding
    assert json.loads(capsys.readouterr().out) == [finding]


def test_sarif_with_a_client_finding_validates(project: Path, capsys) -> None:
    import jsonschema
    from frontends.frontend_support import SARIF_SCHEMA

    assert main(["--no-cache", "--format", "sarif", "."]) == 1
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert result["ruleId"] == "WSL015"
    assert location["artifactLocation"]["uri"] == "client/src/status.js"
    assert location["region"]["startLine"] == 1 and location["region"]["startColumn"] == 12


def test_a_client_file_read_from_stdin_is_a_client_file(project: Path, capsys, monkeypatch) -> None:
    import io

    (project / "client" / "src" / "status.js").write_text(CORRECT, encoding="utf-8")  # on disk: fine
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(MISTYPED.encode())))
    status, findings = lint(capsys, "-", "--stdin-filename", "client/src/status.js")
    assert codes_at(findings) == [("client/src/status.js", 1, "WSL015")]


def test_client_tests_bundles_and_dependencies_named_are_dropped_not_parsed(project: Path, capsys) -> None:
    named = ["client/src/status.test.ts", "client/src/vendor.min.js", "client/node_modules/x/index.js"]
    for relative in named:
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(MISTYPED + "this is not { python\n", encoding="utf-8")
    assert lint(capsys, *named) == (0, [])


def test_a_failing_analysis_is_wsl000_not_a_traceback(project: Path, capsys, monkeypatch) -> None:
    from wslint.client import reading

    def broken(data: bytes, name: str) -> None:
        raise ValueError("simulated")

    monkeypatch.setattr(reading, "read_client", broken)
    status, findings = lint(capsys, ".")
    assert status == 1 and codes_at(findings) == [("client/src/status.js", 1, "WSL000")]
    assert "ValueError: simulated" in str(findings[0]["message"])


def test_the_output_is_the_same_whatever_jobs_is(tmp_path: Path, monkeypatch, capsys) -> None:
    from bench.client_corpus import generate

    corpus = generate(tmp_path / "corpus", 60, seed=2)
    for number in range(24):  # enough Python files for the workers to share
        (corpus.root / "server" / f"extra_{number}.py").write_text(SERVER, encoding="utf-8")
    monkeypatch.chdir(corpus.root)
    outputs = []
    for jobs in ("1", "2"):
        assert main(["--no-cache", "--jobs", jobs, "--format", "json", "."]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    codes = {finding["code"] for finding in json.loads(outputs[0])}
    assert {"WSL014", "WSL015"} <= codes


def test_no_python_file_is_ever_parsed_for_the_client_rules() -> None:
    """The client rules declare that they need no Python file: the command's Python stages and
    the flake8 and pylint plugins (which share this prefilter) never run them."""
    from wslint.core.options import Settings
    from wslint.driver.checking import relevance_for

    source = (
        b"async def _broadcast_status(self):\n"
        b"    while True:\n"
        b'        await self.manager.broadcast({"type": "status_update"})  # new WebSocket onmessage\n'
        b"        await asyncio.sleep(5)\n"
    )
    codes = relevance_for(Settings()).codes(source)
    assert "WSL001" in codes  # the Python rules do look at it
    assert not {"WSL014", "WSL015"} & set(codes)


def test_the_baseline_holds_client_findings_and_counts_those_gone(project: Path, capsys) -> None:
    assert main(["--no-cache", "--write-baseline", "baseline.json", "."]) == 0
    assert "wrote 1 finding to baseline.json" in capsys.readouterr().err
    assert main(["--no-cache", "--baseline", "baseline.json", "."]) == 0
    capsys.readouterr()
    (project / "client" / "src" / "status.js").write_text(CORRECT, encoding="utf-8")
    assert main(["--no-cache", "--baseline", "baseline.json", "."]) == 0
    assert "1 baselined finding no longer occurs" in capsys.readouterr().err
