"""What a call is: a broadcast, a fan-out, a sleep or timer, logging, a scheduling call.

And where a call goes: :func:`call_target` names the callee as precisely as the
module allows, for the project index to resolve.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wslint.analysis.module import FunctionInfo, ModuleInfo, local_nodes
from wslint.analysis.names import dotted_name, final_name, receiver_root
from wslint.analysis.walk import walk
from wslint.core.options import Settings
from wslint.core.vocabulary import SEND_METHODS

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}
)
LOGGER_NAMES = frozenset({"logger", "log", "logging", "_logger", "_log", "LOGGER", "LOG", "logs"})


Target = tuple[str, ...]
"""Where a call goes, for the index to resolve:

``("func", module, name)``, ``("method", class_key, name)``, ``("class", dotted)``,
``("attr", name)`` (receiver unknown), ``("dynamic",)`` (callee unknowable) or
``("external", dotted)`` (outside the project).
"""


@dataclass(frozen=True)
class Broadcast:
    """A broadcast site: a broadcast call, or a fan-out ``for`` loop over connections."""

    node: ast.AST
    payload: ast.AST | None


def is_broadcast_call(call: ast.Call, settings: Settings) -> bool:
    return final_name(call.func) in settings.broadcast_methods


_MESSAGE_NAMES = ("message", "msg", "data", "payload", "event")


def broadcast_payload(call: ast.Call) -> ast.AST | None:
    """The message argument: ``message=``, else the last positional that reads as a message
    (``broadcast({...}, room_id)``, ``broadcast(message, room_id)``), else the last positional
    (``group_send(group, msg)``)."""
    for keyword in call.keywords:
        if keyword.arg in _MESSAGE_NAMES:
            return keyword.value
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) > 1:
        for argument in reversed(positional):
            if _reads_as_message(argument):
                return argument
    return positional[-1] if positional else None


def _reads_as_message(node: ast.AST) -> bool:
    """A dict display, a ``dict(...)`` / ``json.dumps(...)`` call, or a name like ``message``."""
    if isinstance(node, ast.Dict):
        return True
    if isinstance(node, ast.Call):
        return final_name(node.func) in ("dict", "dumps", "dump_json")
    return isinstance(node, ast.Name) and node.id in _MESSAGE_NAMES


def fan_out_send(loop: ast.For | ast.AsyncFor) -> ast.Call | None:
    """The ``ws.send_*(...)`` call of a ``for ws in clients`` loop, if it is a fan-out."""
    targets = {node.id for node in walk(loop.target) if isinstance(node, ast.Name)}
    for node in local_nodes(loop.body):
        if isinstance(node, ast.Call) and _sends_on(node, targets):
            return node
    return None


def _sends_on(call: ast.Call, targets: set[str]) -> bool:
    """``ws.send_text(...)`` or, over an attribute chain, ``client.ws.send_text(...)`` with
    ``ws`` / ``client`` one of ``targets``."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in SEND_METHODS:
        return False
    return receiver_root(func.value) in targets


COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp)


def comprehension_fan_out(node: ast.AST) -> ast.Call | None:
    """``gather(*(ws.send_text(m) for ws in clients))`` and list/set comprehensions alike."""
    if not isinstance(node, COMPREHENSIONS):
        return None
    targets = {
        name.id
        for generator in node.generators
        for name in walk(generator.target)
        if isinstance(name, ast.Name)
    }
    # The send may be wrapped: ``[asyncio.create_task(ws.send(m)) for ws in clients]``,
    # ``(asyncio.wait_for(ws.send_text(m), 5) for ws in clients)``.
    for element in local_nodes([ast.Expr(node.elt)]):
        if isinstance(element, ast.Call) and _sends_on(element, targets):
            return element
    return None


def broadcasts_in(nodes: Iterable[ast.AST], settings: Settings) -> Iterator[Broadcast]:
    """Every broadcast site among ``nodes``."""
    for node in nodes:
        if isinstance(node, ast.Call):
            if is_broadcast_call(node, settings):
                yield Broadcast(node, broadcast_payload(node))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            send = fan_out_send(node)
            if send is not None:
                yield Broadcast(node, send.args[0] if send.args else None)
        elif isinstance(node, COMPREHENSIONS):
            send = comprehension_fan_out(node)
            if send is not None:
                yield Broadcast(node, send.args[0] if send.args else None)


def is_logging_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in ("print", "log")
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS:
        receiver = func.value
        name = final_name(receiver)
        if name is None and isinstance(receiver, ast.Call):  # logging.getLogger(__name__).info
            name = final_name(receiver.func)
        return name is not None and (name in LOGGER_NAMES or "log" in name.lower() or name == "getLogger")
    return False


def is_sleep_call(call: ast.Call, module: ModuleInfo, settings: Settings) -> bool:
    qualified = module.qualified(call.func)
    if qualified is None:
        return False
    return qualified in settings.sleep_functions


def is_wait_timer(call: ast.Call, module: ModuleInfo) -> bool:
    """``asyncio.wait_for(event.wait(), timeout=...)``: sleeps until stopped or timed out."""
    if module.qualified(call.func) not in ("asyncio.wait_for", "anyio.fail_after"):
        return False
    awaited = call.args[0] if call.args else None
    has_timeout = len(call.args) > 1 or any(k.arg == "timeout" for k in call.keywords)
    return (
        has_timeout
        and isinstance(awaited, ast.Call)
        and isinstance(awaited.func, ast.Attribute)
        and awaited.func.attr == "wait"
    )


def timer_interval(call: ast.Call, module: ModuleInfo) -> ast.AST | None:
    """The expression giving a timer's duration."""
    if is_wait_timer(call, module):
        for keyword in call.keywords:
            if keyword.arg == "timeout":
                return keyword.value
        return call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg in ("delay", "seconds", "secs"):
            return keyword.value
    return call.args[0] if call.args else None


def call_target(call: ast.Call, function: FunctionInfo | None, module: ModuleInfo) -> Target:
    """Where ``call`` goes, as far as this module can tell."""
    func = call.func
    if isinstance(func, ast.Name):
        return name_target(func.id, function, module)
    if isinstance(func, ast.Attribute):
        return attribute_target(func, function, module)
    return ("dynamic",)


def name_target(name: str, function: FunctionInfo | None, module: ModuleInfo) -> Target:
    scope = function
    while scope is not None:  # closures: a def nested in an enclosing function
        nested = module.functions.get(f"{scope.key.split('::', 1)[1]}.<locals>.{name}")
        if nested is not None:
            return ("func", module.name, nested.key.split("::", 1)[1])
        if _is_local(name, scope):
            return ("dynamic",)
        scope = scope.parent
    if name in module.top_level:
        key = module.top_level[name]
        kind = "class" if key.split("::", 1)[1] in module.classes else "func"
        return (kind, module.name, name) if kind == "func" else ("class", f"{module.name}.{name}")
    if name in module.aliases:
        dotted = module.aliases[name]
        head, _, last = dotted.rpartition(".")
        return ("func", head, last) if head else ("external", dotted)
    return ("external", name)


def _is_local(name: str, function: FunctionInfo) -> bool:
    return name in function.local_names()


def attribute_target(func: ast.Attribute, function: FunctionInfo | None, module: ModuleInfo) -> Target:
    receiver = func.value
    owner = _enclosing_class(function)
    if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls") and owner is not None:
        return ("method", owner.key, func.attr)
    if (
        isinstance(receiver, ast.Attribute)
        and isinstance(receiver.value, ast.Name)
        and receiver.value.id in ("self", "cls")
        and owner is not None
        and receiver.attr in owner.attribute_types
    ):
        return ("instance", owner.attribute_types[receiver.attr], func.attr)
    if isinstance(receiver, ast.Name) and (function is None or not _is_local_anywhere(receiver.id, function)):
        built_by = module.instance_type(receiver.id)
        if built_by is not None:  # ``notifier = Notifier()`` at the top of the module
            return ("instance", built_by, func.attr)
    dotted = dotted_name(receiver)
    if dotted is not None:
        head = dotted.split(".")[0]
        if head in module.aliases and (function is None or not _is_local(head, function)):
            return ("func", module.qualified(receiver) or dotted, func.attr)
        if head in module.classes and function is not None and not _is_local(head, function):
            return ("method", module.classes[head].key, func.attr)
    return ("attr", func.attr)


def _is_local_anywhere(name: str, function: FunctionInfo | None) -> bool:
    """``name`` is a parameter or local of the function or of a function around it."""
    while function is not None:
        if _is_local(name, function):
            return True
        function = function.parent
    return False


def _enclosing_class(function: FunctionInfo | None):  # type: ignore[no-untyped-def]
    while function is not None:
        if function.owner is not None:
            return function.owner
        function = function.parent
    return None
