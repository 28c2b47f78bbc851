"""Client files read and resolved: the sockets each opens (paths) and the types it waits for.

:func:`client_views` is what ``wslint map`` lists under each endpoint (the driver walks the
project for them: :func:`wslint.driver.client_stage.project_clients`); the rules check the
same :class:`ClientView` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wslint.client.files import looks_minified
from wslint.client.reading import ClientFacts, Place
from wslint.client.resolve import ClientProject, Pattern, external_host, matches, shown, url_path

# A file can open a socket or handle a message only if its bytes say one of these: most
# client files (components, styles, utilities) are ruled out by this one search.
WEBSOCKET_KINDS = frozenset({"websocket", "hook"})  # what opens a WebSocket for sure
SOCKET_WORDS = re.compile(rb"ocket|onmessage|onMessage|lastJsonMessage|\bio\(")


@dataclass(frozen=True)
class OpenedSocket:
    """A socket a client file opens: its kind, its path (None: unreadable), where."""

    kind: str
    path: Pattern | None
    place: Place
    host: str | None = None  # another service's host, named literally (not this machine)

    @property
    def shown_path(self) -> str | None:
        return shown(self.path) if self.path is not None else None


@dataclass(frozen=True)
class WaitedType:
    """A message type a client's handler compares with (None: a constant not read)."""

    type: str | None
    place: Place


@dataclass
class ClientView:
    """One client file: what it opens and what it waits for."""

    display: str
    path: Path
    sockets: list[OpenedSocket] = field(default_factory=list)
    waits: list[WaitedType] = field(default_factory=list)
    other_channels: bool = False  # it also receives server-sent events, worker or window messages

    def as_dict(self) -> dict[str, object]:
        """The file for ``wslint map``: sockets (path, line) and waited types (type, line)."""
        return {
            "file": self.display,
            "sockets": [
                {"path": s.shown_path, "kind": s.kind, "line": s.place.line, "host": s.host}
                for s in self.sockets
            ],
            "waits": [{"type": w.type, "line": w.place.line} for w in self.waits if w.type is not None],
        }


def may_hold_sockets(data: bytes) -> bool:
    """The byte prefilter: whether a client file may open a socket or handle a message."""
    return SOCKET_WORDS.search(data) is not None and not looks_minified(data)


class ClientReader:
    """Reads client files on demand (those checked, and the modules they import)."""

    def __init__(self, known: dict[Path, bytes] | None = None) -> None:
        self._bytes = dict(known or {})
        self._facts: dict[Path, ClientFacts | None] = {}
        self.project = ClientProject(self.facts)

    def facts(self, path: Path) -> ClientFacts | None:
        if path not in self._facts:
            data = self._bytes.get(path)
            if data is None:
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None
            self._facts[path] = _read(data, path.name) if data is not None else None
        return self._facts[path]

    def view(self, display: str, path: Path) -> ClientView | None:
        facts = self.facts(path)
        if facts is None:
            return None
        view = ClientView(display, path, other_channels=facts.other_channels)
        for socket in facts.sockets:
            parsed, host = None, None
            if socket.url is not None:
                parts = self.project.parts(socket.url, path, facts)
                parsed, host = url_path(parts), external_host(parts)
            view.sockets.append(OpenedSocket(socket.kind, parsed, socket.place, host))
        for wait in facts.waits:
            view.waits.append(WaitedType(self.project.string(wait.type, path, facts), wait.place))
        return view


def _read(data: bytes, name: str) -> ClientFacts | None:
    from wslint.client.reading import read_client

    if looks_minified(data):
        return None
    try:
        return read_client(data, name)
    except RecursionError:
        return None


def client_views(files: Iterable[tuple[str, Path]]) -> list[ClientView]:
    """The sockets and waited types of each client file (``(display, absolute path)``) that
    may hold any, in the order given."""
    reader = ClientReader()
    views = []
    for display, path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if may_hold_sockets(data):
            view = reader.view(display, path)
            if view is not None and (view.sockets or view.waits):
                views.append(view)
    return views


def clients_of(endpoint_path: str, views: Iterable[ClientView]) -> list[tuple[ClientView, OpenedSocket]]:
    """The client sockets that may connect to an endpoint's path (``/ws/{room}``)."""
    return [
        (view, socket)
        for view in views
        for socket in view.sockets
        if socket.path is not None and socket.kind in WEBSOCKET_KINDS and matches(socket.path, endpoint_path)
    ]
