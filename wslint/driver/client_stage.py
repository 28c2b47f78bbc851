"""The client stage of a run: the one function the runner calls (:func:`check_client_files`).

It reads the client files the walk found, rules out by one byte search those that cannot
open a socket or handle a message, answers the rest from the cache where it can, and
otherwise parses them, builds the :class:`~wslint.client.surface.ServerSurface` (only when
some file opens a socket or waits for a type) and runs the client rules on them. Findings
pass through ``// noqa`` and per-file-ignores like the Python ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wslint.client.clients import ClientReader, ClientView, client_views, may_hold_sockets
from wslint.core.findings import Finding
from wslint.core.noqa import NOQA, suppressed_on
from wslint.core.options import Settings
from wslint.driver.discovery import discover_names
from wslint.driver.run import ProjectFiles, Report

if TYPE_CHECKING:
    from wslint.client.surface import ServerSurface
    from wslint.driver.cache import ResultCache

CLIENT_CODES = ("WSL014", "WSL015")
# ``// noqa``, ``// noqa: WSL014``, ``/* noqa: WSL015 */`` (flake8's grammar after the marker).
CLIENT_NOQA = re.compile(r"(?://|/\*)" + NOQA.pattern.removeprefix("#"), re.IGNORECASE)


def check_client_files(
    names: Sequence[str],
    settings: Settings,
    root: Path,
    project_files: ProjectFiles,
    cache: ResultCache | None,
    report: Report,
    stdin: tuple[str, bytes] | None = None,
) -> Report:
    """Check the client files ``names`` (as the walk found them; one may be ``stdin``'s name,
    read from its bytes) and add their findings to ``report``, sorted with the rest."""
    report.files_checked += len(names)
    report.checked += [str(_absolute(name)) for name in names]
    rules = _selected(settings)
    if not names or not rules:
        return report
    given = dict([stdin]) if stdin is not None else {}
    findings: list[Finding] = []
    units, every = _read_relevant(names, findings, cache is not None and not given, given)
    if units:
        findings += _check(units, settings, root, project_files, cache, rules, _digests(units, every))
        if cache is not None:
            cache.save()
    from wslint.driver.checking import is_ignored

    report.findings.extend(f for f in findings if not is_ignored(f, settings))
    report.findings.sort(key=lambda f: f.sort_key)
    return report


def _selected(settings: Settings) -> list[str]:
    from wslint.rules import selected_rules

    chosen = selected_rules(settings.select, settings.ignore, settings.extend_select)
    return [rule.code for rule in chosen if rule.code in CLIENT_CODES]


def _read_relevant(
    names: Sequence[str], problems: list[Finding], hashed: bool, given: dict[str, bytes]
) -> tuple[list[tuple[str, Path, bytes]], str | None]:
    """The client files that may open a socket or handle a message, with their bytes; and,
    where ``hashed``, a digest of every client file (a config module or URL helper elsewhere
    can change what a file's socket connects to)."""
    relevant = []
    together = _Together() if hashed else None
    for name in names:
        path = _absolute(name)
        try:
            data = given[name] if name in given else path.read_bytes()
        except OSError as error:
            reason = f"cannot read file: {error.strerror or error}"
            problems.append(Finding(name, 1, 1, "WSL000", reason, "unreadable-file", 1, 1))
            continue
        if together is not None:
            together.add(path, data)
        if may_hold_sockets(data):
            relevant.append((name, path, data))
    return relevant, together.digest() if together is not None else None


class _Together:
    def __init__(self) -> None:
        import hashlib

        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, path: Path, data: bytes) -> None:
        from wslint.driver.cache import content_hash

        self._hash.update(f"{path}\0{content_hash(data)}\n".encode("utf-8", "surrogatepass"))

    def digest(self) -> str:
        return self._hash.hexdigest()


def _check(
    units: list[tuple[str, Path, bytes]],
    settings: Settings,
    root: Path,
    project_files: ProjectFiles,
    cache: ResultCache | None,
    codes: list[str],
    digests: list[str | None],
) -> list[Finding]:
    findings: list[Finding] = []
    todo = []
    for (display, path, data), digest in zip(units, digests):
        cached = cache.get(path, digest, display) if cache is not None and digest else None
        if cached is not None:
            findings.extend(cached)
        else:
            todo.append((display, path, data, digest))
    if not todo:
        return findings
    reader = ClientReader({path: data for _, path, data, _ in todo})
    surfaces = _Surfaces(root, project_files, settings)
    for display, path, data, digest in todo:
        try:
            view = reader.view(display, path)
            found = _findings(view, surfaces.server(path), settings, codes, data) if view is not None else []
        except RecursionError:
            found = [_failure(display, "analysis nested too deeply")]
        except Exception as error:  # noqa: BLE001 - a bug must not end the run (WSL000 says so)
            failure = f"{type(error).__name__}: {error}"
            found = [_failure(display, f"client analysis failed on this file ({failure})")]
        findings.extend(found)
        if cache is not None and digest:
            cache.put(path, digest, found)
    return findings


def _failure(display: str, reason: str) -> Finding:
    return Finding(display, 1, 1, "WSL000", f"{reason}; please report it", "unreadable-file", 1, 1)


class _Surfaces:
    """The server surface of each client file's project, built on first need.

    A client belongs to the nearest project root above it (``pyproject.toml``, ``setup.cfg``,
    ``.git``) within the run's: an app kept in a folder of a larger repository, with its own
    ``pyproject.toml``, is held against its own server only.
    """

    def __init__(self, root: Path, project_files: ProjectFiles, settings: Settings) -> None:
        self.root, self.project_files, self.settings = root, project_files, settings
        self._built: dict[Path, ServerSurface] = {}
        self._roots: dict[Path, Path] = {}

    def server(self, path: Path) -> Callable[[], ServerSurface]:
        return lambda: self._surface(self._root_of(path.parent))

    def _root_of(self, folder: Path) -> Path:
        if folder not in self._roots:
            from wslint.driver.project import find_project_root

            own = find_project_root([folder])
            inside = own != self.root and self.root in own.parents
            self._roots[folder] = own if inside else self.root
        return self._roots[folder]

    def _surface(self, root: Path) -> ServerSurface:
        if root not in self._built:
            files = self.project_files if root == self.root else self._python_files(root)
            self._built[root] = surface_of_project(root, files, self.settings)
        return self._built[root]

    def _python_files(self, root: Path) -> list[Path]:
        exclude = (*self.settings.exclude, *self.settings.extend_exclude)
        return [_absolute(name) for name in discover_names([root], exclude)]


def _findings(
    view: ClientView, server: Callable[[], ServerSurface], settings: Settings, codes: list[str], data: bytes
) -> list[Finding]:
    if not view.sockets and not view.waits:
        return []
    from wslint.rules import RULES_BY_CODE

    lines = data.decode("utf-8", "replace").splitlines()
    found = []
    for code in codes:
        rule = RULES_BY_CODE[code]()
        for finding in rule.check_client(view, server(), settings):  # type: ignore[attr-defined]
            if not suppressed_on(finding.code, lines, finding.line, CLIENT_NOQA):
                found.append(finding)
    return found


def _digests(units: list[tuple[str, Path, bytes]], every: str | None) -> list[str | None]:
    """Each file's cache key: its own bytes and every client file's."""
    if every is None:
        return [None] * len(units)
    from wslint.driver.cache import content_hash

    return [f"client:{content_hash(data)}:{every}" for _, _, data in units]


def _absolute(name: str) -> Path:
    return Path(os.path.abspath(name))


def surface_of_project(root: Path, files: ProjectFiles, settings: Settings) -> ServerSurface:
    """The surface of the Python project at ``root`` (``files``: its Python files)."""
    from wslint.analysis.inference import forget_project
    from wslint.client.surface import surface_from_index
    from wslint.driver.checking import project_index

    forget_project(root)
    return surface_from_index(project_index(root, files, settings))


def project_clients(paths: Sequence[Path], exclude: Sequence[str]) -> list[ClientView]:
    """:func:`~wslint.client.clients.client_views` of every client file under ``paths`` (walked
    as the command walks)."""
    found: list[str] = []
    for _ in discover_names(paths, exclude, found):
        pass  # the Python files are not wanted here
    return client_views((name, _absolute(name)) for name in found)
