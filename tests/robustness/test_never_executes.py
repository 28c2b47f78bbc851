"""wslint never imports or executes the code it checks, nor anything that code imports.

The project below writes a marker file from every module's top level (``__init__.py``,
``conftest.py``, ``setup.py``, ``__main__.py`` and the modules the broadcasters import), while
wslint must still resolve the poll intervals across those modules (a ``from .config import``
constant, a parameter given a literal where ``server.py`` constructs the class) and infer every
name with astroid: the WSL003 findings prove it read them, the missing marker that it never
ran them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wslint.cli import main

TRAP = "open({marker!r}, 'a').write(__name__ + '\\n')\n"


def build(root: Path, marker: Path) -> None:
    trap = TRAP.format(marker=str(marker))
    files = {
        "pyproject.toml": '[project]\nname = "trap"\n',
        "setup.py": trap + "import setuptools\nsetuptools.setup(name='trap')\n",
        "conftest.py": trap,
        "trapapp/__init__.py": trap + "from .server import app  # noqa\n",
        "trapapp/__main__.py": trap,
        "trapapp/config.py": trap
        + "POLL_INTERVAL = 0.1\nFAST = 0.25\nimport os\nos.system('touch ' + {m!r})\n",
        "trapapp/side_effects.py": trap + "raise SystemExit('imported')\n",
        "trapapp/feed.py": """\
            import asyncio

            from .config import POLL_INTERVAL
            from . import side_effects  # noqa: F401
            {trap}

            class PriceFeed:
                def __init__(self, manager):
                    self.manager = manager
                    self._tasks = []
                    self._last = None

                async def _broadcast_prices(self):
                    while True:
                        try:
                            prices = await self.fetch()
                            if prices != self._last:
                                self._last = prices
                                await self.manager.broadcast({{"type": "prices_update", "data": prices}})
                        except Exception:
                            pass
                        await asyncio.sleep(POLL_INTERVAL)

                async def fetch(self):
                    return {{}}

                async def start(self):
                    self._tasks.append(asyncio.create_task(self._broadcast_prices()))
            """,
        "trapapp/status.py": """\
            import asyncio

            from . import config
            {trap}

            class StatusFeed:
                def __init__(self, manager, poll_interval=5.0):
                    self.manager = manager
                    self.poll_interval = poll_interval
                    self.retry = config.POLL_INTERVAL
                    self._tasks = []
                    self._last = None

                async def _broadcast_status(self):
                    while True:
                        try:
                            status = await self.fetch()
                            if status != self._last:
                                self._last = status
                                await self.manager.broadcast({{"type": "status_update", "data": status}})
                        except Exception:
                            pass
                        await asyncio.sleep(self.poll_interval)

                async def fetch(self):
                    return {{}}

                async def start(self):
                    self._tasks.append(asyncio.create_task(self._broadcast_status()))
            """,
        "trapapp/server.py": """\
            from .config import FAST
            from .feed import PriceFeed
            from .status import StatusFeed
            {trap}
            app = object()
            feed = PriceFeed(manager=None)
            status = StatusFeed(manager=None, poll_interval=0.25)
            """,
        "tests/test_feed.py": "from trapapp.feed import PriceFeed\n" + trap,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).format(trap=trap, m=str(marker) + ".system"), encoding="utf-8")


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    root = tmp_path / "project"
    marker = tmp_path / "EXECUTED"
    build(root, marker)
    monkeypatch.chdir(root)
    return root, marker


def findings(out: str) -> list[tuple[str, int, str]]:
    rows = []
    for line in out.splitlines():
        path, number, _, rest = line.split(":", 3)
        rows.append((Path(path).as_posix(), int(number), rest.split()[0]))
    return rows


EXPECTED = [("trapapp/feed.py", 23, "WSL003"), ("trapapp/status.py", 24, "WSL003")]


def test_in_process_never_imports_what_it_checks(trap, capsys) -> None:
    root, marker = trap
    before = set(sys.modules)
    status = main(["--no-cache", "--select", "WSL003"])
    out, err = capsys.readouterr()
    assert not marker.exists() and not Path(str(marker) + ".system").exists()
    assert not {
        name for name in set(sys.modules) - before if name.split(".")[0] in ("trapapp", "conftest", "setup")
    }
    # The intervals come from config.py (imported constant) and server.py (construction site):
    assert (status, findings(out), err) == (1, EXPECTED, "")


def test_every_rule_and_astroid_inference_never_import_it(trap, capsys) -> None:
    root, marker = trap
    for args in (["--select", "WSL"], ["trapapp/status.py"], ["trapapp/server.py", "trapapp/feed.py"]):
        status = main(["--no-cache", *args])
        capsys.readouterr()
        assert status in (0, 1)
    assert not marker.exists() and not Path(str(marker) + ".system").exists()


def test_inference_view_on_the_trap_modules_never_imports_them(trap) -> None:
    import ast

    from wslint.analysis.inference import InferenceView

    root, marker = trap
    for module in ("feed", "status", "server"):
        path = root / "trapapp" / f"{module}.py"
        text = path.read_text()
        view = InferenceView(text, f"trapapp.{module}", path, root)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Name, ast.Attribute, ast.Call)):
                view.infer(node)
    assert not marker.exists() and not Path(str(marker) + ".system").exists()


def test_the_real_command_never_imports_it(trap) -> None:
    root, marker = trap
    process = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--select", "WSL003", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not marker.exists() and not Path(str(marker) + ".system").exists()
    assert (process.returncode, findings(process.stdout), process.stderr) == (1, EXPECTED, "")


def test_the_trap_works(trap) -> None:
    """The trap fires when the code really is imported (so the tests above can fail)."""
    root, marker = trap
    process = subprocess.run(
        [sys.executable, "trapapp/config.py"], cwd=root, capture_output=True, timeout=120
    )
    assert process.returncode == 0 and marker.read_text() == "__main__\n"
