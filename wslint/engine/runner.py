"""Checking files: read, prefilter, parse, index, run the selected rules, suppress, sort."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wslint.analysis.index import ProjectIndex
from wslint.analysis.inference import InferenceView, forget_project
from wslint.analysis.module import ModuleInfo
from wslint.engine.context import FileContext
from wslint.engine.discovery import discover
from wslint.engine.findings import Finding
from wslint.engine.noqa import suppressed_on
from wslint.engine.options import Settings
from wslint.engine.prefilter import may_hold_finding
from wslint.engine.project import find_project_root
from wslint.engine.source import Unreadable, decode_source, parse_source
from wslint.rules import selected_rules
from wslint.rules.base import Rule


@dataclass
class Report:
    """What a run found, sorted, and how many files it looked at."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0


@dataclass
class SourceUnit:
    """A file to check: where it is shown, where it lives, and its bytes when already read."""

    display: str
    path: Path
    data: bytes | None = None


def check_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    project_root: Path | None = None,
    stdin: tuple[str, bytes] | None = None,
) -> Report:
    """Check ``paths`` (and/or stdin as ``(filename, data)``) against the project they belong to."""
    exclude = (*settings.exclude, *settings.extend_exclude)
    units = [SourceUnit(str(path), _absolute(path)) for path in discover(paths, exclude)]
    if stdin is not None:
        name, data = stdin
        units.append(SourceUnit(name, _absolute(Path(name)), data))
    anchor = [Path(unit.path) for unit in units] or list(paths)
    root = _absolute(project_root) if project_root else find_project_root(anchor)

    def project_files() -> list[Path]:
        return [_absolute(p) for p in discover([root], exclude)] if root.is_dir() else []

    return check_units(units, settings, root, project_files)


def check_units(
    units: Sequence[SourceUnit],
    settings: Settings,
    root: Path,
    project_files: Sequence[Path] | Callable[[], Iterable[Path]],
) -> Report:
    forget_project(root)
    rules = [rule() for rule in selected_rules(settings.select, settings.ignore, settings.extend_select)]
    index = ProjectIndex(root, project_files, settings, lambda path: load_module(path, root))
    report = Report(files_checked=len(units))
    parsed: list[tuple[SourceUnit, ModuleInfo, str, list[Rule]]] = []
    for unit in units:
        try:
            text, data = _read(unit)
            relevant = [rule for rule in rules if may_hold_finding(data, rule.required_words(settings))]
            if not relevant:
                continue
            module = ModuleInfo(parse_source(text, unit.display), unit.path, root)
        except Unreadable as problem:
            report.findings.append(_unreadable(unit, problem))
            continue
        index.add(module, data)
        parsed.append((unit, module, text, relevant))
    for unit, module, text, relevant in parsed:
        report.findings.extend(_run_rules(relevant, unit, module, text, index, root))
    report.findings = sorted(
        (f for f in report.findings if not _ignored(f, settings)), key=lambda f: f.sort_key
    )
    return report


def _read(unit: SourceUnit) -> tuple[str, bytes]:
    """The decoded text and raw bytes of a unit (raw bytes feed the prefilter)."""
    data = unit.data if unit.data is not None else _read_bytes(unit.path)
    return decode_source(data), data


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise Unreadable(f"cannot read file: {error.strerror or error}") from None


def load_module(path: Path, root: Path) -> ModuleInfo | None:
    """A project module for the index, or None when it cannot be read or parsed."""
    try:
        text = decode_source(_read_bytes(path))
        return ModuleInfo(parse_source(text, str(path)), path, root)
    except Unreadable:
        return None


def _run_rules(
    rules: list[Rule], unit: SourceUnit, module: ModuleInfo, text: str, index: ProjectIndex, root: Path
) -> list[Finding]:
    inference = InferenceView(text, module.name, unit.path, root)
    context = FileContext(unit.display, module, index, inference)
    lines = text.splitlines()
    findings = []
    for rule in rules:
        try:
            produced = list(rule.check(context))
        except RecursionError:
            return [_unreadable(unit, Unreadable("analysis nested too deeply"))]
        findings.extend(f for f in produced if not suppressed_on(f.code, lines, f.line))
    return findings


def _unreadable(unit: SourceUnit, problem: Unreadable) -> Finding:
    return Finding(
        unit.display,
        problem.line,
        problem.column,
        "WSL000",
        problem.reason,
        "unreadable-file",
        problem.line,
        problem.column,
    )


def _ignored(finding: Finding, settings: Settings) -> bool:
    if finding.code == "WSL000" and any("WSL000".startswith(p) for p in settings.ignore):
        return True
    path = finding.path.replace(os.sep, "/")
    for glob, codes in settings.per_file_ignores:
        if fnmatch.fnmatchcase(path, glob) or fnmatch.fnmatchcase(Path(path).name, glob):
            if any(finding.code.startswith(code) for code in codes):
                return True
    return False


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))
