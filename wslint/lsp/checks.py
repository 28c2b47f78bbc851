"""Checking an editor's buffer: the command line, run as a child process.

Each check is ``python -m wslint --format json --stdin-filename PATH -`` in the file's project
root, the buffer on its standard input. It is the command line's answer exactly (project-wide
rules, the configuration, the baseline, ``# noqa``), the result cache of the project is used
and kept up to date as a run of the command keeps it, nothing the analysis does can block or
crash the server, and a check is cancelled by ending its process. The buffer's findings are
cached under its text's hash only: they never stand for the file on disk.
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

from wslint.engine.findings import Finding
from wslint.engine.project import ROOT_MARKERS

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


def check_command(path: Path, arguments: list[str]) -> tuple[list[str], Path]:
    """The command checking a buffer of ``path``, and the folder it runs in.

    In a project (a folder above with a root marker), it runs at the project's root, where its
    configuration and result cache are; a file outside any project is checked in its own
    folder, without a cache (nothing is written next to a loose file).
    """
    root = project_root_of(path)
    command = [sys.executable, "-m", "wslint", "--format", "json", "--stdin-filename", str(path)]
    if root is None:
        command.append("--no-cache")
    return [*command, *arguments, "-"], root or path.parent


async def run_check(path: Path, text: str, arguments: list[str]) -> Outcome:
    """Check ``text`` as the content of ``path``; cancelling the task ends the child process."""
    command, folder = check_command(path, arguments)
    environment = {**os.environ, "NO_COLOR": "1"}
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=folder,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )
    try:
        out, err = await process.communicate(text.encode("utf-8", "surrogatepass"))
    except asyncio.CancelledError:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    return outcome_of(process.returncode, out, err)


def outcome_of(status: int | None, out: bytes, err: bytes) -> Outcome:
    """Findings from the command's JSON (exit 0 or 1), else its error line (exit 2)."""
    problem = err.decode("utf-8", "replace").strip()
    if status not in (0, 1):
        return Outcome(error=problem.splitlines()[-1] if problem else f"wslint exited with status {status}")
    try:
        records = json.loads(out.decode("utf-8", "replace"))
        findings = [Finding(**record) for record in records]
    except (ValueError, TypeError) as error:
        return Outcome(error=f"wslint's output could not be read: {error}")
    return Outcome(findings)
