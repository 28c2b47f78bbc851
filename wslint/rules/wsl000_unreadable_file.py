"""## What it does
Reports a file wslint could not read or parse: a syntax error (with its line), bytes that do
not decode in the file's encoding, null bytes, a bad PEP 263 coding cookie, code nested too
deeply for the parser, or an analysis that failed.

## Why is this bad?
A file that cannot be parsed cannot be checked, and a broken broadcaster module usually means a
broken deployment. wslint says so and goes on with the other files.

## Example
```python
async def _broadcast_status(self)
    ...
```

## Use instead
```python
class StatusFeed:
    async def _broadcast_status(self):
        while True:
            try:
                current = get_status()
                if current != self.last_status:
                    await self.manager.broadcast({"type": "status_update", "data": current})
                    self.last_status = current
            except Exception:
                logger.exception("status broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_status())
```

## Known problems
For speed, files found by walking a directory that cannot hold any other finding (no
broadcast, broadcaster name, loop or endpoint in their bytes) are decoded but never parsed, so
a syntax error in such a file is not reported. A file named on the command line (as pre-commit
and editors do) or read from standard input is always parsed. Undecodable bytes and null bytes
are reported in every file.

wslint parses with the Python it runs on: a file in newer syntax (type parameters or 3.12's
f-strings under Python 3.11) cannot be read, and its WSL000 names the Python it needs. Run
wslint with the project's Python (with pre-commit, `default_language_version`).
"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.analysis.context import FileContext
from wslint.core.findings import Finding
from wslint.core.needs import Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule


class UnreadableFile(Rule):
    code = "WSL000"
    name = "unreadable-file"
    summary = "A file could not be read or parsed"
    fix = "make the file valid, UTF-8 (or declared-encoding) Python"

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return ()  # only files another rule needs are parsed

    def check(self, context: FileContext) -> Iterator[Finding]:
        return iter(())  # reported by the engine while reading, before any rule runs
