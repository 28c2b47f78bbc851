"""The ``wslint`` command line: every option, the exit status, the output formats.

Most tests call ``wslint.cli.main`` in-process inside a ``tmp_path`` project; a representative
subset runs the real command (``python -m wslint``) as a subprocess, including on a terminal.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from samples import FAST_COLUMN, FAST_LINE, FAST_POLLER

from wslint import __version__
from wslint.cli import main
from wslint.rules import ALL_RULES
from wslint.rules.base import DOC_SECTIONS

# The seed's "Broadcasting Too Frequently": WSL002 + WSL004 on line 11, WSL003 on line 12.
NO_GUARD = textwrap.dedent(
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

# The checklist done right: change guard, per-iteration try, 5 s interval, started.
CLEAN = FAST_POLLER.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)")

# Never broadcasts and never started: WSL001 + WSL005 on the def (line 5).
FORGOT = textwrap.dedent(
    """\
    import asyncio


    class StatusMonitor:
        async def _broadcast_status(self):
            while True:
                try:
                    self.status = await self.read()
                except Exception:
                    pass
                await asyncio.sleep(5)

        async def read(self):
            return "ok"
    """
)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (marked by a pyproject.toml without wslint settings) as the cwd."""
    write(tmp_path, "pyproject.toml", '[project]\nname = "demo"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def run_command(*args: str, cwd: Path, stdin: bytes | None = None, env: dict | None = None):
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "wslint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=60,
    )
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert "Traceback" not in stdout + stderr
    return result.returncode, stdout, stderr


def codes_of(out: str) -> list[tuple[str, int, str]]:
    """``(path, line, code)`` of every finding line of text output."""
    found = []
    for line in out.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit():
            found.append((parts[0], int(parts[1]), parts[3].split()[0]))
    return found


# -- exit status and the real command --------------------------------------------------------


def test_command_exit_1_with_findings_in_text_format(project: Path) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, err = run_command("feed.py", cwd=project)
    assert status == 1
    assert out == (
        f"feed.py:{FAST_LINE}:{FAST_COLUMN}: WSL003 broadcaster `_broadcast_prices` polls every "
        "0.1 s, shorter than min-interval 1 s: sleep longer between polls\n"
    )
    assert err == ""


def test_command_exit_0_when_clean(project: Path) -> None:
    write(project, "feed.py", CLEAN)
    assert run_command("feed.py", cwd=project) == (0, "", "")


def test_command_defaults_to_current_directory(project: Path) -> None:
    write(project, "app/feed.py", FAST_POLLER)
    status, out, _ = run_command(cwd=project)
    assert status == 1
    assert codes_of(out) == [(os.path.join("app", "feed.py"), FAST_LINE, "WSL003")]


def test_command_exit_2_on_bad_config_without_traceback(project: Path) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nmin-interval = "fast"\n')
    write(project, "feed.py", FAST_POLLER)
    status, out, err = run_command("feed.py", cwd=project)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "pyproject.toml:2" in err and "min-interval" in err


def test_command_missing_path_is_one_line_exit_2(project: Path) -> None:
    status, out, err = run_command("no_such_module.py", cwd=project)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "no_such_module.py" in err


def test_command_unknown_option_is_usage_error(project: Path) -> None:
    status, _, err = run_command("--frobnicate", cwd=project)
    assert status == 2
    assert "--frobnicate" in err


def test_command_stdin_with_filename(project: Path) -> None:
    status, out, _ = run_command(
        "-",
        "--stdin-filename",
        "services/feed.py",
        "--select",
        "WSL003",
        cwd=project,
        stdin=FAST_POLLER.encode(),
    )
    assert status == 1
    assert codes_of(out) == [("services/feed.py", FAST_LINE, "WSL003")]


def test_command_stdin_without_filename_is_reported_as_stdin(project: Path) -> None:
    status, out, _ = run_command("-", "--select", "WSL003", cwd=project, stdin=FAST_POLLER.encode())
    assert status == 1
    assert codes_of(out) == [("<stdin>", FAST_LINE, "WSL003")]


def test_command_stdin_broadcaster_started_in_same_source(project: Path) -> None:
    status, out, _ = run_command(
        "-", "--stdin-filename", "services/feed.py", cwd=project, stdin=FAST_POLLER.encode()
    )
    assert [code for _, _, code in codes_of(out)] == ["WSL003"]


def test_command_stdin_syntax_error_is_wsl000(project: Path) -> None:
    source = b"async def _broadcast_status(self)\n    await manager.broadcast({})\n"
    status, out, _ = run_command("-", "--stdin-filename", "status.py", cwd=project, stdin=source)
    assert status == 1
    assert codes_of(out) == [("status.py", 1, "WSL000")]


def _run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "wslint", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=env,
        )
        os.close(secondary)
        chunks = []
        while True:
            ready, _, _ = select.select([primary], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=30) == 1
        return b"".join(chunks)
    finally:
        os.close(primary)


def test_colour_on_a_terminal(project: Path) -> None:
    write(project, "feed.py", FAST_POLLER)
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["TERM"] = "xterm"
    output = _run_on_terminal(["feed.py"], project, env)
    assert b"\x1b[" in output
    assert b"WSL003" in output and b"Traceback" not in output


def test_no_colour_on_a_terminal_with_no_color(project: Path) -> None:
    write(project, "feed.py", FAST_POLLER)
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm"}
    output = _run_on_terminal(["feed.py", "--show-source"], project, env)
    assert b"WSL003" in output
    assert b"\x1b" not in output


def test_no_colour_when_piped(project: Path) -> None:
    write(project, "feed.py", FAST_POLLER)
    _, out, _ = run_command("feed.py", "--show-source", "--statistics", cwd=project)
    assert "WSL003" in out and "\x1b" not in out


def test_command_version(project: Path) -> None:
    assert run_command("--version", cwd=project) == (0, f"wslint, version {__version__}\n", "")


# -- the rest in-process ---------------------------------------------------------------------


def test_version_in_process(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert __version__ in out


def test_help(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for flag in (
        "--select",
        "--ignore",
        "--extend-select",
        "--min-interval",
        "--show-source",
        "--statistics",
        "--exit-zero",
        "--explain",
        "--list-rules",
        "--format",
        "--config",
        "--exclude",
        "--extend-exclude",
        "--version",
    ):
        assert flag in out


def test_output_sorted_by_path_line_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "b_feed.py", NO_GUARD)
    write(project, "a_monitor.py", FORGOT)
    write(project, "a_feed.py", FAST_POLLER)
    # Given out of order on purpose.
    status, out, _ = run(capsys, "b_feed.py", "a_monitor.py", "a_feed.py")
    assert status == 1
    assert codes_of(out) == [
        ("a_feed.py", FAST_LINE, "WSL003"),
        ("a_monitor.py", 5, "WSL001"),
        ("a_monitor.py", 5, "WSL005"),
        ("b_feed.py", 11, "WSL002"),
        ("b_feed.py", 11, "WSL004"),
        ("b_feed.py", 12, "WSL003"),
    ]
    keys = []
    for line in out.splitlines():
        path, line_number, column, _ = line.split(":", 3)
        keys.append((path, int(line_number), int(column)))
    assert keys == sorted(keys)


def test_select_exact_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "WSL004", "feed.py")
    assert status == 1
    assert codes_of(out) == [("feed.py", 11, "WSL004")]


def test_select_several_codes_comma_separated(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "WSL002,WSL003", "feed.py")
    assert status == 1
    assert [code for _, _, code in codes_of(out)] == ["WSL002", "WSL003"]


def test_select_prefix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "WSL00", "feed.py")
    assert status == 1
    assert [code for _, _, code in codes_of(out)] == ["WSL002", "WSL004", "WSL003"]


def test_select_rule_that_does_not_fire_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    assert run(capsys, "--select", "WSL001", "feed.py") == (0, "", "")


def test_select_lowercase_codes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "wsl003", "feed.py")
    assert (status, [code for _, _, code in codes_of(out)]) == (1, ["WSL003"])


def test_ignore_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--ignore", "WSL002,WSL004", "feed.py")
    assert status == 1
    assert codes_of(out) == [("feed.py", 12, "WSL003")]


def test_ignore_prefix_silences_everything(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    assert run(capsys, "--ignore", "WSL00", "feed.py") == (0, "", "")


def test_ignore_longer_prefix_than_select_wins(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "WSL", "--ignore", "WSL003", "feed.py")
    assert [code for _, _, code in codes_of(out)] == ["WSL002", "WSL004"]


def test_extend_select_adds_to_select(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--select", "WSL002", "--extend-select", "WSL003", "feed.py")
    assert status == 1
    assert [code for _, _, code in codes_of(out)] == ["WSL002", "WSL003"]


def test_extend_select_adds_to_config_select(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL004"]\n')
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--extend-select", "WSL00", "feed.py")
    assert [code for _, _, code in codes_of(out)] == ["WSL002", "WSL004", "WSL003"]


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
@pytest.mark.parametrize("value", ["XYZ1", "E501", "WSL999", "WSL03"])
def test_unknown_codes_on_command_line(
    project: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, err = run(capsys, option, value, "feed.py")
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert value in err and option in err


def test_min_interval_raises_the_bar(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", CLEAN)  # sleeps 5 s
    status, out, _ = run(capsys, "--min-interval", "10", "feed.py")
    assert status == 1
    assert codes_of(out) == [("feed.py", FAST_LINE, "WSL003")]
    assert "min-interval 10 s" in out


def test_min_interval_lowers_the_bar(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)  # sleeps 0.1 s
    assert run(capsys, "--min-interval", "0.05", "feed.py") == (0, "", "")
    assert run(capsys, "--min-interval", "0.1", "feed.py") == (0, "", "")  # exactly is fine


def test_min_interval_overrides_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", "[tool.wslint]\nmin-interval = 0.01\n")
    write(project, "feed.py", FAST_POLLER)
    assert run(capsys, "feed.py")[0] == 0
    assert run(capsys, "--min-interval", "1", "feed.py")[0] == 1


@pytest.mark.parametrize("value", ["fast", "-1", "nan", ""])
def test_min_interval_bad_value(project: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, err = run(capsys, "--min-interval", value, "feed.py")
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and "min-interval" in err


def test_show_source_line_caret_and_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, _ = run(capsys, "--show-source", "feed.py")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"feed.py:{FAST_LINE}:{FAST_COLUMN}: WSL003 ")
    assert lines[1] == "                await asyncio.sleep(0.1)"
    # The caret sits under the call, spanning it.
    caret = lines[2]
    assert caret.strip() == "^" * len("asyncio.sleep(0.1)")
    assert caret.index("^") == lines[1].index("asyncio.sleep")
    assert lines[3].strip().startswith("help: ")
    assert "min-interval" in lines[3]
    assert "\x1b" not in out


def test_show_source_fix_per_rule(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "monitor.py", FORGOT)
    status, out, _ = run(capsys, "--show-source", "monitor.py")
    assert status == 1
    from wslint.rules import RULES_BY_CODE

    for code in ("WSL001", "WSL005"):
        assert f"help: {RULES_BY_CODE[code].fix}" in out
    assert out.count("    async def _broadcast_status(self):") == 2
    caret = " " * 8 + "^" * len("async def _broadcast_status")  # spans the def, not the body
    assert out.splitlines().count(caret) == 2


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "a.py", NO_GUARD)
    write(project, "b.py", NO_GUARD)
    write(project, "c.py", FAST_POLLER)
    status, out, _ = run(capsys, "--statistics", "a.py", "b.py", "c.py")
    assert status == 1
    lines = out.splitlines()
    assert len(codes_of(out)) == 7
    stats = [line.split() for line in lines[7:]]
    assert stats == [
        ["2", "WSL002", "loop-exception-unhandled"],
        ["3", "WSL003", "poll-interval-too-short"],
        ["2", "WSL004", "broadcast-without-change-check"],
    ]


def test_statistics_when_clean_prints_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", CLEAN)
    assert run(capsys, "--statistics", "feed.py") == (0, "", "")


def test_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", NO_GUARD)
    status, out, _ = run(capsys, "--exit-zero", "feed.py")
    assert status == 0
    assert len(codes_of(out)) == 3


def test_exit_zero_does_not_hide_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--exit-zero", "missing.py")
    assert status == 2
    assert "missing.py" in err


def test_explain_prints_the_documentation_sections(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--explain", "WSL003")
    assert status == 0
    assert out.startswith("# WSL003 poll-interval-too-short")
    positions = [out.index(f"## {section}") for section in DOC_SECTIONS]
    assert positions == sorted(positions)
    assert "asyncio.sleep(0.1)" in out  # the Example
    assert "asyncio.sleep(5)" in out  # Use instead
    page = Path(__file__).parent.parent / "docs" / "rules" / "WSL003.md"
    assert out.endswith(f"\n\nDocumentation: {page.as_uri()}\n")  # run from a clone: its page


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_explain_every_rule(project: Path, capsys: pytest.CaptureFixture[str], rule) -> None:
    status, out, _ = run(capsys, "--explain", rule.code.lower())
    assert status == 0
    assert rule.name in out
    for section in DOC_SECTIONS:
        assert f"## {section}" in out


def test_explain_unknown_code(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--explain", "WSL999")
    assert status == 2
    assert out == ""
    assert "WSL999" in err


def test_list_rules(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--list-rules")
    assert status == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[0] for row in rows] == [rule.code for rule in ALL_RULES]
    for row, rule in zip(rows, ALL_RULES):
        assert row[1] == rule.name
        assert row[2] == ("on" if rule.default_enabled else "off")


def test_format_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "b.py", FAST_POLLER)
    write(project, "a.py", NO_GUARD)
    status, out, _ = run(capsys, "--format", "json", ".")
    assert status == 1
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 4
    for item in data:
        assert list(item) == [
            *("code", "name", "message", "path", "line", "column", "end_line", "end_column", "fix")
        ]
    assert [(item["path"], item["line"], item["code"]) for item in data] == [
        ("a.py", 11, "WSL002"),
        ("a.py", 11, "WSL004"),
        ("a.py", 12, "WSL003"),
        ("b.py", FAST_LINE, "WSL003"),
    ]
    last = data[-1]
    assert last == {
        "code": "WSL003",
        "name": "poll-interval-too-short",
        "message": last["message"],
        "path": "b.py",
        "line": FAST_LINE,
        "column": FAST_COLUMN,
        "end_line": FAST_LINE,
        "end_column": FAST_COLUMN + len("asyncio.sleep(0.1)"),
        "fix": None,  # WSL003 has no fix
    }
    assert "0.1 s" in last["message"]


def test_format_json_when_clean_is_empty_list(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", CLEAN)
    status, out, _ = run(capsys, "--format", "json", "feed.py")
    assert status == 0
    assert json.loads(out) == []


def test_format_json_ignores_text_only_flags(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)
    _, out, _ = run(capsys, "--format", "json", "--statistics", "--show-source", "feed.py")
    assert [item["code"] for item in json.loads(out)] == ["WSL003"]


def test_format_github(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, _ = run(capsys, "--format", "github", "feed.py")
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"::error file=feed.py,line={FAST_LINE},col={FAST_COLUMN},")
    assert "title=WSL003::broadcaster `_broadcast_prices` polls every 0.1 s" in lines[0]


def test_format_github_escapes_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "odd,name.py", FAST_POLLER)
    _, out, _ = run(capsys, "--format", "github", "odd,name.py")
    assert out.startswith("::error file=odd%2Cname.py,line=")


def test_format_unknown(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--format", "xml", ".")
    assert status == 2
    assert "xml" in err


def test_config_option_explicit_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "ci/wslint.toml", "[tool.wslint]\nmin-interval = 0.05\n")
    write(project, "feed.py", FAST_POLLER)
    assert run(capsys, "feed.py")[0] == 1
    assert run(capsys, "--config", "ci/wslint.toml", "feed.py") == (0, "", "")


def test_config_option_wins_over_discovered(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "pyproject.toml", '[tool.wslint]\nselect = ["WSL001"]\n')
    write(project, "strict.cfg", "[wslint]\nselect = WSL003\n")
    write(project, "feed.py", FAST_POLLER)
    assert run(capsys, "feed.py")[0] == 0
    status, out, _ = run(capsys, "--config", "strict.cfg", "feed.py")
    assert (status, [code for _, _, code in codes_of(out)]) == (1, ["WSL003"])


def test_config_option_missing_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, err = run(capsys, "--config", "nowhere.toml", "feed.py")
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and "nowhere.toml" in err


def test_exclude_replaces_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app/feed.py", FAST_POLLER)
    write(project, "build/feed.py", FAST_POLLER)  # excluded by default
    write(project, "legacy/feed.py", FAST_POLLER)
    _, out, _ = run(capsys, ".")
    assert sorted({path for path, _, _ in codes_of(out)}) == [
        os.path.join("app", "feed.py"),
        os.path.join("legacy", "feed.py"),
    ]
    _, out, _ = run(capsys, "--exclude", "legacy", ".")
    assert sorted({path for path, _, _ in codes_of(out)}) == [
        os.path.join("app", "feed.py"),
        os.path.join("build", "feed.py"),
    ]


def test_extend_exclude_keeps_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app/feed.py", FAST_POLLER)
    write(project, "build/feed.py", FAST_POLLER)
    write(project, "app/generated_feed.py", FAST_POLLER)
    _, out, _ = run(capsys, "--extend-exclude", "generated_*.py,legacy", ".")
    assert [path for path, _, _ in codes_of(out)] == [os.path.join("app", "feed.py")]


def test_exclude_glob_on_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "app/feed.py", FAST_POLLER)
    write(project, "app/vendor/feed.py", FAST_POLLER)
    status, out, _ = run(capsys, "--extend-exclude", "app/vendor/*", ".")
    assert [path for path, _, _ in codes_of(out)] == [os.path.join("app", "feed.py")]


def test_missing_path_among_good_ones(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, "feed.py", FAST_POLLER)
    status, out, err = run(capsys, "feed.py", "gone/")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "gone" in err


def test_syntax_error_file_reported_and_others_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, "a_feed.py", FAST_POLLER)
    write(
        project,
        "b_status.py",
        "import asyncio\n\n\nasync def _broadcast_status(manager)\n    await manager.broadcast({})\n",
    )
    write(project, "c_feed.py", NO_GUARD)
    status, out, _ = run(capsys, ".")
    assert status == 1
    found = codes_of(out)
    assert ("b_status.py", 4, "WSL000") in found
    assert ("a_feed.py", FAST_LINE, "WSL003") in found
    assert ("c_feed.py", 12, "WSL003") in found
    assert "syntax error" in out


def test_undecodable_and_null_bytes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "latin.py").write_bytes(b"# caf\xe9\nasync def _broadcast_menu(m):\n    pass\n")
    (project / "nul.py").write_bytes(b"x = 1\ny = 2\x00\n")
    (project / "cookie.py").write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    write(project, "feed.py", FAST_POLLER)
    status, out, _ = run(capsys, ".")
    assert status == 1
    assert codes_of(out) == [
        ("cookie.py", 1, "WSL000"),
        ("feed.py", FAST_LINE, "WSL003"),
        ("latin.py", 1, "WSL000"),
        ("nul.py", 2, "WSL000"),
    ]


def test_wsl000_can_be_ignored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "nul.py").write_bytes(b"x = 1\x00\n")
    assert run(capsys, "--ignore", "WSL000", "nul.py") == (0, "", "")
    # ... but not by selecting other rules only.
    assert run(capsys, "--select", "WSL003", "nul.py")[0] == 1


def test_empty_directory_is_clean(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "empty").mkdir()
    assert run(capsys, "empty") == (0, "", "wslint: warning: no Python files to check in empty\n")


def test_syntax_error_in_a_named_file_is_reported_even_without_broadcast_words(project: Path, capsys) -> None:
    write(project, "util.py", "def helper(:\n    return 1\n")
    status, out, _ = run(capsys, "--no-cache", "util.py")
    assert (status, codes_of(out)) == (1, [("util.py", 1, "WSL000")])


def test_walked_file_without_broadcast_words_is_never_parsed(project: Path, capsys) -> None:
    """The prefilter's promise: such a file cannot hold a finding, so it is not parsed."""
    write(project, "pkg/util.py", "def helper(:\n    return 1\n")
    assert run(capsys, "--no-cache", "pkg") == (0, "", "")
