"""Path discovery: which files a run checks, and how unreadable ones are reported."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from samples import FAST_POLLER as FEED

from wslint.cli import main
from wslint.core.options import Settings
from wslint.core.source import Unreadable, check_decodable, decode_source
from wslint.driver.discovery import DiscoveryError, discover

DEFAULT_EXCLUDE = Settings().exclude


def write(root: Path, name: str, text: str = FEED) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the repository root, where .gitignore lookups stop
    return tmp_path


def found(*paths: str, exclude=DEFAULT_EXCLUDE) -> list[str]:
    return sorted(p.as_posix() for p in discover([Path(p) for p in paths], exclude))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, str]], str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    rows = []
    for line in out.splitlines():
        path, number, _, rest = line.split(":", 3)
        rows.append((Path(path).as_posix(), int(number), rest.split()[0]))
    return status, rows, err


def test_walks_python_files_only(project: Path) -> None:
    write(project, "app/feed.py")
    write(project, "app/__init__.py", "")
    write(project, "app/notes.txt", "not python")
    write(project, "app/script.pyw", "x = 1\n")
    write(project, "app/stub.pyi", "x: int\n")
    assert found(".") == ["app/__init__.py", "app/feed.py"]


def test_skips_hidden_folders(project: Path) -> None:
    write(project, "app/feed.py")
    write(project, ".venv2/lib/feed.py")
    write(project, "app/.cache/feed.py")
    write(project, ".tox/py311/feed.py")
    assert found(".") == ["app/feed.py"]


def test_hidden_file_in_a_visible_folder_is_checked(project: Path) -> None:
    write(project, "app/.secret_feed.py")
    assert found(".") == ["app/.secret_feed.py"]


def test_default_excludes(project: Path) -> None:
    write(project, "app/feed.py")
    for folder in ("build", "dist", "venv", "node_modules", "__pycache__", "lib/site-packages"):
        write(project, f"{folder}/feed.py")
    assert found(".") == ["app/feed.py"]


def test_exclude_globs(project: Path) -> None:
    write(project, "app/feed.py")
    write(project, "app/feed_pb2.py")
    write(project, "app/migrations/0001_initial.py")
    write(project, "scripts/feed.py")
    assert found(".", exclude=["*_pb2.py", "migrations", "scripts/*"]) == ["app/feed.py"]


def test_path_named_explicitly_is_checked_even_if_hidden_or_excluded(project: Path) -> None:
    write(project, ".hidden/feed.py")
    write(project, "build/feed.py")
    assert found(".hidden/feed.py", "build/feed.py") == [".hidden/feed.py", "build/feed.py"]
    assert found("build") == ["build/feed.py"]


def test_gitignore_at_root_walking_dot(project: Path) -> None:
    write(project, ".gitignore", "generated/\n*_local.py\n/top_only.py\n")
    write(project, "app/feed.py")
    write(project, "app/feed_local.py")
    write(project, "generated/feed.py")
    write(project, "top_only.py")
    write(project, "app/top_only.py")
    assert found(".") == ["app/feed.py", "app/top_only.py"]


def test_gitignore_applies_when_walking_a_subfolder(project: Path, monkeypatch) -> None:
    write(project, ".gitignore", "*_local.py\napp/generated/\n")
    write(project, "app/feed.py")
    write(project, "app/feed_local.py")
    write(project, "app/generated/feed.py")
    assert found("app") == ["app/feed.py"]
    monkeypatch.chdir(project / "app")
    assert found(".") == ["feed.py"]


def test_gitignore_absolute_paths(project: Path) -> None:
    write(project, ".gitignore", "*_local.py\n")
    write(project, "app/feed.py")
    write(project, "app/feed_local.py")
    assert found(str(project)) == [(project / "app/feed.py").as_posix()]


def test_nested_gitignore_and_negation(project: Path) -> None:
    write(project, ".gitignore", "*.gen.py\n")
    write(project, "app/.gitignore", "experiments/\n!keep.gen.py\n")
    write(project, "app/feed.py")
    write(project, "app/a.gen.py")
    write(project, "app/keep.gen.py")
    write(project, "app/experiments/feed.py")
    write(project, "other/experiments/feed.py")
    assert found(".") == ["app/feed.py", "app/keep.gen.py", "other/experiments/feed.py"]


def test_gitignore_above_repository_root_is_ignored(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, ".gitignore", "*.py\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "app/feed.py")
    monkeypatch.chdir(repo)
    assert found("app") == ["app/feed.py"]


def test_gitignored_file_named_explicitly_is_checked(project: Path) -> None:
    write(project, ".gitignore", "feed_local.py\n")
    write(project, "feed_local.py")
    assert found("feed_local.py") == ["feed_local.py"]


def test_directory_named_like_a_module_is_walked(project: Path) -> None:
    write(project, "x.py/inner.py")
    write(project, "x.py/deeper/feed.py")
    assert found(".") == ["x.py/deeper/feed.py", "x.py/inner.py"]
    assert found("x.py") == ["x.py/deeper/feed.py", "x.py/inner.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_are_never_opened(project: Path, capsys) -> None:
    write(project, "app/feed.py")
    os.mkfifo(project / "app" / "pipe.py")
    os.mkfifo(project / "named.py")
    # Opening either FIFO for reading would block forever: the test finishing proves it was not.
    assert found(".") == ["app/feed.py"]
    status, rows, err = run(capsys, ".", "named.py")
    assert status == 1
    assert rows == [("app/feed.py", 19, "WSL003")]
    assert err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops_are_not_followed(project: Path, capsys) -> None:
    write(project, "app/feed.py")
    (project / "app" / "loop").symlink_to(project)
    (project / "app" / "self").symlink_to(project / "app")
    (project / "dangling.py").symlink_to(project / "missing.py")
    (project / "a").symlink_to(project / "b")
    (project / "b").symlink_to(project / "a")
    assert found(".") == ["app/feed.py"]
    status, rows, _ = run(capsys, ".")
    assert (status, rows) == (1, [("app/feed.py", 19, "WSL003")])


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinked_file_is_checked(project: Path) -> None:
    write(project, "real/feed.py")
    (project / "app").mkdir()
    (project / "app" / "alias.py").symlink_to(project / "real" / "feed.py")
    assert found("app") == ["app/alias.py"]


def test_missing_path_raises_discovery_error(project: Path) -> None:
    with pytest.raises(DiscoveryError, match="nowhere.py"):
        list(discover([Path("nowhere.py")], ()))


def test_missing_path_on_command_line(project: Path, capsys) -> None:
    write(project, "app/feed.py")
    status, rows, err = run(capsys, "app", "nowhere/feed.py")
    assert status == 2
    assert rows == []
    assert err.count("\n") == 1 and "nowhere/feed.py" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_directory_named_explicitly(project: Path, capsys) -> None:
    locked = project / "locked"
    write(project, "locked/feed.py")
    locked.chmod(0)
    try:
        status, _, err = run(capsys, "locked")
    finally:
        locked.chmod(0o755)
    assert status == 2 and "locked" in err and err.count("\n") == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_is_wsl000(project: Path, capsys) -> None:
    path = write(project, "app/feed.py")
    path.chmod(0)
    try:
        status, rows, _ = run(capsys, "app")
    finally:
        path.chmod(0o644)
    assert (status, rows) == (1, [("app/feed.py", 1, "WSL000")])


def test_syntax_error_reported_with_its_line_and_other_files_checked(project: Path, capsys) -> None:
    write(project, "app/a_feed.py")
    write(
        project,
        "app/b_status.py",
        "import asyncio\n\n\nclass Status:\n    async def _broadcast_status(self):\n"
        "        while True\n            await self.manager.broadcast({})\n",
    )
    write(project, "app/c_feed.py")
    status, rows, _ = run(capsys, ".")
    assert status == 1
    assert rows == [
        ("app/a_feed.py", 19, "WSL003"),
        ("app/b_status.py", 6, "WSL000"),
        ("app/c_feed.py", 19, "WSL003"),
    ]


def test_undecodable_bytes_and_null_bytes(project: Path, capsys) -> None:
    write(project, "app/a_feed.py")
    (project / "app" / "b_latin1.py").write_bytes(
        b"# Men\xfc of the day\nasync def _broadcast_menu(manager):\n    await manager.broadcast({})\n"
    )
    (project / "app" / "c_nul.py").write_bytes(b"import asyncio\n\n\x00async def _broadcast_x(): pass\n")
    (project / "app" / "d_bom_cookie.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    write(project, "app/e_feed.py")
    status, rows, err = run(capsys, "app")
    assert status == 1 and err == ""
    assert rows == [
        ("app/a_feed.py", 19, "WSL003"),
        ("app/b_latin1.py", 1, "WSL000"),
        ("app/c_nul.py", 3, "WSL000"),
        ("app/d_bom_cookie.py", 1, "WSL000"),
        ("app/e_feed.py", 19, "WSL003"),
    ]


def test_latin1_with_coding_cookie_is_fine(project: Path, capsys) -> None:
    (project / "menu.py").write_bytes(b"# -*- coding: latin-1 -*-\n# Men\xfc\nx = 1\n")
    assert run(capsys, "menu.py") == (0, [], "")


def test_deeply_nested_source_is_wsl000_not_a_crash(project: Path, capsys) -> None:
    depth = 300
    body = "async def _broadcast_deep(manager):\n    x = " + "(" * depth + "1" + ")" * depth + "\n"
    write(project, "deep.py", body)
    status, rows, err = run(capsys, "deep.py")
    assert status in (0, 1)
    assert all(code == "WSL000" for _, _, code in rows)


def test_empty_and_whitespace_files(project: Path, capsys) -> None:
    write(project, "empty.py", "")
    write(project, "blank.py", "\n\n   \n")
    assert run(capsys, ".") == (0, [], "")


def test_same_file_given_twice_is_reported_once(project: Path, capsys) -> None:
    write(project, "app/feed.py")
    status, rows, _ = run(capsys, "app/feed.py", "app")
    assert status == 1
    assert rows.count(("app/feed.py", 19, "WSL003")) >= 1


_PIECES = [
    b"# -*- coding: latin-1 -*-\n",
    b"# coding: klingon\n",
    b"# vim: set fileencoding=utf-8 :\n",
    b"# coding is fun\n",
    b"x = 1\n",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xef\xbb\xbf",
    b"\xfc",
    "x = 'é'\n".encode(),
    "\u20ac".encode(),
    b"#!/usr/bin/env python\n",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=6).map(b"".join) | st.binary(max_size=40))
def test_the_decodable_check_agrees_with_decoding(data: bytes) -> None:
    """The runner only checks that a file decodes (most files are never parsed): the check
    skips decoding plain ASCII that declares no encoding, decodes other files that declare
    none as UTF-8 alone, and must refuse what decoding does."""
    assert _refusal(check_decodable, data) == _refusal(decode_source, data)


def _refusal(decode: Callable[[bytes], object], data: bytes) -> Unreadable | None:
    try:
        decode(data)
    except Unreadable as refusal:
        return refusal
    return None
