"""Shared by the message-flow tests: projects copied outside the repository, the map command,
and headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).is_file()), None)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def copy_project(source: Path, destination: Path) -> Path:
    """``source`` copied to ``destination`` (outside this repository), a project of its own."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", ".wslint_cache"))
    if not any((destination / marker).exists() for marker in ("pyproject.toml", "setup.cfg", ".git")):
        (destination / "pyproject.toml").write_text('[project]\nname = "copy"\n', encoding="utf-8")
    return destination


def run_wslint(*args: str, cwd: Path, timeout: float = 120) -> tuple[int, str, str]:
    """The real command, run from ``cwd`` with this checkout on the path."""
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "wslint", *args],
        cwd=cwd,
        capture_output=True,
        env=environment,
        timeout=timeout,
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "Traceback" not in out + err, out + err
    return result.returncode, out, err


def chromium_command(profile: Path, *extra: str) -> list[str]:
    assert CHROMIUM is not None
    return [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def mermaid_script() -> Path | None:
    """Mermaid's own bundle (``npm install mermaid``), for the grammar check, if installed."""
    candidates = [os.environ.get("WSLINT_MERMAID_JS", "")]
    candidates.append(str(REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"))
    npm = shutil.which("npm")
    if npm is not None:
        try:
            root = subprocess.run(
                [npm, "root", "-g"], capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        if root:
            candidates.append(str(Path(root) / "mermaid" / "dist" / "mermaid.min.js"))
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def mermaid_parse(script: Path, texts: list[str], folder: Path) -> list[str]:
    """Each text parsed by Mermaid's own parser in headless Chromium: "ok" or "error: ..."."""
    page = folder / "parse.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<script src="{script.as_uri()}"></script></head><body><pre id="out">pending</pre><script>'
        f"const texts = {json.dumps(texts)};"
        "Promise.all(texts.map(t => mermaid.parse(t)"
        ".then(() => 'ok', e => 'error: ' + String(e && e.message || e))))"
        ".then(r => { document.getElementById('out').textContent = JSON.stringify(r); });"
        "</script></body></html>",
        encoding="utf-8",
    )
    dumped = subprocess.run(
        chromium_command(
            folder / "profile",
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page.as_uri(),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = re.search(r'<pre id="out">([^<]*)</pre>', dumped)
    assert found is not None, dumped[-500:]
    results: list[str] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return results
