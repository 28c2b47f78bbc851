"""Rendering findings: ``text``, ``json`` and ``github``; statistics and --show-source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import click

from wslint import rules
from wslint.core.findings import Finding
from wslint.core.fix import Fix


def render_text(
    findings: Sequence[Finding],
    color: bool,
    show_source: bool,
    sources: dict[str, list[str]],
    fixable: Collection[Finding] = (),
) -> str:
    """``path:line:col: CODE message``, ``CODE [*] message`` where ``--fix`` repairs it."""
    lines = []
    for finding in findings:
        location = f"{finding.path}:{finding.line}:{finding.column}:"
        code = finding.code
        if color:
            location = click.style(location, bold=True)
            code = click.style(code, fg="red", bold=True)
        mark = "[*] " if finding in fixable else ""
        lines.append(f"{location} {code} {mark}{finding.message}")
        if show_source:
            lines.extend(_source_excerpt(finding, sources.get(finding.path, []), color))
    return "\n".join(lines)


def _source_excerpt(finding: Finding, source: list[str], color: bool) -> list[str]:
    if not 1 <= finding.line <= len(source):
        return []
    text = source[finding.line - 1].rstrip("\n").expandtabs(4)
    width = finding.end_column - finding.column if finding.end_line == finding.line else 1
    caret = " " * (finding.column - 1) + "^" * max(width, 1)
    rule = rules.RULES_BY_CODE.get(finding.code)
    hint = f"help: {rule.fix}" if rule else ""
    if color:
        caret = click.style(caret, fg="red")
        hint = click.style(hint, fg="cyan")
    return [f"    {text}", f"    {caret}", *([f"    {hint}"] if hint else [])]


def fixable_counts(fixes: Mapping[Finding, Fix], unsafe_fixes: bool) -> tuple[int, int]:
    """How many findings ``--fix`` repairs (with ``--unsafe-fixes`` if given), and how many
    more only ``--unsafe-fixes`` would."""
    count = sum(1 for fix in fixes.values() if fix.applies(unsafe_fixes))
    return count, sum(1 for fix in fixes.values() if fix.applies(True)) - count


def render_json(findings: Sequence[Finding], fixes: Mapping[Finding, Fix] | None = None) -> str:
    import json  # (imported here: the default format does not need it)

    fixes = fixes or {}
    items = [{**finding.as_dict(), "fix": fix_json(fixes.get(finding))} for finding in findings]
    return json.dumps(items, indent=2)


def fix_json(fix: Fix | None) -> dict[str, Any] | None:
    """A fix in ruff's JSON shape (1-based rows and columns, the end exclusive)."""
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [
            {
                "content": edit.content,
                "location": {"row": edit.line, "column": edit.column},
                "end_location": {"row": edit.end_line, "column": edit.end_column},
            }
            for edit in fix.edits
        ],
    }


def render_github(findings: Sequence[Finding]) -> str:
    return "\n".join(
        f"::error file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"endLine={f.end_line},endColumn={f.end_column},"
        f"title={f.code}::{_escape_data(f.message)}"
        for f in findings
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(finding.code for finding in findings)
    rows = []
    for code in sorted(counts):
        rule = rules.RULES_BY_CODE.get(code)
        rows.append(f"{counts[code]:>5}\t{code}\t{rule.name if rule else ''}")
    return "\n".join(rows)


def render_summary(findings: Sequence[Finding], fixable: int | None = None, unsafe_only: int = 0) -> str:
    """The line under the findings on a terminal: ``Found 3 findings in 2 files.``, or
    ``All checks passed.``; ``fixable`` adds how many ``--fix`` would repair, ``unsafe_only``
    how many more only ``--unsafe-fixes`` would."""
    if not findings:
        return "All checks passed."
    count, files = len(findings), len({finding.path for finding in findings})
    line = f"Found {count} finding{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    if fixable and unsafe_only:
        line += f" ({fixable} fixable with --fix, {unsafe_only} more with --unsafe-fixes)"
    elif fixable:
        line += f" ({fixable} fixable with --fix)"
    elif unsafe_only:
        line += f" ({unsafe_only} fixable with --fix --unsafe-fixes)"
    return line + "."
