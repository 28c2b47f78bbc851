"""Broadcasters versus WebSocket endpoints.

A broadcaster is a background task that pushes updates; an endpoint serves one
connection. Only broadcasters are the loop rules' business.
"""

from __future__ import annotations

import ast
import fnmatch

from wslint.analysis.calls import broadcasts_in, call_target
from wslint.analysis.index import ProjectIndex
from wslint.analysis.loops import Loop, function_loops
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.core.options import Settings

ENDPOINT_DECORATORS = frozenset({"websocket", "websocket_route", "ws", "ws_route"})
SOCKET_ANNOTATIONS = frozenset(
    {
        "WebSocket",
        "WebSocketServerProtocol",
        "WebSocketCommonProtocol",
        "ServerConnection",
        "ServerProtocol",
        "WebSocketResponse",
    }
)
ROUTE_REGISTRARS = frozenset(
    {"add_websocket_route", "add_api_websocket_route", "WebSocketRoute", "serve", "unix_serve"}
)
CONNECTION_BASES = ("WebsocketConsumer", "WebSocketEndpoint", "WebSocketHandler", "Namespace")
# ``@app.get("/x")``, ``@router.post(...)``, ``@bp.route(...)``: a request's handler.
ROUTE_DECORATORS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "view"}
)
ASGI_PARAMETERS = frozenset({"scope", "receive", "send"})


def matches_broadcaster_pattern(function: FunctionInfo, settings: Settings) -> bool:
    if function.name in settings.broadcast_methods:
        return False  # the methods that implement broadcasting are not broadcasters
    return any(fnmatch.fnmatchcase(function.name, pattern) for pattern in settings.broadcaster_patterns)


def is_endpoint(function: FunctionInfo, module: ModuleInfo) -> bool:
    """A WebSocket endpoint or connection handler: decorated, registered or typed as one."""
    node = function.node
    for decorator in node.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if final_name(callee) in ENDPOINT_DECORATORS:
            return True
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    for argument in arguments:
        if argument.annotation is not None and annotation_names(argument.annotation) & SOCKET_ANNOTATIONS:
            return True
    owner = function.owner
    if owner is not None and any(base.split(".")[-1].endswith(CONNECTION_BASES) for base in owner.bases):
        return True
    return function.name in _registered_handlers(module)


def is_framework_called(function: FunctionInfo) -> bool:
    """A function the framework calls, not a background task: a special method (``__call__``,
    ``__aenter__``), an ASGI application (``scope, receive, send``: its ``receive()`` loop is
    the lifespan or connection protocol) or a route handler (``@app.get(...)``)."""
    name = function.name
    if len(name) > 4 and name.startswith("__") and name.endswith("__"):
        return True
    node = function.node
    parameters = {argument.arg for argument in [*node.args.posonlyargs, *node.args.args]}
    if ASGI_PARAMETERS <= parameters:
        return True
    for decorator in node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_DECORATORS
        ):
            return True
    return False


# A connection handed to a helper: ``play(websocket, game)``, ``relay(ws, room)``.
SOCKET_PARAMETERS = frozenset({"websocket", "ws", "socket", "sock", "connection", "conn"})
RECEIVE_CALLS = frozenset({"receive", "receive_text", "receive_json", "receive_bytes", "receive_str", "recv"})


def is_connection_handler(function: FunctionInfo) -> bool:
    """A function that serves one connection by receiving from it: it iterates, or awaits a
    receive on, a socket it was handed (a parameter named like one) or built
    (``ws = web.WebSocketResponse()``). Its loop is that connection's receive loop."""
    sockets = _socket_names(function)
    if not sockets:
        return False
    for node in function.body_nodes():
        if isinstance(node, ast.AsyncFor) and isinstance(node.iter, ast.Name) and node.iter.id in sockets:
            return True
        if (
            isinstance(node, ast.Await)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in RECEIVE_CALLS
            and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id in sockets
        ):
            return True
    return False


def _socket_names(function: FunctionInfo) -> set[str]:
    arguments = function.node.args
    names = {a.arg for a in [*arguments.posonlyargs, *arguments.args] if a.arg in SOCKET_PARAMETERS}
    for node in function.body_nodes():
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if final_name(node.value.func) in SOCKET_ANNOTATIONS:  # ws = web.WebSocketResponse()
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def annotation_names(annotation: ast.AST) -> set[str]:
    """The names an annotation mentions: ``WebSocket`` for ``Optional[\"starlette.WebSocket\"]``."""
    names = set()
    for node in walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value.split(".")[-1])
    return names


def _registered_handlers(module: ModuleInfo) -> set[str]:
    cached = getattr(module, "_registered_handlers", None)
    if cached is None:
        cached = set()
        for registrar in sorted(r for r in ROUTE_REGISTRARS if module.may_call(r)):
            for node in module.calls_named(registrar):
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    name = final_name(argument)
                    if name:
                        cached.add(name)
        module._registered_handlers = cached  # type: ignore[attr-defined]
    return cached


def loop_broadcasts(loop: Loop, module: ModuleInfo, function: FunctionInfo, index: ProjectIndex) -> bool:
    """Whether the loop's body broadcasts, directly or through a resolved call."""
    if any(True for _ in broadcasts_in(loop.body_nodes, index.settings)):
        return True
    if any(
        index.call_broadcasts(call_target(node, function, module))
        for node in loop.body_nodes
        if isinstance(node, ast.Call)
    ):
        return True
    return index.fans_out_through_helper(module, function, loop.body_nodes)


def broadcaster_loops(function: FunctionInfo, module: ModuleInfo, index: ProjectIndex) -> list[Loop] | None:
    """The loops of a broadcaster, or None when ``function`` is not a broadcaster."""
    if not function.is_async or is_endpoint(function, module) or is_framework_called(function):
        return None
    if is_connection_handler(function):
        return None
    loops = function_loops(function, module, index.settings)
    if matches_broadcaster_pattern(function, index.settings):
        return loops
    if any(loop_broadcasts(loop, module, function, index) for loop in loops):
        return loops
    return None
