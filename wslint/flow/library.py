"""Libraries that send on the project's behalf, read from their calls' arguments.

- ``wslint.reference``'s broadcasters: ``PollingBroadcaster(manager, fetch,
  message_type="status_update", interval=5)`` (and its Hybrid / Conditional kin),
  ``EventBroadcaster(manager, message_type="x_update")``: a sender of that type, and a
  broadcaster the project configures;
- python-socketio / Flask-SocketIO ``sio.emit("x_update", data)``: the event name is the type;
- a bus publish: ``redis.publish(channel, message)``, encode/broadcaster
  ``broadcast.publish(channel=..., message=...)``, ``execute_command("PUBLISH", ...)``;
- a bus subscription: ``pubsub.subscribe("chan")``, ``psubscribe("chan.*")``,
  ``broadcast.subscribe(channel="chan")``.

What cannot be read (a type or channel that is not a literal or constant) is unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wslint.analysis.constants import constant_number
from wslint.analysis.message_flow import UNKNOWN, Scope, TypeResolver
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import dotted_name, final_name
from wslint.flow.registry import REFERENCE_PACKAGE, instance_registry


@dataclass(frozen=True)
class ReferenceClass:
    """How one of the reference runtime's broadcasters is constructed."""

    kind: str  # its loop: polling or event
    type_position: int
    default_type: str
    interval_position: int | None = None
    default_interval: float | None = None


REFERENCE_BROADCASTERS = {
    "PollingBroadcaster": ReferenceClass("polling", 2, "state_update", 3, 5.0),
    "HybridBroadcaster": ReferenceClass("polling", 2, "state_update", 3, 10.0),
    "ConditionalBroadcaster": ReferenceClass("polling", 2, "state_update", 3, 5.0),
    "EventBroadcaster": ReferenceClass("event", 1, "event_update"),
}
# The callees' final names this module reads.
LIBRARY_CALLS = frozenset({*REFERENCE_BROADCASTERS, "emit", "publish", "execute_command"})
# Words a module must hold for this module to find anything in it.
LIBRARY_WORDS = (*REFERENCE_BROADCASTERS, "emit", "publish", "PUBLISH", "subscribe", "psubscribe")
SOCKETIO_MODULES = ("socketio", "flask_socketio")
BUS_MODULES = ("redis", "aioredis", "coredis", "broadcaster", "walrus", "valkey")
BUS_HINTS = ("redis", "pubsub", "bus", "broker", "broadcast")
SUBSCRIBE_METHODS = frozenset({"subscribe", "psubscribe"})


@dataclass(frozen=True)
class ReferenceUse:
    """A construction of a reference broadcaster."""

    name: str
    call: ast.Call
    shape: ReferenceClass
    types: frozenset[str] | None
    interval: float | None
    registry: str | None


def reference_construction(call: ast.Call, scope: Scope, resolver: TypeResolver) -> ReferenceUse | None:
    module = scope.module
    if module.name == REFERENCE_PACKAGE or module.name.startswith(REFERENCE_PACKAGE + "."):
        return None  # the runtime itself
    dotted = module.qualified(call.func) or ""
    name = dotted.rpartition(".")[2]
    shape = REFERENCE_BROADCASTERS.get(name)
    if shape is None or not dotted.startswith(REFERENCE_PACKAGE + "."):
        return None
    type_node = argument(call, shape.type_position, "message_type")
    if type_node is None:
        types: frozenset[str] | None = frozenset({shape.default_type}) if not _spread(call) else None
    else:
        found = resolver.type_values(type_node, scope)
        types = found if isinstance(found, frozenset) else None
    interval = shape.default_interval
    if shape.interval_position is not None:
        node = argument(call, shape.interval_position, "interval")
        if node is not None:
            interval = constant_number(node, module, resolver.index)
        elif _spread(call):
            interval = None
    manager = argument(call, 0, "manager")
    registry = instance_registry(manager, scope, resolver.index) if manager is not None else None
    return ReferenceUse(name, call, shape, types, interval, registry)


def socketio_emit(call: ast.Call, module: ModuleInfo) -> ast.AST | None | bool:
    """The event argument of a Socket.IO ``emit`` (False: not one; None: no event given)."""
    if final_name(call.func) != "emit" or not imports_any(module, SOCKETIO_MODULES):
        return False
    return argument(call, 0, "event")


def bus_publish(call: ast.Call, module: ModuleInfo) -> tuple[ast.AST | None, ast.AST | None] | None:
    """``(channel, message)`` of a publish to a message bus, or None when ``call`` is not one."""
    func = call.func
    name = final_name(func)
    if name == "execute_command" and call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and str(first.value).upper() == "PUBLISH":
            rest = call.args[1:]
            return (rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
        return None
    if name != "publish" or not _on_a_bus(func, module):
        return None
    return argument(call, 0, "channel"), argument(call, 1, "message")


def publishes(function: FunctionInfo, module: ModuleInfo) -> bool:
    """Whether ``function`` itself publishes to a message bus: its messages go out through a
    relay, or to another service."""
    for node in function.body_nodes():
        if isinstance(node, ast.Call) and final_name(node.func) in ("publish", "execute_command"):
            if bus_publish(node, module) is not None:
                return True
    return False


def subscriptions(call: ast.Call, module: ModuleInfo) -> list[ast.AST] | None:
    """The channel arguments of a bus subscription (None when ``call`` is not one)."""
    func = call.func
    if final_name(func) not in SUBSCRIBE_METHODS or not _on_a_bus(func, module):
        return None
    channels: list[ast.AST] = list(call.args)
    channels += [k.value for k in call.keywords if k.arg in ("channel", "channels", "pattern")]
    return channels


def _on_a_bus(func: ast.AST, module: ModuleInfo) -> bool:
    if not isinstance(func, ast.Attribute):
        return False
    if imports_any(module, BUS_MODULES):
        return True
    receiver = (dotted_name(func.value) or "").lower()
    return any(hint in receiver for hint in BUS_HINTS)


def imports_any(module: ModuleInfo, packages: tuple[str, ...]) -> bool:
    return any(value.split(".")[0] in packages for value in module.aliases.values())


def argument(call: ast.Call, position: int | None, keyword: str) -> ast.AST | None:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is None:
        return None
    positional = call.args
    for index, node in enumerate(positional[: position + 1]):
        if isinstance(node, ast.Starred):
            return None
        if index == position:
            return node
    return None


def _spread(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


def channel_names(nodes: list[ast.AST], scope: Scope, resolver: TypeResolver) -> tuple[str | None, ...]:
    """The channels named by ``nodes`` (None for each that cannot be read)."""
    found: list[str | None] = []
    for node in nodes:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            found.extend(channel_names(list(node.elts), scope, resolver))
            continue
        values = resolver.type_values(node, scope)
        if values is UNKNOWN or not isinstance(values, frozenset) or not values:
            found.append(None)
        else:
            found.extend(sorted(values))
    return tuple(found) or (None,)
