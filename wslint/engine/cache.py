"""The result cache: findings per file, reused while nothing they depend on has changed.

An entry holds a file's findings under the hash of its bytes. The whole cache is keyed by
wslint's version and the settings in force, and stamped with a digest of the project's files
(path, size, modification time): a change anywhere in the project can change what a
project-wide question answers, so a new digest discards every entry. A second run over an
unchanged tree therefore only stats the project and hashes the files it checks.

Writes are atomic (a temporary file renamed into place), so two runs writing at once leave
one complete cache; an entry that cannot be read is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wslint import __version__
from wslint.engine.findings import Finding
from wslint.engine.options import Settings

FORMAT = 1
README = "Result cache of wslint (https://pypi.org/project/wslint/): safe to delete.\n"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def project_digest(files: Iterable[Path]) -> str:
    """A digest of every project file's path, size and modification time (stat only)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(files):
        try:
            status = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ResultCache:
    """Findings per file for one (version, settings, project root), stored as one JSON file."""

    def __init__(self, directory: Path, root: Path, settings: Settings, digest: str) -> None:
        self.directory = directory
        key = hashlib.blake2b(
            f"{FORMAT}\0{__version__}\0{root}\0{settings.fingerprint()}".encode("utf-8", "surrogatepass"),
            digest_size=12,
        ).hexdigest()
        self.path = directory / f"results-{key}.json"
        self.digest = digest
        self._entries: dict[str, dict[str, Any]] = self._load()
        self._fresh: dict[str, dict[str, Any]] = {}

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(stored, dict) or stored.get("project") != self.digest:
            return {}
        entries = stored.get("files")
        return entries if isinstance(entries, dict) else {}

    def get(self, path: Path, data: bytes, display: str) -> list[Finding] | None:
        """The cached findings of ``path`` (shown as ``display``) if its bytes are unchanged."""
        entry = self._entries.get(str(path))
        if not isinstance(entry, dict) or entry.get("hash") != content_hash(data):
            return None
        try:
            findings = [Finding(path=display, **item) for item in entry["findings"]]
        except (KeyError, TypeError):
            return None
        self._fresh[str(path)] = entry
        return findings

    def put(self, path: Path, data: bytes, findings: Iterable[Finding]) -> None:
        self._fresh[str(path)] = {
            "hash": content_hash(data),
            "findings": [_as_record(finding) for finding in findings],
        }

    def save(self) -> None:
        """Write the entries of this run atomically; a failure to write is not an error."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_marker_files(self.directory)
            payload = json.dumps({"project": self.digest, "files": self._fresh}, sort_keys=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
            os.replace(temporary, self.path)
        except OSError:
            pass


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
