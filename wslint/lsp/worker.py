"""The language server's checker: a process that runs the command line for one buffer at a time.

``python -m wslint.lsp.worker [OPTIONS]`` reads requests, one JSON object a line,
``{"id": 1, "path": "/abs/app.py", "text": "..."}``, and answers each with one line,
``{"id": 1, "status": 1, "out": "<the command's JSON>", "err": ""}``: what
``wslint --format json --stdin-filename PATH [OPTIONS] -`` prints for that text, run in this
process (its folder is the project's root). Between requests it keeps the project's modules it
parsed (:func:`wslint.driver.checking.keep_parsed_modules`), so a check after an edit parses only
the files that changed: the findings are the command's, the time is not a cold start's. After
its first answer it parses what the first file's project-wide questions need (:func:`warm_up`).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import sys
from typing import Any, TextIO

KEPT_SOURCE_BYTES = 16 * 2**20  # the modules' source kept parsed (their trees take ~30x that)


def check(path: str, text: str, options: list[str]) -> dict[str, Any]:
    """Run the command on ``text`` as the content of ``path``: its exit status and streams."""
    from wslint.cli import main

    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8", "surrogatepass")), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # (--no-fix last: a configured fix = true never rewrites the buffer into the output)
            status = main(["--format", "json", "--stdin-filename", path, *options, "--no-fix", "-"])
    finally:
        sys.stdin = saved
    return {"status": status, "out": out.getvalue(), "err": err.getvalue()}


def serve(requests: TextIO, answers: TextIO, options: list[str]) -> None:
    from wslint.driver.checking import keep_parsed_modules

    keep_parsed_modules(KEPT_SOURCE_BYTES)
    warmed = False
    while line := requests.readline():
        try:
            request = json.loads(line)
            path, text = str(request["path"]), str(request["text"])
            answer = check(path, text, options)
        except (ValueError, KeyError, TypeError) as error:
            request, answer = {}, {"status": 2, "out": "", "err": f"wslint: bad request: {error}\n"}
        answer["id"] = request.get("id") if isinstance(request, dict) else None
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if not warmed and answer["status"] in (0, 1) and not _pending(requests):
            warmed = True
            warm_up(path, text, options)
        gc.freeze()  # the kept modules: out of the collector's walks from now on


def warm_up(path: str, text: str, options: list[str]) -> None:
    """Check the first file once more as if it had been edited, while no request waits, so
    that the modules its project-wide questions read are parsed before the first edit. (The
    first answer usually comes from the result cache, which parses nothing.) Its answer is
    dropped; it neither reads nor writes the result cache."""
    check(path, text + "\n", [*options, "--no-cache"])


def _pending(requests: TextIO) -> bool:
    """Whether a request is already waiting to be read."""
    import select

    try:
        return bool(select.select([requests], [], [], 0)[0])
    except (OSError, ValueError, TypeError):  # not a pipe (a test's text stream)
        return False


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout, sys.argv[1:])
