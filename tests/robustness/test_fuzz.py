"""Property-based fuzzing: whatever the input, wslint's API and command line never raise.

Inputs are grammar-generated Python programs (hypothesmith), the same programs dropped
inside a broadcaster so that every rule runs on them, and byte-level mutations of the
fixture corpus (flipped, inserted, deleted bytes, truncation).

The CI share is about a minute. For a long run, raise the number of examples per test:

    WSLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/robustness/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import textwrap
import time
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslint.cli import main
from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.driver.runner import SourceUnit, check_paths, check_units

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CORPUS = sorted(FIXTURES.rglob("*.py"))
EVERY_RULE = Settings().with_values({"select": ["WSL"]})
LONG = os.environ.get("WSLINT_FUZZ_EXAMPLES")
# One example must never take this long: a hang is a failure, not a slow test.
HANG_SECONDS = 60.0


def examples(default: int) -> int:
    return int(LONG) if LONG else default


def fuzz(default: int):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=examples(default),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


BROADCASTER = """\
import asyncio


class Feed:
    def __init__(self, manager):
        self.manager = manager
        self.last = None

    async def _broadcast_fuzz(self):
        while True:
{body}
            await self.manager.broadcast({{"type": "fuzz_update", "data": 1}})
            await asyncio.sleep(0.1)

    async def start(self):
        asyncio.create_task(self._broadcast_fuzz())
"""


def as_broadcaster(program: str) -> str:
    """``program`` inside a broadcaster's polling loop, so that every rule looks at it."""
    body = textwrap.indent(program, " " * 12) if program.strip() else ""
    return BROADCASTER.format(body=body + "\n            pass" if body else "            pass")


def check_bytes(data: bytes, name: str = "fuzzed.py") -> list[Finding]:
    """Check ``data`` as one file of a one-file project through the API; must not raise."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / name
        path.write_bytes(data)
        started = time.monotonic()
        report = check_paths([path], EVERY_RULE, project_root=root)
        assert time.monotonic() - started < HANG_SECONDS, "one file took too long"
    return checked(report.findings)


def checked(findings: list[Finding]) -> list[Finding]:
    """Sane findings, and no rule that crashed (the runner turns a rule's exception into WSL000)."""
    for finding in findings:
        assert isinstance(finding, Finding)
        assert finding.line >= 1 and finding.column >= 1
        assert "failed on this file" not in finding.message, finding.message
    return findings


def check_in_memory(data: bytes) -> list[Finding]:
    """Check ``data`` the way stdin and the plugins do: bytes in memory, no project files."""
    root = Path(tempfile.gettempdir())
    unit = SourceUnit("fuzzed.py", root / "wslint-fuzz-never-written.py", data)
    return checked(check_units([unit], EVERY_RULE, root, []).findings)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def assert_cli_survives(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.py"
        path.write_bytes(data)
        status, out, err = run_cli(str(path), "--no-cache", "--select", "WSL", "--format", "json")
    assert status in (0, 1), err
    assert "internal error" not in err and "Traceback" not in out + err
    assert out.startswith("[") and "failed on this file" not in out, out


# --- grammar-generated programs -------------------------------------------------------------


@fuzz(60)
@given(hypothesmith.from_grammar())
def test_grammar_programs_never_raise(program: str) -> None:
    findings = check_bytes(program.encode("utf-8", "surrogatepass"))
    # A program the grammar accepts may still be rejected by the compiler (e.g. `return`
    # outside a function is fine for the parser); either way nothing else than WSL000 or a rule.
    assert all(f.code.startswith("WSL") for f in findings)


@fuzz(60)
@given(hypothesmith.from_grammar())
def test_grammar_programs_inside_a_broadcaster_never_raise(program: str) -> None:
    data = as_broadcaster(program).encode("utf-8", "surrogatepass")
    check_bytes(data)
    check_in_memory(data)


@fuzz(6)
@given(hypothesmith.from_node())
def test_libcst_generated_programs_never_raise(program: str) -> None:
    check_bytes(program.encode("utf-8", "surrogatepass"))
    check_bytes(as_broadcaster(program).encode("utf-8", "surrogatepass"))


@fuzz(15)
@given(hypothesmith.from_grammar())
def test_command_line_on_grammar_programs_exits_0_or_1(program: str) -> None:
    assert_cli_survives(as_broadcaster(program).encode("utf-8", "surrogatepass"))


# --- byte-level mutation of the fixtures ----------------------------------------------------


def _mutate(data: bytes, operations: list[tuple[str, int, bytes]]) -> bytes:
    buffer = bytearray(data)
    for kind, position, payload in operations:
        at = position % (len(buffer) + 1)
        if kind == "flip" and buffer:
            at = min(at, len(buffer) - 1)
            buffer[at] ^= payload[0] if payload and payload[0] else 0x80
        elif kind == "insert":
            buffer[at:at] = payload
        elif kind == "delete":
            del buffer[at : at + max(1, len(payload))]
        elif kind == "truncate":
            del buffer[at:]
    return bytes(buffer)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]),
        st.integers(min_value=0, max_value=1 << 16),
        st.one_of(
            st.binary(min_size=1, max_size=8),
            st.sampled_from(
                [
                    b"\0",
                    b"\xff",
                    b"\xef\xbb\xbf",
                    b"(",
                    b")",
                    b"\n",
                    b"\t",
                    b"    ",
                    b"\\",
                    b'"""',
                    b"# coding: latin-1\n",
                    b"# -*- coding: utf-16 -*-\n",
                    b"# coding: nope\n",
                    b"async ",
                    b"await ",
                    b"while True:\n",
                    b"lambda: ",
                    b"\r",
                    b"\x0c",
                    b"\xe2\x80",
                ]
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)


@fuzz(400)
@given(st.sampled_from(CORPUS), OPERATIONS)
def test_mutated_fixtures_never_raise(fixture: Path, operations) -> None:  # type: ignore[no-untyped-def]
    mutated = _mutate(fixture.read_bytes(), operations)
    check_bytes(mutated)
    check_in_memory(mutated)


@fuzz(40)
@given(st.sampled_from(CORPUS), OPERATIONS)
def test_command_line_on_mutated_fixtures_exits_0_or_1(fixture: Path, operations) -> None:  # type: ignore
    assert_cli_survives(_mutate(fixture.read_bytes(), operations))


PROJECTS = sorted(
    case for group in FIXTURES.iterdir() if group.is_dir() for case in group.iterdir() if case.is_dir()
)


@pytest.mark.skipif(not PROJECTS, reason="no multi-file fixture project")
@fuzz(40)
@given(st.sampled_from(PROJECTS or [FIXTURES]), st.data())
def test_mutated_file_in_a_project_never_raises(project: Path, data) -> None:  # type: ignore[no-untyped-def]
    files = sorted(p for p in project.rglob("*.py"))
    victim = data.draw(st.sampled_from(files))
    operations = data.draw(OPERATIONS)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for file in files:
            target = root / file.relative_to(project)
            target.parent.mkdir(parents=True, exist_ok=True)
            content = file.read_bytes()
            target.write_bytes(_mutate(content, operations) if file == victim else content)
        started = time.monotonic()
        checked(check_paths([root], EVERY_RULE, project_root=root).findings)
        assert time.monotonic() - started < HANG_SECONDS
