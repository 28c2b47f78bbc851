"""The real command run on a pseudo-terminal (what a user at a terminal sees)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path


def on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command with its standard output and error on a pseudo-terminal."""
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment.update(NO_COLOR="1", TERM="xterm")
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "wslint", "--no-cache", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=environment,
        )
        os.close(secondary)
        chunks = []
        while select.select([primary], [], [], 30)[0]:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=30), b"".join(chunks).decode().replace("\r\n", "\n")
    finally:
        os.close(primary)
