"""The flake8 plugin, driven through the real ``flake8``: same findings as the command."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from frontend_support import (
    REPO,
    Project,
    Row,
    by_project,
    cli_rows,
    in_parallel,
    parse_lines,
    python_rows,
    run,
    tool,
)

from wslint.core.options import Settings
from wslint.driver import api
from wslint.frontends.flake8_plugin import FLAKE8_OPTIONS, WslintChecker

SEED = REPO / "tests" / "fixtures" / "seed"
TOO_FREQUENT = (SEED / "mistake3_too_frequent.py").read_text(encoding="utf-8")


def flake8(cwd: Path, *args: str) -> tuple[int, list[Row], str]:
    result = run([*tool("flake8"), *args], cwd)
    return result.returncode, parse_lines(result.stdout, cwd), result.stderr


def project_with(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def codes_at(rows: list[Row]) -> set[tuple[int, str]]:
    return {(line, code) for _, line, _, code, _ in rows}


def located(rows) -> set[tuple[int, int, str, str]]:  # type: ignore[no-untyped-def]
    """Line, column, code and message of each finding of a one-file project."""
    return {row[1:] for row in rows}


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_flake8_reports_what_the_command_reports_on_every_fixture(
    fixture_projects: list[Project], cli_results: dict[Path, set[Row]]
) -> None:
    plain = [p for p in fixture_projects if not p.configured]
    configured = [p for p in fixture_projects if p.configured]
    base = plain[0].root.parent
    # One run over every plain project: flake8 splits the files over worker processes.
    status, rows, stderr = flake8(base, "--select", "WSL", "--jobs", "2", ".")
    assert status in (0, 1), stderr
    found = by_project(rows, plain)
    # Configured projects: one run each, from the project, where [tool.wslint] is found.
    for project, (status, rows, stderr) in zip(
        configured, in_parallel(configured, lambda p: flake8(p.root, "--select", "WSL", "."))
    ):
        assert status in (0, 1), stderr
        found.update(by_project(rows, [project]))
    mismatches = {}
    for project in fixture_projects:
        expected_rows = python_rows(cli_results[project.root])  # the client's are the command's only
        if found[project.root] != expected_rows:
            mismatches[project.case.id] = found[project.root] ^ expected_rows
        assert project.unmatched(found[project.root], project.python_expected()) == ([], []), project.case.id
    assert not mismatches, mismatches


@pytest.mark.integration
def test_extend_select_in_flake8_config_turns_wsl_on(tmp_path: Path) -> None:
    project_with(
        tmp_path, {"app.py": TOO_FREQUENT, ".flake8": "[flake8]\nselect = E9\nextend-select = WSL\n"}
    )
    status, rows, _ = flake8(tmp_path, "app.py")
    assert status == 1
    assert codes_at(rows) == {(20, "WSL002"), (20, "WSL004"), (21, "WSL003")}
    assert located(rows) == located(cli_rows(tmp_path))


@pytest.mark.integration
def test_options_from_flake8_config_pyproject_and_command_line(tmp_path: Path) -> None:
    project_with(tmp_path, {"app.py": TOO_FREQUENT})
    sleep_line = (21, "WSL003")
    assert sleep_line in codes_at(flake8(tmp_path, "--select", "WSL", "app.py")[1])
    # flake8's command line
    assert sleep_line not in codes_at(
        flake8(tmp_path, "--select", "WSL", "--wslint-min-interval", "0.05", "app.py")[1]
    )
    # [tool.wslint] when flake8 is not told
    (tmp_path / "pyproject.toml").write_text("[tool.wslint]\nmin-interval = 0.05\n", encoding="utf-8")
    assert sleep_line not in codes_at(flake8(tmp_path, "--select", "WSL", "app.py")[1])
    # flake8's config wins over [tool.wslint], and its command line over its config
    (tmp_path / "setup.cfg").write_text("[flake8]\nwslint-min-interval = 0.5\n", encoding="utf-8")
    rows = flake8(tmp_path, "--select", "WSL", "app.py")[1]
    assert sleep_line in codes_at(rows)
    assert "shorter than min-interval 0.5 s" in next(r[4] for r in rows if r[3] == "WSL003")
    assert sleep_line not in codes_at(
        flake8(tmp_path, "--select", "WSL", "--wslint-min-interval=0.01", "app.py")[1]
    )


@pytest.mark.integration
def test_list_options_and_bad_values(tmp_path: Path) -> None:
    source = (REPO / "tests" / "fixtures" / "wsl001" / "bad_custom_pattern.py").read_text(encoding="utf-8")
    project_with(tmp_path, {"service.py": source})
    assert codes_at(flake8(tmp_path, "--select", "WSL", "service.py")[1]) == set()
    (tmp_path / "tox.ini").write_text(
        "[flake8]\nwslint-broadcaster-patterns =\n    _broadcast_*\n    push_*\n", encoding="utf-8"
    )
    assert codes_at(flake8(tmp_path, "--select", "WSL", "service.py")[1]) == {(14, "WSL001")}
    status, _, stderr = flake8(tmp_path, "--select", "WSL", "--wslint-min-interval", "soon", "service.py")
    assert status != 0
    assert "wslint" in stderr
    assert "expected a number of seconds, got 'soon'" in stderr
    assert "Traceback" not in stderr


@pytest.mark.integration
def test_noqa_is_honoured_and_disable_noqa_too(tmp_path: Path) -> None:
    lines = TOO_FREQUENT.splitlines()
    lines[20] = lines[20].split("#")[0].rstrip() + "  # noqa: WSL003"
    project_with(tmp_path, {"app.py": "\n".join(lines) + "\n"})
    rows = flake8(tmp_path, "--select", "WSL", "app.py")[1]
    assert codes_at(rows) == {(20, "WSL002"), (20, "WSL004")}
    assert located(rows) == located(cli_rows(tmp_path))
    assert (21, "WSL003") in codes_at(flake8(tmp_path, "--select", "WSL", "--disable-noqa", "app.py")[1])


@pytest.mark.integration
def test_project_wide_rule_sees_the_whole_project_when_one_file_is_checked(tmp_path: Path) -> None:
    case = REPO / "tests" / "fixtures" / "wsl005" / "good_multi_file_started_in_main"
    bad_case = REPO / "tests" / "fixtures" / "wsl005" / "bad_multi_file_defined_not_started"
    for name, source in (("good", case), ("bad", bad_case)):
        import shutil

        shutil.copytree(source, tmp_path / name)
        (tmp_path / name / "pyproject.toml").write_text("", encoding="utf-8")
    good_files = sorted(
        p.relative_to(tmp_path / "good").as_posix() for p in (tmp_path / "good").rglob("*.py")
    )
    # Each file alone (as pre-commit or an editor would pass it): still started elsewhere.
    for file in good_files:
        assert flake8(tmp_path / "good", "--select", "WSL005", file)[1] == [], file
    bad_rows = flake8(tmp_path / "bad", "--select", "WSL005", "--jobs", "2", ".")[1]
    assert bad_rows
    assert {(Path(r[0]).relative_to(tmp_path / "bad").as_posix(), *r[1:]) for r in bad_rows} == {
        row for row in cli_rows(tmp_path / "bad") if row[3] == "WSL005"
    }


def test_every_option_but_flake8_own_is_registered() -> None:
    keys = {option.key for option in FLAKE8_OPTIONS}
    assert {"min-interval", "broadcast-methods", "broadcaster-patterns", "sleep-functions"} <= keys
    assert not keys & {"select", "ignore", "extend-select", "per-file-ignores"}


def test_plugin_uses_flake8_tree_and_skips_files_the_prefilter_rules_out(monkeypatch, tmp_path: Path) -> None:
    def no_parse(*_: object) -> None:
        raise AssertionError("parsed a file that flake8 already parsed")

    monkeypatch.setattr(api, "parse_source", no_parse)
    path = project_with(tmp_path, {"app.py": TOO_FREQUENT}) / "app.py"
    lines = TOO_FREQUENT.splitlines(keepends=True)
    monkeypatch.setattr(WslintChecker, "settings", Settings())
    results = list(WslintChecker(ast.parse(TOO_FREQUENT), str(path), lines).run())
    assert {(line, text.split()[0]) for line, _, text, _ in results} == {
        (20, "WSL002"),
        (20, "WSL004"),
        (21, "WSL003"),
    }
    assert all(kind is WslintChecker for *_, kind in results)

    def no_module(*_: object) -> None:
        raise AssertionError("analysed a file the prefilter rules out")

    monkeypatch.setattr(api, "ModuleInfo", no_module)
    plain = "import os\n\n\ndef main():\n    return os.getcwd()\n"
    assert list(WslintChecker(ast.parse(plain), str(path), plain.splitlines(keepends=True)).run()) == []


@pytest.mark.integration
def test_noqa_for_another_code_suppresses_nothing_in_either_front_end(tmp_path: Path) -> None:
    lines = TOO_FREQUENT.splitlines()
    lines[20] = lines[20].split("#")[0].rstrip() + "  # noqa: WSL004"
    project_with(tmp_path, {"app.py": "\n".join(lines) + "\n"})
    rows = flake8(tmp_path, "--select", "WSL", "app.py")[1]
    assert (21, "WSL003") in codes_at(rows)
    assert located(rows) == located(cli_rows(tmp_path))
