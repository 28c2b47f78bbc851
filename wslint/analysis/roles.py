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
    return any(
        index.call_broadcasts(call_target(node, function, module))
        for node in loop.body_nodes
        if isinstance(node, ast.Call)
    )


def broadcaster_loops(function: FunctionInfo, module: ModuleInfo, index: ProjectIndex) -> list[Loop] | None:
    """The loops of a broadcaster, or None when ``function`` is not a broadcaster."""
    if not function.is_async or is_endpoint(function, module):
        return None
    loops = function_loops(function, module, index.settings)
    if matches_broadcaster_pattern(function, index.settings):
        return loops
    if any(loop_broadcasts(loop, module, function, index) for loop in loops):
        return loops
    return None
