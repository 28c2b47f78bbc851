"""The language server's checker process: the command's answer for a buffer, modules kept parsed
between checks, and the client settings turned into the command's options."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from samples import FAST_LINE, FAST_POLLER

from wslint.driver import checking
from wslint.lsp.checks import SettingsError, arguments_for, checker_key
from wslint.lsp.worker import serve

# A project where checking feed.py asks about the other module (is the broadcaster started?).
STARTER = textwrap.dedent(
    """\
    import asyncio

    from feed import PriceFeed


    def main(manager):
        feed = PriceFeed(manager)
        return asyncio.create_task(feed._broadcast_prices())
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (tmp_path / "feed.py").write_text(
        FAST_POLLER.replace("    async def start(self):\n", ""), encoding="utf-8"
    )
    (tmp_path / "starter.py").write_text(STARTER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(checking, "_parsed_kept", None)
    return tmp_path


def answers_to(requests: list[dict[str, object]], options: list[str]) -> list[dict[str, object]]:
    out = io.StringIO()
    serve(io.StringIO("".join(json.dumps(request) + "\n" for request in requests)), out, options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_worker_answers_what_the_command_prints(project: Path) -> None:
    path = str(project / "feed.py")
    text = (project / "feed.py").read_text(encoding="utf-8")
    edited = text.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)")
    first, second, bad = answers_to(
        [{"id": 1, "path": path, "text": text}, {"id": 2, "path": path, "text": edited}, {"id": 3}],
        ["--no-cache"],
    )
    command = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--format", "json", "--stdin-filename", path, "-"],
        input=text.encode(),
        capture_output=True,
        cwd=project,
    )
    assert (first["id"], first["status"]) == (1, command.returncode) == (1, 1)
    assert json.loads(str(first["out"])) == json.loads(command.stdout)
    assert [(f["code"], f["line"]) for f in json.loads(str(first["out"]))] == [("WSL003", FAST_LINE)]
    assert (second["id"], second["status"], json.loads(str(second["out"]))) == (2, 0, [])
    assert bad["status"] == 2 and "bad request" in str(bad["err"]) and bad["id"] is None


def test_a_configured_fix_never_rewrites_the_buffer(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n[tool.wslint]\nfix = true\nunsafe-fixes = true\n', encoding="utf-8"
    )
    path = str(project / "feed.py")
    text = "async def on_fill(manager):\n    manager.broadcast({'type': 'fill_update'})\n"
    (answer,) = answers_to([{"id": 1, "path": path, "text": text}], ["--no-cache", "--fix"])
    findings = json.loads(str(answer["out"]))  # the findings, never the fixed source
    assert answer["status"] == 1 and [f["code"] for f in findings] == ["WSL007"]
    assert findings[0]["fix"]["edits"][0]["content"] == "await "
    with pytest.raises(SettingsError, match="wslint.fix"):
        arguments_for({"fix": True})  # a check of a buffer never fixes it


def test_modules_stay_parsed_between_checks_until_their_bytes_change(project: Path) -> None:
    path = str(project / "feed.py")
    text = (project / "feed.py").read_text(encoding="utf-8")
    answers_to([{"id": 1, "path": path, "text": text + "\n# edited\n"}], ["--no-cache"])
    kept = checking._parsed_kept
    assert kept is not None
    starter = str(project / "starter.py")
    parsed = {key: module for key, (module, _) in kept._kept.items() if key[0] == starter}
    assert len(parsed) == 1  # the other module, read for the project-wide question

    checking._parsed_kept = kept
    serve_again = [{"id": 2, "path": path, "text": text + "\n# edited again\n"}]
    out = io.StringIO()
    original = checking.keep_parsed_modules
    try:
        checking.keep_parsed_modules = lambda budget: None  # keep the same memo for this second run
        serve(io.StringIO(json.dumps(serve_again[0]) + "\n"), out, ["--no-cache"])
    finally:
        checking.keep_parsed_modules = original
    again = {key: module for key, (module, _) in kept._kept.items() if key[0] == starter}
    assert again == parsed and all(again[key] is parsed[key] for key in parsed)  # not parsed again

    (project / "starter.py").write_text(STARTER + "\n# changed on disk\n", encoding="utf-8")
    checking._parsed_kept = kept
    try:
        checking.keep_parsed_modules = lambda budget: None
        serve(
            io.StringIO(json.dumps({"id": 3, "path": path, "text": text}) + "\n"),
            io.StringIO(),
            ["--no-cache"],
        )
    finally:
        checking.keep_parsed_modules = original
    changed = [key for key in kept._kept if key[0] == starter]
    assert len(changed) == 2  # the new bytes parsed anew, beside the old


def test_kept_modules_are_bounded_by_their_source_bytes(tmp_path: Path) -> None:
    kept = checking.ParsedModules(budget=100)
    settings = checking.Settings()
    for number in range(5):
        path = tmp_path / f"m{number}.py"
        kept.module(path, f"x = {number}\n".encode() * 10, tmp_path, settings)  # 60 bytes each
    assert (len(kept._kept), kept._size) == (1, 60)  # the most recent only: two would pass 100


def test_settings_become_the_commands_options() -> None:
    assert arguments_for(
        {
            "select": ["WSL003", "WSL004"],
            "min-interval": 2,
            "config": "lint.toml",
            "no-cache": True,
            "args": ["-q"],
        }
    ) == ["--select", "WSL003,WSL004", "--min-interval", "2", "--config", "lint.toml", "--no-cache", "-q"]
    assert arguments_for({"no-cache": False, "baseline": None}) == []
    with pytest.raises(SettingsError, match="wslint.colour"):
        arguments_for({"colour": True})
    with pytest.raises(SettingsError, match="wslint.format"):
        arguments_for({"format": "sarif"})  # the server reads JSON: not a setting
    with pytest.raises(SettingsError, match="list of strings"):
        arguments_for({"args": "--select WSL003"})


def test_a_loose_file_is_checked_in_its_folder_without_a_cache(tmp_path: Path) -> None:
    loose = tmp_path / "loose" / "feed.py"
    loose.parent.mkdir()
    assert checker_key(loose, ["--select", "WSL003"]) == (loose.parent, ("--no-cache", "--select", "WSL003"))
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    assert checker_key(loose, []) == (tmp_path, ())


def test_an_abandoned_check_never_answers_for_the_next(project: Path) -> None:
    """A check cancelled after its request was sent (a newer edit): its answer, when it comes,
    is dropped, and the next check gets its own."""
    import asyncio

    from wslint.lsp.checks import Checker

    path = project / "feed.py"
    broken = path.read_text(encoding="utf-8")
    fixed = broken.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)")

    async def scenario() -> tuple[list[str], list[str]]:
        checker = Checker(project, ("--no-cache",))
        try:
            first = asyncio.create_task(checker.check(path, broken))
            while checker.sent == 0:  # the request is on its way
                await asyncio.sleep(0.01)
            first.cancel()
            newer = await checker.check(path, fixed)
            again = await checker.check(path, broken)
            return [f.code for f in newer.findings], [f.code for f in again.findings]
        finally:
            await checker.aclose()

    assert asyncio.run(scenario()) == ([], ["WSL003"])


def test_an_abandoned_check_left_unanswered_ends_its_process(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the grace period, a dropped check's process is ended and the next check starts anew."""
    import asyncio

    from wslint.lsp import checks

    monkeypatch.setattr(checks, "ABANDONED_GRACE_SECONDS", 0.0)
    path = project / "feed.py"
    text = path.read_text(encoding="utf-8")

    async def scenario() -> tuple[int, int, list[str]]:
        checker = checks.Checker(project, ("--no-cache",))
        try:
            assert [f.code for f in (await checker.check(path, text)).findings] == ["WSL003"]
            assert checker.process is not None
            first_pid = checker.process.pid
            slow = text + "".join(
                f"\ndef helper_{number}():\n    return {number}\n" for number in range(40_000)
            )
            abandoned = asyncio.create_task(checker.check(path, slow))  # long to parse and check
            while checker.sent < 2:
                await asyncio.sleep(0.01)
            abandoned.cancel()
            await asyncio.sleep(0.05)  # the grace period (none here) runs out
            outcome = await checker.check(path, text)
            assert checker.process is not None
            return first_pid, checker.process.pid, [f.code for f in outcome.findings]
        finally:
            await checker.aclose()

    first_pid, next_pid, codes = asyncio.run(scenario())
    assert first_pid != next_pid and codes == ["WSL003"]
