"""What the client half reads of the Python side that today's analysis does not say yet.

The senders python-socketio's ``emit`` and ``wslint.reference``'s broadcasters make, the
types an endpoint sends from its loops (replies), and the paths the project serves WebSockets
on, read from its production code:

FastAPI / Starlette / Quart: ``@x.websocket(path)`` / ``@x.websocket_route(path)``,
``x.add_websocket_route(path, f)``, ``x.add_api_websocket_route(path, f)``,
``WebSocketRoute(path, f)`` (inside ``Mount(prefix, routes=[...])`` too); the receiver's
prefixes resolved through ``APIRouter(prefix=...)``, ``include_router(r, prefix=...)``,
``mount(path, app)`` and ``register_blueprint(bp, url_prefix=...)``. Channels:
``path("ws/x/", Consumer.as_asgi())``. A path, prefix or router that cannot be read makes that
endpoint's path None (unknown); so does a server that accepts every path
(``websockets.serve``, a ``re_path``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from wslint.analysis.endpoints import ENDPOINT_DECORATORS, REGISTRARS, socket_parameter
from wslint.analysis.index import ProjectIndex
from wslint.analysis.message_flow import UNKNOWN, Scope, TypeResolver, Types, union
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import local_nodes, walk

APPS = frozenset({"FastAPI", "Starlette", "Quart", "Sanic", "Litestar"})
ROUTERS = frozenset({"APIRouter", "Router", "Blueprint"})
INCLUDES = frozenset({"include_router", "register_blueprint", "mount"})
SERVE_ANY_PATH = frozenset({"serve", "unix_serve", "re_path"})
WORDS = (*ENDPOINT_DECORATORS, *REGISTRARS, "serve", "unix_serve", "as_asgi", "re_path")
MAX_NESTING = 4


@dataclass(frozen=True)
class ServedPath:
    """An endpoint: its path (None: unknown), file and line, and its function where known."""

    path: str | None
    file: str
    line: int
    function: FunctionInfo | None = field(default=None, compare=False)
    module: ModuleInfo | None = field(default=None, compare=False)


@dataclass
class _Routing:
    """Which app or router each module-level name holds, and where each is included."""

    index: ProjectIndex
    kinds: dict[str, str] = field(default_factory=dict)  # dotted name -> "app" / "router"
    own: dict[str, str | None] = field(default_factory=dict)  # dotted name -> own prefix
    edges: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # child -> parents
    unresolved_include: bool = False


def served_paths(index: ProjectIndex, resolver: TypeResolver) -> list[ServedPath]:
    """Every WebSocket endpoint of the project's production code, with its path(s)."""
    modules = list(index.production_modules_mentioning_any(WORDS))
    routing = _routing(index, resolver)
    found: list[ServedPath] = []
    for module in modules:
        found.extend(_module_paths(module, resolver, routing))
    return found


def _module_paths(module: ModuleInfo, resolver: TypeResolver, routing: _Routing) -> Iterator[ServedPath]:
    file = str(module.path)
    for function in module.iter_functions():
        for decorator in function.node.decorator_list:
            if isinstance(decorator, ast.Call) and final_name(decorator.func) in ENDPOINT_DECORATORS:
                receiver = decorator.func.value if isinstance(decorator.func, ast.Attribute) else None
                local = _local_prefix(function.parent, receiver, module, resolver)
                path_node = _path_argument(decorator)
                paths = (
                    _joined(module, resolver, routing, receiver, path_node)
                    if local is None
                    else [
                        None if value is None or local is None else _join(local, value)
                        for value in _strings(module, resolver, path_node)
                    ]
                )
                for path in paths:
                    yield ServedPath(path, file, function.node.lineno, function, module)
    for call in (node for node in walk(module.tree) if isinstance(node, ast.Call)):
        name = final_name(call.func)
        if name in REGISTRARS:
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            prefix = _mount_prefix(module, call, resolver)
            paths = _joined(module, resolver, routing, receiver, _path_argument(call))
            for path in paths:
                joined = None if path is None or prefix is None else _join(prefix, path)
                yield ServedPath(joined, file, call.lineno)
        elif name in SERVE_ANY_PATH and _serves_sockets(module, call, name):
            yield ServedPath(None, file, call.lineno)
        elif name == "path" and _is_channels_route(call):
            values = resolver.type_values(call.args[0], Scope(module, None))
            for value in sorted(values) if isinstance(values, frozenset) else [None]:
                yield ServedPath(None if value is None else _join("/", value), file, call.lineno)


def _local_prefix(
    function: FunctionInfo | None, receiver: ast.AST | None, module: ModuleInfo, resolver: TypeResolver
) -> str | None:
    """The prefix of an app created in the function that decorates with it (a route factory's
    ``app = FastAPI()``): "" for an app, None when the receiver is not such a local."""
    if function is None or not isinstance(receiver, ast.Name):
        return None
    for node in function.body_nodes():
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and final_name(node.value.func) in APPS
            and any(isinstance(t, ast.Name) and t.id == receiver.id for t in node.targets)
        ):
            return ""
    return None


def _serves_sockets(module: ModuleInfo, call: ast.Call, name: str) -> bool:
    if name == "re_path":
        return any(isinstance(a, ast.Call) and final_name(a.func) == "as_asgi" for a in call.args[1:])
    return module.may_mention("websockets")


def _is_channels_route(call: ast.Call) -> bool:
    return (
        len(call.args) >= 2
        and isinstance(call.args[1], ast.Call)
        and final_name(call.args[1].func) == "as_asgi"
    )


def _path_argument(call: ast.Call) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == "path":
            return keyword.value
    return call.args[0] if call.args else None


def _strings(module: ModuleInfo, resolver: TypeResolver, node: ast.AST | None) -> list[str | None]:
    if node is None:
        return [None]
    values = resolver.type_values(node, Scope(module, None))
    return list(sorted(values)) if isinstance(values, frozenset) and values else [None]


def _joined(
    module: ModuleInfo,
    resolver: TypeResolver,
    routing: _Routing,
    receiver: ast.AST | None,
    path: ast.AST | None,
) -> list[str | None]:
    own = _strings(module, resolver, path)
    key = _dotted(module, receiver, routing.index) if receiver is not None else None
    prefixes = _prefixes(routing, key, 0) if receiver is not None else {""}
    return sorted(
        {None if p is None or o is None else _join(p, o) for p in prefixes for o in own},
        key=lambda value: (value is None, value or ""),
    )


def _prefixes(routing: _Routing, key: str | None, depth: int) -> set[str | None]:
    """The prefixes an app or router is served under (None: one cannot be read)."""
    if key is None or key not in routing.kinds or depth > MAX_NESTING:
        return {None}
    own = routing.own.get(key)
    if own is None:
        return {None}
    parents = routing.edges.get(key, [])
    if not parents:
        if routing.kinds[key] == "app":
            return {own}
        return {None}  # a router included nowhere wslint can see
    found: set[str | None] = {None} if routing.unresolved_include else set()
    for parent, prefix in parents:
        for outer in _prefixes(routing, parent, depth + 1):
            found.add(None if outer is None or prefix is None else _join(_join(outer, prefix), own))
    return found


def _routing(index: ProjectIndex, resolver: TypeResolver) -> _Routing:
    routing = _Routing(index)
    for module in index.production_modules_mentioning_any((*APPS, *ROUTERS, *INCLUDES)):
        for statement in module.tree.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
                _creation(module, resolver, routing, statement)
        for call in (node for node in walk(module.tree) if isinstance(node, ast.Call)):
            if final_name(call.func) in INCLUDES and isinstance(call.func, ast.Attribute):
                _include(module, resolver, routing, call)
    return routing


def _creation(module: ModuleInfo, resolver: TypeResolver, routing: _Routing, statement: ast.Assign) -> None:
    call = statement.value
    assert isinstance(call, ast.Call)
    kind = final_name(call.func)
    if kind not in APPS and kind not in ROUTERS:
        return
    prefix: str | None = ""
    for keyword in call.keywords:
        if keyword.arg in ("prefix", "url_prefix", "root_path"):
            values = _strings(module, resolver, keyword.value)
            prefix = values[0] if len(values) == 1 else None
    for target in statement.targets:
        if isinstance(target, ast.Name):
            key = f"{module.name}.{target.id}"
            routing.kinds[key] = "app" if kind in APPS else "router"
            routing.own[key] = prefix


def _include(module: ModuleInfo, resolver: TypeResolver, routing: _Routing, call: ast.Call) -> None:
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    if method == "mount":
        child = call.args[1] if len(call.args) > 1 else _keyword(call, "app")
        prefix_node = _path_argument(call)
    else:
        child = call.args[0] if call.args else _keyword(call, "router")
        prefix_node = _keyword(call, "prefix" if method == "include_router" else "url_prefix")
    parent = _dotted(module, call.func.value, routing.index)
    child_key = _dotted(module, child, routing.index) if child is not None else None
    if child_key is None or parent is None:
        routing.unresolved_include = method != "mount"  # a mounted static app serves no socket
        return
    values = _strings(module, resolver, prefix_node) if prefix_node is not None else [""]
    for value in values:
        routing.edges.setdefault(child_key, []).append((parent, value))


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _dotted(module: ModuleInfo, node: ast.AST | None, index: ProjectIndex) -> str | None:
    """The dotted name of an app or router, its module named as the index names it (an import
    spelt from a source folder, ``routers.ws`` for ``src/routers/ws.py``, finds the module)."""
    if isinstance(node, ast.Name) and _assigned_at_top(module, node.id):
        return f"{module.name}.{node.id}"
    dotted = module.qualified(node) if node is not None else None
    if dotted is None or "." not in dotted:
        return dotted
    head, _, last = dotted.rpartition(".")
    other = index.module(head) if index.is_project_module(head) else None
    return f"{other.name}.{last}" if other is not None else dotted


def _assigned_at_top(module: ModuleInfo, name: str) -> bool:
    return any(
        isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
        for s in module.tree.body
    )


def _mount_prefix(module: ModuleInfo, call: ast.Call, resolver: TypeResolver) -> str | None:
    """The prefixes of the ``Mount(...)`` calls a ``WebSocketRoute`` sits in ("" for none);
    None where one cannot be read, or the route list it sits in is handed on by name."""
    prefix = ""
    node: ast.AST | None = call
    for _ in range(MAX_NESTING * 4):
        node = module.parent_of(node) if node is not None else None
        if node is None:
            break
        if isinstance(node, ast.Call) and final_name(node.func) == "Mount":
            values = _strings(module, resolver, _path_argument(node))
            if len(values) != 1 or values[0] is None:
                return None
            prefix = _join(values[0], prefix) if prefix else values[0]
        elif isinstance(node, ast.Assign) and not prefix:
            if any(_handed_to_mount(module, t) for t in node.targets):
                return None
    return prefix


def _handed_to_mount(module: ModuleInfo, target: ast.AST) -> bool:
    if not isinstance(target, ast.Name):
        return False
    for call in module.calls_named("Mount"):
        if any(isinstance(n, ast.Name) and n.id == target.id for n in walk(call)):
            return True
    return False


def _join(prefix: str, path: str) -> str:
    """``/api`` + ``ws/x`` -> ``/api/ws/x`` (trailing slashes do not matter to the match)."""
    return "/" + "/".join(part for part in (prefix.strip("/"), path.strip("/")) if part)


# -- senders ------------------------------------------------------------------------------
def socketio_emits(index: ProjectIndex, resolver: TypeResolver) -> tuple[set[str], bool]:
    """python-socketio's ``sio.emit("x_update", data)``: the event name is the type."""
    found: set[str] = set()
    unknown = False
    for module in index.production_modules_mentioning("socketio"):
        scopes = module.scope_map()
        for call in module.calls_named("emit"):
            event = (
                call.args[0]
                if call.args
                else next((k.value for k in call.keywords if k.arg == "event"), None)
            )
            types = resolver.type_values(event, Scope(module, scopes.get(id(call)))) if event else None
            if isinstance(types, frozenset):
                found |= types
            else:
                unknown = True
    return found, unknown


def reply_types(function: FunctionInfo, module: ModuleInfo, resolver: TypeResolver) -> Types:
    """The types an endpoint sends from its loops (replies to the client's messages, which the
    client receives after its first message too): a send on the socket, or a call whose name
    says it sends and that is handed the socket. UNKNOWN where one cannot be read."""
    socket = socket_parameter(function)
    scope = Scope(module, function)
    loops = [n for n in local_nodes(function.node.body) if isinstance(n, (ast.While, ast.AsyncFor, ast.For))]
    found: Types = frozenset()
    for node in local_nodes(loops):
        if not isinstance(node, ast.Call) or "send" not in (final_name(node.func) or "").lower():
            continue
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id == socket:
            payloads = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("data", "text"))]
        elif any(isinstance(a, ast.Name) and a.id == socket for a in node.args):
            payloads = [a for a in node.args if not (isinstance(a, ast.Name) and a.id == socket)]
        else:
            continue
        if len(payloads) != 1:
            return UNKNOWN
        found = union(found, resolver.message_types(payloads[0], scope))
        if found is UNKNOWN:
            return UNKNOWN
    return found


# wslint.reference's broadcasters: the position of ``message_type`` and its default.
REFERENCE_BROADCASTERS = {
    "PollingBroadcaster": (2, "state_update"),
    "HybridBroadcaster": (2, "state_update"),
    "ConditionalBroadcaster": (2, "state_update"),
    "EventBroadcaster": (1, "event_update"),
}


def reference_senders(index: ProjectIndex, resolver: TypeResolver) -> tuple[set[str], bool]:
    """``PollingBroadcaster(manager, fetch, message_type="x_update")`` and its siblings send
    their ``message_type`` on the project's behalf."""
    found: set[str] = set()
    unknown = False
    for module in index.production_modules_mentioning_any(REFERENCE_BROADCASTERS):
        scopes = module.scope_map()
        for name, (position, default) in REFERENCE_BROADCASTERS.items():
            for call in module.calls_named(name):
                given = next((k.value for k in call.keywords if k.arg == "message_type"), None)
                if given is None and len(call.args) > position:
                    given = call.args[position]
                if given is None:
                    found.add(default)
                    continue
                types = resolver.type_values(given, Scope(module, scopes.get(id(call))))
                if isinstance(types, frozenset):
                    found |= types
                else:
                    unknown = True
    return found, unknown
