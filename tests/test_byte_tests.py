"""The prefilter's byte tests answer yes wherever the analysis they stand in for would find
something (a yes where it finds nothing only costs a parse)."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from wslint.analysis.calls import broadcasts_in, is_broadcast_call
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.core.options import Settings
from wslint.core.vocabulary import SEND_METHODS
from wslint.speed.byte_tests import (
    FAN_OUT,
    FAN_OUT_IN_ASYNC_DEF,
    DefBlocks,
    call_of,
    mentioned_in_a_coroutine_loop,
    mentions,
    named_def_spans,
    shortest_literals,
)
from wslint.speed.prefilter import broadcast_call
from wslint.speed.spawn_calls import BARE_SPAWN_CALL, SPAWN_ON_AN_ATTRIBUTE

FAN_OUTS = [
    "for ws in clients:\n    await ws.send_json(message)\n",
    "for ws in list(clients):\n    try:\n        await ws.send_text(text)\n    except OSError:\n        pass",
    "for room, ws in pairs:\n    await ws.send(m)\n",
    "for (i, ws) in enumerate(clients):\n    await ws . send_bytes (b)\n",
    "async for ws in stream():\n    await ws.send(m)\n",
    "await asyncio.gather(*(ws.send_json(m) for ws in clients))\n",
    "tasks = [asyncio.create_task(c.send(m)) for c in clients]\n",
    "await asyncio.gather(*[\n    peer\n    .send_text(m)\n    for peer in peers\n])\n",
    "for wß in clients:\n    await wß.send(m)\n",
]
NOT_FAN_OUTS = [
    "for ws in clients:\n    await self.ws.send_json(message)\n",
    "for x in range(3):\n    sock.send(x)\n",
    "await ws.send_json(message)\n",
    "for ws in clients:\n    await ws.resend(m)\n",
]


@pytest.mark.parametrize("source", FAN_OUTS)
def test_fan_out_bytes_where_the_analysis_sees_one(source: str) -> None:
    tree = ast.parse(source if "await" not in source else "async def f():\n" + _indent(source))
    assert list(broadcasts_in(walk(tree), Settings())), "the case must be a fan-out to the analysis"
    assert FAN_OUT.search(source.encode())


@pytest.mark.parametrize("source", NOT_FAN_OUTS)
def test_no_fan_out_bytes_where_there_is_none(source: str) -> None:
    assert not FAN_OUT.search(source.encode())


@pytest.mark.parametrize("source", FAN_OUTS)
@pytest.mark.parametrize("header", ["async def f():\n", "class C:\n  async \\\n  def f(self):\n"])
def test_a_coroutine_s_own_fan_out_is_seen(source: str, header: str) -> None:
    data = (header + _indent(source, "    ")).encode()
    (coroutine,) = [node for node in ast.walk(ast.parse(data)) if isinstance(node, ast.AsyncFunctionDef)]
    assert list(broadcasts_in(walk(coroutine), Settings()))
    assert FAN_OUT_IN_ASYNC_DEF.search(data)


def test_a_fan_out_after_a_nested_function_is_the_coroutine_s_own() -> None:
    source = (
        b"async def f(clients):\n    def log(ws):\n        print(ws)\n"
        b"    for ws in clients:\n        await ws.send_json(m)\n"
    )
    assert FAN_OUT_IN_ASYNC_DEF.search(source)


ELSEWHERE = [
    # (a fan-out, where the analysis does not count it as the coroutine's own)
    "def f():\n    for ws in clients:\n        ws.send(m)\n",
    "async def f():\n    def g():\n        for ws in clients:\n            ws.send(m)\n",
    "async def f():\n    for ws in clients:\n        def g():\n            ws.send(m)\n",
    "async def f():\n    for ws in clients:\n        pass\n\ndef g(ws):\n    ws.send(m)\n",
]


@pytest.mark.parametrize("source", ELSEWHERE)
def test_a_fan_out_outside_a_coroutine_s_own_body_is_not_its_own(source: str) -> None:
    assert FAN_OUT.search(source.encode())  # a fan-out to the file (a helper may hold it)
    assert not FAN_OUT_IN_ASYNC_DEF.search(source.encode())


def test_a_def_knows_whether_it_is_async() -> None:
    source = b"async def a():\n    def b():\n        pass\nasync \\\n  def c(): ...\ndef d(): ...\n"
    assert {span.name: span.is_async for span in DefBlocks(source).spans} == {
        b"a": True,
        b"b": False,
        b"c": True,
        b"d": False,
    }


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"async def f():\n    while True:\n        await push(m)\n", True),
        (b"async def f():\n    async for m in feed:\n        hub.push(m)\n", True),
        (b"async def f():\n    await push(m)\n    while True:\n        pass\n", False),
        (b"def f():\n    while True:\n        push(m)\n", False),
        (b"async def f():\n    while True:\n        def g():\n            push(m)\n", False),
        (b"async def f():\n    def g():\n        while True:\n            pass\n    push(m)\n", False),
        (b"async def f():\n    while True:\n        await pusher(m)\n", False),
        (b"async def f():\n    while True:\n        def g():\n            pass\n        push(m)\n", True),
        (b"async def f():\n    while True:\n        x = (\n1)\n        push(m)\n", True),
    ],
)
def test_a_helper_counts_where_a_coroutine_s_loop_may_call_it(source: bytes, expected: bool) -> None:
    assert mentioned_in_a_coroutine_loop(source, [b"push"]) is expected


BROADCAST_CALLS = [
    "await manager.broadcast({'type': 'x'})",
    "await broadcast(message)",
    "await self.channel_layer.group_send(\n    'room', {'type': 'x'})",
    "await hub.broadcast_json (m)",
    "await (hub.broadcast  # to everyone\n    (m))",
]


@pytest.mark.parametrize("source", BROADCAST_CALLS)
def test_broadcast_call_bytes_where_the_analysis_sees_one(source: str) -> None:
    tree = ast.parse("async def f():\n" + _indent(source))
    assert any(isinstance(node, ast.Call) and is_broadcast_call(node, Settings()) for node in walk(tree))
    assert broadcast_call(Settings()).search(source.encode())


@pytest.mark.parametrize(
    "source",
    [b"allow_broadcast(True)", b"x = manager.broadcast", b"def broadcaster(): ...", b"rebroadcast(m)"],
)
def test_no_broadcast_call_where_there_is_none(source: bytes) -> None:
    assert not broadcast_call(Settings()).search(source)


def test_a_call_is_looked_for_under_its_shortest_spellings() -> None:
    names = ["broadcast", "broadcast_json", "group_send", "send_all"]
    assert call_of(names).literals == (b"broadcast", b"group_send", b"send_all")
    assert shortest_literals([b"send", b"send_json", b"resend"]) == (b"send",)


def test_every_function_lies_within_its_def_block() -> None:
    """On real code (asyncio and its tests), the block of every ``def`` holds its whole text."""
    package = Path(asyncio.__file__).parent
    for path in sorted(package.glob("*.py")):
        data = path.read_bytes()
        blocks: dict[bytes, list[bytes]] = {}
        for span in DefBlocks(data).spans:
            blocks.setdefault(span.name, []).append(data[span.start : span.end])
        lines = data.splitlines(keepends=True)
        for node in ast.walk(ast.parse(data)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.lineno - 1 if not node.decorator_list else _def_line(lines, node)
                text = b"".join(lines[first : node.end_lineno])
                found = blocks.get(node.name.encode(), [])
                assert any(text.strip() in block for block in found), (path.name, node.name)


def _def_line(lines: list[bytes], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The line of the ``def`` keyword itself, below the decorators."""
    line = node.decorator_list[-1].end_lineno or node.lineno
    while b"def " not in lines[line]:
        line += 1
    return line


ODD_DEFS = (
    b"class C:\n    def __init__(self):\n        def __init__(inner):\n            pass\n"
    b"        self.x = 1\n    x = 2\n    async def __init__ (self): pass\n"
    b"\tdef __init__(self):\n\t\tpass\n    def\\\n  __init__(self): pass\ndef __init__x(): pass\n"
    b"undef __init__\n# def __init__\ndef __init__(): pass"
)


@pytest.mark.parametrize("source", ["asyncio", "odd"])
def test_the_blocks_of_one_name_are_those_of_every_def(source: str) -> None:
    """``named_def_spans`` finds a name's blocks without listing every block: the same spans."""
    if source == "odd":
        texts = [ODD_DEFS]
    else:
        texts = [path.read_bytes() for path in sorted(Path(asyncio.__file__).parent.glob("*.py"))]
    for data in texts:
        spans = DefBlocks(data).spans
        for name in {span.name for span in spans} | {b"__init__", b"absent"}:
            expected = [(span.start, span.end) for span in spans if span.name == name]
            assert list(named_def_spans(data, name)) == expected, name
    assert len(list(named_def_spans(ODD_DEFS, b"__init__"))) == 6


def test_def_blocks_nest() -> None:
    source = (
        b"def outer():\n    def inner():\n        pass\n    return inner\n\n"
        b"class C:\n    async def m(self):\n        pass\n"
    )
    blocks = {span.name: source[span.start : span.end] for span in DefBlocks(source).spans}
    assert blocks[b"inner"] == b"    def inner():\n        pass\n    return inner\n\nclass C:\n"
    assert blocks[b"outer"].startswith(b"def outer():") and b"async def m" in blocks[b"outer"]
    assert blocks[b"m"] == b"    async def m(self):\n        pass\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"helper()", True),
        (b"x.helper(1)", True),
        (b"myhelper()", False),
        (b"helpers", False),
        (b"helper", True),
    ],
)
def test_mentions_only_whole_names(data: bytes, expected: bool) -> None:
    assert mentions(data, b"helper") is expected


def _indent(source: str, prefix: str = "    ") -> str:
    return "".join(prefix + line for line in source.splitlines(keepends=True))


@pytest.mark.parametrize("method", sorted(SEND_METHODS))
def test_every_send_method_makes_a_fan_out(method: str) -> None:
    assert FAN_OUT.search(f"for ws in clients:\n    await ws.{method}(m)\n".encode())


BARE_SPAWNS = [
    "asyncio.create_task(c)\n",
    "if ready:\n    asyncio.ensure_future(f())\n",
    "x = 1; loop.create_task(c)\n",
    "if x: loop.create_task(c)\n",
    "(asyncio.create_task(c))\n",
    "(\n    asyncio.create_task(c)\n)\n",
    "asyncio.get_running_loop().create_task(c)\n",
    "asyncio.get_running_loop(\n).create_task(c)\n",
    "self.loops[0] . create_task(c)\n",
    "(a or b).create_task(c)\n",
    "foo('(').create_task(c)\n",
    "from asyncio import create_task as spawn\nspawn(c)\n",
    "from asyncio import (\n    create_task\n    as spawn,\n)\nspawn(c)\n",
    "self.loop.create_task(c)\n",
    "# self\nloop.create_task(c)\n",
    "asyncio.ensure_future(await_all())\n",
    "asyncio.ensure_future(\n    f())\n",
    "asyncio.ensure_future(await y)\n",
]
KEPT_SPAWNS = [
    "t = asyncio.create_task(c)\n",
    "await asyncio.create_task(c)\n",
    "tasks.append(asyncio.create_task(c))\n",
    "return loop.create_task(c)\n",
    "[asyncio.create_task(c) for c in coros]\n",
    "# asyncio.create_task(c)\n",
    "x = 'asyncio.create_task(c)'\n",
    "def create_task(self, c): ...\n",
    "t = (loop.create_task(c))\n",
    "g = f(x).create_task(c)\n",
    "my_create_task(c)\n",
    # never reported: the class's own create_task, a future something else holds
    "self.create_task(c)\n",
    "cls . create_task(c)\n",
    "asyncio.ensure_future(fut)\n",
    "asyncio.ensure_future(fut, loop=self._loop)\n",
    "asyncio.ensure_future('ok')\n",
]


@pytest.mark.parametrize("source", BARE_SPAWNS)
def test_bare_spawn_bytes_where_the_analysis_sees_one(source: str) -> None:
    tree = ast.parse("async def f():\n" + _indent(source))
    assert _bare_spawns(tree), "the case must be a bare call statement to the analysis"
    assert _spawns(source.encode())


@pytest.mark.parametrize("source", KEPT_SPAWNS)
def test_no_bare_spawn_bytes_where_the_result_is_used(source: str) -> None:
    assert not _spawns(source.encode())


def test_every_bare_spawn_of_asyncio_and_its_tests_is_seen_in_the_bytes() -> None:
    """On real code (asyncio, and its tests where installed), every file with a bare
    ``create_task``/``ensure_future`` statement passes the byte test; most others do not."""
    library = Path(asyncio.__file__).parent
    paths = sorted(library.glob("*.py")) + sorted((library.parent / "test" / "test_asyncio").glob("*.py"))
    passed = 0
    for path in paths:
        data = path.read_bytes()
        found = _spawns(data)
        passed += found
        if _bare_spawns(ast.parse(data)):
            assert found, path
    assert passed < len(paths) / 2


def _spawns(data: bytes) -> bool:
    """Whether either byte test of WSL008 holds (the one on an attribute only counts where the
    project defines no ``create_task``: see test_prefilter)."""
    return BARE_SPAWN_CALL.search(data) or SPAWN_ON_AN_ATTRIBUTE.search(data)


@pytest.mark.parametrize(
    ("source", "on_an_attribute"),
    [
        ("self.pool.create_task(c)\n", True),
        ("self.app.runner . create_task(c)\n", True),
        # An event loop's (by its name) is asyncio's, whatever create_task the project defines.
        ("self._loop.create_task(c)\n", False),
        ("self.app.loop . create_task(c)\n", False),
        ("loop.create_task(c)\n", False),
        ("asyncio.create_task(c)\n", False),
        ("asyncio.tasks.create_task(c)\n", False),
        ("loops[0].create_task(c)\n", False),
        ("get_loop().create_task(c)\n", False),
        ("create_task(c)\n", False),
    ],
)
def test_a_spawn_on_an_attribute_is_told_apart(source: str, on_an_attribute: bool) -> None:
    assert SPAWN_ON_AN_ATTRIBUTE.search(source.encode()) is on_an_attribute
    assert BARE_SPAWN_CALL.search(source.encode()) is not on_an_attribute


def _bare_spawns(tree: ast.AST) -> list[ast.Call]:
    """Bare spawn statements WSL008 may report (not ``self.create_task(c)``, nor
    ``ensure_future(f)`` of something that is no call and awaits nothing)."""
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and final_name(node.value.func) in ("create_task", "ensure_future", "spawn")
        and _may_be_reported(node.value)
    ]


def _may_be_reported(call: ast.Call) -> bool:
    func = call.func
    if final_name(func) == "ensure_future":
        return bool(call.args) and isinstance(call.args[0], (ast.Call, ast.Await))
    receiver = func.value if isinstance(func, ast.Attribute) else None
    return not (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"))


@pytest.mark.timeout(60)  # the exponential reading never ends: fail instead of hanging
@pytest.mark.parametrize(
    "data",
    [
        b"for ws in clients:\n    ws.send  " + b"#" * 64 + b"\n",  # a rule of hashes after a name
        b"x = hub.broadcast  # " + b"#" * 64 + b"\n",
    ],
)
def test_a_comment_after_a_name_is_read_one_way_only(data: bytes) -> None:
    """A gap's comment runs to its line's end: a line of ``#`` after ``send`` was once split in
    every way before the match failed (2**64 tries; trio's ``_socket.py`` hung the prefilter)."""
    assert not FAN_OUT.search(data)
    assert not broadcast_call(Settings()).search(data)
    assert not _spawns(data)
