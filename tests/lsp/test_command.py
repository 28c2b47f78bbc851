"""``wslint server`` as a subcommand: its help, and one line when pygls is missing."""

from __future__ import annotations

import sys

import pytest

from wslint.cli import main


def test_server_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: wslint server") and "--stdio" in out


def test_server_without_pygls_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # as if it were not installed
    assert main(["server"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "pygls" in captured.err
    assert captured.err.startswith("wslint: error: ")
