"""One test per kind of input a repository can hold: wslint never crashes, hangs or opens what it must not.

Every file-level failure is one ``WSL000`` line and the run goes on; every path-level failure
is one error line naming the path, exit 2. The fixtures of ``tests/fixtures/wsl000/`` (also run
by ``tests/test_fixtures.py``) are checked here through the command line; inputs that cannot
be stored as a fixture (binary bytes, FIFOs, sockets, devices) are made by the tests.
"""

from __future__ import annotations

import encodings
import encodings.aliases
import io
import os
import pkgutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fixture_support import Case, all_cases
from samples import FAST_POLLER as FEED

from wslint.cli import main
from wslint.core.source import Unreadable, decode_source, parse_source
from wslint.driver import checking, discovery

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wsl000"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file types")

FEED_FINDING = ("feed.py", 19, "WSL003")


def broadcaster_with(expression: str) -> str:
    """A broadcaster module whose polling loop holds ``expression`` (so that it is parsed)."""
    return (
        "import asyncio\n\n\nasync def _broadcast_deep(manager):\n    while True:\n"
        f"        value = {expression}\n"
        '        await manager.broadcast({"type": "deep", "value": value})\n'
        "        await asyncio.sleep(5)\n"
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, str, str]], str]:
    """``main`` in-process: status, ``(path, line, code, message)`` rows and stderr; never a traceback."""
    status = main(["--no-cache", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    rows = []
    for line in out.splitlines():
        path, number, _, rest = line.split(":", 3)
        code, _, message = rest.strip().partition(" ")
        rows.append((Path(path).as_posix(), int(number), code, message))
    return status, rows, err


def codes(rows: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return [(path, line, code) for path, line, code, _ in rows]


def one_line_error(err: str, name: str) -> None:
    assert err.count("\n") == 1 and err.startswith("wslint: error: ") and name in err, err


# -- file contents -----------------------------------------------------------------------------


# The files that must be reported (a silent one shows what must still be read), on this Python.
WSL000_FIXTURES = sorted(
    p
    for p in FIXTURES.iterdir()
    if p.suffix == ".py"
    and "# error: WSL000" in p.read_text(encoding="utf-8", errors="replace")
    and Case(p) in all_cases()
)


@pytest.mark.parametrize("fixture", WSL000_FIXTURES, ids=[p.name for p in WSL000_FIXTURES])
def test_wsl000_fixture_through_the_command_line(fixture: Path, capsys) -> None:
    text = fixture.read_text(encoding="utf-8", errors="replace")
    expected = [n for n, line in enumerate(text.splitlines(), 1) if "# error: WSL000" in line]
    status, rows, err = run(capsys, str(fixture))
    assert status == 1 and err == ""
    assert [(line, code) for _, line, code, _ in rows] == [(expected[0], "WSL000")]
    assert rows[0][3], "a WSL000 says why"


def test_syntax_error_names_the_line_column_and_reason(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "status.py").write_text(
        "async def _broadcast_status(manager):\n    while True:\n"
        "        await manager.broadcast({'type': 'status'}\n        await asyncio.sleep(5)\n"
    )
    status, rows, _ = run(capsys, ".")
    assert status == 1
    assert codes(rows) == [FEED_FINDING, ("status.py", 3, "WSL000")]
    assert rows[1][3].startswith("syntax error: ") and "never closed" in rows[1][3]


def test_syntax_error_column_is_where_the_parser_stopped() -> None:
    with pytest.raises(Unreadable) as caught:
        parse_source("x = 1\ny = (1,\n     2 3)\n", "x.py")
    assert (caught.value.line, caught.value.column) == (3, 6)


@pytest.mark.parametrize(
    ("data", "line", "column", "reason"),
    [
        (b"x = 1\n# Men\xfc\nasync def _broadcast_x(): pass\n", 2, 6, "cannot decode as utf-8"),
        (
            b"# Men\xfc\nasync def _broadcast_x(): pass\n",
            1,
            6,
            "cannot decode as utf-8",
        ),  # in the cookie lines
        (b"\xff\xfeasync def _broadcast_x(): pass\n", 1, 1, "cannot decode as utf-8"),  # a UTF-16 BOM
        (
            b"async def _broadcast_x():\n    return '\xed\xa0\x80'\n",
            2,
            13,
            "cannot decode as utf-8",
        ),  # surrogate
    ],
    ids=["latin1-line-2", "latin1-line-1", "utf16-bom", "encoded-surrogate"],
)
def test_undecodable_bytes_are_wsl000_with_line_and_column(
    project: Path, capsys, data: bytes, line: int, column: int, reason: str
) -> None:
    (project / "bad.py").write_bytes(data)
    (project / "feed.py").write_text(FEED)
    status, rows, err = run(capsys, ".")
    assert status == 1 and err == ""
    assert codes(rows) == [("bad.py", line, "WSL000"), FEED_FINDING]
    assert rows[0][3].startswith(reason), rows[0][3]
    with pytest.raises(Unreadable) as caught:
        decode_source(data)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_undecodable_bytes_without_any_async_are_still_reported(project: Path, capsys) -> None:
    (project / "plain.py").write_bytes(b"VALUE = 1\nNAME = 'Men\xfc'\n")
    assert codes(run(capsys, "plain.py")[1]) == [("plain.py", 2, "WSL000")]


def test_null_bytes_are_wsl000_at_their_line(project: Path, capsys) -> None:
    (project / "nul.py").write_bytes(b"import asyncio\n\n\nasync def _broadcast_x(m):\n    x = 1\x00\n")
    (project / "feed.py").write_text(FEED)
    status, rows, _ = run(capsys, ".")
    assert status == 1
    assert codes(rows) == [FEED_FINDING, ("nul.py", 5, "WSL000")]
    assert rows[1][3] == "file contains null bytes"


def test_wrong_coding_cookie_is_wsl000_at_the_undecodable_line(project: Path, capsys) -> None:
    (project / "menu.py").write_bytes(
        b"# -*- coding: ascii -*-\nimport asyncio\n\n\nasync def _broadcast_menu(m):\n"
        b"    await m.broadcast({'type': 'menu', 'dish': 'cr\xc3\xa8me'})\n"
    )
    status, rows, _ = run(capsys, "menu.py")
    assert status == 1
    assert codes(rows) == [("menu.py", 6, "WSL000")]
    assert rows[0][3].startswith("cannot decode as ascii")


def test_unknown_coding_cookie_is_reported_at_the_cookie_line(project: Path, capsys) -> None:
    (project / "x.py").write_bytes(
        b"#!/usr/bin/env python\n# coding: klingon\nasync def _broadcast_x(): pass\n"
    )
    status, rows, _ = run(capsys, "x.py")
    assert (status, codes(rows)) == (1, [("x.py", 2, "WSL000")])
    assert rows[0][3] == "bad coding cookie: unknown encoding 'klingon'"


def test_utf16_cookie_on_an_ascii_file_is_never_a_crash(project: Path, capsys) -> None:
    (project / "x.py").write_bytes(
        b"# coding: utf-16\nasync def _broadcast_x(m):\n    await m.broadcast({})\n"
    )
    status, rows, _ = run(capsys, "x.py")
    assert status in (0, 1) and all(code == "WSL000" for _, _, code in codes(rows))


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"\xef\xbb\xbf# coding: latin-1\nasync def _broadcast_x(): pass\n", 1),
        (
            b"\xef\xbb\xbf#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n"
            b"async def _broadcast_x(): pass\n",
            2,
        ),
    ],
    ids=["cookie-line-1", "cookie-line-2"],
)
def test_bom_and_cookie_conflict(project: Path, capsys, data: bytes, line: int) -> None:
    (project / "x.py").write_bytes(data)
    status, rows, _ = run(capsys, "x.py")
    assert (status, codes(rows)) == (1, [("x.py", line, "WSL000")])
    assert "BOM" in rows[0][3]


def test_bom_with_utf8_cookie_is_fine(project: Path, capsys) -> None:
    (project / "x.py").write_bytes(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\nVALUE = 'caf\xc3\xa9'\n")
    assert run(capsys, "x.py") == (0, [], "")


def _codec_names() -> list[str]:
    names = set(encodings.aliases.aliases.values())
    names |= {
        module.name for module in pkgutil.iter_modules(encodings.__path__) if not module.name.startswith("_")
    }
    return sorted(names - {"aliases"})


@pytest.mark.parametrize("codec", _codec_names())
def test_every_codec_in_a_coding_cookie_is_text_or_wsl000(codec: str) -> None:
    """Cookies can name any codec, including ones that are not text encodings (rot13, zlib,
    punycode, undefined) and whose decoders raise anything but ``UnicodeDecodeError``."""
    bodies = [b"x = 1\n", bytes(range(1, 256)), b"async def _broadcast_x(m):\n    pass\n\xe9\x80\\u12\n"]
    for body in bodies:
        data = f"# coding: {codec}\n".encode() + body
        try:
            parse_source(decode_source(data), "x.py")
        except Unreadable as problem:
            assert problem.reason and problem.line >= 1


# -- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 100_000 + "1" + ")" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        "a" + ".b" * 100_000,
        "1" + " + 1" * 100_000,
        "not " * 100_000 + "x",
        "f" + "()" * 100_000,
        "-" * 100_000 + "1",
        "lambda: " * 10_000 + "1",
    ],
    ids=["parentheses", "lists", "attributes", "sum", "not", "calls", "unary-minus", "lambdas"],
)
def test_too_deep_for_the_parser_is_wsl000(project: Path, capsys, expression: str) -> None:
    (project / "deep.py").write_text(broadcaster_with(expression))
    (project / "feed.py").write_text(FEED)
    status, rows, err = run(capsys, ".")
    assert status == 1 and err == ""
    assert codes(rows)[0][::2] == ("deep.py", "WSL000") and codes(rows)[1:] == [FEED_FINDING]


def test_deeply_nested_blocks_too_deep_for_the_parser(project: Path, capsys) -> None:
    body = "".join("    " * (depth + 2) + "if x:\n" for depth in range(150))
    source = "async def _broadcast_x(m):\n    while True:\n" + body + "    " * 152 + "await m.broadcast({})\n"
    (project / "deep.py").write_text(source)
    status, rows, _ = run(capsys, "deep.py")
    assert (status, [code for _, _, code in codes(rows)]) == (1, ["WSL000"])
    assert "too many levels of indentation" in rows[0][3]


@pytest.mark.parametrize(
    "expression",
    [
        "m" + ".b" * 600,
        "m" + ".b()" * 400,
        "0.1" + " + 0.1" * 1500,
        "[" * 180 + "]" * 180,
        "{'a': " * 150 + "1" + "}" * 150,
    ],
    ids=["attributes-600", "method-chain-400", "sum-1500", "lists-180", "dicts-150"],
)
def test_deep_but_parseable_broadcaster_never_a_traceback(project: Path, capsys, expression: str) -> None:
    """Parseable by ``ast`` but deep enough to exhaust recursion in astroid or the analysis."""
    for where in (expression, f"await asyncio.sleep({expression})", f"await m.broadcast({expression})"):
        source = (
            "import asyncio\n\n\nasync def _broadcast_deep(m):\n    while True:\n"
            f"        {where}\n"
            '        await m.broadcast({"type": "deep"})\n        await asyncio.sleep(0.5)\n\n\n'
            "async def start(m):\n    return asyncio.create_task(_broadcast_deep(m))\n"
        )
        (project / "deep.py").write_text(source)
        (project / "feed.py").write_text(FEED)
        status, rows, err = run(capsys, ".")
        assert status == 1 and err == ""
        assert FEED_FINDING in codes(rows), "the other file is still checked"
        for path, _, code, message in rows:
            assert code != "WSL000" or (path == "deep.py" and message)


def test_deeply_nested_functions_and_classes(project: Path, capsys) -> None:
    lines = []
    for depth in range(90):
        keyword = "class" if depth % 2 else "async def"
        header = f"class C{depth}:" if keyword == "class" else f"async def _broadcast_{depth}(m):"
        lines.append("    " * depth + header)
    lines.append("    " * 90 + "await m.broadcast({'type': 'x'})")
    (project / "deep.py").write_text("\n".join(lines) + "\n")
    status, _, err = run(capsys, "deep.py")
    assert status in (0, 1) and err == ""


# -- paths -------------------------------------------------------------------------------------


def test_missing_paths_are_one_line_naming_the_first(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    status, rows, err = run(capsys, "feed.py", "gone/feed.py", "also_gone.py")
    assert (status, rows) == (2, [])
    one_line_error(err, "gone/feed.py")


def test_unreadable_directory_named_explicitly_is_one_line_exit_2(project: Path, capsys, monkeypatch) -> None:
    """Simulated (tests run as root, who reads everything): ``os.access`` says no."""
    (project / "locked").mkdir()
    (project / "locked" / "feed.py").write_text(FEED)
    real_access = os.access
    monkeypatch.setattr(
        discovery.os, "access", lambda path, mode: Path(path).name != "locked" and real_access(path, mode)
    )
    status, rows, err = run(capsys, "locked")
    assert (status, rows) == (2, [])
    one_line_error(err, "locked")
    assert "permission denied" in err


def test_unreadable_file_is_wsl000_and_the_run_goes_on(project: Path, capsys, monkeypatch) -> None:
    """Simulated for root with a failing read; the real ``chmod 0`` case is in test_discovery."""
    (project / "feed.py").write_text(FEED)
    (project / "secret.py").write_text(FEED)
    real_read = checking.read_file

    def read_file(path: Path) -> bytes:
        if path.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(checking, "read_file", read_file)
    status, rows, err = run(capsys, ".")
    assert status == 1 and err == ""
    assert codes(rows) == [FEED_FINDING, ("secret.py", 1, "WSL000")]
    assert rows[1][3] == "cannot read file: Permission denied"


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0, reason="needs root: chmod 0 really denies others"
)
def test_chmod_0_file_is_readable_by_root_and_checked(project: Path, capsys) -> None:
    path = project / "feed.py"
    path.write_text(FEED)
    path.chmod(0)
    try:
        assert codes(run(capsys, ".")[1]) == [FEED_FINDING]
    finally:
        path.chmod(0o644)


@POSIX
def test_symlink_loops(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "self.py").symlink_to("self.py")
    (project / "ping.py").symlink_to("pong.py")
    (project / "pong.py").symlink_to("ping.py")
    (project / "up").symlink_to(".")
    (project / "pkg").mkdir()
    (project / "pkg" / "parent").symlink_to("..")
    status, rows, err = run(capsys, ".")
    assert (status, codes(rows), err) == (1, [FEED_FINDING], "")
    status, rows, err = run(capsys, "self.py")
    assert (status, rows) == (2, [])
    one_line_error(err, "self.py")


@POSIX
def test_fifo_reached_through_a_symlink_is_never_opened(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    os.mkfifo(project / "pipe")
    (project / "pipe.py").symlink_to("pipe")
    # Opening the FIFO would block forever: finishing proves it was not opened.
    for args in ((".",), (".", "pipe.py")):
        status, rows, err = run(capsys, *args)
        assert (status, codes(rows), err) == (1, [FEED_FINDING], "")


@POSIX
def test_unix_sockets_are_never_opened(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "app").mkdir()
    servers = []
    for name in ("sock.py", "app/events.py"):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(name)  # relative: socket paths are limited to about 100 bytes
        server.listen(1)
        servers.append(server)
    try:
        assert stat.S_ISSOCK(os.stat("sock.py").st_mode)
        for args in ((".",), ("sock.py", "app/events.py", "feed.py")):
            status, rows, err = run(capsys, *args)
            assert (status, codes(rows), err) == (1, [FEED_FINDING], "")
    finally:
        for server in servers:
            server.close()


@POSIX
@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/tty", "/dev/stdin"])
def test_device_files_are_never_opened(project: Path, capsys, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    (project / "feed.py").write_text(FEED)
    (project / "x.py").symlink_to(device)
    (project / "app").mkdir()
    (project / "app" / "dev.py").symlink_to(device)
    # /dev/zero and /dev/urandom never end: reading either would hang or exhaust memory.
    for args in ((".",), ("x.py",), ("app",), ("x.py", "feed.py")):
        status, rows, err = run(capsys, *args)
        checked = "feed.py" in args or "." in args
        assert err == ("" if checked else f"wslint: warning: no Python files to check in {args[0]}\n")
        assert codes(rows) == ([FEED_FINDING] if checked else [])
        assert status == (1 if rows else 0)


def test_directory_named_x_py_is_walked_not_read(project: Path, capsys) -> None:
    (project / "x.py").mkdir()
    (project / "x.py" / "feed.py").write_text(FEED)
    (project / "x.py" / "inner.py").mkdir()
    for args in ((".",), ("x.py",)):
        status, rows, err = run(capsys, *args)
        assert (status, codes(rows), err) == (1, [("x.py/feed.py", 19, "WSL003")], "")


def test_directory_named_explicitly_below_a_gitignored_folder_is_checked(project: Path, capsys) -> None:
    """Like ripgrep: naming a directory overrides the .gitignore patterns that ignore it."""
    (project / ".gitignore").write_text("/vendor\n*_local.py\n")
    (project / "vendor" / "lib").mkdir(parents=True)
    (project / "vendor" / "lib" / "feed.py").write_text(FEED)
    (project / "vendor" / "lib" / "feed_local.py").write_text(FEED)
    assert run(capsys, ".")[:2] == (0, [])
    status, rows, _ = run(capsys, "vendor/lib")
    assert (status, codes(rows)) == (1, [("vendor/lib/feed.py", 19, "WSL003")])


# -- stdin -------------------------------------------------------------------------------------


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"async def _broadcast_x(m)\n    pass\n", 1, "syntax error"),
        (b"async def _broadcast_x(m):\n    pass  # Men\xfc\n", 2, "cannot decode"),
        (b"async def _broadcast_x(m):\n    pass\x00\n", 2, "null bytes"),
        (b"\xef\xbb\xbf# coding: latin-1\nasync def _broadcast_x(m): pass\n", 1, "BOM"),
    ],
    ids=["syntax", "undecodable", "null", "bom-cookie"],
)
def test_stdin_failures_are_wsl000_under_the_given_name(
    project: Path, capsys, monkeypatch, data: bytes, line: int, reason: str
) -> None:
    feed_stdin(monkeypatch, data)
    status, rows, err = run(capsys, "-", "--stdin-filename", "app/feed.py")
    assert (status, codes(rows), err) == (1, [("app/feed.py", line, "WSL000")], "")
    assert reason in rows[0][3]


def test_stdin_with_files_and_empty_stdin(project: Path, capsys, monkeypatch) -> None:
    (project / "feed.py").write_text(FEED)
    feed_stdin(monkeypatch, FEED.encode())
    status, rows, _ = run(capsys, "feed.py", "-", "--stdin-filename", "other.py")
    assert (status, codes(rows)) == (1, [FEED_FINDING, ("other.py", 19, "WSL003")])
    feed_stdin(monkeypatch, b"")
    assert run(capsys, "-", "--stdin-filename", "empty.py") == (0, [], "")


def test_stdin_is_read_by_the_real_command(project: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "-", "--stdin-filename", "app/feed.py"],
        input=b"async def _broadcast_x(m):\n    x = '\xff'\n",
        capture_output=True,
        cwd=project,
        timeout=120,
    )
    assert process.returncode == 1
    assert process.stdout.decode().startswith("app/feed.py:2:10: WSL000 cannot decode as utf-8")
    assert process.stderr == b""


# -- configuration (what tests/test_config.py does not cover) ----------------------------------


def test_config_file_that_is_a_directory(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "wslint.toml").mkdir()
    status, rows, err = run(capsys, "--config", "wslint.toml", "feed.py")
    assert (status, rows) == (2, [])
    one_line_error(err, "wslint.toml")


def test_pyproject_that_is_a_directory_is_not_a_crash(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "pyproject.toml").mkdir()
    status, rows, err = run(capsys, "feed.py")
    assert status in (1, 2)
    if status == 2:
        one_line_error(err, "pyproject.toml")
    else:
        assert codes(rows) == [FEED_FINDING]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[tool.wslint]\nmin-interval = 2.0\n# caf\xe9\n", id="latin1"),
        pytest.param(b'[tool.wslint]\nselect = ["WSL003"]\x00\n', id="null"),
    ],
)
def test_pyproject_with_invalid_utf8_or_null_bytes(project: Path, capsys, data: bytes) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "pyproject.toml").write_bytes(data)
    status, rows, err = run(capsys, "feed.py")
    assert (status, rows) == (2, [])
    one_line_error(err, "pyproject.toml")


def test_undecodable_pyproject_without_a_wslint_table_is_not_ours(project: Path, capsys) -> None:
    """A UTF-16 pyproject.toml holding only ``[tool]``: not wslint's config, so it is skipped."""
    (project / "feed.py").write_text(FEED)
    (project / "pyproject.toml").write_bytes(b"\xff\xfe[\x00t\x00o\x00o\x00l\x00]\x00")
    status, rows, err = run(capsys, "feed.py")
    assert (status, codes(rows), err) == (1, [FEED_FINDING], "")


def test_setup_cfg_with_invalid_utf8(project: Path, capsys) -> None:
    (project / "feed.py").write_text(FEED)
    (project / "setup.cfg").write_bytes(b"[wslint]\nmin-interval = 2.0\n# caf\xe9\n")
    status, rows, err = run(capsys, "feed.py")
    assert (status, rows) == (2, [])
    one_line_error(err, "setup.cfg")


def test_an_analysis_over_its_time_budget_is_wsl000_and_the_run_goes_on(
    project: Path, capsys, monkeypatch
) -> None:
    """A pathological file (here: a rule made to spin) is abandoned, reported, and the rest checked."""
    from wslint.driver import checking
    from wslint.rules import RULES_BY_CODE

    (project / "feed.py").write_text(FEED)
    (project / "stuck.py").write_text(FEED)
    original = RULES_BY_CODE["WSL003"].check

    def spin_on_stuck(self, context):  # type: ignore[no-untyped-def]
        while context.path.endswith("stuck.py"):
            pass
        return original(self, context)

    monkeypatch.setattr(RULES_BY_CODE["WSL003"], "check", spin_on_stuck)
    monkeypatch.setattr(checking, "FILE_TIME_BUDGET", 0.2)
    status, rows, err = run(capsys, "--jobs", "1", "feed.py", "stuck.py")
    assert status == 1 and err == ""
    assert FEED_FINDING in codes(rows)
    stuck = [row for row in rows if row[0] == "stuck.py"]
    assert [(row[0], row[2]) for row in stuck] == [("stuck.py", "WSL000")]
    assert "time budget" in stuck[0][3]


def test_thousands_of_spawns_in_one_function_are_each_checked(project: Path, capsys) -> None:
    """Whether a spawn's callee is shadowed is asked of the function once, not once per call
    (3,000 calls took longer than the file's time budget, and the file became WSL000)."""
    calls = "".join(f"    asyncio.create_task(job({number}))\n" for number in range(3000))
    (project / "many.py").write_text("import asyncio\n\n\nasync def start():\n" + calls)
    status, rows, _ = run(capsys, "many.py")
    assert status == 1
    assert [(line, code) for _, line, code in codes(rows)] == [(line, "WSL008") for line in range(5, 3005)]


@pytest.mark.parametrize("read_all", [True, False])
def test_a_large_output_through_a_pipe(project: Path, read_all: bool) -> None:
    """The command leaves without tearing the interpreter down: all of a large output still
    reaches the reader; and where the reader goes away (``wslint . | head -1``), the exit
    status stays, with no traceback."""
    calls = "".join(f"    asyncio.create_task(job({number}))\n" for number in range(1000))
    (project / "many.py").write_text("import asyncio\n\n\nasync def start():\n" + calls)
    command = [sys.executable, "-m", "wslint", "--no-cache", "many.py"]
    with subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        if read_all:
            lines = process.stdout.read().splitlines()
            assert len(lines) == 1000 and lines[-1].startswith(b"many.py:1004:5: WSL008")
        else:
            assert b"WSL008" in process.stdout.readline()
            process.stdout.close()
        errors = process.stderr.read()
        status = process.wait(timeout=60)
    assert status == 1 and errors == b""
