"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule is described in ``tool.driver.rules`` (its documentation is the help text, and
``helpUri`` the address of its page under ``docs/rules/`` where this installation knows one:
see :mod:`wslint.origin`), whether or not it fired, so ``ruleIndex`` is stable across runs.
Paths are URIs relative to the current directory (the repository root in CI), resolved against
``%SRCROOT%``. Columns are the ones the command prints: 1-based, ``endColumn`` one past the last
character. They count the line's UTF-8 bytes, as Python's parser does, so on a line with
non-ASCII text before the finding they run ahead of SARIF's default UTF-16 columns.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from wslint import __version__, origin
from wslint.core.findings import Finding
from wslint.core.fix import Fix
from wslint.rules import ALL_RULES
from wslint.rules.base import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVEL = "error"  # every finding is a bug that keeps clients from being updated


def render_sarif(findings: Sequence[Finding], fixes: Mapping[Finding, Fix] | None = None) -> str:
    """One SARIF log with one run: the rules and a result per finding (with its fix, if any)."""
    fixes = fixes or {}
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver()},
                "invocations": [{"executionSuccessful": True}],
                "results": [
                    _with_fix(_result(finding, index), finding, fixes.get(finding)) for finding in findings
                ],
            }
        ],
    }
    return json.dumps(log, indent=2)


def _driver() -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "wslint", "version": __version__, "semanticVersion": __version__}
    homepage = origin.repository()
    if homepage:  # (only where the installation says where it came from)
        driver["informationUri"] = homepage
    driver["rules"] = [_rule(rule) for rule in ALL_RULES]
    return driver


def _rule(rule: type[Rule]) -> dict[str, Any]:
    markdown = rule.documentation() or rule.summary
    described: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _plain(rule.sections().get("What it does", rule.summary))},
        "help": {"text": _plain(markdown), "markdown": markdown},
        "defaultConfiguration": {"enabled": rule.default_enabled, "level": LEVEL},
        "properties": {
            "tags": ["websocket", "asyncio", "correctness"],
            "precision": "high",
            "problem.severity": LEVEL,
        },
    }
    page = origin.rule_page_uri(rule.code)
    if page:
        described["helpUri"] = page
    return described


def _plain(markdown: str) -> str:
    """Markdown as plain text: headings lose their ``#``, fences and backticks go."""
    text = re.sub(r"^#+\s*", "", markdown, flags=re.MULTILINE)
    text = re.sub(r"^```\w*\s*$\n?", "", text, flags=re.MULTILINE)
    return text.replace("`", "").strip()


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    end_line = max(finding.end_line, finding.line)
    end_column = finding.end_column if finding.end_line >= finding.line else finding.column + 1
    if end_line == finding.line:
        end_column = max(end_column, finding.column + 1)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVEL,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": {
                        "startLine": max(finding.line, 1),
                        "startColumn": max(finding.column, 1),
                        "endLine": max(end_line, 1),
                        "endColumn": max(end_column, 1),
                    },
                }
            }
        ],
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    return result


def _with_fix(result: dict[str, Any], finding: Finding, fix: Fix | None) -> dict[str, Any]:
    """SARIF's ``fixes``: one fix, its edits as replacements in the finding's file."""
    if fix is not None:
        replacements = [
            {
                "deletedRegion": {
                    "startLine": edit.line,
                    "startColumn": edit.column,
                    "endLine": edit.end_line,
                    "endColumn": edit.end_column,
                },
                "insertedContent": {"text": edit.content},
            }
            for edit in fix.edits
        ]
        result["fixes"] = [
            {
                "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
                "artifactChanges": [
                    {"artifactLocation": _artifact(finding.path), "replacements": replacements}
                ],
            }
        ]
    return result


def _artifact(path: str) -> dict[str, str]:
    """A relative URI under ``%SRCROOT%`` where the file is under the current directory."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": "%SRCROOT%"}
