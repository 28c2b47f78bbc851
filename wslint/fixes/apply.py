"""Applying fixes to files: in rounds until nothing is left to fix (overlapping fixes wait for
the next round, as ruff does), each round checked as a whole; then written, or shown as a
unified diff."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.fixes import FIXABLE, SAFE, Fix, fixes_for_source
from wslint.fixes.edits import apply_edits

# Rounds of fixes per file: each round fixes at least one finding, and fixes rarely overlap.
MAX_ROUNDS = 10
BOM = b"\xef\xbb\xbf"


@dataclass
class FixedFile:
    """A file's text before and after its fixes, and how many findings they repaired."""

    path: str
    original: str
    fixed: str
    count: int

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.fixed.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


def fix_source(
    source: str, path: str, settings: Settings, unsafe_fixes: bool, codes: Collection[str] | None = None
) -> tuple[str, int]:
    """``source`` with every applicable fix applied (of the findings of ``codes`` only, if
    given: the other findings are still checked to stay as they are), and how many findings
    were fixed."""
    from wslint.fixes.verify import disjoint, findings_of, leaves_the_rest, verified_fixes

    current, fixed = source, 0
    for _ in range(MAX_ROUNDS):
        before = findings_of(current, path, settings)
        wanted = [
            f
            for f in before
            if f.code in FIXABLE
            and (FIXABLE[f.code] == SAFE or unsafe_fixes)
            and (codes is None or f.code in codes)
        ]
        if not wanted:
            break
        candidates = verified_fixes(current, path, settings, wanted, before=before)
        if not candidates:
            break
        chosen = disjoint(candidates)
        attempt = apply_edits(current, [edit for _, fix in chosen for edit in fix.edits])
        if len(chosen) > 1 and not leaves_the_rest(before, [f for f, _ in chosen], attempt, path, settings):
            chosen = chosen[:1]  # together they interfere: one at a time (each was checked alone)
            attempt = apply_edits(current, chosen[0][1].edits)
        current, fixed = attempt, fixed + len(chosen)
    return current, fixed


def fix_files(
    findings: Sequence[Finding],
    settings: Settings,
    unsafe_fixes: bool,
    stdin: tuple[str, bytes] | None = None,
) -> list[FixedFile]:
    """Fix every file that has a finding with a fix (``stdin``: the text read for that name)."""
    from wslint.core.source import Unreadable, decode_source

    results = []
    for path in _paths_with_fixable(findings, unsafe_fixes):
        try:
            data = stdin[1] if stdin is not None and path == stdin[0] else Path(path).read_bytes()
            original = decode_source(data)
        except (OSError, Unreadable):
            continue
        fixed, count = fix_source(original, path, settings, unsafe_fixes)
        results.append(FixedFile(path, original, fixed, count))
    return results


def write(fixed: FixedFile) -> None:
    """Write the fixed text in the file's own encoding (and its byte order mark)."""
    from wslint.fixes.verify import encoded

    path = Path(fixed.path)
    bom = BOM if path.read_bytes().startswith(BOM) else b""
    path.write_bytes(bom + encoded(fixed.fixed))


def encoded_text(fixed: FixedFile, original: bytes) -> bytes:
    from wslint.fixes.verify import encoded

    return (BOM if original.startswith(BOM) else b"") + encoded(fixed.fixed)


def fixes_of_findings(
    findings: Sequence[Finding],
    settings: Settings,
    stdin: tuple[str, bytes] | None = None,
    cache_dir: Path | None = None,
    complete: bool = False,
) -> dict[Finding, Fix]:
    """Every finding's verified fix, safe or not (the output shows both), by finding; kept in
    ``cache_dir`` between runs, where given (see :mod:`wslint.fixes.cache`). ``complete``:
    ``findings`` are every finding of their files (no baseline left any out), so each fix is
    checked against them instead of linting the unchanged file once more."""
    from wslint.core.source import Unreadable, decode_source
    from wslint.fixes.cache import FixCache, fixes_key

    cache = FixCache(cache_dir) if cache_dir is not None else None
    fixes: dict[Finding, Fix] = {}
    for path, of_file in _by_path(f for f in findings if f.code in FIXABLE).items():
        try:
            data = stdin[1] if stdin is not None and path == stdin[0] else Path(path).read_bytes()
        except OSError:
            continue
        key = fixes_key(data, of_file, settings) if cache is not None and stdin is None else None
        found = cache.get(path, key, of_file) if cache is not None and key is not None else None
        if found is None:
            try:
                before = [finding for finding in findings if finding.path == path] if complete else None
                found = fixes_for_source(decode_source(data), path, settings, of_file, before)
            except Unreadable:
                continue
            if cache is not None and key is not None:
                cache.put(path, key, of_file, found)
        fixes.update(found)
    if cache is not None:
        cache.save()
    return fixes


def _paths_with_fixable(findings: Iterable[Finding], unsafe_fixes: bool) -> list[str]:
    wanted = (f for f in findings if f.code in FIXABLE and (FIXABLE[f.code] == SAFE or unsafe_fixes))
    return list(_by_path(wanted))


def _by_path(findings: Iterable[Finding]) -> Mapping[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped
