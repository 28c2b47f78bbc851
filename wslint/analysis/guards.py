"""Change guards: the ``if`` that lets a polling loop broadcast only what changed."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from wslint.analysis.module import SCOPE_NODES, ModuleInfo
from wslint.analysis.walk import walk

REMEMBERED = frozenset(
    {"last", "prev", "previous", "old", "cached", "cache", "seen", "known", "snapshot", "before"}
)
CHANGE_PREFIXES = ("chang", "diff", "significant", "modif", "dirty", "updated", "stale", "new")
CLIENT_WORDS = frozenset(
    {
        "client",
        "clients",
        "connection",
        "connections",
        "conn",
        "conns",
        "subscriber",
        "subscribers",
        "socket",
        "sockets",
        "websocket",
        "websockets",
        "ws",
        "listener",
        "listeners",
        "peer",
        "peers",
        "viewer",
        "viewers",
        "audience",
    }
)
TIME_WORDS = frozenset(
    {
        "time",
        "timestamp",
        "monotonic",
        "elapsed",
        "now",
        "deadline",
        "interval",
        "since",
        "at",
        "ts",
        "sent",
        "age",
        "clock",
        "perf",
        "counter",
        "seconds",
        "duration",
    }
)
EXITS = (ast.Continue, ast.Return, ast.Break, ast.Raise)
# Pending work: a queue, outbox or backlog that producers fill and the loop drains. What it holds
# is new by definition, so a test of it being non-empty only lets new items through.
PENDING_WORDS = frozenset({"queue", "outbox", "inbox", "mailbox", "backlog", "pending"})
PENDING_CHECKS = frozenset({"empty", "qsize"})


def is_under_change_guard(node: ast.AST, loop: ast.AST, module: ModuleInfo) -> bool:
    """Whether a broadcast at ``node`` inside ``loop`` only runs when something changed."""
    fresh = _assigned_in(loop, module)
    child = node
    parent = module.parent_of(node)
    while parent is not None and child is not loop:
        if isinstance(parent, ast.If) and child is not parent.test and is_change_test(parent.test, fresh):
            return True
        if (  # an inner ``while <pending work>:`` guards its body as an ``if`` would
            isinstance(parent, ast.While)
            and parent is not loop
            and child is not parent.test
            and child not in parent.orelse
            and _tests_pending_work(parent.test)
        ):
            return True
        if isinstance(parent, (ast.For, ast.AsyncFor)) and child is not parent.iter and parent is not node:
            if _reads_fresh_state(parent.iter, fresh):  # looping over this round's changes
                return True
        if _earlier_exit_guard(parent, child, fresh):
            return True
        if parent is loop or isinstance(parent, SCOPE_NODES):
            break
        child, parent = parent, module.parent_of(parent)
    return False


def _earlier_exit_guard(block_owner: ast.AST, child: ast.AST, fresh: set[str]) -> bool:
    """An ``if <change test>: ...; continue`` statement before ``child`` in the same block."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(block_owner, field, None)
        if not isinstance(block, list) or child not in block:
            continue
        for statement in block[: block.index(child)]:
            if (
                isinstance(statement, ast.If)
                and _ends_in_exit(statement.body)
                and is_change_test(statement.test, fresh)
            ):
                return True
    return False


def _ends_in_exit(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], EXITS)


def is_change_test(test: ast.expr, fresh: set[str]) -> bool:
    """A test reading this iteration's state, a remembered last state or pending work, not only
    clients or time."""
    if _tests_pending_work(test):
        return True
    candidates = [name for name in _read_names(test) if not _about_clients_or_time(name)]
    return any(name in fresh or _remembered_or_changed(name) for name in candidates)


def _tests_pending_work(test: ast.expr) -> bool:
    """``if self._outbox:``, ``while not log_queue.empty():``, ``if self.pending:``."""
    for node in walk(test):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in PENDING_CHECKS:
                return True
        elif isinstance(node, (ast.Name, ast.Attribute)):
            parts = name_parts(node.id if isinstance(node, ast.Name) else node.attr)
            if parts and (parts[-1] in PENDING_WORDS or parts[0] == "pending"):
                return True
    return False


def name_parts(name: str) -> list[str]:
    """``last_sent_at`` -> [last, sent, at]; ``lastState`` -> [last, state]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [part for part in spaced.lower().split("_") if part]


def _about_clients_or_time(name: str) -> bool:
    return any(part in CLIENT_WORDS or part in TIME_WORDS for part in name_parts(name))


def _remembered_or_changed(name: str) -> bool:
    return any(part in REMEMBERED or part.startswith(CHANGE_PREFIXES) for part in name_parts(name))


def _read_names(test: ast.expr) -> Iterator[str]:
    for node in walk(test):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr


def _reads_fresh_state(expression: ast.expr, fresh: set[str]) -> bool:
    return any(name in fresh for name in _read_names(expression)) or isinstance(expression, ast.Call)


def _assigned_in(loop: ast.AST, module: ModuleInfo) -> set[str]:
    """Names bound in the loop body: the state each iteration produces."""
    names: set[str] = set()
    for node in walk(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names
