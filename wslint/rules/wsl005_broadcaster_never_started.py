"""## What it does
Checks that every broadcaster is started somewhere in the project: called without discarding
the coroutine, or passed on to whatever runs it (`asyncio.create_task`, `ensure_future`,
`loop.create_task`, a `TaskGroup`, `gather`, anyio/trio `start_soon`, `BackgroundTasks.add_task`,
a list of tasks, `websockets.serve`, a decorator, a helper that schedules it).

It follows the chain that starts the broadcaster: where every function that starts it
(`Poller.start()` creating its task) is itself never reached — nothing in production calls it
or passes it on, and nothing that does is reached (a route, a lifespan, `main`, module-level
code, a decorator or a special method are) — the broadcaster is never started either, and the
message names the start method nobody calls. This part applies only where production code
builds the class (`poller = Poller(...)`), or imports the module of a start function: a class
the project never instantiates is an API for someone else.

This rule is project-wide: it looks at the whole project (the tree under the nearest
`pyproject.toml`, `setup.cfg` or `.git`), whichever files are named on the command line.
Test code (`test_*.py`, `*_test.py`, `conftest.py`, `tests/`, `test/`) never counts as a start.

## Why is this bad?
The broadcasting checklist's fifth mistake: the broadcaster is written, reviewed and merged, but nobody adds
it to `start()`. It is dead code where an update was meant to go out.

## Example
```python
async def _broadcast_queue_updates(self):
    while True:
        ...

async def start(self):
    self._tasks.append(asyncio.create_task(self._broadcast_workflows()))
    # missing: self._broadcast_queue_updates()
```

## Use instead
```python
async def start(self):
    self._tasks.append(asyncio.create_task(self._broadcast_workflows()))
    self._tasks.append(asyncio.create_task(self._broadcast_queue_updates()))
```

## Options
- `broadcaster-patterns`
- `start-methods`

## Fix
Safe. Where the broadcaster is a method of a class whose start method (the first of
`start-methods` it defines) already creates tasks, the broadcaster is started the same way:
one more `self._tasks.append(asyncio.create_task(self.<broadcaster>()))`-style line after the
last such line, or one more `self.<broadcaster>` in the tuple or list of methods the start
method loops over to create their tasks. A broadcaster that takes arguments has no fix.

## Known problems
Any reference to the broadcaster's name in production code counts as a start (wslint cannot
know every scheduler), including a string equal to its name (`getattr(self, "_broadcast_x")`).
A bare call statement `self._broadcast_x()` creates a coroutine and drops it: it does not count.
In the start chain, a call whose receiver cannot be resolved (`self.server.start()`) may go to
the start method and counts as reaching it; a closure, or a chain of more than four steps, is
taken as reached. So are the functions a framework may call without the project naming them:
methods named `on_*` (Socket.IO, Channels and signal handlers), methods of a class with a base
from outside the project (a framework may call any of them), and module functions named
`main`, `run` or `cli` (entry points).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.context import FileContext
from wslint.analysis.module import FunctionInfo
from wslint.analysis.names import final_name
from wslint.core.findings import Finding
from wslint.flow.starts import BUILT, STARTS, is_built, is_referenced, start_chain
from wslint.rules.base import Rule, def_line

NOT_REGISTRATIONS = frozenset(
    {"staticmethod", "classmethod", "abstractmethod", "override", "overload", "wraps", "cache"}
)


class BroadcasterNeverStarted(Rule):
    code = "WSL005"
    name = "broadcaster-never-started"
    summary = "A broadcaster is never started anywhere in the project"
    fix = "schedule it from the start method: asyncio.create_task(self.<broadcaster>())"
    project_wide = True
    options = ("broadcaster-patterns", "start-methods")
    # where each reference to a broadcaster or a start method goes; where a class with a start
    # method is built (the start chain)
    project_questions = ((STARTS, True), (BUILT, True))

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.module.is_test:
            return
        for function, _ in context.broadcasters():
            if _is_registered(function):
                continue
            if not is_referenced(function, context.index):
                message = f"broadcaster `{function.name}` is never started: {_advice(function, context)}"
                yield self.finding(context, def_line(function), message)
                continue
            unreached = start_chain(function, context.index).unreached
            if unreached is not None and is_built(unreached, context.index):
                yield self.finding(context, def_line(function), _chain_message(function, unreached))


def _chain_message(function: FunctionInfo, start: FunctionInfo) -> str:
    qualified = start.key.partition("::")[2]
    call = f"{start.name}({', '.join(_parameters(start))})"
    return (
        f"broadcaster `{function.name}` is started only by `{qualified}()`, which nothing in "
        f"production calls: call `{call}` where the application starts (a lifespan or "
        "startup handler)"
    )


def _is_registered(function: FunctionInfo) -> bool:
    """A decorator other than the plain method kinds registers the function somewhere."""
    for decorator in function.node.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if final_name(callee) not in NOT_REGISTRATIONS:
            return True
    return False


def _advice(function: FunctionInfo, context: FileContext) -> str:
    owner = function.owner
    arguments = ", ".join(_parameters(function))
    call = f"self.{function.name}({arguments})" if owner else f"{function.name}({arguments})"
    if owner is not None:
        for name in context.settings.start_methods:
            if name in owner.methods:
                return f"add `asyncio.create_task({call})` to `{owner.node.name}.{name}()`"
    return f"schedule it with `asyncio.create_task({call})` where the application starts"


def _parameters(function: FunctionInfo) -> list[str]:
    """The broadcaster's own parameters, as the call that starts it passes them on."""
    arguments = function.node.args
    positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    if function.owner is not None and positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    found = [*positional]
    if arguments.vararg is not None:
        found.append(f"*{arguments.vararg.arg}")
    found += [f"{a.arg}={a.arg}" for a in arguments.kwonlyargs]
    if arguments.kwarg is not None:
        found.append(f"**{arguments.kwarg.arg}")
    return found
