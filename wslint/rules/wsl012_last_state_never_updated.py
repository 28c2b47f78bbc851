"""## What it does
Checks that a remembered state a loop compares against (`self.last_status`,
`self._previous_snapshot`, `self.cached_data`: an attribute named with `last`, `prev`,
`previous`, `old`, `cached`, `cache`, `seen` or `snapshot`, set in `__init__`) is assigned again
somewhere else: after the broadcast, in another method, by another object.

## Why is this bad?
A change guard that compares with a state nobody ever updates compares with the initial value
forever: `current != self.last_status` is true on every poll once anything differs from `None`,
so the loop broadcasts every time, exactly as if there were no check at all. It is the broadcasting
checklist's step 4 ("Update last state") forgotten, and it looks correct at a glance.

## Example
```python
async def _broadcast_status(self):
    while True:
        current = get_status()
        if current != self.last_status:
            await self.websocket_manager.broadcast({"type": "status_update", "data": current})
        await asyncio.sleep(5)
```

## Use instead
```python
class StatusFeed:
    async def _broadcast_status(self):
        while True:
            try:
                current = get_status()
                if current != self.last_status:
                    await self.manager.broadcast({"type": "status_update", "data": current})
                    self.last_status = current
            except Exception:
                logger.exception("status broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_status())
```

## Known problems
Only `self.<attr>` operands of an `==`, `!=`, `is`, `is not` or ordering comparison (or
arguments of a call such as `self._is_significant_change(new, self.last_state)`) in the test
of an `if` that is a change guard inside a `while` or `async for` loop of a method (a `for`
nested in one included) are checked, and only attributes
that the class's own `__init__` assigns. A comparison with a constant (`self.last_state is None`)
is not a change comparison. Membership tests (`x not in self.seen`) are not checked: a
never-updated container is as often configuration (`self.known_hosts`).
Precision first, anything that may update the attribute counts: an assignment to any object's
attribute of that name anywhere in the module (`manager.last_status = ...`, a base class's
method, another class) or in another production module that mentions the name, an augmented
assignment, a subscript store (`self.last_x[key] = ...`), a call of any method on it other than
a known read-only one (`self.last_x.update(...)`), `setattr`/`delattr`, `vars(self)` or
`self.__dict__`. A class with a property or `__setattr__` of its own is not checked.
Files are first read as bytes: one whose remembered attributes are each written outside every
`__init__` (stored, stored through a subscript, or the receiver of a method not known to only
read; in comments and strings none of these counts), never mentioned uncalled in one, or never
mentioned after a `while` / `async for` of their own `def` is not parsed. A triple quote
inside another string can make that reading take a docstring's example for code, and a string
spanning lines that start like a shallower `def` can cut an `__init__` or a loop's function
short for it: a finding missed then, never a false one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.assignments import AttributeWrites, module_attribute_writes
from wslint.analysis.context import FileContext
from wslint.analysis.guards import is_change_test, name_parts
from wslint.analysis.module import ClassInfo, FunctionInfo, local_nodes
from wslint.analysis.walk import walk
from wslint.core.findings import Finding
from wslint.core.needs import Keywords, Needs, StateStoredOnlyInInit
from wslint.core.options import Settings
from wslint.rules.base import Rule

REMEMBERED_WORDS = ("last", "prev", "previous", "old", "cached", "cache", "seen", "snapshot")
COMPARISONS = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
LOOPS = (ast.While, ast.AsyncFor)  # polling, hot and event loops; a `for` counts inside one


class LastStateNeverUpdated(Rule):
    code = "WSL012"
    name = "last-state-never-updated"
    summary = "A loop compares with a remembered state that only __init__ ever assigns"
    fix = "assign the remembered state after broadcasting (self.last_x = current)"

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        stored = StateStoredOnlyInInit(REMEMBERED_WORDS)
        return tuple(("__init__", loop, stored) for loop in ("while", Keywords("async for")))

    def check(self, context: FileContext) -> Iterator[Finding]:
        writes: AttributeWrites | None = None
        for info in context.module.classes.values():
            initialised = _initialised_in_init(info)
            if not initialised or _intercepts_attributes(info):
                continue
            for method, node, attribute in _compared_states(info, initialised):
                if writes is None:
                    writes = module_attribute_writes(context.module)
                if _updated(attribute, info, writes, context):
                    continue
                yield self.finding(
                    context,
                    node,
                    f"`self.{attribute}` compared in the loop of `{method.name}` is only ever "
                    f"assigned in `__init__`: set `self.{attribute} = ...` after broadcasting, or "
                    "the check never suppresses anything",
                )


def _initialised_in_init(info: ClassInfo) -> dict[str, list[ast.AST]]:
    """Remembered-state attributes that ``__init__`` assigns, with the assigning nodes."""
    init = info.methods.get("__init__")
    if init is None:
        return {}
    found: dict[str, list[ast.AST]] = {}
    for node in init.body_nodes():
        if isinstance(node, ast.Attribute) and _is_self(node.value) and _remembered(node.attr):
            if isinstance(node.ctx, ast.Store):
                found.setdefault(node.attr, []).append(node)
    return found


def _intercepts_attributes(info: ClassInfo) -> bool:
    for statement in info.node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name in ("__setattr__", "__setstate__"):
                return True
            decorators = {_decorator_name(d) for d in statement.decorator_list}
            if decorators & {"property", "setter", "cached_property"} and _remembered(statement.name):
                return True
    return False


def _decorator_name(decorator: ast.expr) -> str | None:
    if isinstance(decorator, ast.Name):
        return decorator.id
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return None


def _remembered(attribute: str) -> bool:
    return any(part in REMEMBERED_WORDS for part in name_parts(attribute))


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _compared_states(
    info: ClassInfo, initialised: dict[str, list[ast.AST]]
) -> Iterator[tuple[FunctionInfo, ast.AST, str]]:
    """(method, comparison node, attribute) for every change-guard comparison in a loop."""
    reported: set[int] = set()
    for method in info.methods.values():
        for loop in method.body_nodes():
            if not isinstance(loop, LOOPS):
                continue
            fresh = _assigned_in(loop)
            for test in _if_tests(loop):
                if not is_change_test(test, fresh):
                    continue
                for node, attribute in _state_operands(test, initialised):
                    if id(node) not in reported:
                        reported.add(id(node))
                        yield method, node, attribute


def _if_tests(loop: ast.AST) -> Iterator[ast.expr]:
    return (node.test for node in local_nodes([loop]) if isinstance(node, ast.If))


def _state_operands(test: ast.expr, initialised: dict[str, list[ast.AST]]) -> Iterator[tuple[ast.AST, str]]:
    for node in walk(test):
        if isinstance(node, ast.Compare) and all(isinstance(op, COMPARISONS) for op in node.ops):
            operands = [node.left, *node.comparators]
            states = [_state(operand, initialised) for operand in operands]
            if any(states) and not any(isinstance(o, ast.Constant) for o in operands):
                yield node, next(s for s in states if s)
        elif isinstance(node, ast.Call):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                state = _state(argument, initialised)
                if state:
                    yield node, state
                    break


def _state(node: ast.AST, initialised: dict[str, list[ast.AST]]) -> str | None:
    if isinstance(node, ast.Attribute) and _is_self(node.value) and node.attr in initialised:
        return node.attr
    return None


def _assigned_in(loop: ast.AST) -> set[str]:
    return {
        node.id for node in walk(loop) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


def _updated(attribute: str, info: ClassInfo, writes: AttributeWrites, context: FileContext) -> bool:
    excluded = _init_stores(info, attribute)
    if writes.written_outside(attribute, excluded):
        return True
    inherits = any(base.split(".")[-1] not in ("object", "ABC", "Protocol") for base in info.bases)
    for other in context.index.production_modules_mentioning(attribute):
        if other.path == context.module.path:
            continue
        for node in module_attribute_writes(other).writes_of(attribute):
            if inherits or not _through_self(node):  # another class's self.x is its own
                return True
    return False


def _through_self(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):  # self.last_x.update(...)
        node = node.func.value if isinstance(node.func, ast.Attribute) else node
    if isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Attribute) and _is_self(node.value)


def _init_stores(info: ClassInfo, attribute: str) -> set[int]:
    init = info.methods["__init__"]
    return {
        id(node)
        for node in init.body_nodes()
        if isinstance(node, ast.Attribute)
        and _is_self(node.value)
        and node.attr == attribute
        and isinstance(node.ctx, ast.Store)
    }
