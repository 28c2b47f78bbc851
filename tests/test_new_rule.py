"""A rule written outside wslint's own modules runs through the whole engine.

The rule here states only what it needs, as data (a file must hold a broadcaster's words and a
call of ``print``: :mod:`wslint.core.needs`), and knows nothing of the byte-level prefilter, the
workers or the cache: registered, it fires through ``check_paths`` and through the command line,
and a file without its words is never parsed for it.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wslint import rules
from wslint.analysis.context import FileContext
from wslint.cli import main
from wslint.core.findings import Finding
from wslint.core.needs import BROADCASTER, CallOf, Needs
from wslint.core.options import Settings
from wslint.driver.checking import relevance_for
from wslint.driver.runner import check_paths
from wslint.rules.base import Rule


class PrintInBroadcaster(Rule):
    code = "WSL901"
    name = "print-in-broadcaster"
    summary = "A broadcaster prints instead of logging"
    fix = "log with the logging module"

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return ((BROADCASTER, CallOf(("print",))),)  # a broadcaster's file that calls print

    def check(self, context: FileContext) -> Iterator[Finding]:
        for function, _ in context.broadcasters():
            for node in ast.walk(function.node):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                    yield self.finding(context, node, f"`{function.name}` prints: log instead")


BROADCASTER_SOURCE = """\
import asyncio


class Feed:
    async def _broadcast_prices(self):
        while True:
            print("tick")
            await self.manager.broadcast({"type": "price_update"})
            await asyncio.sleep(5)
"""
SILENT = BROADCASTER_SOURCE.replace('print("tick")', "pass")


@pytest.fixture
def registered() -> Iterator[type[Rule]]:
    rules.register(PrintInBroadcaster)
    relevance_for.cache_clear()
    try:
        yield PrintInBroadcaster
    finally:
        rules.unregister(PrintInBroadcaster)
        relevance_for.cache_clear()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "feed.py").write_text(BROADCASTER_SOURCE, encoding="utf-8")
    (tmp_path / "quiet.py").write_text(SILENT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_registered_rule_fires_through_check_paths(registered: type[Rule], project: Path) -> None:
    report = check_paths([project], Settings(select=("WSL901",)), jobs=1)
    assert [(Path(f.path).name, f.line, f.column, f.code) for f in report.findings] == [
        ("feed.py", 7, 13, "WSL901")
    ]


def test_a_registered_rule_fires_through_the_command_line(
    registered: type[Rule], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--no-cache", "--format", "json", "--select", "WSL901", "."])
    found = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [(Path(f["path"]).name, f["line"], f["code"], f["name"]) for f in found] == [
        ("feed.py", 7, "WSL901", "print-in-broadcaster")
    ]


def test_an_unregistered_rule_is_unknown(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", "--select", "WSL901", "."]) == 2
    assert "unknown rule code 'WSL901'" in capsys.readouterr().err


def test_a_file_without_the_rules_words_is_never_parsed_for_it(registered: type[Rule], project: Path) -> None:
    relevance = relevance_for(Settings(select=("WSL901",)))
    assert relevance.codes(BROADCASTER_SOURCE.encode()) == ("WSL901",)
    assert relevance.codes(SILENT.encode()) == ()
