"""WebSocket endpoints: which functions are endpoints, what they send first, whether they push.

An endpoint is an ``async def`` decorated ``@x.websocket(path)`` / ``@x.websocket_route(path)``,
or handed to ``add_websocket_route``, ``add_api_websocket_route`` or ``WebSocketRoute`` anywhere
in the production code (nested in a route factory too). Its *initial sends* are what it sends
before its first ``while`` / ``async for`` loop, directly or through a helper it calls with the
socket; sends inside the receive loop are replies. An endpoint *updates itself* (and is none of
WSL006's business) when it pushes on its own: a loop that sends without receiving, a receive
loop with a timer, a nested function or spawned task that sends, or the socket handed to
something wslint cannot follow (a constructor, a scheduler, an unknown ``run``/``listen``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import cast

from wslint.analysis.calls import call_target
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.message_flow import (
    UNKNOWN,
    Scope,
    TypeResolver,
    Types,
    positional_parameters,
)
from wslint.analysis.module import SCOPE_NODES, FunctionInfo, ModuleInfo, local_nodes
from wslint.analysis.names import final_name
from wslint.analysis.roles import SOCKET_ANNOTATIONS, annotation_names
from wslint.analysis.walk import walk
from wslint.core.vocabulary import SEND_METHODS

ENDPOINT_DECORATORS = frozenset({"websocket", "websocket_route"})
REGISTRARS = frozenset({"add_websocket_route", "add_api_websocket_route", "WebSocketRoute"})
RECEIVE_METHODS = frozenset(
    {
        "receive",
        "receive_text",
        "receive_json",
        "receive_bytes",
        "recv",
        "iter_text",
        "iter_json",
        "iter_bytes",
    }
)
SENDS = SEND_METHODS | {"send"}
SOCKET_NAMES = ("websocket", "ws", "socket", "websock", "conn", "connection")
SPAWNERS = frozenset(
    {
        "create_task",
        "ensure_future",
        "gather",
        "start_soon",
        "add_task",
        "spawn",
        "wait",
        "run_until_first_complete",
        "TaskGroup",
        "start",
        "run_coroutine_threadsafe",
        "shield",
    }
)
TIMERS = frozenset({"sleep", "wait_for", "timeout", "fail_after", "move_on_after"})
# An unresolved call that receives the socket and whose name says it only files it away or sends once.
NEUTRAL_WORDS = frozenset(
    {
        "connect",
        "disconnect",
        "accept",
        "add",
        "append",
        "remove",
        "discard",
        "register",
        "unregister",
        "subscribe",
        "unsubscribe",
        "join",
        "leave",
        "close",
        "send",
        "log",
        "info",
        "debug",
        "warning",
        "warn",
        "error",
        "exception",
        "print",
        "track",
        "untrack",
        "store",
        "save",
        "attach",
        "detach",
        "insert",
        "put",
        "pop",
        "set",
        "personal",
    }
)
MAX_HELPER_DEPTH = 3


@dataclass
class EndpointFacts:
    """What an endpoint sends before its receive loop, and whether it pushes on its own."""

    function: FunctionInfo
    initial: list[Types] = field(default_factory=list)
    updates_itself: bool = False


# -- which functions are endpoints ----------------------------------------------------------
def is_decorated_endpoint(function: FunctionInfo) -> bool:
    for decorator in function.node.decorator_list:
        if isinstance(decorator, ast.Call) and final_name(decorator.func) in ENDPOINT_DECORATORS:
            return True
    return False


def registered_endpoints(index: ProjectIndex) -> set[str]:
    """Keys of the functions the production code registers as WebSocket routes."""
    keys: set[str] = set()
    for module in index.production_modules_mentioning_any(REGISTRARS):
        scopes = module.scope_map()
        for node in walk(module.tree):
            if isinstance(node, ast.Call) and final_name(node.func) in REGISTRARS:
                handler = _handler_argument(node)
                if handler is None:
                    continue
                fake = ast.Call(func=cast(ast.expr, handler), args=[], keywords=[])
                resolved = index.resolve(call_target(fake, scopes.get(id(node)), module))
                if isinstance(resolved, Resolved):
                    keys.add(resolved.function.key)
    return keys


def _handler_argument(call: ast.Call) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg in ("endpoint", "route"):
            return keyword.value
    return call.args[1] if len(call.args) > 1 else None


def may_be_registered(function: FunctionInfo) -> bool:
    """Cheap syntax check: an undecorated coroutine that sends on (or hands on) its socket."""
    socket = socket_parameter(function)
    if socket is None or not function.is_async:
        return False
    for node in function.body_nodes():
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == socket
            ):
                if func.attr in SENDS:
                    return True
            elif any(isinstance(a, ast.Name) and a.id == socket for a in node.args):
                return True
    return False


def socket_parameter(function: FunctionInfo) -> str | None:
    """The parameter holding the connection (Quart's global ``websocket`` when there is none)."""
    arguments = function.node.args
    every = [
        a
        for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        if a.arg not in ("self", "cls")
    ]
    for argument in every:
        if argument.annotation is not None and annotation_names(argument.annotation) & SOCKET_ANNOTATIONS:
            return argument.arg
    for argument in every:
        if argument.arg in SOCKET_NAMES:
            return argument.arg
    if len(every) == 1:
        return every[0].arg
    return "websocket" if not every else None


# -- what an endpoint sends -----------------------------------------------------------------
def analyse_endpoint(
    function: FunctionInfo, module: ModuleInfo, resolver: TypeResolver
) -> EndpointFacts | None:
    socket = socket_parameter(function)
    if socket is None:
        return None
    facts = EndpointFacts(function)
    walker = _Walker(facts, {socket}, Scope(module, function), resolver, 0)
    walker.block(function.node.body)
    walker.nested_functions()
    return facts


class _Walker:
    """Walks a body in statement order: initial until the first loop, then replies or pushes."""

    def __init__(
        self, facts: EndpointFacts, sockets: set[str], scope: Scope, resolver: TypeResolver, depth: int
    ):
        self.facts = facts
        self.sockets = sockets
        self.scope = scope
        self.resolver = resolver
        self.depth = depth
        self.initial_phase = True
        self.saw_loop = False

    # statements ---------------------------------------------------------------------------
    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.While, ast.AsyncFor)):
            self.loop(node)
            self.initial_phase = False
            self.saw_loop = True
        elif isinstance(node, SCOPE_NODES):
            return  # nested functions: see nested_functions()
        elif isinstance(node, ast.For):  # a finite loop over data: still the initial state
            self.expressions([node.iter])
            self.block(node.body)
            self.block(node.orelse)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)) or type(node).__name__ in (
            "TryStar",
            "Match",
        ):
            self.compound(node)
        else:
            self.expressions([node])

    def compound(self, node: ast.stmt) -> None:
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.block(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.ExceptHandler):
                        self.block(item.body)
                    elif isinstance(item, ast.withitem):
                        self.expressions([item.context_expr])
                    elif type(item).__name__ == "match_case":
                        self.block(item.body)
            elif isinstance(value, ast.expr):
                self.expressions([value])

    def loop(self, node: ast.While | ast.AsyncFor) -> None:
        nodes = list(local_nodes([node]))
        receives = any(self._is_receive(n) for n in nodes)
        if receives:
            if any(isinstance(n, ast.Call) and final_name(n.func) in TIMERS for n in nodes):
                self.facts.updates_itself = True  # receive with a timeout: may push between messages
            saved, self.initial_phase = self.initial_phase, False
            self.expressions(nodes, already_flat=True)
            self.initial_phase = saved
            return
        if any(self._sends_or_hands_over(n) for n in nodes):
            self.facts.updates_itself = True  # a loop that pushes without receiving

    def _is_receive(self, node: ast.AST) -> bool:
        if isinstance(node, ast.AsyncFor):
            iterated = node.iter.func if isinstance(node.iter, ast.Call) else node.iter
            root = iterated.value if isinstance(iterated, ast.Attribute) else iterated
            return isinstance(root, ast.Name) and root.id in self.sockets
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RECEIVE_METHODS
            and self._is_socket(node.func.value)
        )

    def _sends_or_hands_over(self, node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in SENDS
            and self._is_socket(node.func.value)
        ):
            return True
        return self._passes_socket(node)

    # calls --------------------------------------------------------------------------------
    def expressions(self, nodes: list[ast.AST], already_flat: bool = False) -> None:
        flat = nodes if already_flat else list(local_nodes(nodes))
        spawned = {
            id(inner)
            for call in flat
            if isinstance(call, ast.Call) and final_name(call.func) in SPAWNERS
            for inner in walk(call)
            if inner is not call
        }
        for node in flat:
            if isinstance(node, ast.Call):
                self.call(node, id(node) in spawned)

    def call(self, node: ast.Call, spawned: bool) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SENDS and self._is_socket(func.value):
            if self.initial_phase and not spawned:
                self.facts.initial.append(self._send_types(node))
            elif spawned:
                self.facts.updates_itself = True
            return
        if not self._passes_socket(node):
            return
        helper = self.resolver.resolve_call(node, self.scope) or self._resolve_instance_call(node)
        if helper is not None:
            self.helper(node, helper, spawned)
        elif spawned or _is_constructor(func) or not _is_neutral(final_name(func) or ""):
            self.facts.updates_itself = True  # the socket goes where wslint cannot follow
        elif self.initial_phase and "send" in (final_name(func) or "").lower():
            self._unresolved_send(node)

    def helper(self, call: ast.Call, helper: Resolved, spawned: bool) -> None:
        if self.depth >= MAX_HELPER_DEPTH:
            self.facts.updates_itself = True
            return
        sockets = self._socket_parameters(call, helper.function)
        inner_facts = EndpointFacts(helper.function)
        scope = Scope(helper.module, helper.function, _bindings(call, helper.function, self.scope))
        walker = _Walker(inner_facts, sockets, scope, self.resolver, self.depth + 1)
        walker.initial_phase = self.initial_phase and not spawned
        walker.block(helper.function.node.body)
        walker.nested_functions()
        if inner_facts.updates_itself or (spawned and inner_facts.initial):
            self.facts.updates_itself = True
        if self.initial_phase and not spawned:
            self.facts.initial.extend(inner_facts.initial)
        if walker.saw_loop:
            self.initial_phase = False
            self.saw_loop = True

    def _unresolved_send(self, call: ast.Call) -> None:
        """``manager.send_personal(ws, {...})`` that wslint cannot resolve: the message argument."""
        messages = [a for a in [*call.args, *(k.value for k in call.keywords)] if not self._is_socket(a)]
        if len(messages) == 1:
            self.facts.initial.append(self.resolver.message_types(messages[0], self.scope))
        else:
            self.facts.initial.append(UNKNOWN)

    def _send_types(self, call: ast.Call) -> Types:
        payload = call.args[0] if call.args else None
        for keyword in call.keywords:
            if keyword.arg in ("data", "text", "message", "bytes"):
                payload = keyword.value
        if isinstance(payload, ast.Dict) and final_name(call.func) == "send":
            return UNKNOWN  # an ASGI message ({"type": "websocket.send", ...}), not an application one
        return self.resolver.message_types(payload, self.scope)

    def nested_functions(self) -> None:
        """A nested function that sends on the socket runs when wslint cannot tell: it may push."""
        for nested in self.scope.module.iter_functions():
            if nested.parent is self.scope.function and any(
                self._sends_or_hands_over(n) for n in nested.body_nodes()
            ):
                self.facts.updates_itself = True

    # the socket ---------------------------------------------------------------------------
    def _is_socket(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in self.sockets

    def _passes_socket(self, call: ast.Call) -> bool:
        arguments = [*call.args, *(k.value for k in call.keywords)]
        return any(self._is_socket(a.value if isinstance(a, ast.Starred) else a) for a in arguments) or (
            isinstance(call.func, ast.Attribute)
            and self._is_socket(call.func.value)
            and call.func.attr not in SENDS | RECEIVE_METHODS | {"accept", "close"}
        )

    def _socket_parameters(self, call: ast.Call, function: FunctionInfo) -> set[str]:
        names = set()
        positional = positional_parameters(function)
        for position, argument in enumerate(call.args):
            if self._is_socket(argument) and position < len(positional):
                names.add(positional[position].arg)
        for keyword in call.keywords:
            if keyword.arg and self._is_socket(keyword.value):
                names.add(keyword.arg)
        return names

    def _resolve_instance_call(self, call: ast.Call) -> Resolved | None:
        """``manager.send_personal(ws, …)`` where ``manager`` is a module-level ``Manager()``."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        dotted = _instance_class(func.value.id, self.scope, self.resolver.index)
        if dotted is None:
            return None
        resolved = self.resolver.index.resolve(("instance", dotted, func.attr))
        return resolved if isinstance(resolved, Resolved) else None


def _instance_class(name: str, scope: Scope, index: ProjectIndex) -> str | None:
    module = scope.module
    function = scope.function
    if function is not None:  # a parameter annotated with the class (FastAPI Depends)
        arguments = function.node.args
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if argument.arg == name:
                return module.qualified(argument.annotation) if argument.annotation is not None else None
    value = _single_module_value(module, name)
    if value is None and name in module.aliases:
        head, _, last = module.aliases[name].rpartition(".")
        other = index.module(head) if head and index.is_project_module(head) else None
        if other is not None:
            module, value = other, _single_module_value(other, last)
    if isinstance(value, ast.Call):
        return module.qualified(value.func)
    return None


def _single_module_value(module: ModuleInfo, name: str) -> ast.AST | None:
    values = [
        s.value
        for s in module.tree.body
        if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
    ]
    return values[0] if len(values) == 1 else None


def _bindings(call: ast.Call, function: FunctionInfo, scope: Scope) -> tuple[tuple[str, ast.AST, Scope], ...]:
    bound = []
    positional = positional_parameters(function)
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            break
        if position < len(positional):
            bound.append((positional[position].arg, argument, scope))
    for keyword in call.keywords:
        if keyword.arg:
            bound.append((keyword.arg, keyword.value, scope))
    return tuple(bound)


def _is_neutral(name: str) -> bool:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_")
    return any(word in NEUTRAL_WORDS for word in words)


def _is_constructor(func: ast.AST) -> bool:
    name = final_name(func) or ""
    return name[:1].isupper()
