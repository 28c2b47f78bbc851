"""The calls of ``create_task`` / ``ensure_future`` that may stand as statements and be
reported (:class:`wslint.core.needs.SpawnStatement`), told from the bytes."""

from __future__ import annotations

import re

from wslint.core.vocabulary import LOOP_NAMES
from wslint.speed.byte_tests import StatementCall, call_arguments, may_start_statement, receiver_names

_LOOP_NAMES = frozenset(name.encode() for name in LOOP_NAMES)  # bytes: a receiver's may not decode


class BareSpawnCall(StatementCall):
    """A ``create_task`` / ``ensure_future`` call that may be a statement of its own and be
    reported: not ``self.create_task(...)`` / ``cls.create_task(...)`` (never an event loop's),
    nor ``ensure_future(...)`` of an argument that is no call and awaits nothing (a future
    something else may hold).

    ``on_an_attribute`` picks the ``create_task`` calls on a chain of attributes
    (``self.pool.create_task(...)``, but ``asyncio.tasks``), which the rule reports only
    where the project defines no ``create_task`` of its own; otherwise the others, among them
    an event loop's by its receiver's name (``self._loop.create_task(...)``), reported
    wherever the project defines one."""

    def __init__(self, on_an_attribute: bool) -> None:
        super().__init__((b"create_task", b"ensure_future"))
        self.on_an_attribute = on_an_attribute

    def search_where_present(self, data: bytes) -> bool:
        return self.renamed(data) or self.on_an_attribute in _spawn_kinds(data)

    def __repr__(self) -> str:
        return f"BareSpawnCall(on_an_attribute={self.on_an_attribute})"


def _spawn_kinds(data: bytes) -> frozenset[bool]:
    """Whether the calls of ``data`` that may be reported lie on an attribute (True), or not
    (False). Both tests ask about one file in turn: it is read once."""
    if _LastFile.data is not data:
        kinds = (_on_an_attribute(data, start) for start in BARE_SPAWN_CALL.calls(data))
        _LastFile.kinds = frozenset(kind for kind in kinds if kind is not None)
        _LastFile.data = data
    return _LastFile.kinds


class _LastFile:
    """The bytes last asked about, and their kinds."""

    data: bytes | None = None
    kinds: frozenset[bool] = frozenset()


def _on_an_attribute(data: bytes, start: int) -> bool | None:
    """For the call whose name starts at ``start``: None if it cannot be reported (no
    statement, ``self.create_task``, ``ensure_future(future)``), else whether it lies on an
    attribute."""
    if not may_start_statement(data, start):
        return None
    if data.startswith(b"ensure_future", start):
        return False if _may_pass_a_call(data, start + len(b"ensure_future")) else None
    names = receiver_names(data, start)
    if names in ([b"self"], [b"cls"]):
        return None
    if names is not None and names[-1] in _LOOP_NAMES:
        return False  # an event loop's, whatever create_task the project defines
    return names is not None and len(names) > 1 and names[-1] != b"tasks"


# ``'ok'``, ``b"x"``: a string alone as the first argument (no ``"".join(...)``).
_STRING_ARGUMENT = re.compile(rb"\s*[rRbBuU]{0,2}(?:'[^'\\\n]*'|\"[^\"\\\n]*\")\s*[,)]")


def _may_pass_a_call(data: bytes, name_end: int) -> bool:
    """Whether the first argument of the call whose name ends at ``name_end`` may be a call
    or an ``await`` (anything the bytes cannot tell may be)."""
    arguments = call_arguments(data, name_end)
    if arguments is None:
        opening = data.find(b"(", name_end)
        return opening < 0 or _STRING_ARGUMENT.match(data, opening + 1) is None
    return b"(" in arguments or b"await" in arguments


BARE_SPAWN_CALL = BareSpawnCall(on_an_attribute=False)
SPAWN_ON_AN_ATTRIBUTE = BareSpawnCall(on_an_attribute=True)
