"""``python -m bench.lsp``: how fast ``wslint server`` answers an editor.

Generates a project of N service modules (``bench/corpus.py``, 200 by default), fills its result
cache with one run of ``wslint .``, then drives ``wslint server`` over stdio with pygls' client
as an editor does, and reports:

- **initialize**: from starting the server process to the ``initialize`` answer;
- **open**: from ``didOpen`` of a service module to its diagnostics;
- **edit**: from each ``didChange`` of that module (a new interval in its first sleep) to the
  diagnostics of that version, with and without the server's debounce (the pause it waits for
  the next keystroke before checking).

Each edit changes the file's findings, so every answer is a real check of the buffer, with the
project-wide rules. Options: ``--modules N``, ``--edits K``, ``--workdir DIR`` (keep the
project), ``--json FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from bench.corpus import generate

REPO = Path(__file__).resolve().parent.parent
WAIT = 120.0


class Editor:
    def __init__(self) -> None:
        self.client = LanguageClient("wslint-bench", "1")
        self.published: dict[tuple[str, int | None], float] = {}
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[(params.uri, params.version)] = time.perf_counter()
            self.arrived.set()

    async def answered(self, uri: str, version: int) -> float:
        """When the diagnostics of ``version`` of ``uri`` arrived."""

        async def wait() -> float:
            while (uri, version) not in self.published:
                self.arrived.clear()
                await self.arrived.wait()
            return self.published[(uri, version)]

        return await asyncio.wait_for(wait(), WAIT)


async def measure(project: Path, module: Path, edits: int) -> dict[str, Any]:
    from wslint.lsp.server import DEBOUNCE_SECONDS

    editor = Editor()
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    await editor.client.start_io(sys.executable, "-m", "wslint", "server", env=environment, cwd=str(project))
    await editor.client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=project.as_uri())
    )
    initialize = time.perf_counter() - started
    editor.client.initialized(types.InitializedParams())
    uri = module.as_uri()
    text = module.read_text(encoding="utf-8")
    sent = time.perf_counter()
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    opened = await editor.answered(uri, 1) - sent
    sleep = re.search(r"asyncio\.sleep\(([^)]*)\)", text)
    assert sleep is not None, "the module has no sleep to edit"
    timings = []
    for version in range(2, edits + 2):
        interval = f"{0.05 * version:.2f}"  # each edit a new interval: a new finding each time
        edited = text[: sleep.start(1)] + interval + text[sleep.end(1) :]
        sent = time.perf_counter()
        editor.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        timings.append(await editor.answered(uri, version) - sent)
    await editor.client.shutdown_async(None)
    editor.client.exit(None)
    await editor.client.stop()
    return {
        "initialize_s": initialize,
        "open_s": opened,
        "edit_s": timings,
        "edit_median_s": statistics.median(timings),
        "edit_max_s": max(timings),
        "debounce_s": DEBOUNCE_SECONDS,
    }


def check_cpu(project: Path, module: Path, environment: dict[str, str]) -> float:
    """CPU time (user + system) of one check of an edited buffer, as the server runs it: what
    an edit costs on an idle machine, give or take the process start."""
    import resource

    text = module.read_text(encoding="utf-8").replace("asyncio.sleep(", "asyncio.sleep(0.01 + ", 1)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "wslint", "--format", "json", "--stdin-filename", str(module), "-"],
        input=text.encode(),
        cwd=project,
        env=environment,
        capture_output=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lsp", description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    options = parser.parse_args(argv)
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="wslint-lsp-bench-"))
    try:
        corpus = generate(workdir / "project", options.modules)
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        warm = subprocess.run(
            [sys.executable, "-m", "wslint", "."], cwd=corpus.root, env=environment, capture_output=True
        )
        assert warm.returncode in (0, 1), warm.stderr.decode()
        module = corpus.modules[len(corpus.modules) // 2]
        result = asyncio.run(measure(corpus.root, module, options.edits))
        result["check_cpu_s"] = check_cpu(corpus.root, module, environment)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result["files"] = len(corpus.files)
    debounce = result["debounce_s"]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"wslint server, {result['files']}-file project, warm cache ({os.cpu_count()} cores, load {load})")
    print(f"  initialize                      {result['initialize_s']:.2f} s")
    print(f"  open -> diagnostics             {result['open_s']:.2f} s")
    print(
        f"  edit -> diagnostics (median of {len(result['edit_s'])}) {result['edit_median_s']:.2f} s"
        f" (max {result['edit_max_s']:.2f} s), of which {debounce:.2f} s is the debounce"
    )
    print(f"  CPU of one check of an edit     {result['check_cpu_s']:.2f} s")
    print("  each edit: " + ", ".join(f"{seconds:.2f}" for seconds in result["edit_s"]) + " s")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
