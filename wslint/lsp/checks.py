"""Checking an editor's buffer: the command line, run in a child process.

Each check is what ``wslint --format json --stdin-filename PATH -`` prints for the buffer, run
at the file's project root by a checker process (:mod:`wslint.lsp.worker`) that stays up
between checks. It is the command line's answer exactly (project-wide rules, the
configuration, the baseline, ``# noqa``); the project's result cache is used and kept up to
date as a run of the command keeps it; nothing the analysis does can block or crash the
server. The buffer's findings are cached under its text's hash only: they never stand for the
file on disk.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wslint.core.findings import Finding
from wslint.driver.project import ROOT_MARKERS

# Settings the client may send (``{"wslint": {...}}``) besides the command line's options:
# a configuration file, and further arguments as a list.
EXTRA_SETTINGS = ("config", "args")
# Options of a whole run, or of its output, that mean nothing for one buffer (``config_path`` is
# the setting ``config``).
RUN_ONLY = frozenset(
    {
        "write_baseline",
        "output_file",
        "output_format",
        "jobs",
        "stdin_filename",
        "show_source",
        "statistics",
        "exit_zero",
        "config_path",
        "fix",  # a buffer is never rewritten by a check: the fixes are code actions
        "unsafe_fixes",
        "diff",
    }
)


class SettingsError(ValueError):
    """A client setting wslint does not know, phrased as one line."""


def command_options() -> dict[str, bool]:
    """The check command's options a client may set, by key (``min-interval``): True for flags."""
    from wslint.cli import cli

    options = {}
    for parameter in cli.params:
        name = parameter.name or ""
        if parameter.param_type_name != "option" or name in RUN_ONLY or not parameter.expose_value:
            continue
        options[name.replace("_", "-")] = bool(getattr(parameter, "is_flag", False))
    return options


def arguments_for(settings: Mapping[str, Any]) -> list[str]:
    """Command-line arguments for the client's ``wslint`` settings.

    Lists become comma-separated values (``"select": ["WSL003"]``), booleans flags; ``config``
    is ``--config``, ``args`` more arguments as they are. An unknown key is an error.
    """
    known = command_options()
    arguments: list[str] = []
    for key, value in settings.items():
        if key == "args":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise SettingsError("wslint.args: expected a list of strings")
            arguments.extend(value)
        elif key == "config":
            arguments.extend(["--config", str(value)])
        elif known.get(key):  # a flag
            if value is True:
                arguments.append(f"--{key}")
        elif key in known:
            if value is None:
                continue
            text = ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
            arguments.extend([f"--{key}", text])
        else:
            settable = ", ".join(sorted([*known, *EXTRA_SETTINGS]))
            raise SettingsError(f"unknown setting wslint.{key} (expected one of {settable})")
    return arguments


def project_root_of(path: Path) -> Path | None:
    """The nearest folder above ``path`` holding ``pyproject.toml``, ``setup.cfg`` or ``.git``."""
    for folder in path.parents:
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return None


@dataclass
class Outcome:
    """What a check of one buffer told: its findings, or the one line saying why it failed."""

    findings: list[Finding] = field(default_factory=list)
    error: str = ""


def checker_key(path: Path, arguments: list[str]) -> tuple[Path, tuple[str, ...]]:
    """The folder a check of ``path`` runs in, and the command-line options it runs with.

    In a project (a folder above with a root marker), it runs at the project's root, where its
    configuration and result cache are; a file outside any project is checked in its own
    folder, without a cache (nothing is written next to a loose file).
    """
    root = project_root_of(path)
    options = tuple(arguments) if root is not None else ("--no-cache", *arguments)
    return root or path.parent, options


ABANDONED_GRACE_SECONDS = 2.0  # an abandoned check may finish this long before its process is ended


class Checker:
    """A checker process (:mod:`wslint.lsp.worker`) for one folder and options, started when
    first asked; it checks one buffer at a time and keeps what it parsed between checks.

    A check whose task is cancelled (a newer edit) is abandoned: its answer is dropped when it
    comes, and the process is ended if it has not come within :data:`ABANDONED_GRACE_SECONDS`
    (the next check starts a new one). A process that dies is started again at the next check.
    """

    def __init__(self, folder: Path, options: tuple[str, ...]) -> None:
        self.folder, self.options = folder, options
        self.process: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()
        self.sent = 0  # the last request's id
        self.answered = 0  # the last id answered

    async def _running(self) -> asyncio.subprocess.Process:
        if self.process is None or self.process.returncode is not None:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "wslint.lsp.worker",
                *self.options,
                cwd=self.folder,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**os.environ, "NO_COLOR": "1"},
                limit=2**26,  # one answer a line, however many findings
            )
        return self.process

    async def check(self, path: Path, text: str) -> Outcome:
        async with self.lock:
            process = await self._running()
            assert process.stdin is not None and process.stdout is not None
            self.sent += 1
            ident = self.sent
            request = {"id": ident, "path": str(path), "text": text}
            try:
                process.stdin.write((json.dumps(request) + "\n").encode("utf-8", "surrogatepass"))
                await process.stdin.drain()
                while True:
                    line = await process.stdout.readline()
                    if not line:
                        return await self._died(process)
                    answer = json.loads(line)
                    self.answered = max(self.answered, int(answer.get("id") or 0))
                    if answer.get("id") == ident:
                        out, err = answer["out"].encode(), answer["err"].encode()
                        return outcome_of(answer["status"], out, err)
            except asyncio.CancelledError:
                loop = asyncio.get_running_loop()
                loop.call_later(ABANDONED_GRACE_SECONDS, self._end_if_unanswered, process, ident)
                raise
            except (ConnectionError, ValueError, KeyError, TypeError) as error:
                self.close()
                return Outcome(error=f"wslint's checker failed: {error}")

    async def _died(self, process: asyncio.subprocess.Process) -> Outcome:
        await process.wait()
        reason = (await process.stderr.read()).decode("utf-8", "replace").strip() if process.stderr else ""
        self.process = None
        last = reason.splitlines()[-1] if reason else f"exit status {process.returncode}"
        return Outcome(error=f"wslint's checker stopped: {last}")

    def _end_if_unanswered(self, process: asyncio.subprocess.Process, ident: int) -> None:
        if self.answered < ident and process is self.process and process.returncode is None:
            self.close()

    def close(self) -> None:
        """End the process (a new one starts at the next check)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
        self.process = None

    async def aclose(self) -> None:
        """End the process and wait for it (before its event loop closes)."""
        process = self.process
        self.close()
        if process is not None:
            await process.wait()


def outcome_of(status: int | None, out: bytes, err: bytes) -> Outcome:
    """Findings from the command's JSON (exit 0 or 1), else its error line (exit 2)."""
    problem = err.decode("utf-8", "replace").strip()
    if status not in (0, 1):
        return Outcome(error=problem.splitlines()[-1] if problem else f"wslint exited with status {status}")
    try:
        records = json.loads(out.decode("utf-8", "replace"))
        # (each record's "fix" is left out: code actions ask wslint.fixes for the fixes under
        # the cursor when the editor wants them)
        findings = [
            Finding(**{key: value for key, value in record.items() if key != "fix"}) for record in records
        ]
    except (ValueError, TypeError) as error:
        return Outcome(error=f"wslint's output could not be read: {error}")
    return Outcome(findings)
