"""Which files to check: directories walked for ``*.py``, minus hidden, excluded and ignored paths.

Symlinked directories are not followed (no loops), and only regular files are
ever opened: FIFOs, sockets and devices are skipped.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec  # imported when a .gitignore is found: most folders have none


class DiscoveryError(Exception):
    """A path given on the command line that cannot be checked (missing, unreadable)."""


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of one ``.gitignore``, anchored at its directory."""

    base: Path
    spec: pathspec.PathSpec

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches."""
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        relative = relative + "/" if is_dir else relative
        check = getattr(self.spec, "check_file", None)  # pathspec >= 0.12
        if check is not None:
            return check(relative).include
        result = None
        for pattern in self.spec.patterns:
            if pattern.include is not None and pattern.match_file(relative) is not None:
                result = pattern.include
        return result

    def sparing(self, directory: Path) -> IgnoreFile:
        """These patterns minus those that ignore ``directory`` or a folder between it and the base.

        A directory named on the command line is checked even where a ``.gitignore`` above it
        ignores it (as ripgrep and pyastgrep do): the patterns that match the directory itself
        would otherwise match everything in it. The others (``*.pyc``, ``*_local.py``) still apply.
        """
        try:
            relative = directory.relative_to(self.base)
        except ValueError:
            return self
        if not relative.parts:
            return self
        folders = [relative, *list(relative.parents)[:-1]]
        names = [folder.as_posix() + "/" for folder in folders]
        kept = [
            pattern
            for pattern in self.spec.patterns
            if not (pattern.include and any(pattern.match_file(name) is not None for name in names))
        ]
        if len(kept) == len(self.spec.patterns):
            return self
        import pathspec

        return IgnoreFile(self.base, pathspec.GitIgnoreSpec(kept))


def _load_gitignore(directory: Path) -> IgnoreFile | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    import pathspec

    return IgnoreFile(directory, pathspec.GitIgnoreSpec.from_lines(text.splitlines()))


def _ancestor_gitignores(directory: Path) -> list[IgnoreFile]:
    """``.gitignore`` files from the repository root down to ``directory``'s parent.

    Their patterns that ignore ``directory`` itself are set aside: it was named explicitly.
    """
    chain: list[Path] = []
    for parent in directory.parents:
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        return []
    found = (_load_gitignore(parent) for parent in reversed(chain))
    return [ignore.sparing(directory) for ignore in found if ignore is not None]


class Excluder:
    """Decides whether a path is skipped by the ``exclude`` / ``extend-exclude`` globs.

    A glob matches a path's name, the whole path, or any trailing part of it; all globs are
    compiled into one regular expression.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        translated = "|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in self.patterns)
        self._name = re.compile(translated) if self.patterns else None
        suffixes = "|".join(f"(?:(?:^|.*/){fnmatch.translate(pattern)})" for pattern in self.patterns)
        self._path = re.compile(suffixes) if self.patterns else None

    def excludes(self, path: Path) -> bool:
        return self.excludes_name(path.name, str(path))

    def excludes_name(self, name: str, path: str) -> bool:
        """:meth:`excludes` for a path given as text, and its last part."""
        if self._name is None or self._path is None:
            return False
        posix = path if os.sep == "/" else path.replace(os.sep, "/")
        return bool(self._name.match(name) or self._path.match(posix))


def discover(paths: Sequence[Path], exclude: Sequence[str]) -> Iterator[Path]:
    """Every Python file under ``paths``; a path named explicitly is always checked.

    That holds for a directory too: named explicitly, it is walked even when it is hidden,
    excluded or ignored by a ``.gitignore`` above it; what is inside it is still filtered.
    """
    return (Path(found) for found in discover_names(paths, exclude))


def discover_names(
    paths: Sequence[Path], exclude: Sequence[str], client: list[str] | None = None
) -> Iterator[str]:
    """:func:`discover`, as text (``pkg/mod.py`` under ``.``): no path object per file.

    ``client``, when given, receives the client files (JavaScript / TypeScript) met on the
    same walk: see :mod:`wslint.client.files`. Those named explicitly go there too.
    """
    excluder = Excluder(exclude)
    sink = ClientSink(client) if client is not None else None
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as error:
            raise DiscoveryError(f"{path}: {error.strerror or 'cannot access'}") from None
        if stat.S_ISDIR(mode):
            if not os.access(path, os.R_OK | os.X_OK):
                raise DiscoveryError(f"{path}: permission denied")
            yield from _walk(str(path), excluder, _ancestor_gitignores(_absolute(path)), sink)
        elif stat.S_ISREG(mode):
            if sink is not None and sink.takes_named(str(path)):
                continue
            yield str(path)
        # FIFOs, sockets and devices named explicitly are skipped, never opened.


def _walk(
    directory: str, excluder: Excluder, ignores: list[IgnoreFile], sink: ClientSink | None = None
) -> Iterator[str]:
    own = _load_gitignore(_absolute(Path(directory)))  # anchored absolutely, as matches() expects
    if own is not None:
        ignores = [*ignores, own]
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return  # an unreadable subdirectory is skipped like an empty one
    # Joined as Path would: ``pkg/mod.py`` under ``.``, not ``./pkg/mod.py``.
    prefix = "" if directory == "." else directory.rstrip(os.sep) + os.sep
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            if name.startswith("."):
                continue
            if not _skipped(prefix + name, name, True, excluder, ignores):
                yield from _walk(prefix + name, excluder, ignores, sink and sink.into(name))
        elif name.endswith(".py") and _is_regular(entry):
            if not _skipped(prefix + name, name, False, excluder, ignores):
                yield prefix + name
        elif sink is not None and sink.wants(name) and _is_regular(entry):
            if not _skipped(prefix + name, name, False, excluder, ignores):
                sink.found.append(prefix + name)


class ClientSink:
    """Where a walk puts the client files it meets (never those under a folder of
    :data:`~wslint.client.files.CLIENT_SKIPPED_FOLDERS`, which are still walked for Python)."""

    def __init__(self, found: list[str]) -> None:
        from wslint.client.files import CLIENT_SKIPPED_FOLDERS, CLIENT_SUFFIXES, is_client_file_name

        self.found = found
        self._suffixes = CLIENT_SUFFIXES
        self.wants = is_client_file_name
        self._skipped_folders = CLIENT_SKIPPED_FOLDERS

    def into(self, folder: str) -> ClientSink | None:
        """The sink for a subfolder (None: no client file is taken below it)."""
        return None if folder in self._skipped_folders else self

    def takes_named(self, path: str) -> bool:
        """Whether a file named on the command line is JavaScript / TypeScript (then it is the
        client stage's: taken here if it is client code, dropped if a test, bundle or
        dependency, never parsed as Python)."""
        if not path.endswith(self._suffixes):
            return False
        parts = set(os.path.normpath(path).split(os.sep)[:-1])
        if self.wants(os.path.basename(path)) and not parts & self._skipped_folders:
            self.found.append(path)
        return True


def _is_regular(entry: os.DirEntry[str]) -> bool:
    """A regular file, or a link to one (known from the directory entry's type, no system call
    for a file that is not a link); a link loop or a dangling link is not."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _skipped(path: str, name: str, is_dir: bool, excluder: Excluder, ignores: list[IgnoreFile]) -> bool:
    if excluder.excludes_name(name, path):
        return True
    if not ignores:
        return False
    absolute = _absolute(Path(path))
    for ignore in reversed(ignores):  # as in git, the deepest .gitignore that has a say wins
        verdict = ignore.verdict(absolute, is_dir)
        if verdict is not None:
            return verdict
    return False


def _absolute(path: Path) -> Path:
    """An absolute, normalised path without resolving symlinks (cheap: no system calls)."""
    return Path(os.path.abspath(path))
