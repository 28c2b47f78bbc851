"""The pylint plugin: ``pylint --load-plugins=wslint.pylint_plugin`` reports wslint's findings.

Each rule becomes one pylint message, generated from the rule registry: message id ``W51NN``
for ``WSLNNN`` (pylint reserves 51-99 for plugins), symbol = the rule's name, text starting with
the WSL code. The checker hands pylint's own astroid module to the engine, so inference reuses
it instead of building a second tree. Settings come from ``[tool.wslint]`` as for the command;
``# noqa: WSL003`` is honoured as by the command, and pylint's own ``disable`` pragmas work too.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pylint.checkers import BaseChecker
from pylint.constants import WarningScope

from wslint.core.options import Settings
from wslint.core.source import Unreadable, decode_source
from wslint.driver.api import check_source
from wslint.driver.config import ConfigError, load_settings
from wslint.rules import ALL_RULES
from wslint.rules.base import Rule

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter

CHECKER_ID = "51"
USAGE_ERROR = 32  # pylint's own exit status for a configuration problem


def message_id(code: str) -> str:
    """``W5103`` for ``WSL003``."""
    return f"W{CHECKER_ID}{int(code[3:]):02d}"


def _message(rule: type[Rule]) -> tuple[str, str, str, dict[str, Any]]:
    description = f"{rule.summary}. Fix: {rule.fix} (wslint {rule.code})"
    # Findings carry a position, not a node: line-scoped, like pylint's own raw-text checks.
    return (f"{rule.code} %s", rule.name, description, {"scope": WarningScope.LINE})


MESSAGES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    message_id(rule.code): _message(rule) for rule in ALL_RULES
}
SYMBOLS: dict[str, str] = {rule.code: rule.name for rule in ALL_RULES}


class WslintChecker(BaseChecker):
    """Runs the selected wslint rules on each module pylint checks."""

    name = "wslint"
    msgs = MESSAGES  # type: ignore[assignment]  # the fourth item is pylint's options dict

    def __init__(self, linter: PyLinter) -> None:
        super().__init__(linter)
        self._settings: Settings | None = None

    def open(self) -> None:
        try:
            self._settings, _ = load_settings(None)
        except ConfigError as error:
            # As the command does: one line naming the file and key, and a usage-error status.
            print(f"pylint: wslint: {error}", file=sys.stderr)
            raise SystemExit(USAGE_ERROR) from None

    def visit_module(self, node: nodes.Module) -> None:
        if not node.file or not node.file.endswith(".py"):
            return
        settings = self._enabled_settings()
        try:
            with node.stream() as stream:
                text = decode_source(stream.read())
        except (OSError, Unreadable):
            return  # pylint reports files it cannot read itself
        findings = check_source(
            Path(os.path.abspath(node.file)),
            text,
            settings,
            astroid_tree=node,
            display=node.file,
            reset_astroid=False,
        )
        for finding in findings:
            self.add_message(
                SYMBOLS.get(finding.code, SYMBOLS["WSL000"]),
                line=finding.line,
                col_offset=finding.column - 1,
                end_lineno=finding.end_line or None,
                end_col_offset=(finding.end_column - 1) if finding.end_line else None,
                args=(finding.message,),
            )

    def _enabled_settings(self) -> Settings:
        """The configured settings minus the rules whose pylint messages are disabled."""
        settings = self._settings or Settings()
        disabled = tuple(
            rule.code for rule in ALL_RULES if not self.linter.is_message_enabled(message_id(rule.code))
        )
        return replace(settings, ignore=(*settings.ignore, *disabled)) if disabled else settings


def register(linter: Any) -> None:
    """pylint's plugin hook."""
    linter.register_checker(WslintChecker(linter))
