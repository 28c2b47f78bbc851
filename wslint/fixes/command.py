"""``--fix`` and ``--diff`` on the command line: fix the files with fixable findings, then
write them (or the fixed standard input, for the caller to print) or print their diff."""

from __future__ import annotations

from collections.abc import Sequence

import click

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.fixes.apply import encoded_text, fix_files, write


def apply_fixes(
    findings: Sequence[Finding], settings: Settings, diff: bool, stdin: tuple[str, bytes] | None
) -> tuple[bool, tuple[str, bytes] | None]:
    """Fix every file with a fixable finding and write it, or with ``diff`` print the diffs.
    Returns whether anything changed, and the standard input as fixed (to print back)."""
    files = [fixed for fixed in fix_files(findings, settings, settings.unsafe_fixes, stdin) if fixed.changed]
    count = sum(fixed.count for fixed in files)
    if diff:
        for fixed in files:
            click.echo(fixed.diff(), nl=False)
        if count:
            click.echo(f"Would fix {_findings(count)}.", err=True)
        return bool(files), stdin
    written = []
    for fixed in files:
        if stdin is not None and fixed.path == stdin[0]:
            stdin = (stdin[0], encoded_text(fixed, stdin[1]))
        else:
            try:
                write(fixed)
            except OSError as error:  # the file stays as it was, its findings reported
                click.echo(f"wslint: warning: cannot write {fixed.path}: {error.strerror or error}", err=True)
                continue
        written.append(fixed)
    files = written
    count = sum(fixed.count for fixed in files)
    if count:
        where = f" in {len(files)} file{'s' if len(files) != 1 else ''}"
        click.echo(f"Fixed {_findings(count)}{where}.", err=True)
    return bool(files), stdin


def _findings(count: int) -> str:
    return f"{count} finding{'s' if count != 1 else ''}"
