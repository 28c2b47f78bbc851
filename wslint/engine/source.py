"""Reading and decoding a file, and parsing it with the standard ``ast``.

Every way a file can fail to become a tree ends here as an :class:`Unreadable`
reason, which the runner turns into a ``WSL000`` finding.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class Unreadable(Exception):
    """Why a file could not be read or parsed, and where."""

    reason: str
    line: int = 1
    column: int = 1


def decode_source(data: bytes) -> str:
    """Decode ``data`` honouring a BOM and a PEP 263 coding cookie."""
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise Unreadable("file contains null bytes", line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise Unreadable(f"bad coding cookie: {error.msg}", error.lineno or 1) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Unreadable(f"cannot decode as {encoding}: {error.reason}", line) from None
    except LookupError:
        raise Unreadable(f"unknown encoding {encoding!r}") from None


def parse_source(text: str, filename: str) -> ast.Module:
    """``ast.parse`` with every failure mapped to :class:`Unreadable`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not ours to report
            return ast.parse(text, filename=filename, type_comments=False)
    except SyntaxError as error:
        message = error.msg or "invalid syntax"
        raise Unreadable(f"syntax error: {message}", error.lineno or 1, error.offset or 1) from None
    except (RecursionError, MemoryError):
        raise Unreadable("file is nested too deeply to parse") from None
    except ValueError as error:
        raise Unreadable(f"cannot parse: {error}") from None
