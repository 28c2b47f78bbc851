"""Workers of examples/multiworker_app as real uvicorn processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from redis_support import free_port, terminate

ROOT = Path(__file__).resolve().parents[2]
APP = "examples.multiworker_app.app:app"


def http_json(port: int, path: str, body: Any = None, timeout: float = 3.0) -> Any:
    """GET (or POST ``body`` as JSON to) a worker and decode its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Worker:
    """One uvicorn process serving the app on its own port."""

    def __init__(self, redis_url: str, settings: dict[str, str]) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="wslint-worker-", suffix=".log", delete=False)
        env = dict(os.environ, REDIS_URL=redis_url, PYTHONPATH=str(ROOT), **settings)
        command = [sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", str(self.port),
                   "--ws", "websockets-sansio", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.output()}")
            try:
                http_json(self.port, "/stats", timeout=1.0)
                return
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"worker not ready in time:\n{self.output()}") from None
                time.sleep(0.05)

    def stats(self) -> dict[str, Any]:
        return dict(http_json(self.port, "/stats"))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no lifespan shutdown, the lease is not released."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        terminate(self.process)
        self.log.close()

    def output(self) -> str:
        """The end of the worker's log (it writes the file itself)."""
        return Path(self.log.name).read_text(errors="replace")[-4000:]
