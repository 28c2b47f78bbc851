"""Repairs for the findings that have one obvious repair (``wslint --fix``).

A :class:`Fix` is a list of text :class:`Edit` s to one file, safe (it only does what the finding
asks) or unsafe (it changes behaviour beyond the finding: ``--unsafe-fixes``). Fixes are
computed with libcst, a concrete syntax tree that keeps comments and formatting, and a fix is
offered only where the rewritten file parses, the finding is gone and every other finding of
the file is left as it was (:mod:`wslint.fixes.verify`). libcst is imported only when a finding
of a fixable rule asks for its fix: a run without such findings never loads it.

How the command applies fixes (rounds, writing, ``--diff``) is :mod:`wslint.fixes.apply`;
``docs/fixes.md`` describes each rule's repair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from wslint.core.fix import SAFE, UNSAFE, Edit, Fix

if TYPE_CHECKING:
    from wslint.core.findings import Finding
    from wslint.core.options import Settings

__all__ = ["FIXABLE", "SAFE", "UNSAFE", "Edit", "Fix", "fixable_count", "fixes_for_source"]

# The rules with a fix, and whether their fix is safe. (The fixers themselves live in
# :mod:`wslint.fixes.fixers` and need libcst.)
FIXABLE: dict[str, str] = {
    "WSL002": UNSAFE,
    "WSL004": UNSAFE,
    "WSL005": SAFE,
    "WSL007": SAFE,
    "WSL008": SAFE,
    "WSL011": SAFE,
}


def fixes_for_source(
    source: str,
    path: str,
    settings: Settings,
    findings: Sequence[Finding],
    before: Sequence[Finding] | None = None,
) -> list[tuple[Finding, Fix]]:
    """The verified fix of each of ``findings`` (those of file ``path``, whose text is
    ``source``) that has one, in the findings' order. Each fix is checked on its own: the
    rewritten file parses, the finding is gone and no other finding appears or disappears
    (``before``: every finding of the file as it is, when the caller already knows them)."""
    wanted = [finding for finding in findings if finding.code in FIXABLE]
    if not wanted:
        return []
    from wslint.fixes.verify import verified_fixes

    return verified_fixes(source, path, settings, wanted, before)


def fixable_count(fixes: Mapping[Finding, Fix], unsafe_fixes: bool = False) -> int:
    """How many findings ``--fix`` would repair (with ``--unsafe-fixes`` if given): the "N
    fixable with --fix" of the text output and the terminal summary."""
    return sum(1 for fix in fixes.values() if fix.applies(unsafe_fixes))
