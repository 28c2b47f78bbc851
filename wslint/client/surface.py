"""The server surface: what the client checks need to know of the Python project.

:class:`ServerSurface` is the whole interface between the client half and the Python
analysis. :func:`surface_from_index` is the one adapter that fills it in from the project
index (today's endpoint, broadcast-site and message-type analysis); pointing the client half
at another model of the message flow means rewriting that one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wslint.client.resolve import Pattern, matches

if TYPE_CHECKING:
    from wslint.analysis.index import ProjectIndex


@dataclass(frozen=True)
class Endpoint:
    """A WebSocket endpoint: its path (``{param}`` segments; None when it cannot be read),
    and where it is defined."""

    path: str | None
    file: str
    line: int


@dataclass(frozen=True)
class ServerSurface:
    """The Python side, as the client half sees it.

    ``sent_after_first``: every message type some sender sends after a connection's first
    message. ``unknown_reaches``: the endpoint paths a sender of unknown type could reach
    (``None`` in it: any endpoint). ``has_server_code``: the project holds Python server code
    at all (an endpoint, or a sender).
    """

    endpoints: tuple[Endpoint, ...] = ()
    sent_after_first: frozenset[str] = frozenset()
    unknown_reaches: frozenset[str | None] = frozenset()
    has_server_code: bool = False

    @property
    def paths_known(self) -> bool:
        """Whether the endpoints can be told: some exist, and every path can be read."""
        return bool(self.endpoints) and all(e.path is not None for e in self.endpoints)

    def serves(self, path: Pattern) -> bool:
        """Whether some endpoint (or one of unknown path) may serve a client path."""
        return any(e.path is None or matches(path, e.path) for e in self.endpoints)

    def unknown_could_reach(self, paths: Iterable[Pattern] | None) -> bool:
        """Whether a sender of unknown type could reach sockets opened on ``paths`` (None:
        sockets whose paths cannot be read, or opened elsewhere)."""
        if not self.unknown_reaches:
            return False
        if paths is None or None in self.unknown_reaches:
            return True
        return any(matches(path, reached) for path in paths for reached in self.unknown_reaches if reached)


# -- the adapter: today's analysis ------------------------------------------------------------
def surface_from_index(index: ProjectIndex) -> ServerSurface:
    """The surface of the project ``index`` reads: endpoints with their paths, the types its
    broadcast sites (and python-socketio emits) carry, and where unknown types may go."""
    from wslint.analysis.endpoints import analyse_endpoint
    from wslint.analysis.project_facts import project_facts
    from wslint.client.server_paths import served_paths

    facts = project_facts(index)
    sent = set(facts.types)
    unknown: set[str | None] = {None} if facts.unknown_site is not None else set()
    emitted, emit_unknown = _socketio_emits(index, facts.resolver)
    library, library_unknown = _reference_broadcasters(index, facts.resolver)
    emitted |= library
    emit_unknown = emit_unknown or library_unknown
    sent |= emitted
    if emit_unknown:
        unknown.add(None)
    endpoints = []
    for served in served_paths(index, facts.resolver):
        endpoints.append(Endpoint(served.path, served.file, served.line))
        pushes = True  # an endpoint wslint cannot analyse may push anything on its own
        if served.function is not None and served.module is not None:
            analysed = analyse_endpoint(served.function, served.module, facts.resolver)
            pushes = analysed is None or analysed.updates_itself
            replies = _reply_types(served.function, served.module, facts.resolver)
            if isinstance(replies, frozenset):
                sent |= replies
            else:
                pushes = True
        if pushes:
            unknown.add(served.path)
    has_server = bool(endpoints or facts.sites or emitted or emit_unknown)
    return ServerSurface(tuple(endpoints), frozenset(sent), frozenset(unknown), has_server)


def _socketio_emits(index: ProjectIndex, resolver) -> tuple[set[str], bool]:  # type: ignore[no-untyped-def]
    """python-socketio's ``sio.emit("x_update", data)``: the event name is the type."""
    from wslint.analysis.message_flow import Scope

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


def _reply_types(function, module, resolver):  # type: ignore[no-untyped-def]
    """The types an endpoint sends from its loops (replies to the client's messages, which the
    client receives after its first message too): a send on the socket, or a call whose name
    says it sends and that is handed the socket. UNKNOWN where one cannot be read."""
    import ast

    from wslint.analysis.endpoints import socket_parameter
    from wslint.analysis.message_flow import UNKNOWN, Scope, union
    from wslint.analysis.names import final_name
    from wslint.analysis.walk import local_nodes

    socket = socket_parameter(function)
    scope = Scope(module, function)
    loops = [n for n in local_nodes(function.node.body) if isinstance(n, (ast.While, ast.AsyncFor, ast.For))]
    found: frozenset[str] | object = frozenset()
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
        found = union(found, resolver.message_types(payloads[0], scope))  # type: ignore[arg-type]
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


def _reference_broadcasters(index: ProjectIndex, resolver) -> tuple[set[str], bool]:  # type: ignore[no-untyped-def]
    """``PollingBroadcaster(manager, fetch, message_type="x_update")`` and its siblings send
    their ``message_type`` on the project's behalf."""
    from wslint.analysis.message_flow import Scope

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


def surface_of_project(root, files, settings) -> ServerSurface:  # type: ignore[no-untyped-def]
    """The surface of the Python project at ``root`` (``files``: its Python files)."""
    from wslint.analysis.inference import forget_project
    from wslint.engine.runner import project_index

    forget_project(root)
    return surface_from_index(project_index(root, files, settings))
