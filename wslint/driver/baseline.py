"""The baseline: today's findings, recorded so that only new ones are reported.

A team adopting wslint on a codebase with findings records them once
(``--write-baseline FILE``) and from then on sees only the findings the baseline does not
hold (``--baseline FILE``, or ``baseline = "FILE"`` in ``[tool.wslint]``).

An entry is keyed by what a finding is, not where it sits: its code, its file's path (relative
to the baseline file's folder), the qualified name of the function or class around it
(``Feed._broadcast_prices``; empty at module level) and a hash of the offending line's text
with its indentation stripped. Lines inserted above a finding, or a function moved within its
file, leave the key as it was; editing the offending line, renaming the function or the file
make it a new finding. Identical keys are counted: a baseline holding one finding on a line
does not hide a second, identical one added later.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wslint.core.findings import Finding
from wslint.driver.config import ConfigError

# (ast, hashlib and json are imported where used: a run without a baseline never loads them.)
if TYPE_CHECKING:
    from wslint.core.options import Settings
    from wslint.driver.run import Report

FORMAT = 1
MARKER = "wslint-baseline"


class BaselineError(ConfigError):
    """A baseline file that cannot be read or written, phrased as one line naming the file."""


@dataclass(frozen=True, order=True)
class Key:
    """What identifies a finding across edits elsewhere in its file."""

    code: str
    path: str
    function: str
    line_hash: str


def line_hash(text: str) -> str:
    """A short hash of a line's text, indentation and trailing blanks aside."""
    import hashlib

    return hashlib.blake2b(text.strip().encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def enclosing_names(source: str) -> list[tuple[int, int, str]]:
    """``(first line, last line, qualified name)`` of every function and class, outermost first.

    Unparsable source has none: its findings (WSL000) sit at module level.
    """
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    spans: list[tuple[int, int, str]] = []

    def visit(node: Any, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def function_at(spans: Sequence[tuple[int, int, str]], line: int) -> str:
    """The innermost function or class whose lines hold ``line`` ("" at module level)."""
    found = ""
    for first, last, name in spans:  # outermost first: a later match is nested in an earlier one
        if first <= line <= last:
            found = name
    return found


class _Sources:
    """Each finding's file, read and parsed once (``given``: text not on disk, e.g. stdin)."""

    def __init__(self, given: Mapping[str, str]) -> None:
        self._given = dict(given)
        self._lines: dict[str, list[str]] = {}
        self._spans: dict[str, list[tuple[int, int, str]]] = {}

    def _load(self, path: str) -> None:
        if path in self._lines:
            return
        text = self._given.get(path)
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        self._lines[path] = text.splitlines()
        self._spans[path] = enclosing_names(text)

    def line(self, path: str, number: int) -> str:
        self._load(path)
        lines = self._lines[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def function(self, path: str, number: int) -> str:
        self._load(path)
        return function_at(self._spans[path], number)


def _relative(path: str, folder: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()


def keys_of(findings: Sequence[Finding], folder: Path, given: Mapping[str, str] | None = None) -> list[Key]:
    """The key of each finding, paths relative to ``folder`` (the baseline file's)."""
    sources = _Sources(given or {})
    return [
        Key(
            finding.code,
            _relative(finding.path, folder),
            sources.function(finding.path, finding.line),
            line_hash(sources.line(finding.path, finding.line)),
        )
        for finding in findings
    ]


def write_baseline(file: Path, findings: Sequence[Finding], given: Mapping[str, str] | None = None) -> int:
    """Record ``findings`` in ``file`` (sorted, so the file diffs well); returns how many."""
    import json

    folder = Path(os.path.abspath(file)).parent
    entries = sorted(
        zip(keys_of(findings, folder, given), (finding.message for finding in findings)),
        key=lambda pair: (pair[0], pair[1]),
    )
    records = [
        {
            "code": key.code,
            "path": key.path,
            "function": key.function,
            "line-hash": key.line_hash,
            "message": message,  # for the reader only: not part of the key
        }
        for key, message in entries
    ]
    payload = {MARKER: FORMAT, "findings": records}
    try:
        file.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise BaselineError(f"{file}: cannot write the baseline: {error.strerror or error}") from None
    return len(records)


def read_baseline(file: Path) -> Counter[Key]:
    """The keys a baseline file holds, each with how many findings it stands for."""
    import json

    try:
        stored: Any = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{file}: baseline file not found (write one with --write-baseline)") from None
    except OSError as error:
        raise BaselineError(f"{file}: cannot read the baseline: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BaselineError(f"{file}: not a wslint baseline (invalid JSON: {error})") from None
    records = stored.get("findings") if isinstance(stored, dict) else None
    if not isinstance(stored, dict) or stored.get(MARKER) != FORMAT or not isinstance(records, list):
        raise BaselineError(f"{file}: not a wslint baseline (written by --write-baseline)")
    keys: Counter[Key] = Counter()
    for number, record in enumerate(records, 1):
        fields = ("code", "path", "function", "line-hash")
        if not isinstance(record, dict) or not all(isinstance(record.get(name), str) for name in fields):
            raise BaselineError(f"{file}: entry {number} lacks one of {', '.join(fields)}")
        keys[Key(record["code"], record["path"], record["function"], record["line-hash"])] += 1
    return keys


@dataclass
class Filtered:
    """The findings a baseline does not hold, and how many of its entries no longer occur."""

    findings: list[Finding]
    gone: int


def filter_findings(
    findings: Sequence[Finding],
    file: Path,
    known: Counter[Key],
    checked: Iterable[str],
    given: Mapping[str, str] | None = None,
) -> Filtered:
    """Leave out the findings ``known`` (read from ``file``) holds, each entry once.

    An entry is gone when it matched no finding and its file was ``checked`` or no longer
    exists: a run over some files (pre-commit's) says nothing of the entries of the others.
    """
    left = Counter(known)
    folder = Path(os.path.abspath(file)).parent
    new = []
    for finding, key in zip(findings, keys_of(findings, folder, given)):
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(finding)
    looked_at = {_relative(path, folder) for path in checked}
    gone = sum(
        count
        for key, count in left.items()
        if count and (key.path in looked_at or not (folder / key.path).exists())
    )
    return Filtered(new, gone)


# -- the command line's use ------------------------------------------------------------------


def _given(stdin: tuple[str, bytes] | None) -> dict[str, str]:
    """The text of source read from standard input, by the name its findings carry."""
    return {stdin[0]: stdin[1].decode("utf-8", "replace")} if stdin else {}


def record_baseline(file: Path, report: Report, stdin: tuple[str, bytes] | None) -> str:
    """``--write-baseline FILE``: record the run's findings; what to tell the user."""
    count = write_baseline(file, report.findings, _given(stdin))
    return f"wslint: wrote {count} finding{'' if count == 1 else 's'} to {file}"


def apply_baseline(
    given: str | None, settings: Settings, report: Report, stdin: tuple[str, bytes] | None
) -> str | None:
    """Leave out of ``report`` the findings the baseline holds: ``--baseline`` (``given``,
    relative to the current directory), else the configuration's ``baseline`` (relative to its
    file). What to tell the user of the entries that no longer occur, if any."""
    if given:
        file = Path(given)
    elif settings.baseline:
        file = Path(settings.config_dir or ".") / settings.baseline
    else:
        return None
    filtered = filter_findings(report.findings, file, read_baseline(file), report.checked, _given(stdin))
    report.findings = filtered.findings
    if not filtered.gone:
        return None
    one = filtered.gone == 1
    return (
        f"wslint: {filtered.gone} baselined finding{' no longer occurs' if one else 's no longer occur'}: "
        f"run --write-baseline {file} to drop {'it' if one else 'them'}"
    )
