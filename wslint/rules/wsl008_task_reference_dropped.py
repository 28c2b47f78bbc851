"""## What it does
Checks for the task returned by `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
`loop.create_task(...)` being thrown away: the call is a bare expression statement, so nothing
keeps the task.

## Why is this bad?
The Python documentation for `asyncio.create_task` says: "Save a reference to the result of
this function, to avoid a task disappearing mid-execution. The event loop only keeps weak
references to tasks." A broadcaster started this way can be garbage-collected while it waits,
and the updates stop without an error; nobody can cancel it at shutdown either, and an
exception that kills it is only reported as "Task exception was never retrieved". The seed's
own `start()` does this for every task it starts.

## Example
```python
async def start(self):
    asyncio.create_task(self._broadcast_queue_updates())
```

## Use instead
```python
async def start(self):
    self._tasks.append(asyncio.create_task(self._broadcast_queue_updates()))
```
or start the broadcasters in an `asyncio.TaskGroup` / anyio task group, which keeps its tasks.

## Fix
Safe. In a method, the task is kept in a `self._tasks` set that lets go of it when it is done:
`task = asyncio.create_task(...)`, `self._tasks.add(task)`,
`task.add_done_callback(self._tasks.discard)`, with `self._tasks = set()` added at the start of
`__init__` where the class has none (a class already keeping its tasks in a `self._tasks` list
made in `__init__` gets `self._tasks.append(...)` instead). Outside a class, or in a class
without an `__init__`, a module-level `_background_tasks` set made after the imports plays that
part.

## Known problems
Only a bare call statement counts as dropped: any other use of the result (assigned, appended,
passed on, awaited, `.add_done_callback(...)` chained on it) counts as kept, even when the name
it is bound to is never read again. `asyncio.create_task` and `ensure_future` are recognised
through the module's imports (`from asyncio import create_task`); `ensure_future(x)` with a
plain name argument is not reported (it may be a future that something else already holds).
`<receiver>.create_task(...)` is reported unless the receiver is a task group or nursery: named
`tg`, `tn`, `*group*`, `*nursery*` or `*scope*`, bound by `async with ... as`, annotated
`TaskGroup`/`Nursery`, or bound to `TaskGroup()` / `create_task_group()` / `open_nursery()`;
and unless the call resolves to a `create_task` of the project, or cannot be resolved while the
project defines a `create_task` of its own (a wrapper that may keep its tasks); nor is
`self.create_task(...)` (the class's own or an inherited method, perhaps a framework's wrapper,
never known to be an event loop's). A receiver
bound to `asyncio.get_running_loop()` / `get_event_loop()` / `new_event_loop()` is always an
event loop. `start_soon` never fires: nurseries keep their tasks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from wslint.analysis.calls import call_target
from wslint.analysis.index import Resolved
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.tasks import (
    create_task_receiver,
    is_event_loop,
    is_task_group,
    spawn_kind,
)
from wslint.engine.byte_tests import StatementCall, call_arguments, may_start_statement, receiver_names
from wslint.engine.context import FileContext
from wslint.engine.findings import Finding
from wslint.engine.options import Settings
from wslint.engine.prefilter import WordGroups
from wslint.engine.project_words import NoProductionDefinition
from wslint.rules.base import Rule


class BareSpawnCall(StatementCall):
    """A ``create_task`` / ``ensure_future`` call that may be a statement of its own and be
    reported: not ``self.create_task(...)`` / ``cls.create_task(...)`` (never an event loop's),
    nor ``ensure_future(...)`` of an argument that is no call and awaits nothing (a future
    something else may hold).

    ``on_an_attribute`` picks the ``create_task`` calls on a chain of attributes
    (``self._loop.create_task(...)``, but ``asyncio.tasks``), which the rule reports only
    where the project defines no ``create_task`` of its own; otherwise the others."""

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
NO_PROJECT_CREATE_TASK = NoProductionDefinition(b"create_task")


class TaskReferenceDropped(Rule):
    code = "WSL008"
    name = "task-reference-dropped"
    summary = "The task returned by create_task/ensure_future is thrown away"
    fix = "keep the task: self._tasks.append(asyncio.create_task(...)) (or use a TaskGroup)"

    @classmethod
    def required_words(cls, settings: Settings) -> WordGroups:
        return (
            (b"create_task", BARE_SPAWN_CALL),
            (b"ensure_future", BARE_SPAWN_CALL),
            (b"create_task", SPAWN_ON_AN_ATTRIBUTE, NO_PROJECT_CREATE_TASK),
        )

    def check(self, context: FileContext) -> Iterator[Finding]:
        for call, function in _dropped_calls(context.module):
            spawned = _dropped_spawn(call, function, context)
            if spawned is None:
                continue
            where = f" in `{function.name}`" if function is not None else ""
            yield self.finding(
                context,
                call,
                f"the task from `{ast.unparse(call.func)}()`{where} is dropped: the event loop "
                "keeps only a weak reference, so keep it (`self._tasks.add(task)`) or use a "
                "TaskGroup",
            )


def _dropped_calls(module: ModuleInfo) -> Iterator[tuple[ast.Call, FunctionInfo | None]]:
    """Bare call statements (any other use keeps the result) of ``create_task`` /
    ``ensure_future`` or an alias imported for one, in order, with their functions."""
    names = {"create_task", "ensure_future"}
    names |= {
        local
        for local, target in module.aliases.items()
        if target.rsplit(".", 1)[-1] in ("create_task", "ensure_future")
    }
    for call, function in module.discarded_calls():
        if final_name(call.func) in names:
            yield call, function


def _dropped_spawn(call: ast.Call, function: FunctionInfo | None, context: FileContext) -> str | None:
    kind = spawn_kind(call, function, context.module)
    if kind == "ensure_future":
        argument = call.args[0] if call.args else None
        return kind if isinstance(argument, (ast.Call, ast.Await)) else None
    if kind is not None:
        return kind
    receiver = create_task_receiver(call)
    if receiver is None:
        return None
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
        return None  # the class's own create_task, or an inherited one: a wrapper, not a loop
    module = context.module
    if is_event_loop(receiver, function, module):
        return "create_task"
    if is_task_group(receiver, function, module):
        return None
    if context.index.defines_in_production("create_task"):
        return None  # some project wrapper may be the receiver and keep its tasks
    resolved = context.index.resolve(call_target(call, function, module))
    if isinstance(resolved, Resolved):
        return None  # the project's own create_task (in a test module): checked where it spawns
    return "create_task"
