"""Syntax newer than the running Python: which Python a file that fails to parse needs.

``ast`` parses only the grammar of the interpreter wslint runs on. A project on Python 3.12
may use type parameters (``def first[T](items: list[T]) -> T``), ``type`` aliases or 3.12's
f-strings (quotes of the same kind, backslashes and comments inside the braces): on 3.11
those files are syntax errors, and saying only "invalid syntax" sends the user hunting for a
mistake that is not there. This module recognises those constructs where parsing failed and
names the Python the file needs; the finding stays WSL000 (the file cannot be checked).
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

# ``def name[``, ``class Name[`` (type parameters) and ``type Name = ...`` / ``type Name[T] = ...``
_GENERIC_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+\w+\s*\[(?P<params>[^\]]*)")
_TYPE_ALIAS = re.compile(r"^\s*type\s+\w+\s*(?:\[(?P<params>[^\]]*)\]\s*)?=")
_STRING_START = re.compile(r"(?i)(?P<prefix>[rbuf]{0,2})(?P<quote>'''|\"\"\"|'|\")")


def newer_python_needed(text: str, error: SyntaxError) -> tuple[str, str] | None:
    """``(version, what)`` when ``text`` failed to parse only for syntax of a newer Python
    than the running one (``("3.12", "type parameters")``); None for a plain syntax error."""
    lines = text.splitlines()
    line = lines[error.lineno - 1] if error.lineno and 0 < error.lineno <= len(lines) else ""
    found = _type_parameters(line)
    if found is None and sys.version_info < (3, 12) and _parses_without_fstrings(text):
        found = ("3.12", "an f-string with quotes, backslashes or comments inside its braces")
    if found is None or tuple(int(part) for part in found[0].split(".")) <= sys.version_info[:2]:
        return None
    return found


def _type_parameters(line: str) -> tuple[str, str] | None:
    match = _GENERIC_DEF.match(line) or _TYPE_ALIAS.match(line)
    if match is None:
        return None
    what = "type parameters" if match.re is _GENERIC_DEF else "a `type` alias"
    params = match.group("params") or ""
    if "=" in params:  # PEP 696: a type parameter with a default
        return "3.13", "type parameter defaults"
    return "3.12", what


def _parses_without_fstrings(text: str) -> bool:
    """Whether ``text`` parses once every f-string is replaced by a plain string spanning the
    same lines (read by 3.12's rules: any quotes, backslashes and comments inside braces)."""
    blanked = _blank_fstrings(text)
    if blanked is None or blanked == text:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(blanked)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _blank_fstrings(text: str) -> str | None:
    """``text`` with each top-level f-string made ``\"\"\"<its newlines>\"\"\"`` (None: the
    text cannot be read as 3.12 would, e.g. an unterminated string)."""
    pieces: list[str] = []
    position = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        match = _string_at(text, index)
        if match is None:
            index += 1
            continue
        found = _string_end(text, match)
        if found is None:
            return None
        end = found
        if "f" in match.group("prefix").lower():
            newlines = text.count("\n", index, end)
            pieces.append(text[position:index])
            pieces.append(' """' + "\n" * newlines + '""" ')
            position = end
        index = end
    pieces.append(text[position:])
    return "".join(pieces)


def _string_at(text: str, index: int) -> re.Match[str] | None:
    """A string literal starting at ``index`` (not in the middle of a name)."""
    if index > 0 and (text[index - 1].isalnum() or text[index - 1] == "_"):
        return None
    match = _STRING_START.match(text, index)
    return match if match is not None and match.start() == index else None


def _string_end(text: str, start: re.Match[str]) -> int | None:
    """Where the string literal ``start`` opens ends (3.12 rules for f-strings)."""
    quote = start.group("quote")
    prefix = start.group("prefix").lower()
    raw, formatted = "r" in prefix, "f" in prefix
    index = start.end()
    while index < len(text):
        if text.startswith(quote, index):
            return index + len(quote)
        char = text[index]
        if char == "\n" and len(quote) == 1:
            return None
        if char == "\\" and not raw:
            index += 2
            continue
        if formatted and char == "{":
            if text.startswith("{{", index):
                index += 2
                continue
            closing = _replacement_field_end(text, index + 1)
            if closing is None or text[index + 1 : closing - 1].strip()[:1] in ("", "!", ":", "="):
                return None  # an empty expression: an error on 3.12 too
            index = closing
            continue
        index += 1
    return None


def _replacement_field_end(text: str, index: int) -> int | None:
    """The index after the ``}`` closing the replacement field whose body starts at ``index``."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            if end < 0:
                return None
            index = end
            continue
        match = _string_at(text, index)
        if match is not None:
            found = _string_end(text, match)
            if found is None:
                return None
            index = found
            continue
        if char in "([{":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "}":
            if depth == 0:
                return index + 1
            depth -= 1
        index += 1
    return None
