"""``# noqa`` suppression with flake8's semantics, in the standalone command."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wslint.cli import main
from wslint.core.noqa import is_suppressed, suppressed_on

# WSL002 and WSL004 on the broadcast (line 11), WSL003 on the sleep (line 12).
FEED = textwrap.dedent(
    """\
    import asyncio


    class BackgroundTasks:
        def __init__(self, websocket_manager):
            self.websocket_manager = websocket_manager
            self._tasks = []

        async def _broadcast_queue_updates(self):
            while True:
                await self.websocket_manager.broadcast({{"type": "queue_update", "data": []}}){broadcast}
                await asyncio.sleep(0.1){sleep}

        async def start(self):
            self._tasks.append(asyncio.create_task(self._broadcast_queue_updates()))
    """
)


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.chdir(tmp_path)

    def run(broadcast: str = "", sleep: str = "") -> list[tuple[int, str]]:
        (tmp_path / "feed.py").write_text(FEED.format(broadcast=broadcast, sleep=sleep), encoding="utf-8")
        status = main(["feed.py"])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and err == ""
        found = []
        for line in out.splitlines():
            _, number, _, rest = line.split(":", 3)
            found.append((int(number), rest.split()[0]))
        assert status == (1 if found else 0)
        return found

    return run


ALL = [(11, "WSL002"), (11, "WSL004"), (12, "WSL003")]


def test_without_noqa_everything_is_reported(check) -> None:
    assert check() == ALL


def test_bare_noqa_suppresses_every_code_on_its_line(check) -> None:
    assert check(broadcast="  # noqa") == [(12, "WSL003")]
    assert check(sleep="  # noqa") == [(11, "WSL002"), (11, "WSL004")]


def test_noqa_with_code(check) -> None:
    assert check(sleep="  # noqa: WSL003") == ALL[:2]
    assert check(broadcast="  # noqa: WSL004") == [(11, "WSL002"), (12, "WSL003")]


def test_noqa_with_several_codes(check) -> None:
    assert check(broadcast="  # noqa: WSL002,WSL004") == [(12, "WSL003")]
    assert check(broadcast="  # noqa: WSL002, WSL004") == [(12, "WSL003")]
    assert check(broadcast="  # noqa: WSL002 WSL004") == [(12, "WSL003")]


def test_noqa_with_prefix(check) -> None:
    assert check(sleep="  # noqa: WSL00") == ALL[:2]
    assert check(broadcast="  # noqa: WSL0") == [(12, "WSL003")]


def test_noqa_for_another_code_does_not_suppress(check) -> None:
    assert check(sleep="  # noqa: WSL001") == ALL
    assert check(sleep="  # noqa: E501") == ALL
    assert check(broadcast="  # noqa: WSL002") == [(11, "WSL004"), (12, "WSL003")]


def test_noqa_for_a_longer_code_does_not_suppress(check) -> None:
    assert check(sleep="  # noqa: WSL0031") == ALL


def test_noqa_mixed_with_other_tools_codes(check) -> None:
    assert check(sleep="  # noqa: E501,WSL003") == ALL[:2]
    assert check(sleep="  # type: ignore  # noqa: WSL003") == ALL[:2]


def test_noqa_spelling_variants(check) -> None:
    assert check(sleep="  #noqa:WSL003") == ALL[:2]
    assert check(sleep="  # NOQA: wsl003") == ALL[:2]
    assert check(sleep="  # NoQA") == ALL[:2]


def test_noqa_on_another_line_does_not_suppress(tmp_path: Path, monkeypatch, capsys) -> None:
    # The marker must sit on the reported line, not on the loop, the def or the line above.
    monkeypatch.chdir(tmp_path)
    source = FEED.format(broadcast="", sleep="")
    source = source.replace("while True:", "while True:  # noqa")
    source = source.replace(
        "async def _broadcast_queue_updates(self):", "async def _broadcast_queue_updates(self):  # noqa"
    )
    source = source.replace("import asyncio", "import asyncio  # noqa: WSL003")
    (tmp_path / "feed.py").write_text(source)
    assert main(["feed.py", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert out.count('"code"') == 3


def test_noqa_inside_a_string_is_not_a_comment_but_flake8_matches_it(check) -> None:
    # flake8 matches the physical line; wslint does the same (documented flake8 behaviour).
    assert check(sleep='  ;  _ = "# noqa"') == ALL[:2]


@pytest.mark.parametrize(
    ("line", "code", "expected"),
    [
        ("x = 1  # noqa", "WSL003", True),
        ("x = 1  # noqa: WSL003", "WSL003", True),
        ("x = 1  # noqa: WSL003", "WSL004", False),
        ("x = 1  # noqa: WSL001", "WSL003", False),
        ("x = 1  # noqa: WSL00", "WSL003", True),
        ("x = 1  # noqa: WSL", "WSL003", True),  # no digits: a bare noqa, as in flake8
        ("x = 1  # noqa:E501,W291", "WSL003", False),
        ("x = 1  # noqa:E501,WSL003", "WSL003", True),
        ("x = 1  # noqa: E501 reason WSL003", "WSL003", False),
        ("x = 1  # not a noqa comment", "WSL003", False),
        ("x = 1", "WSL003", False),
    ],
)
def test_is_suppressed(line: str, code: str, expected: bool) -> None:
    assert is_suppressed(code, line) is expected


def test_suppressed_on_out_of_range() -> None:
    lines = ["a = 1  # noqa"]
    assert suppressed_on("WSL003", lines, 1)
    assert not suppressed_on("WSL003", lines, 0)
    assert not suppressed_on("WSL003", lines, 2)


def test_noqa_on_syntax_error_line_does_not_hide_wsl000(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "status.py").write_text(
        "async def _broadcast_status(manager)  # noqa\n    await manager.broadcast({})\n"
    )
    status = main(["status.py"])
    out, err = capsys.readouterr()
    assert status == 1 and "WSL000" in out and "Traceback" not in out + err
