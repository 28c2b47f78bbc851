"""The fixes shown with the findings (``[*]``, JSON, SARIF), kept between runs.

A run answered from the result cache must not analyse anything again just to tell which
findings have a fix. The fixes of a file are kept under a key made of wslint's version, the
settings, the file's bytes and its findings (the result cache already tells when those change,
the project's other files included); a file whose key differs has its fixes computed again.
``--fix`` never reads this cache: what it applies is checked anew.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wslint import __version__
from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.fixes import Edit, Fix

FILE_NAME = "fixes.json"
FORMAT = 1


def fixes_key(data: bytes, findings: Sequence[Finding], settings: Settings) -> str:
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}\0{__version__}\0{settings.fingerprint()}\0".encode("utf-8", "surrogatepass"))
    digest.update(data)
    for finding in findings:
        digest.update(f"\0{finding.line}:{finding.column}:{finding.code}:{finding.message}".encode())
    return digest.hexdigest()


class FixCache:
    """Fixes per file (by absolute path), stored as one JSON file in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            stored = {}
        self._entries: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self._changed = False

    def get(self, path: str, key: str, findings: Sequence[Finding]) -> list[tuple[Finding, Fix]] | None:
        entry = self._entries.get(os.path.abspath(path))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return [(findings[index], _fix(data)) for index, data in entry["fixes"]]
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    def put(self, path: str, key: str, findings: Sequence[Finding], fixes: list[tuple[Finding, Fix]]) -> None:
        position = {id(finding): index for index, finding in enumerate(findings)}
        stored = [[position[id(finding)], _data(fix)] for finding, fix in fixes]
        self._entries[os.path.abspath(path)] = {"key": key, "fixes": stored}
        self._changed = True

    def save(self) -> None:
        """Write the cache atomically (another run may be writing it too); never fail the run."""
        if not self._changed or not self.path.parent.is_dir():  # kept beside the result cache only
            return
        try:
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".fixes-", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(self._entries, file)
            os.replace(temporary, self.path)
        except OSError:
            pass


def _data(fix: Fix) -> dict[str, Any]:
    edits = [[e.line, e.column, e.end_line, e.end_column, e.content] for e in fix.edits]
    return {"applicability": fix.applicability, "message": fix.message, "edits": edits}


def _fix(data: dict[str, Any]) -> Fix:
    edits = tuple(Edit(int(a), int(b), int(c), int(d), str(text)) for a, b, c, d, text in data["edits"])
    return Fix(str(data["applicability"]), str(data["message"]), edits)
