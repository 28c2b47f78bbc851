"""Which calls can raise: the calls outside a broad ``try``, and project functions that never raise.

WSL002 asks of each call in a broadcaster's loop whether an exception can come out of it. A
call into the project is looked at in its own body: a manager's ``broadcast`` that guards each
client's send with ``except Exception`` cannot raise, so a loop calling it needs no ``try``
around that call. Any other call can raise, but for clock reads, logging and timers.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Iterator

from wslint.analysis.calls import call_target, is_logging_call
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.loops import is_timer
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.core.options import Settings

BROAD = frozenset({"Exception", "BaseException"})
# Clock reads that cannot fail: timing a tick (``started = time.monotonic()``) is not a risk.
NEVER_RAISE = frozenset(
    {
        "time.monotonic",
        "time.monotonic_ns",
        "time.time",
        "time.time_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.process_time",
        "time.process_time_ns",
    }
)
# Clock reads whatever their arguments (a time zone), and what is read off them.
CLOCK_CALLS = frozenset(
    {"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today"}
)
CLOCK_FORMATS = frozenset({"isoformat", "timestamp", "encode"})
TEXT_OF = frozenset({"str", "repr"})  # the text of a clock read: ``str(time.time_ns())``
# websockets' broadcast() reports a failing client through logging, and raises only if asked to.
QUIET_BROADCASTS = frozenset(
    {
        "websockets.broadcast",
        "websockets.asyncio.server.broadcast",
        "websockets.server.broadcast",
        "websockets.legacy.server.broadcast",
        "websockets.legacy.protocol.broadcast",
    }
)
# Builtins that copy or measure a collection: a helper's ``for ws in list(self.clients)``.
QUIET_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "dict", "len", "sorted", "isinstance", "id"})
# Keeping a registry of clients in a helper: ``self.clients.discard(ws)`` after a failed send.
QUIET_METHODS = frozenset({"discard", "add", "append", "clear", "copy", "items", "keys", "values"})
MAX_DEPTH = 3  # project calls followed into their bodies, as for broadcasting
TRY_NODES: tuple[type[ast.Try], ...] = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))

Skip = Callable[[ast.Call], bool]


def calls_outside_try(
    body: list[ast.stmt], module: ModuleInfo, settings: Settings, skip: Skip
) -> Iterator[ast.AST]:
    """The calls of ``body`` (and its ``raise`` statements) not guarded by a broad ``try`` of
    the body itself, in source order. Sleeps, timers and logging never count; ``skip`` says
    which other calls do not."""
    for statement in body:
        yield from _statement_calls(statement, module, settings, skip)


def _statement_calls(node: ast.AST, module: ModuleInfo, settings: Settings, skip: Skip) -> Iterator[ast.AST]:
    if isinstance(node, SCOPE_NODES):
        return
    if isinstance(node, TRY_NODES):
        if not catches_broadly(node):
            yield from calls_outside_try(node.body, module, settings, skip)
        # Handlers run only on the error path; else/finally are outside the handlers' reach.
        yield from calls_outside_try(node.orelse, module, settings, skip)
        yield from calls_outside_try(node.finalbody, module, settings, skip)
        return
    if isinstance(node, ast.Raise):
        yield node
    if isinstance(node, ast.Call):
        if _never_raises(node, module, settings):
            return  # nor its arguments: ``sleep(max(1.0, period - spent))``
        if not skip(node):
            yield node
    for child in ast.iter_child_nodes(node):
        yield from _statement_calls(child, module, settings, skip)


def _never_raises(call: ast.Call, module: ModuleInfo, settings: Settings) -> bool:
    if is_timer(call, module, settings) or is_logging_call(call):
        return True
    qualified = module.qualified(call.func)
    if qualified == "time.sleep":  # a (blocking) sleep paces the loop: WSL011's business
        return True
    if qualified in CLOCK_CALLS:
        return True
    if qualified in QUIET_BROADCASTS:
        return not any(k.arg == "raise_exceptions" for k in call.keywords)
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in CLOCK_FORMATS and isinstance(func.value, ast.Call):
        return not call.args and _never_raises(func.value, module, settings)  # now().isoformat()
    if isinstance(func, ast.Name) and func.id in TEXT_OF and len(call.args) == 1 and not call.keywords:
        argument = call.args[0]  # the text of anything: ``str(data)``, ``str(time.time_ns())``
        return not isinstance(argument, ast.Call) or _never_raises(argument, module, settings)
    return not call.args and not call.keywords and qualified in NEVER_RAISE


def catches_broadly(node: ast.Try) -> bool:
    """A handler for ``Exception`` or broader that does not simply re-raise."""
    return any(_is_broad(handler.type) and not _reraises(handler) for handler in node.handlers)


def _is_broad(kind: ast.expr | None) -> bool:
    if kind is None:
        return True
    if isinstance(kind, ast.Tuple):
        return any(_is_broad(item) for item in kind.elts)
    return final_name(kind) in BROAD


def _reraises(handler: ast.ExceptHandler) -> bool:
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


class RaiseCheck:
    """Whether a call can raise, looking into the project functions it resolves to."""

    _answers: weakref.WeakKeyDictionary[ProjectIndex, dict[str, bool]] = weakref.WeakKeyDictionary()

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        found = self._answers.get(index)
        if found is None:
            found = self._answers[index] = {}
        self._quiet = found  # function key -> whether nothing can come out of it

    def cannot_raise(
        self, call: ast.Call, function: FunctionInfo | None, module: ModuleInfo, depth: int = 0
    ) -> bool:
        """The call resolves to a project function whose every raising statement sits in a
        broad ``try`` of its own (``asyncio.gather`` of such calls, or with
        ``return_exceptions=True``, neither)."""
        if _gathers(call, module):
            if any(k.arg == "return_exceptions" and _is_true(k.value) for k in call.keywords):
                return True
            inner = list(_argument_calls(call))
            return bool(inner) and all(self.cannot_raise(node, function, module, depth) for node in inner)
        if depth >= MAX_DEPTH:
            return False
        resolved = self.index.resolve(call_target(call, function, module))
        if not isinstance(resolved, Resolved):
            return False
        return self._quiet_body(resolved.module, resolved.function, depth + 1)

    def _quiet_body(self, module: ModuleInfo, function: FunctionInfo, depth: int) -> bool:
        """Nothing can come out of the function, and it shows it: a broad ``try`` of its own,
        or calls known to be quiet (a guarded helper, a registry's ``discard``). A stub that
        merely holds no call proves nothing: it stands for code that may fail."""
        key = function.key
        if key not in self._quiet:
            self._quiet[key] = False  # recursion guard: a cycle may raise
            guarded: list[ast.Call] = []
            skip = self._lenient(function, module, depth, guarded)
            body = function.node.body
            quiet = next(calls_outside_try(body, module, self.index.settings, skip), None) is None
            self._quiet[key] = quiet and (bool(guarded) or _has_broad_try(function))
        return self._quiet[key]

    def _lenient(
        self, function: FunctionInfo, module: ModuleInfo, depth: int, guarded: list[ast.Call]
    ) -> Skip:
        def skip(call: ast.Call) -> bool:
            func = call.func
            quiet = (
                isinstance(func, ast.Name)
                and func.id in QUIET_BUILTINS
                and func.id not in function.local_names()
            ) or (isinstance(func, ast.Attribute) and func.attr in QUIET_METHODS)
            if quiet or self.cannot_raise(call, function, module, depth):
                guarded.append(call)
                return True
            return False

        return skip


def _has_broad_try(function: FunctionInfo) -> bool:
    return any(isinstance(node, TRY_NODES) and catches_broadly(node) for node in function.body_nodes())


def _gathers(call: ast.Call, module: ModuleInfo) -> bool:
    return module.qualified(call.func) in ("asyncio.gather", "asyncio.tasks.gather")


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _argument_calls(call: ast.Call) -> Iterator[ast.Call]:
    """The calls each awaitable argument is made by: ``f(x)`` and ``*(f(x) for x in xs)``."""
    for argument in call.args:
        value = argument.value if isinstance(argument, ast.Starred) else argument
        if isinstance(value, (ast.GeneratorExp, ast.ListComp)):
            value = value.elt
        if isinstance(value, ast.Call):
            yield value


def message_lookup(call: ast.Call, loop: ast.AST) -> bool:
    """``msg.get("type")`` on the message an event loop iterates over (``async for msg in
    ...``): a lookup in what arrived, which does not raise (an HTTP client's ``get`` takes a
    URL, and is called on a client, not on the loop's message)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Name)):
        return False
    if not isinstance(loop, (ast.For, ast.AsyncFor)) or not isinstance(loop.target, ast.Name):
        return False
    key = call.args[0] if call.args else None
    return (
        func.value.id == loop.target.id
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and not key.value.startswith(("/", "http"))
        and len(call.args) <= 2
    )
