"""Cancellation: which handlers catch it, and which give it back (re-raise or leave the loop)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.module import ModuleInfo, local_nodes
from wslint.analysis.names import dotted_name, final_name

CANCELLATION = frozenset(
    {
        "BaseException",
        "builtins.BaseException",
        "asyncio.CancelledError",
        "asyncio.exceptions.CancelledError",
        "asyncio.futures.CancelledError",
        "concurrent.futures.CancelledError",
        "concurrent.futures._base.CancelledError",
        "trio.Cancelled",
    }
)
CANCELLED_CLASS_FACTORIES = frozenset({"anyio.get_cancelled_exc_class", "sniffio.get_cancelled_exc_class"})
EXITS = frozenset({"sys.exit", "os._exit"})
STOPPING_METHODS = frozenset({"stop", "shutdown", "cancel"})
TryNode = ast.Try | getattr(ast, "TryStar", ast.Try)


def caught_cancellation(kind: ast.expr | None, module: ModuleInfo) -> str | None:
    """How the ``except`` clause names what catches cancellation (``None``: it does not)."""
    if kind is None:
        return "bare `except:`"
    if isinstance(kind, ast.Tuple):
        for item in kind.elts:
            found = caught_cancellation(item, module)
            if found is not None:
                return found
        return None
    if isinstance(kind, ast.Call):
        if module.qualified(kind.func) in CANCELLED_CLASS_FACTORIES:
            return f"`except {ast.unparse(kind)}`"
        return None
    qualified = module.qualified(kind)
    if qualified in CANCELLATION:
        return f"`except {ast.unparse(kind)}`"
    return None


def try_statements(body: list[ast.stmt]) -> Iterator[ast.Try]:
    """Every ``try`` of ``body`` at any depth, not inside nested functions or classes."""
    for node in local_nodes(body):
        if isinstance(node, TryNode):
            yield node


def awaits_in(body: list[ast.stmt]) -> bool:
    """Whether ``body`` holds a suspension point (where a task's cancellation is delivered)."""
    return any(isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for node in local_nodes(body))


def waits_for_cancelled_tasks(statement: ast.Try, loop: ast.AST) -> bool:
    """The ``try`` only awaits tasks the loop cancelled before it (``task.cancel()`` then
    ``try: await task``): the ``CancelledError`` it catches is theirs, the wait for them to end."""
    awaited: list[str] = []
    for node in statement.body:
        value = node.value if isinstance(node, ast.Expr) else None
        name = dotted_name(value.value) if isinstance(value, ast.Await) else None
        if name is None:
            return False
        awaited.append(name)
    cancelled = {
        dotted_name(node.func.value)
        for node in local_nodes(getattr(loop, "body", []))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cancel"
        and not node.args
        and node.lineno < statement.lineno
    }
    return bool(awaited) and all(name in cancelled for name in awaited)


def gives_back(
    handler: ast.ExceptHandler, loop: ast.While | ast.For | ast.AsyncFor, module: ModuleInfo
) -> bool:
    """The handler re-raises (anything), returns, breaks, stops the loop's flag or exits."""
    flag = _loop_flag(loop)
    for node in local_nodes(handler.body):
        if isinstance(node, (ast.Raise, ast.Return, ast.Break)):
            return True
        if flag is not None and _assigns(node, flag):
            return True
        if isinstance(node, ast.Call) and _stops(node, flag, module):
            return True
    return False


def _loop_flag(loop: ast.AST) -> str | None:
    """``self.running`` for ``while self.running``, ``self._stop`` for ``while not self._stop.is_set()``."""
    test = getattr(loop, "test", None)
    if test is None:
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute):
        test = test.func.value
    return dotted_name(test)


def _assigns(node: ast.AST, flag: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(dotted_name(target) == flag for target in node.targets)
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return dotted_name(node.target) == flag
    return False


def _stops(call: ast.Call, flag: str | None, module: ModuleInfo) -> bool:
    if module.qualified(call.func) in EXITS:
        return True
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if flag is not None and dotted_name(func.value) == flag and func.attr in ("set", "clear", "cancel"):
        return True  # self._stop.set(): the loop's own stop event
    receiver = final_name(func.value)
    return (
        func.attr in STOPPING_METHODS
        and receiver in ("self", "task")
        or func.attr == "cancel"
        and (isinstance(func.value, ast.Call) and final_name(func.value.func) == "current_task")
    )
