"""The server surface: what the client checks need to know of the Python project.

:class:`ServerSurface` is the whole interface between the client half and the Python
analysis. :func:`surface_of_model` is the one adapter that fills it in, from the project's
message-flow model (:mod:`wslint.flow`, docs/flow.md): the endpoints' paths and the sockets
served elsewhere, the types sent after a connection's first message (replies included), and
where senders of unknown type reach.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wslint.client.resolve import Pattern, matches

if TYPE_CHECKING:
    from wslint.analysis.index import ProjectIndex
    from wslint.flow.model import FlowModel


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
    at all. ``paths_complete``: every socket the project serves is an endpoint whose path is
    known (no server whose routes are not read).
    """

    endpoints: tuple[Endpoint, ...] = ()
    sent_after_first: frozenset[str] = frozenset()
    unknown_reaches: frozenset[str | None] = frozenset()
    has_server_code: bool = False
    paths_complete: bool = False

    @property
    def paths_known(self) -> bool:
        """Whether the endpoints can be told: some exist, every path can be read, and no
        socket is served where the model lists no endpoint."""
        return (
            bool(self.endpoints) and self.paths_complete and all(e.path is not None for e in self.endpoints)
        )

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


# -- the adapter: the message-flow model -----------------------------------------------------
def surface_from_index(index: ProjectIndex) -> ServerSurface:
    """The surface of the project ``index`` reads (its model, built once per index)."""
    from wslint.flow.build import flow_model

    return surface_of_model(flow_model(index))


def surface_of_model(model: FlowModel) -> ServerSurface:
    """The endpoints with their paths (and the sockets served elsewhere), the types sent after
    a connection's first message, and the paths senders of unknown type reach: a sender that
    may reach sockets outside the listed endpoints reaches any (None)."""
    from wslint.flow.model import SELF

    if not model.has_server_code and not model.served_elsewhere:
        return ServerSurface()
    endpoints = [Endpoint(e.path, e.file, e.line) for e in model.endpoints]
    endpoints += [Endpoint(s.path, s.file, s.line) for s in model.served_elsewhere]
    sent = set(model.sent_types())
    unknown: set[str | None] = set()
    complete = model.paths_complete
    for endpoint in model.endpoints:
        if endpoint.replies is None:  # what it answers cannot be read: anything, to its clients
            unknown.add(endpoint.path)
        else:
            sent |= endpoint.replies
    for sender in model.unknown_senders():
        if sender.kind != SELF and not complete:
            unknown.add(None)
        unknown.update(endpoint.path for endpoint in model.endpoints_reached(sender))
    return ServerSurface(tuple(endpoints), frozenset(sent), frozenset(unknown), True, complete)
