"""Module constants read from the syntax: a value only when nothing else could bind the name."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from wslint.analysis.constants import constant_number
from wslint.analysis.index import ProjectIndex
from wslint.analysis.module import ModuleInfo
from wslint.core.options import Settings
from wslint.driver.checking import parse_module

CONFIG = "FAST = 0.25\nSLOW = FAST * 40\n"


def sleep_argument(tmp_path: Path, source: str, config: str = CONFIG) -> float | None:
    """The constant value of the argument of the one ``sleep(...)`` call in ``app/main.py``."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "config.py").write_text(config)
    main = package / "main.py"
    main.write_text(textwrap.dedent(source))
    files = sorted(package.glob("*.py"))
    index = ProjectIndex(tmp_path, files, Settings(), lambda path, data: parse_module(path, data, tmp_path))
    module = index.module("app.main")
    assert isinstance(module, ModuleInfo)
    (call,) = [node for node in module.calls_named("sleep") if isinstance(node, ast.Call)]
    return constant_number(call.args[0], module, index)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("sleep(0.5 * 2)", 1.0),
        ("INTERVAL = 3\nsleep(INTERVAL)", 3.0),
        ("INTERVAL: float = 3\nasync def f():\n    sleep(INTERVAL / 2)", 1.5),
        ("from app.config import FAST\nsleep(FAST)", 0.25),
        ("from app.config import SLOW as S\nsleep(S)", 10.0),
        ("from app import config\nsleep(config.SLOW)", 10.0),
        ("import app.config\nsleep(app.config.FAST)", 0.25),
        ("from .config import FAST\nsleep(FAST)", 0.25),
        ("from app.config import FAST\nasync def f(every=FAST):\n    sleep(every)", 0.25),
        ("class C:\n    async def f(self, every=2):\n        sleep(every)", 2.0),
    ],
)
def test_known_values(tmp_path: Path, source: str, expected: float) -> None:
    assert sleep_argument(tmp_path, source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "INTERVAL = 3\nINTERVAL = 30\nsleep(INTERVAL)",  # bound twice
        "INTERVAL = 3\ndef configure():\n    global INTERVAL\n    INTERVAL = 30\nsleep(INTERVAL)",
        "INTERVAL = 3\nfrom app.settings import *\nsleep(INTERVAL)",  # a star import may rebind it
        "INTERVAL = 3\nasync def f(INTERVAL):\n    sleep(INTERVAL)",  # a parameter shadows it
        "INTERVAL = 3\nasync def f():\n    INTERVAL = 30\n    sleep(INTERVAL)",  # a local shadows it
        "INTERVAL = 3\nclass INTERVAL: ...\nsleep(INTERVAL)",
        "if DEBUG:\n    INTERVAL = 0.1\nsleep(INTERVAL)",  # not a plain top-level binding
        "INTERVAL = 3\nfor INTERVAL in range(3): pass\nsleep(INTERVAL)",
        "from app.config import FAST\nFAST = 9\nsleep(FAST)",  # imported and assigned
        "from elsewhere import FAST\nsleep(FAST)",  # outside the project
        "from app.config import MISSING\nsleep(MISSING)",
        "async def f(every):\n    sleep(every)",  # no default
        "async def f(every=1):\n    every = every * 2\n    sleep(every)",  # rebound parameter
        "def outer(every=1):\n    async def f():\n        sleep(every)",  # a closure's parameter
        "sleep(self.interval)",
        "sleep(True)",
        "sleep(1 / 0)",
    ],
)
def test_unknown_values(tmp_path: Path, source: str) -> None:
    assert sleep_argument(tmp_path, source) is None


def test_a_cycle_of_constants_is_unknown(tmp_path: Path) -> None:
    config = "from app.main import B\nA = B\n"
    assert sleep_argument(tmp_path, "from app.config import A\nB = A\nsleep(B)", config) is None
