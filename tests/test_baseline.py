"""The baseline: ``--write-baseline`` records today's findings, ``--baseline`` reports new ones.

Entries are keyed by code, path, enclosing function and the offending line's text, so edits
elsewhere keep them; each test edits a real project and runs the command in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from samples import FAST_LINE, FAST_POLLER

from wslint.cli import main
from wslint.driver.baseline import enclosing_names, function_at

# Two broadcasters polling too fast: WSL003 in each (lines 9 and 15; the tests select it alone).
TWO_FAST = """\
import asyncio


class Feed:
    async def _broadcast_prices(self):
        while True:
            if await self.changed():
                await self.manager.broadcast({"type": "prices", "data": 1})
            await asyncio.sleep(0.1)

    async def _broadcast_news(self):
        while True:
            if await self.changed():
                await self.manager.broadcast({"type": "news", "data": 1})
            await asyncio.sleep(0.2)

    def start(self):
        self.tasks = [asyncio.create_task(self._broadcast_prices())]
        self.tasks.append(asyncio.create_task(self._broadcast_news()))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--no-cache", "--select", "WSL003", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": WSL" in line]


def test_baseline_hides_recorded_findings_and_exits_0(project: Path, capsys) -> None:
    (project / "feed.py").write_text(TWO_FAST, encoding="utf-8")
    status, out, err = run(capsys, "--write-baseline", "wslint-baseline.json", ".")
    assert (status, out) == (0, "")
    assert err == "wslint: wrote 2 findings to wslint-baseline.json\n"
    stored = json.loads((project / "wslint-baseline.json").read_text(encoding="utf-8"))
    assert [(entry["code"], entry["path"], entry["function"]) for entry in stored["findings"]] == [
        ("WSL003", "feed.py", "Feed._broadcast_news"),
        ("WSL003", "feed.py", "Feed._broadcast_prices"),
    ]
    assert all("line" not in entry for entry in stored["findings"])  # no line numbers in keys
    assert run(capsys, "--baseline", "wslint-baseline.json", ".") == (0, "", "")


def test_baseline_survives_lines_inserted_above_a_finding(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    moved = FAST_POLLER.replace("import asyncio\n", "import asyncio\nimport json\nimport logging\n\n\n")
    (project / "feed.py").write_text(moved, encoding="utf-8")
    status, out, _ = run(capsys, ".")
    assert status == 1 and f"feed.py:{FAST_LINE + 4}:" in out  # the finding really moved
    assert run(capsys, "--baseline", "base.json", ".") == (0, "", "")


def test_baseline_survives_a_moved_function(project: Path, capsys) -> None:
    (project / "feed.py").write_text(TWO_FAST, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    head, prices, news_and_start = TWO_FAST.partition("    async def _broadcast_prices(self):")
    news, start_marker, start = news_and_start.partition("    def start(self):")
    news_body = news.split("    async def _broadcast_news(self):")
    swapped = (
        head
        + "    async def _broadcast_news(self):"
        + news_body[1]
        + prices
        + news_body[0]
        + start_marker
        + start
    )
    (project / "feed.py").write_text(swapped, encoding="utf-8")
    status, out, _ = run(capsys, ".")
    assert status == 1 and len(finding_lines(out)) == 2
    assert "`_broadcast_news`" in finding_lines(out)[0]  # it moved above the other
    assert run(capsys, "--baseline", "base.json", ".") == (0, "", "")


def test_renamed_file_is_a_new_finding_and_the_old_entry_is_gone(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    (project / "feed.py").rename(project / "prices.py")
    status, out, err = run(capsys, "--baseline", "base.json", ".")
    assert status == 1
    assert finding_lines(out) == [line for line in out.splitlines() if line.startswith("prices.py:")]
    assert len(finding_lines(out)) == 1
    assert err == (
        "wslint: 1 baselined finding no longer occurs: run --write-baseline base.json to drop it\n"
    )


def test_a_new_finding_in_a_baselined_function_is_reported(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    # A second sleep too short in the same loop: same code, same function, another line.
    edited = FAST_POLLER.replace(
        "                prices = await self.fetch()\n",
        "                prices = await self.fetch()\n                await asyncio.sleep(0.05)\n",
    )
    (project / "feed.py").write_text(edited, encoding="utf-8")
    status, out, _ = run(capsys, "--baseline", "base.json", ".")
    assert status == 1
    assert [line.split(":")[1] for line in finding_lines(out)] == ["14"]


def test_identical_lines_are_counted(project: Path, capsys) -> None:
    one = TWO_FAST.replace("asyncio.sleep(0.2)", "asyncio.sleep(0.1)")  # two identical lines
    (project / "feed.py").write_text(one, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    # Three identical lines in one function: the baseline hides one per entry.
    tripled = one.replace(
        "            await asyncio.sleep(0.1)\n\n    async def _broadcast_news",
        "            await asyncio.sleep(0.1)\n"
        "            await asyncio.sleep(0.1)\n\n    async def _broadcast_news",
    )
    (project / "feed.py").write_text(tripled, encoding="utf-8")
    status, out, _ = run(capsys, "--baseline", "base.json", ".")
    assert status == 1 and len(finding_lines(out)) == 1


def test_baseline_from_the_configuration_is_relative_to_it(project: Path, capsys, monkeypatch) -> None:
    (project / "pyproject.toml").write_text('[tool.wslint]\nbaseline = "lint/base.json"\n', encoding="utf-8")
    (project / "app").mkdir()
    (project / "lint").mkdir()
    (project / "app" / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    assert run(capsys, "--write-baseline", "lint/base.json", ".")[0] == 0
    assert json.loads((project / "lint/base.json").read_text())["findings"][0]["path"] == "../app/feed.py"
    monkeypatch.chdir(project / "app")  # the configuration is found upward, its baseline beside it
    assert run(capsys, "feed.py") == (0, "", "")
    assert run(capsys, "--baseline", "../lint/base.json", ".") == (0, "", "")


def test_a_run_over_some_files_does_not_call_the_others_gone(project: Path, capsys) -> None:
    (project / "a.py").write_text(FAST_POLLER, encoding="utf-8")
    (project / "b.py").write_text(FAST_POLLER, encoding="utf-8")
    assert run(capsys, "--write-baseline", "base.json", ".")[0] == 0
    assert run(capsys, "--baseline", "base.json", "a.py") == (0, "", "")  # as pre-commit runs it


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "baseline file not found"),
        ("{not json", "invalid JSON"),
        ('{"findings": []}', "not a wslint baseline"),
        ('{"wslint-baseline": 1, "findings": [{"code": "WSL003"}]}', "entry 1 lacks"),
    ],
)
def test_a_bad_baseline_is_one_line_exit_2(project: Path, capsys, content: str | None, says: str) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    if content is not None:
        (project / "base.json").write_text(content, encoding="utf-8")
    status, out, err = run(capsys, "--baseline", "base.json", ".")
    assert status == 2 and out == ""
    assert err.startswith("wslint: error: base.json: ") and says in err and err.count("\n") == 1


def test_a_bad_baseline_key_in_the_configuration(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.wslint]\nbaseline = 3\n", encoding="utf-8")
    status, _, err = run(capsys, ".")
    assert status == 2 and "pyproject.toml:2" in err and "baseline" in err


def test_baseline_of_stdin_reads_the_given_text(project: Path) -> None:
    """The real command: source from stdin is keyed by its own lines, not the file's."""

    def command(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "wslint", "--no-cache", "--stdin-filename", "feed.py", *args, "-"],
            input=FAST_POLLER.encode(),
            cwd=project,
            capture_output=True,
            timeout=60,
        )

    assert command("--write-baseline", "base.json").returncode == 0
    stored = json.loads((project / "base.json").read_text(encoding="utf-8"))
    assert stored["findings"][0]["function"] == "PriceFeed._broadcast_prices"
    assert command("--baseline", "base.json").returncode == 0


def test_enclosing_names_are_qualified_innermost_first_found() -> None:
    source = (
        "def top():\n    def inner():\n        x = 1\n    y = 2\n\n\n"
        "class A:\n    async def m(self):\n        pass\nz = 3\n"
    )
    spans = enclosing_names(source)
    assert [function_at(spans, line) for line in (1, 3, 4, 8, 9, 10)] == [
        "top",
        "top.inner",
        "top",
        "A.m",
        "A.m",
        "",
    ]
    assert enclosing_names("def broken(:\n") == []
