"""Fuzzing the client half: random bytes and truncated or mutated real client code, as every
client suffix, never crash the reader nor the command (and never report on nothing).

    WSLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/robustness/test_client_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslint.client.clients import ClientReader
from wslint.client.files import CLIENT_SUFFIXES
from wslint.client.reading import read_client
from wslint.core.options import Settings
from wslint.driver.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLIENT_CORPUS = sorted(
    path
    for group in ("wsl014", "wsl015")
    for path in (FIXTURES / group).rglob("*")
    if path.suffix in CLIENT_SUFFIXES
)
BREAKERS = [b"{", b")", b"`", b"${", b'"', b"\x00", b"\xff", b"/*"]
SERVER = FIXTURES / "wsl014" / "bad_initial_send_only" / "server"
LONG = os.environ.get("WSLINT_FUZZ_EXAMPLES")


def fuzz(default: int):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=int(LONG) if LONG else default,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


@st.composite
def mutated_client(draw: st.DrawFn) -> bytes:
    """A real client file, truncated and with bytes flipped, inserted or deleted."""
    data = bytearray(draw(st.sampled_from(CLIENT_CORPUS)).read_bytes())
    data = data[: draw(st.integers(0, len(data)))]
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        place = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(("flip", "insert", "delete")))
        if action == "flip":
            data[place] = draw(st.integers(0, 255))
        elif action == "insert":
            data[place:place] = draw(st.sampled_from(BREAKERS))
        else:
            del data[place]
    return bytes(data)


SOURCES = st.one_of(st.binary(max_size=2000), mutated_client(), st.text(max_size=500).map(str.encode))


@fuzz(300)
@given(data=SOURCES, suffix=st.sampled_from(CLIENT_SUFFIXES))
def test_the_reader_never_raises(data: bytes, suffix: str) -> None:
    facts = read_client(data, f"fuzzed{suffix}")
    for site in (*facts.sockets, *facts.waits):
        assert site.place.line >= 1 and site.place.column >= 1


@fuzz(40)
@given(data=SOURCES, suffix=st.sampled_from(CLIENT_SUFFIXES))
def test_the_command_never_raises_on_a_two_sided_project(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copytree(SERVER, root / "server")
    (root / "client").mkdir()
    (root / "client" / f"fuzzed{suffix}").write_bytes(data)
    (root / "client" / f"config{suffix}").write_bytes(data[: len(data) // 2])  # imported, maybe
    report = check_paths([root], Settings().with_values({"select": ["WSL014", "WSL015"]}), project_root=root)
    for finding in report.findings:
        assert finding.code in ("WSL014", "WSL015") and finding.line >= 1, finding


def test_every_corpus_file_read_whole_and_cut_at_every_line(tmp_path: Path) -> None:
    read_something = False
    for path in CLIENT_CORPUS:
        lines = path.read_bytes().splitlines(keepends=True)
        for end in range(len(lines) + 1):
            cut = tmp_path / f"cut{path.suffix}"
            cut.write_bytes(b"".join(lines[:end]))
            view = ClientReader().view("cut", cut)
            sites = [*view.sockets, *view.waits] if view is not None else []
            # What a cut file yields sits inside the lines it still has.
            assert all(1 <= site.place.line <= max(end, 1) for site in sites), (path, end)
            read_something = read_something or bool(sites)
    assert read_something  # the corpus holds socket code: reading it is not a no-op
