"""Reading and decoding a file, and parsing it with the standard ``ast``.

Every way a file can fail to become a tree ends here as an :class:`Unreadable`
reason, which the runner turns into a ``WSL000`` finding.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

from wslint.core.newer_syntax import newer_python_needed


@dataclass(frozen=True)
class Unreadable(Exception):
    """Why a file could not be read or parsed, and where."""

    reason: str
    line: int = 1
    column: int = 1


def read_file(path: Path) -> bytes:
    """A file's bytes, read unbuffered in one call (twice as fast as ``Path.read_bytes``,
    which reads through a buffer)."""
    with open(path, "rb", buffering=0) as file:
        return file.readall()


def read_or_empty(path: Path) -> bytes:
    """A file's bytes, or none when it cannot be read (a project file that vanished)."""
    try:
        return read_file(path)
    except OSError:
        return b""


class ReadSources(dict[Path, bytes]):
    """The bytes of the project files a run has read, so that none is read twice: the
    project questions (the prefilter's project words, the index) look at every file. Kept
    up to ``budget`` bytes; past it a question reads the file again."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self._room = budget

    def keep(self, path: Path, data: bytes) -> None:
        if len(data) <= self._room and path not in self:
            self[path] = data
            self._room -= len(data)


def check_decodable(data: bytes) -> None:
    """Raise :class:`Unreadable` where :func:`decode_source` would. A file whose first two
    lines (all that may declare an encoding) never say ``coding`` is UTF-8 (after any BOM): it
    decodes if it is ASCII (told by a scan in C: most files) or decodes as UTF-8, which
    :func:`decode_source` is not needed to tell."""
    if b"\0" not in data:
        second_line_end = data.find(b"\n", data.find(b"\n") + 1)
        if b"coding" not in (data if second_line_end < 0 else data[:second_line_end]):
            if data.isascii():
                return
            try:
                data.decode("utf-8")  # a BOM decodes too (as U+FEFF)
                return
            except UnicodeDecodeError:
                pass  # decode_source says where
    decode_source(data)


def decode_source(data: bytes) -> str:
    """Decode ``data`` honouring a BOM and a PEP 263 coding cookie."""
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise Unreadable("file contains null bytes", line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise _undetectable(data, error.msg) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `unicode_escape` warns about invalid escapes
            return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _undecodable(data, encoding, error) from None
    except LookupError:  # a codec that is not a text encoding: `# coding: rot13`, `hex`
        raise Unreadable(f"{encoding!r} is not a text encoding", _cookie_line(data)) from None
    except (UnicodeError, ValueError, TypeError) as error:  # `punycode`, `undefined`: not a decode error
        raise Unreadable(f"cannot decode as {encoding}: {error}", _cookie_line(data)) from None


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _cookie_line(data: bytes) -> int:
    """The line (1 or 2) of the PEP 263 coding cookie, 1 when there is none."""
    for number, line in enumerate(_first_lines(data), start=1):
        if _COOKIE.match(line):
            return number
        if number == 1 and not re.match(rb"^[ \t\f]*(?:[#\r\n]|$)", line):
            break  # the cookie may sit on line 2 only below a comment or blank line 1
    return 1


def _first_lines(data: bytes) -> list[bytes]:
    return data.removeprefix(codecs.BOM_UTF8).splitlines()[:2]


def _undetectable(data: bytes, message: str) -> Unreadable:
    """Why ``tokenize.detect_encoding`` refused ``data`` (its messages name no line)."""
    if message.startswith("unknown encoding"):
        name = message.partition(":")[2].strip()
        return Unreadable(f"bad coding cookie: unknown encoding {name!r}", _cookie_line(data))
    if message.startswith("encoding problem") and data.startswith(codecs.BOM_UTF8):
        line = _cookie_line(data)
        cookie = _COOKIE.match(_first_lines(data)[line - 1])
        name = cookie.group(1).decode("ascii", "replace") if cookie else "another encoding"
        return Unreadable(f"bad coding cookie: the file starts with a UTF-8 BOM but declares {name}", line)
    if message.startswith("invalid or missing encoding declaration"):
        # No cookie, and the first two lines are not UTF-8: say where decoding fails.
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return _undecodable(data, "utf-8", error)
    return Unreadable(f"bad coding cookie: {message}", _cookie_line(data))


def _undecodable(data: bytes, encoding: str, error: UnicodeDecodeError) -> Unreadable:
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data[: error.start].count(b"\n") + 1
    byte = data[error.start : error.start + 1].hex()
    return Unreadable(
        f"cannot decode as {encoding}: {error.reason} (byte 0x{byte})", line, error.start - line_start + 1
    )


def parse_source(text: str, filename: str) -> ast.Module:
    """``ast.parse`` with every failure mapped to :class:`Unreadable`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not ours to report
            return ast.parse(text, filename=filename, type_comments=False)
    except SyntaxError as error:
        message = f"syntax error: {error.msg or 'invalid syntax'}"
        newer = newer_python_needed(text, error)
        if newer is not None:
            version, what = newer
            running = ".".join(map(str, sys.version_info[:2]))
            message = (
                f"{message}: Python {version} syntax ({what}), and wslint runs on Python "
                f"{running}: run wslint with the project's Python"
            )
        raise Unreadable(message, error.lineno or 1, error.offset or 1) from None
    except (RecursionError, MemoryError):
        raise Unreadable("file is nested too deeply to parse") from None
    except ValueError as error:
        raise Unreadable(f"cannot parse: {error}") from None
