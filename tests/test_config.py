"""Configuration: ``[tool.wslint]`` / ``setup.cfg`` ``[wslint]`` discovered upward, ``--config``,
per-file-ignores, and one clear line (exit 2) for every bad file, key or value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wslint.cli import main
from wslint.core.options import Settings
from wslint.driver.config import ConfigError, find_config, load_settings

# Polls every 0.1 s (WSL003 on line 12) and broadcasts unconditionally without a try
# (WSL002 + WSL004 on line 11).
FEED = textwrap.dedent(
    """\
    import asyncio


    class BackgroundTasks:
        def __init__(self, websocket_manager):
            self.websocket_manager = websocket_manager
            self._tasks = []

        async def _broadcast_queue_updates(self):
            while True:
                await self.websocket_manager.broadcast({"type": "queue_update", "data": []})
                await asyncio.sleep(0.1)

        async def start(self):
            self._tasks.append(asyncio.create_task(self._broadcast_queue_updates()))
    """
)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "feed.py", FEED)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def codes(out: str) -> list[str]:
    return [line.split(":", 3)[3].split()[0] for line in out.splitlines() if line.count(":") >= 3]


def config_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run, expect exit 2 with nothing on stdout and exactly one line on stderr; return it."""
    status, out, err = run(capsys, *(args or ("feed.py",)))
    assert status == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- discovery of the configuration ------------------------------------------------------------


def test_pyproject_in_current_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL003"]\n')
    status, out, _ = run(capsys, "feed.py")
    assert (status, codes(out)) == (1, ["WSL003"])


def test_pyproject_found_upward(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nmin-interval = 0.05\nignore = ['WSL002', 'WSL004']\n")
    nested = project / "src" / "app" / "services"
    write(nested, "feed.py", FEED)
    monkeypatch.chdir(nested)
    assert run(capsys, "feed.py") == (0, "", "")


def test_pyproject_without_wslint_section_is_skipped(project: Path, monkeypatch, capsys) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL003"]\n')
    inner = project / "pkg"
    write(inner, "pyproject.toml", '[project]\nname = "pkg"\n\n[tool.ruff]\nselect = ["E"]\n')
    write(inner, "feed.py", FEED)
    monkeypatch.chdir(inner)
    assert find_config(inner) == project / "pyproject.toml"
    status, out, _ = run(capsys, "feed.py")
    assert codes(out) == ["WSL003"]


def test_setup_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        "setup.cfg",
        """\
        [metadata]
        name = demo

        [flake8]
        select = E,W

        [wslint]
        select = WSL002, WSL004
        min-interval = 0.01
        """,
    )
    status, out, _ = run(capsys, "feed.py")
    assert (status, codes(out)) == (1, ["WSL002", "WSL004"])


def test_setup_cfg_multiline_lists(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "setup.cfg", "[wslint]\nselect =\n    WSL002\n    WSL003\n")
    assert codes(run(capsys, "feed.py")[1]) == ["WSL002", "WSL003"]


def test_setup_cfg_without_section_is_skipped(project: Path, monkeypatch, capsys) -> None:
    write(project, "setup.cfg", "[wslint]\nselect = WSL004\n")
    inner = project / "sub"
    write(inner, "setup.cfg", "[flake8]\nmax-line-length = 100\n")
    write(inner, "feed.py", FEED)
    monkeypatch.chdir(inner)
    assert codes(run(capsys, "feed.py")[1]) == ["WSL004"]


def test_pyproject_preferred_to_setup_cfg_in_same_directory(project: Path, capsys) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL003"]\n')
    write(project, "setup.cfg", "[wslint]\nselect = WSL004\n")
    assert codes(run(capsys, "feed.py")[1]) == ["WSL003"]


def test_nearest_config_wins(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL003"]\n')
    inner = project / "service"
    write(inner, "setup.cfg", "[wslint]\nselect = WSL004\n")
    write(inner, "feed.py", FEED)
    monkeypatch.chdir(inner)
    assert codes(run(capsys, "feed.py")[1]) == ["WSL004"]


def test_no_config_means_defaults(project: Path) -> None:
    settings, source = load_settings(None, cwd=project)
    if source is None:  # nothing above tmp_path
        assert settings == Settings()


def test_config_option_toml_and_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "conf/lint.toml", '[tool.wslint]\nselect = ["WSL002"]\n')
    write(project, "conf/lint.cfg", "[wslint]\nselect = WSL004\n")
    assert codes(run(capsys, "--config", "conf/lint.toml", "feed.py")[1]) == ["WSL002"]
    assert codes(run(capsys, "--config", "conf/lint.cfg", "feed.py")[1]) == ["WSL004"]


def test_config_option_ignores_discovered(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nbogus-key = 1\n")  # would be an error
    write(project, "ok.toml", '[tool.wslint]\nselect = ["WSL003"]\n')
    assert codes(run(capsys, "--config", "ok.toml", "feed.py")[1]) == ["WSL003"]


def test_command_line_overrides_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL003"]\nmin-interval = 0.05\n')
    assert run(capsys, "feed.py")[0] == 0
    assert codes(run(capsys, "--select", "WSL004", "feed.py")[1]) == ["WSL004"]
    assert codes(run(capsys, "--min-interval", "2", "feed.py")[1]) == ["WSL003"]


def test_all_keys_accepted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        "pyproject.toml",
        """\
        [tool.wslint]
        select = ["WSL"]
        ignore = ["WSL001"]
        extend-select = ["WSL00"]
        exclude = ["build", ".venv"]
        extend-exclude = ["generated"]
        min-interval = 2
        broadcast-methods = ["broadcast", "publish"]
        broadcaster-patterns = ["_broadcast_*", "watch_*"]
        sleep-functions = ["asyncio.sleep"]
        start-methods = ["start"]
        message-type-pattern = "^[a-z_]+$"
        update-type-patterns = ["*_update"]
        heartbeat-type-patterns = ["ping"]

        [tool.wslint.per-file-ignores]
        "tests/*" = ["WSL003"]
        """,
    )
    settings, source = load_settings(None, cwd=project)
    assert source == project / "pyproject.toml"
    assert settings.min_interval == 2.0
    assert settings.broadcast_methods == ("broadcast", "publish")
    assert settings.per_file_ignores == (("tests/*", ("WSL003",)),)
    assert run(capsys, "feed.py")[0] == 1


# -- per-file-ignores ------------------------------------------------------------------------


def test_per_file_ignores_toml(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        "pyproject.toml",
        '[tool.wslint.per-file-ignores]\n"tests/*" = ["WSL003", "WSL00"]\n"legacy_*.py" = ["WSL004"]\n',
    )
    write(project, "tests/test_feed.py", FEED)
    write(project, "legacy_feed.py", FEED)
    status, out, _ = run(capsys, ".")
    assert status == 1
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["feed.py"] * 3 + ["legacy_feed.py"] * 2
    assert codes("\n".join(lines[3:])) == ["WSL002", "WSL003"]


def test_per_file_ignores_setup_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project, "setup.cfg", "[wslint]\nper-file-ignores =\n    feed.py: WSL002 WSL004\n    other.py: WSL\n"
    )
    assert codes(run(capsys, "feed.py")[1]) == ["WSL003"]


def test_per_file_ignores_only_matching_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nper-file-ignores = {"other.py" = ["WSL"]}\n')
    assert len(codes(run(capsys, "feed.py")[1])) == 3


# -- errors: one line naming file, line and key; exit 2 ------------------------------------------


def test_unknown_key(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nselect = ['WSL']\nmax-interval = 3\n")
    line = config_error(capsys)
    assert "pyproject.toml:3" in line
    assert "'max-interval'" in line and "unknown" in line


def test_unknown_key_suggests_the_kebab_case_spelling(project: Path, capsys) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nmin_interval = 3\n")
    line = config_error(capsys)
    assert "pyproject.toml:2" in line and "min_interval" in line and "'min-interval'" in line


def test_unknown_key_setup_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "setup.cfg", "[flake8]\nmax-line-length = 100\n\n[wslint]\nselct = WSL003\n")
    line = config_error(capsys)
    assert "setup.cfg:5" in line and "'selct'" in line and "'select'" in line


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('min-interval = "fast"', "number of seconds"),
        ("min-interval = true", "number of seconds"),
        ("min-interval = -1", "non-negative"),
        ("min-interval = [1]", "number of seconds"),
        ("select = 3", "list of strings"),
        ("select = [3]", "list of strings"),
        ("ignore = {a = 1}", "list of strings"),
        ("exclude = 5", "list of strings"),
        ("broadcast-methods = false", "list of strings"),
        ("message-type-pattern = 7", "regular expression"),
        ("per-file-ignores = 3", "table"),
        ('per-file-ignores = {"x.py" = 3}', "list of strings"),
    ],
)
def test_wrong_types(project: Path, capsys, entry: str, expected: str) -> None:
    key = entry.split(" =")[0]
    write(project, "pyproject.toml", f"[project]\nname = 'demo'\n\n[tool.wslint]\n{entry}\n")
    line = config_error(capsys)
    assert "pyproject.toml:5" in line
    assert f"'{key}'" in line
    assert expected in line


def test_wrong_type_setup_cfg(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "setup.cfg", "[wslint]\nselect = WSL\nmin-interval = fast\n")
    line = config_error(capsys)
    assert "setup.cfg:3" in line and "'min-interval'" in line and "'fast'" in line


@pytest.mark.parametrize("pattern", ["([a-z]", "*update", "(?P<x", "a{2,1}"])
def test_bad_regex(project: Path, capsys: pytest.CaptureFixture[str], pattern: str) -> None:
    write(project, "pyproject.toml", f"[tool.wslint]\nselect = ['WSL']\nmessage-type-pattern = '{pattern}'\n")
    line = config_error(capsys)
    assert "pyproject.toml:3" in line
    assert "'message-type-pattern'" in line and "regular expression" in line


@pytest.mark.parametrize(
    "text",
    [
        "[tool.wslint\nselect = 1\n",
        "[tool.wslint]\nselect = [\n",
        "[tool.wslint]\nselect = ['WSL']\nselect = ['WSL']\n",
    ],
)
def test_bad_toml(project: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    write(project, "pyproject.toml", text)
    line = config_error(capsys)
    assert "pyproject.toml" in line and "TOML" in line
    if not text.endswith("[\n"):  # an unclosed list fails "at end of document"
        assert "line" in line  # tomllib's "(at line N, column M)"


def test_bad_toml_via_config_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "lint.toml", "[tool.wslint]\nmin-interval = = 1\n")
    line = config_error(capsys, "--config", "lint.toml", "feed.py")
    assert "lint.toml" in line and "TOML" in line


def test_bad_ini(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "setup.cfg", "[wslint]\nselect = WSL003\nselect = WSL004\n")
    line = config_error(capsys)
    assert "setup.cfg" in line and "select" in line


@pytest.mark.parametrize("value", ['["XYZ1"]', '["E501"]', '["WSL999"]', '["WSL03"]', '"WSL003, nope"'])
def test_unknown_rule_codes_in_select(project: Path, capsys, value: str) -> None:
    write(project, "pyproject.toml", f"[tool.wslint]\nmin-interval = 2\nselect = {value}\n")
    line = config_error(capsys)
    assert "pyproject.toml:3" in line and "'select'" in line
    assert "expected rule codes" in line or "unknown rule code" in line


@pytest.mark.parametrize("key", ["ignore", "extend-select"])
def test_unknown_rule_codes_in_other_code_keys(project: Path, capsys, key: str) -> None:
    write(project, "setup.cfg", f"[wslint]\n{key} = WSL042\n")
    line = config_error(capsys)
    assert "setup.cfg:2" in line and f"'{key}'" in line and "WSL042" in line


def test_unknown_rule_codes_in_per_file_ignores(project: Path, capsys) -> None:
    write(
        project,
        "pyproject.toml",
        '[tool.wslint]\nselect = ["WSL"]\n\n[tool.wslint.per-file-ignores]\n"tests/*" = ["XYZ1"]\n',
    )
    line = config_error(capsys)
    assert "pyproject.toml:4" in line and "'per-file-ignores'" in line and "XYZ1" in line


def test_error_line_is_in_wslint_section_not_another_tool(project: Path, capsys) -> None:
    write(
        project,
        "pyproject.toml",
        """\
        [tool.ruff]
        select = ["E", "F"]
        line-length = 100

        [tool.wslint]
        min-interval = 2
        select = ["XYZ1"]
        """,
    )
    assert "pyproject.toml:7:" in config_error(capsys)


def test_error_line_setup_cfg_section(project: Path, capsys) -> None:
    write(project, "setup.cfg", "[flake8]\nselect = E,W\n\n[wslint]\nselect = XYZ1\n")
    assert "setup.cfg:5:" in config_error(capsys)


def test_error_line_for_quoted_and_dotted_keys(project: Path, capsys) -> None:
    write(project, "pyproject.toml", '[project]\nname = "x"\n\n[tool.wslint]\n"min-interval" = "soon"\n')
    assert "pyproject.toml:5:" in config_error(capsys)
    write(project, "pyproject.toml", '# demo\ntool.wslint.min-interval = "soon"\n\n[project]\nname = "x"\n')
    assert "pyproject.toml:2:" in config_error(capsys)


def test_missing_config_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = config_error(capsys, "--config", "missing/pyproject.toml", "feed.py")
    assert "missing/pyproject.toml" in line and "not found" in line


def test_config_error_beats_path_errors_and_never_checks(project: Path, capsys) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nselect = 3\n")
    line = config_error(capsys, ".")
    assert "select" in line


def test_load_settings_raises_config_error(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nunknown = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml:2: unknown option 'unknown'"):
        load_settings(None, cwd=project)


def test_per_file_ignores_relative_to_config_dir(project: Path, monkeypatch, capsys) -> None:
    write(project, "pyproject.toml", '[tool.wslint.per-file-ignores]\n"tests/*" = ["WSL"]\n')
    write(project, "tests/test_feed.py", FEED)
    (project / "feed.py").unlink()
    assert run(capsys, ".") == (0, "", "")
    assert run(capsys, str(project)) == (0, "", "")
    monkeypatch.chdir(project / "tests")
    assert run(capsys, ".") == (0, "", "")
