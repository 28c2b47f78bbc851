"""The server surface: what the client checks need to know of the Python project.

:class:`ServerSurface` is the whole interface between the client half and the Python
analysis. :func:`surface_from_index` is the one adapter that fills it in from the project
index: today's broadcast sites and endpoint analysis, plus what :mod:`wslint.client.python_side`
reads that they do not say yet (endpoint paths, python-socketio and ``wslint.reference``
senders, replies). Pointing the client half at another model of the message flow means
rewriting that one function.
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
    from wslint.client.python_side import reference_senders, reply_types, served_paths, socketio_emits

    facts = project_facts(index)
    sent = set(facts.types)
    unknown: set[str | None] = {None} if facts.unknown_site is not None else set()
    emitted, emit_unknown = socketio_emits(index, facts.resolver)
    library, library_unknown = reference_senders(index, facts.resolver)
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
            replies = reply_types(served.function, served.module, facts.resolver)
            if isinstance(replies, frozenset):
                sent |= replies
            else:
                pushes = True
        if pushes:
            unknown.add(served.path)
    has_server = bool(endpoints or facts.sites or emitted or emit_unknown)
    return ServerSurface(tuple(endpoints), frozenset(sent), frozenset(unknown), has_server)

