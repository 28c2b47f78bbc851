"""Checking a fix before offering it: the rewritten file parses, the finding is gone, and every
other finding of the file is still there (matched by code and message: the lines move)."""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.fixes import Fix

FindingKey = tuple[str, str]
# A file with more findings to fix than this is left alone: each fix costs a pass over the
# file's tree, and such a file (3,000 spawns in one function) is generated, not written.
MAX_FIXES_PER_FILE = 100
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def key(finding: Finding) -> FindingKey:
    return (finding.code, finding.message)


def encoded(source: str) -> bytes:
    """``source`` as the bytes of its file: in the encoding its coding cookie names, if any."""
    head = b"".join(source.encode("utf-8", "surrogatepass").splitlines(keepends=True)[:2])
    match = _CODING.search(head)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return source.encode(encoding, "surrogatepass")
    except (LookupError, UnicodeError):
        return source.encode("utf-8", "surrogatepass")


def project_of(absolute: Path, settings: Settings) -> tuple[Path, tuple[Path, ...]]:
    """The root of the project ``absolute`` belongs to, and its Python files."""
    from wslint.driver.api import project_files
    from wslint.driver.project import find_project_root

    root = find_project_root([absolute.parent])
    return root, project_files(root, (*settings.exclude, *settings.extend_exclude))


def findings_of(source: str, path: str, settings: Settings) -> list[Finding]:
    """What a run reports for the file ``path`` if its text were ``source`` (the rest of its
    project as it is on disk)."""
    from wslint.driver.checking import SourceUnit
    from wslint.driver.runner import check_units

    absolute = Path(os.path.abspath(path))
    root, files = project_of(absolute, settings)
    unit = SourceUnit(path, absolute, encoded(source), named=True)
    return check_units([unit], settings, root, list(files)).findings


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fixed>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        return False
    return True


def leaves_the_rest(
    before: Sequence[Finding], fixed: Sequence[Finding], source: str, path: str, settings: Settings
) -> bool:
    """Whether ``source`` parses and reports exactly ``before`` without ``fixed``."""
    if not parses(source):
        return False
    expected = Counter(key(f) for f in before)
    expected.subtract(key(f) for f in fixed)
    if any(count < 0 for count in expected.values()):
        return False
    after = Counter(key(f) for f in findings_of(source, path, settings))
    return +expected == after


def verified_fixes(
    source: str,
    path: str,
    settings: Settings,
    findings: Sequence[Finding],
    before: Sequence[Finding] | None = None,
) -> list[tuple[Finding, Fix]]:
    """The fixes of ``findings`` that pass :func:`leaves_the_rest` (``before``: the file's
    findings, when already known). Fixes that do not overlap are checked applied together,
    as ``--fix`` applies them; any other fix on its own."""
    if len(findings) > MAX_FIXES_PER_FILE:
        return []
    from wslint.fixes.edits import apply_edits
    from wslint.fixes.fixers import fix_for  # (libcst)
    from wslint.fixes.tree import FixTarget
    target = FixTarget(source, path, settings)
    try:
        target.wrapper  # noqa: B018 - libcst may not read what ast reads: then no fixes
    except Exception:  # noqa: BLE001
        return []
    if before is None:
        before = findings_of(source, path, settings)
    present = {key(f) for f in before}
    proposed = []
    for finding in findings:
        fix = fix_for(finding, target) if key(finding) in present else None
        if fix is not None and fix.edits:
            proposed.append((finding, fix))
    # The fixes that do not overlap are checked together first: one check for the whole file
    # in the usual case; the rest (or all, if together they fail) one by one.
    together = disjoint(proposed)
    alone = [pair for pair in proposed if all(pair is not other for other in together)]
    if len(together) > 1:
        edits = [edit for _, fix in together for edit in fix.edits]
        fixed = [finding for finding, _ in together]
        if not leaves_the_rest(before, fixed, apply_edits(source, edits), path, settings):
            alone = proposed
            together = []
    else:
        alone, together = proposed, []
    verified = set(id(pair) for pair in together)
    for pair in alone:
        if leaves_the_rest(before, [pair[0]], apply_edits(source, pair[1].edits), path, settings):
            verified.add(id(pair))
    return [pair for pair in proposed if id(pair) in verified]


def disjoint(fixes: Sequence[tuple[Finding, Fix]]) -> list[tuple[Finding, Fix]]:
    """The fixes, in order, that touch nothing an earlier one of them touches."""
    from wslint.fixes.edits import overlaps

    chosen: list[tuple[Finding, Fix]] = []
    for pair in fixes:
        if not any(overlaps(pair[1].edits, other.edits) for _, other in chosen):
            chosen.append(pair)
    return chosen
