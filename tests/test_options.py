"""Each option is declared once, and everything that shows or reads options derives from that."""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import click
import pytest

from wslint.cli import cli
from wslint.core.options import CLI_OPTIONS, COMMAND_OPTIONS, FLAKE8_OPTIONS, OPTIONS, Settings
from wslint.docs import command_line_table, configuration_block
from wslint.frontends.flake8_plugin import WslintChecker
from wslint.rules import ALL_RULES

README = Path(__file__).parent.parent / "README.md"
OPTION_OF_ATTRIBUTE = {option.attr: option.key for option in OPTIONS}
# What a rule reads through: the analysis, and the file context it is handed.
ANALYSIS = ("wslint.analysis", "wslint.analysis.context")


def test_every_setting_is_an_option_with_its_default() -> None:
    defaults = Settings()
    for option in OPTIONS:
        assert getattr(defaults, option.attr) == option.default
        if option.key == "per-file-ignores":  # a TOML table or INI lines, never a tuple
            continue
        if option.default == "":  # unset (no baseline): not a value anyone writes
            continue
        assert option.convert(option.default) == option.default


def test_the_command_line_is_generated_from_the_declarations() -> None:
    flags = {flag for param in cli.params if isinstance(param, click.Option) for flag in param.opts}
    assert {f"--{option.key}" for option in CLI_OPTIONS} <= flags
    assert {option.flag for option in COMMAND_OPTIONS} <= flags
    assert not {f"--{option.key}" for option in OPTIONS if not option.cli} & flags


class Recorder:
    def __init__(self) -> None:
        self.flags: list[str] = []

    def add_option(self, flag: str, **_: object) -> None:
        self.flags.append(flag)


def test_flake8_options_are_generated_from_the_declarations() -> None:
    recorder = Recorder()
    WslintChecker.add_options(recorder)
    assert recorder.flags == [f"--wslint-{option.key}" for option in FLAKE8_OPTIONS]


def test_readme_shows_the_generated_command_line_and_configuration() -> None:
    readme = README.read_text(encoding="utf-8")
    assert command_line_table() in readme
    assert configuration_block() in readme


def _imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(ANALYSIS):
            modules.add(node.module)
    return modules


def _file_of(module: str) -> Path:
    return Path(__file__).parent.parent / (module.replace(".", "/") + ".py")


def _options_read(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        OPTION_OF_ATTRIBUTE[node.attr]
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in OPTION_OF_ATTRIBUTE
    }


@cache
def _options_read_by_analysis(module: str) -> frozenset[str]:
    """The options read by an analysis module and the analysis modules it imports."""
    path = _file_of(module)
    found = set(_options_read(path))
    for imported in _imports(path) - {module}:
        if _file_of(imported).is_file():
            found |= _options_read_by_analysis(imported)
    return frozenset(found)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_rule_declares_exactly_the_options_it_reads(rule) -> None:
    """Read by the rule itself: declared. Declared: read by the rule or by the analysis it calls."""
    path = Path(sys.modules[rule.__module__].__file__ or "")
    direct = _options_read(path)
    through_analysis = set().union(*(_options_read_by_analysis(m) for m in _imports(path)))
    declared = set(rule.options)
    assert direct <= declared, f"{rule.code} reads {sorted(direct - declared)} without declaring them"
    assert declared <= direct | through_analysis, f"{rule.code} declares options it never reads"
