"""Code actions: the fixes of :mod:`wslint.fixes` for the findings under the cursor.

The fixes are asked for in the server's worker threads, never on the protocol's. Without
:mod:`wslint.fixes` (an installation that has no fixes) there are no actions.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from wslint.core.findings import Finding
from wslint.core.options import OptionError, Settings
from wslint.driver.config import ConfigError, load_settings
from wslint.lsp.checks import project_root_of

if TYPE_CHECKING:
    from wslint.lsp.server import WslintServer


def code_actions(
    ls: WslintServer, uri: str, path: Path, source: str, diagnostics: Sequence[types.Diagnostic]
) -> list[types.CodeAction]:
    """One quick fix per fixable finding among ``diagnostics`` (those the server published)."""
    try:
        fixes = importlib.import_module("wslint.fixes")
    except ImportError:
        return []
    settings = settings_for(path, ls.settings)
    if settings is None:
        return []
    by_finding: dict[Finding, types.Diagnostic] = {}
    for diagnostic in diagnostics:
        if not isinstance(diagnostic.data, dict):
            continue
        try:
            by_finding[Finding(**diagnostic.data)] = diagnostic
        except TypeError:
            continue
    lines = source.splitlines(keepends=True)
    actions = []
    for finding, fix in fixes.fixes_for_source(source, str(path), settings, list(by_finding)):
        edits = [
            types.TextEdit(
                range=types.Range(
                    start=ls.position(lines, edit.line, edit.column),
                    end=ls.position(lines, edit.end_line, edit.end_column),
                ),
                new_text=edit.content,
            )
            for edit in fix.edits
        ]
        actions.append(
            types.CodeAction(
                title=f"{finding.code}: {fix.message}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[by_finding[finding]] if finding in by_finding else None,
                edit=types.WorkspaceEdit(changes={uri: edits}),
                is_preferred=fix.applicability == "safe",
            )
        )
    return actions


def settings_for(path: Path, client_settings: dict[str, Any]) -> Settings | None:
    """The settings a check of ``path`` runs with: its project's configuration (or the client's
    ``config``), then the client's option values. None where they cannot be read (the check
    itself says why)."""
    root = project_root_of(path) or path.parent
    config = client_settings.get("config")
    config_path = Path(config) if isinstance(config, str) else None
    if config_path is not None and not config_path.is_absolute():
        config_path = root / config_path
    try:
        settings, _ = load_settings(config_path, cwd=root)
        values = {
            key: value
            for key, value in client_settings.items()
            if key in ("select", "ignore", "extend-select", "min-interval") and value is not None
        }
        return settings.with_values(values)
    except (ConfigError, OptionError):
        return None
