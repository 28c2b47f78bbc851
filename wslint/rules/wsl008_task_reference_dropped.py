"""## What it does
Checks for the task returned by `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
`loop.create_task(...)` being thrown away: the call is a bare expression statement, so nothing
keeps the task.

## Why is this bad?
The Python documentation for `asyncio.create_task` says: "Save a reference to the result of
this function, to avoid a task disappearing mid-execution. The event loop only keeps weak
references to tasks." A broadcaster started this way can be garbage-collected while it waits,
and the updates stop without an error; nobody can cancel it at shutdown either, and an
exception that kills it is only reported as "Task exception was never retrieved". The broadcasting
checklist's own `start()` does this for every task it starts.

## Example
```python
async def start(self):
    asyncio.create_task(self._broadcast_queue_updates())
```

## Use instead
```python
async def start(self):
    task = asyncio.create_task(self._broadcast_queue_updates())
    self._tasks.add(task)
    task.add_done_callback(self._tasks.discard)
```
(outside a class, a module-level set does the same), or start the broadcasters in an
`asyncio.TaskGroup` / anyio task group, which keeps its tasks.

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
bound to `asyncio.get_running_loop()` / `get_event_loop()` / `new_event_loop()`, or named like
an event loop (`loop`, `self._loop`, `self.app.event_loop`) and not resolved to a project
class, is always an event loop: its `create_task` is asyncio's, whatever `create_task` the
project defines elsewhere. `start_soon` never fires: nurseries keep their tasks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.calls import call_target
from wslint.analysis.context import FileContext
from wslint.analysis.index import Resolved
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.tasks import (
    create_task_receiver,
    is_event_loop,
    is_task_group,
    spawn_kind,
)
from wslint.core.findings import Finding
from wslint.core.needs import Needs, NoProductionDefinition, SpawnStatement
from wslint.core.options import Settings
from wslint.rules.base import Rule


class TaskReferenceDropped(Rule):
    code = "WSL008"
    name = "task-reference-dropped"
    summary = "The task returned by create_task/ensure_future is thrown away"
    fix = (
        "keep the task in a set (`self._tasks.add(task)`, "
        "`task.add_done_callback(self._tasks.discard)`; a module-level set outside a class) "
        "or use a TaskGroup"
    )

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        # A call on a chain of attributes is a wrapper's where the project defines its own.
        return (
            ("create_task", SpawnStatement(on_an_attribute=False)),
            ("ensure_future", SpawnStatement(on_an_attribute=False)),
            ("create_task", SpawnStatement(on_an_attribute=True), NoProductionDefinition("create_task")),
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
                f"keeps only a weak reference, so {keep_advice(function)}",
            )


def keep_advice(function: FunctionInfo | None) -> str:
    """The rule's fix, said for where the task is dropped: a set on the instance in a method,
    a module-level set elsewhere."""
    in_method = function is not None and _in_class(function)
    held, where = ("self._tasks", "a set") if in_method else ("_background_tasks", "a module-level set")
    return (
        f"keep it in {where} (`{held}.add(task)`, `task.add_done_callback({held}.discard)`) "
        "or use a TaskGroup"
    )


def _in_class(function: FunctionInfo) -> bool:
    scope: FunctionInfo | None = function
    while scope is not None:
        if scope.owner is not None:
            return True
        scope = scope.parent
    return False


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
    if isinstance(receiver, ast.Call) and is_event_loop(receiver, function, module):
        return "create_task"
    resolved = context.index.resolve(call_target(call, function, module))
    if isinstance(resolved, Resolved):
        return None  # the project's own create_task: checked where it spawns
    if is_event_loop(receiver, function, module):
        return "create_task"  # asyncio's, whatever other create_task the project defines
    if is_task_group(receiver, function, module):
        return None
    if context.index.defines_in_production("create_task"):
        return None  # some project wrapper may be the receiver and keep its tasks
    return "create_task"
