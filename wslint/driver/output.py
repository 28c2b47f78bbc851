"""Rendering findings: ``text``, ``json`` and ``github``; statistics and --show-source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import click

from wslint import rules
from wslint.core.findings import Finding


def render_text(
    findings: Sequence[Finding], color: bool, show_source: bool, sources: dict[str, list[str]]
) -> str:
    lines = []
    for finding in findings:
        location = f"{finding.path}:{finding.line}:{finding.column}:"
        code = finding.code
        if color:
            location = click.style(location, bold=True)
            code = click.style(code, fg="red", bold=True)
        lines.append(f"{location} {code} {finding.message}")
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


def render_json(findings: Sequence[Finding]) -> str:
    import json  # (imported here: the default format does not need it)

    return json.dumps([finding.as_dict() for finding in findings], indent=2)


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


def render_summary(findings: Sequence[Finding], fixable: int | None = None) -> str:
    """The line under the findings on a terminal: ``Found 3 findings in 2 files.``, or
    ``All checks passed.``; ``fixable`` adds how many a fix would remove, when known."""
    if not findings:
        return "All checks passed."
    count, files = len(findings), len({finding.path for finding in findings})
    line = f"Found {count} finding{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    if fixable:
        line += f" ({fixable} fixable with --fix)"
    return line + "."
