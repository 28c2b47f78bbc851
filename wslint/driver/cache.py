"""The result cache: findings per file, reused while nothing they depend on has changed.

An entry holds a file's findings under the hash of its bytes. The whole cache is keyed by
wslint's version and the settings in force, and stamped with a digest of the project's files
(path, size, modification time): a change anywhere in the project can change what a
project-wide question answers, so a new digest discards every entry. While the digest holds,
a project file whose size, modification and change times and inode are those recorded with
its entry is not read again: as for git's index, writing a file or setting its times moves its
change time. An entry records them only once they are two seconds old (a file written in the
same clock tick as the cache could otherwise look unchanged); any other file is hashed. Files
the prefilter skipped have entries too, so a second run over an unchanged tree only stats it.

Writes are atomic (a temporary file renamed into place), so two runs writing at once leave
one complete cache; an entry that cannot be read is ignored and rebuilt.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wslint import __version__
from wslint.core.findings import Finding
from wslint.core.options import Settings

FORMAT = 2
README = "Result cache of wslint: safe to delete.\n"


def content_hash(data: bytes) -> str:
    import hashlib  # (imported here: a run without the cache never needs it)

    return hashlib.blake2b(data, digest_size=16).hexdigest()


Stat = tuple[int, int, int, int]  # size, modification time, change time (ns), inode
RACY_NS = 2_000_000_000  # younger times may not have ticked since the file was last written


def project_stats(files: Iterable[Path]) -> dict[str, Stat]:
    """Every project file's size, times and inode, by path (files that vanished are left out)."""
    stats = {}
    for path in files:
        key = str(path)
        try:
            status = os.stat(key)
        except OSError:
            continue
        stats[key] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    return dict(sorted(stats.items()))  # by the text of the paths (sorting paths is slower)


def project_digest(stats: dict[str, Stat]) -> str:
    """A digest of every project file's path, size and modification time."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for path, (size, modified, _, _) in stats.items():
        digest.update(f"{path}\0{size}\0{modified}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ResultCache:
    """Findings per file for one (version, settings, project root), stored as one JSON file."""

    def __init__(self, directory: Path, root: Path, settings: Settings, project: Iterable[Path]) -> None:
        import hashlib

        self.directory = directory
        key = hashlib.blake2b(
            f"{FORMAT}\0{__version__}\0{root}\0{settings.fingerprint()}".encode("utf-8", "surrogatepass"),
            digest_size=12,
        ).hexdigest()
        self.path = directory / f"results-{key}.json"
        self._stats = project_stats(project)
        self._settled_before = time.time_ns() - RACY_NS
        self.digest = project_digest(self._stats)
        self._entries: dict[str, dict[str, Any]] = self._load()  # valid: the project is as stored
        self._fresh: dict[str, dict[str, Any]] = {}  # entries this run wrote or restamped
        self._not_on_disk: set[str] = set()  # paths checked from other bytes than the file's

    def read_elsewhere(self, path: Path) -> None:
        """``path`` is checked from bytes that are not the file's (stdin, an editor's buffer):
        its entry is kept by content hash only, never stamped with the file's stat, so a later
        run reads the file rather than trust findings of text that was never saved."""
        self._not_on_disk.add(str(path))

    def _load(self) -> dict[str, dict[str, Any]]:
        import json

        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(stored, dict) or stored.get("project") != self.digest:
            return {}
        entries = stored.get("files")
        return entries if isinstance(entries, dict) else {}

    def unchanged(self, path: Path, display: str, named: bool = False) -> list[Finding] | None:
        """The cached findings of a project file whose stat is the one recorded, without reading
        it. A file ``named`` on the command line is always parsed: the findings of a run that
        skipped it (the prefilter) do not count for it."""
        key = str(path)
        stat = self._stats.get(key)
        entry = self._entries.get(key)
        if stat is None or not isinstance(entry, dict) or entry.get("stat") != list(stat):
            return None
        if not _serves(entry, named):
            return None
        return self._findings(key, entry, display)

    def get(self, path: Path, digest: str, display: str, named: bool = False) -> list[Finding] | None:
        """The cached findings of ``path`` (shown as ``display``) if its bytes are unchanged
        (``digest``: their :func:`content_hash`; and, for a file ``named`` on the command line,
        were parsed: see :meth:`unchanged`).

        The entry is stamped with the file's present stat: a file only touched (a checkout, a
        build tool) is read once more, not at every run.
        """
        key = str(path)
        findings = self._valid(key, digest, display, named)
        if findings is not None:
            entry = self._entries[key]
            self._fresh[key] = self._entry(key, entry["hash"], entry["findings"], entry.get("only"))
        return findings

    def holds(self, path: Path, digest: str, named: bool = False) -> bool:
        """Whether :meth:`get` would answer (without stamping the entry anew)."""
        return self._valid(str(path), digest, "", named) is not None

    def _valid(self, key: str, digest: str, display: str, named: bool) -> list[Finding] | None:
        entry = self._entries.get(key)
        if not isinstance(entry, dict) or entry.get("hash") != digest:
            return None
        if not _serves(entry, named):
            return None
        return self._findings(key, entry, display)

    def _findings(self, key: str, entry: Any, display: str) -> list[Finding] | None:
        if not isinstance(entry, dict):
            return None
        try:
            return [Finding(path=display, **item) for item in entry["findings"]]
        except (KeyError, TypeError):
            return None

    def put(self, path: Path, digest: str, findings: Iterable[Finding], only: str | None = None) -> None:
        """Record the findings of ``path``, whose bytes have the :func:`content_hash` ``digest``;
        ``only``: :data:`SKIPPED` or :data:`NAMED` when they hold only for a file not named, or
        named, on the command line."""
        key = str(path)
        records = [_as_record(finding) for finding in findings]
        self._fresh[key] = self._entry(key, digest, records, only)

    def _entry(self, key: str, digest: str, records: list[dict[str, Any]], only: object) -> dict[str, Any]:
        entry: dict[str, Any] = {"hash": digest, "findings": records}
        if only in (SKIPPED, NAMED):
            entry["only"] = only
        stat = None if key in self._not_on_disk else self._stats.get(key)
        if stat is not None and max(stat[1], stat[2]) < self._settled_before:
            entry["stat"] = list(stat)
        return entry

    def save(self) -> None:
        """Write the entries atomically: those this run wrote over those it found (still valid:
        the project is as they were stored); nothing when it wrote none. A failure to write is
        not an error."""
        import json
        import tempfile

        if not self._fresh and self._entries:
            return  # a run answered from the stored entries: the file already says all of it
        entries = {**self._entries, **self._fresh}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_marker_files(self.directory)
            payload = json.dumps({"project": self.digest, "files": entries}, sort_keys=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
            os.replace(temporary, self.path)
        except OSError:
            pass


# A file named on the command line is always parsed (for WSL000), one the prefilter rules out
# otherwise is not: the findings of the one do not hold for the other.
SKIPPED = "unnamed"  # ruled out by the prefilter, never parsed: for a run that does not name it
NAMED = "named"  # parsed only because it was named: for a run that names it


def _serves(entry: dict[str, Any], named: bool) -> bool:
    only = entry.get("only")
    return only is None or only == (NAMED if named else SKIPPED)


def _as_record(finding: Finding) -> dict[str, Any]:
    return {
        "line": finding.line,
        "column": finding.column,
        "code": finding.code,
        "message": finding.message,
        "name": finding.name,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
    }


def _write_marker_files(directory: Path) -> None:
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n", encoding="utf-8")
    readme = directory / "README"
    if not readme.exists():
        readme.write_text(README, encoding="utf-8")
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n", encoding="utf-8")
