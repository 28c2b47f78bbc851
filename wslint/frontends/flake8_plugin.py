"""The flake8 plugin: ``flake8 --select WSL`` reports what ``wslint`` reports.

flake8 hands each file's ``ast`` tree and lines to :class:`WslintChecker`, one file at a time,
in several worker processes. Each check indexes the file's whole project (root = the nearest
``pyproject.toml``, ``setup.cfg`` or ``.git``) lazily, so the project-wide rule WSL005 gives the
answer the command gives whichever files flake8 checks and however it splits them.

Options: every wslint option except the ones flake8 owns (``select``, ``ignore``,
``extend-select``, ``per-file-ignores``) is registered as ``--wslint-<key>`` and may be set in
flake8's config (``[flake8] wslint-min-interval = 2``). What flake8 is not given comes from
``[tool.wslint]`` in ``pyproject.toml`` (or ``[wslint]`` in ``setup.cfg``), found as the
command finds it. ``# noqa`` is left to flake8 (so ``--disable-noqa`` works). Unparsable files
are flake8's own E999/E902, never reported twice.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from typing import Any, ClassVar

from wslint import __version__
from wslint.core.options import FLAKE8_OPTIONS, OptionError, Settings
from wslint.driver.api import check_source
from wslint.driver.config import ConfigError, load_settings

STDIN_NAMES = frozenset({"stdin", "-", "/dev/stdin"})


def _flag(key: str) -> str:
    return f"--wslint-{key}"


def _dest(key: str) -> str:
    return "wslint_" + key.replace("-", "_")


class WslintChecker:
    """flake8 tree plugin: runs every wslint rule on one file."""

    name = "wslint"
    version = __version__
    settings: ClassVar[Settings] = Settings()

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        for option in FLAKE8_OPTIONS:
            manager.add_option(
                _flag(option.key),
                dest=_dest(option.key),
                default=None,
                metavar=option.metavar,
                parse_from_config=True,
                help=f"wslint: {option.help} (default: [tool.wslint] {option.key}, else built in)",
            )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        try:
            cls.settings = settings_for(options)
        except (ConfigError, OptionError) as error:
            print(f"flake8: wslint: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        text = "".join(self.lines)
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        path = "<stdin>" if self.filename in STDIN_NAMES else self.filename
        for finding in check_source(path, text, self.settings, tree=tree, honour_noqa=False):
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)


def settings_for(options: argparse.Namespace) -> Settings:
    """``[tool.wslint]`` (found like the command finds it) overridden by flake8's own options."""
    settings, _ = load_settings(None)
    given = {
        option.key: value
        for option in FLAKE8_OPTIONS
        if (value := getattr(options, _dest(option.key), None)) is not None
    }
    try:
        return settings.with_values(given)
    except OptionError as error:
        raise ConfigError(f"flake8 option: {error}") from None
