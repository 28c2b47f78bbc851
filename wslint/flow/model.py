"""The message-flow model's records: endpoints, senders, broadcasters, and the model itself.

These are plain, picklable values (worker processes send senders to each other). Paths are
absolute; renderers make them relative to the current directory. A set of message types is a
``frozenset[str]``, or ``None`` where the code does not say (unknown never produces a finding).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# An endpoint's status (SPEC "wslint map").
UPDATED = "updated"
NEVER_UPDATED = "never-updated"
SELF_UPDATING = "self-updating"
UNKNOWN_STATUS = "unknown"
STATUSES = (UPDATED, NEVER_UPDATED, SELF_UPDATING, UNKNOWN_STATUS)

# A sender's kind.
BROADCAST = "broadcast"  # a call to a broadcast method
FAN_OUT = "fan-out"  # a loop (or comprehension) sending to each connection
LIBRARY = "library"  # a library broadcasting on the project's behalf (wslint.reference, socketio)
RELAY = "relay"  # a bus subscriber fanning out what it receives
PUBLISH = "publish"  # a publish to a message bus (a sender only where a relay takes it)
SELF = "self"  # an endpoint's own pushes after its first message

MessageTypes = "frozenset[str] | None"


@dataclass(frozen=True)
class Place:
    """Where something is: an absolute file path and a 1-based line."""

    file: str
    line: int


@dataclass(frozen=True)
class Client:
    """A client file's socket to an endpoint: where it opens it, the update types the file
    waits for, and those among them that no sender sends (what WSL014 reports)."""

    file: str
    line: int
    waits: tuple[str, ...] = ()
    unsent: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServedElsewhere:
    """A socket served by a server the model does not list as an endpoint (a Channels route,
    ``websockets.serve``): its path (None: any, or unreadable) and where it is served."""

    path: str | None
    file: str
    line: int


@dataclass(frozen=True)
class Sender:
    """A place where messages reach clients after their first one.

    ``types``: the message types it carries (empty: it carries messages without a type, or
    adds none of its own), None when unknown. ``registry``: the connection registry it fans out
    to (a manager class, ``socketio``), None where that cannot be told (it may reach any
    endpoint); a broadcast's is looked for only where its type is unknown, the one case where
    its reach decides anything (a known type is carried to whoever waits for it).
    ``channels``: for a publish, the bus channels it writes to; for a relay, those it
    subscribes to (``None`` inside: a channel that cannot be read).
    """

    module: str
    file: str
    line: int
    function: str  # qualified name of the enclosing function ("<module>" at module level)
    kind: str
    types: frozenset[str] | None
    registry: str | None = None
    channels: tuple[str | None, ...] = ()
    implementation: bool = False  # the broadcast method itself: its callers carry the types
    library: str | None = None  # which library broadcasts, for LIBRARY senders

    @property
    def sends(self) -> bool:
        """Whether it sends to clients itself (a publish goes to a bus; an implementation
        sends only what its callers give it)."""
        return self.kind != PUBLISH and not self.implementation

    def could_reach(self, registry: str | None) -> bool:
        """Whether it may send to the clients of an endpoint connected to ``registry``."""
        return self.registry is None or registry is None or self.registry == registry

    @property
    def place(self) -> Place:
        return Place(self.file, self.line)


@dataclass(frozen=True)
class Endpoint:
    """A WebSocket endpoint: where it is, what it sends first, and whether updates reach it.

    ``path`` holds ``{param}`` segments, router prefixes resolved; None where any part of it
    cannot be read. ``initial_types``: the known types of its initial messages;
    ``initial_unknown``: some initial message's type cannot be told. ``registry``: the
    connection registry it joins (None: cannot be told).
    """

    path: str | None
    function: str
    module: str
    file: str
    line: int
    initial_types: frozenset[str]
    initial_unknown: bool
    sends_initial: bool
    registry: str | None
    status: str
    missing_type: str | None = None  # the initial type no sender carries (never-updated)
    senders: tuple[Sender, ...] = ()  # those carrying an initial type, or unknown and reaching it
    # The types it sends from its loops (replies, received after the client's first message
    # too); None where one cannot be read, or the endpoint itself cannot be analysed.
    replies: frozenset[str] | None = frozenset()
    clients: tuple[Client, ...] = ()  # client code opening a socket to it (``wslint map`` fills it)


@dataclass(frozen=True)
class Broadcaster:
    """A background task that pushes updates, with the checklist's rows about it.

    Each row is True, False or None (cannot be told): ``started``, ``change_guard``,
    ``error_handling`` (a try/except inside the loop), ``logs``.
    """

    function: str
    module: str
    file: str
    line: int
    types: frozenset[str] | None
    kind: str  # polling, event, hot, or "unknown"
    interval: float | None
    started: bool | None
    started_by: tuple[Place, ...] = ()
    change_guard: bool | None = None
    error_handling: bool | None = None
    logs: bool | None = None
    library: str | None = None  # a library's broadcaster, configured by the project
    start_method: str | None = None  # the start method nobody calls, where that is why

    @property
    def interval_ok(self) -> bool | None:
        """The checklist's "uses a reasonable interval (5-60 s)" (None: no interval known)."""
        if self.kind != "polling" or self.interval is None:
            return None
        return 5.0 <= self.interval <= 60.0


@dataclass
class FlowModel:
    """The project's message flow: one per run, shared by the project-wide rules and the map.

    The API a rule uses: :attr:`endpoints` (each with ``path``, ``file``/``line``/``function``,
    ``initial_types``, ``status``), :attr:`senders` (each with ``types`` and
    :meth:`endpoints_reached`), :attr:`has_server_code`.
    """

    endpoints: list[Endpoint] = field(default_factory=list)
    senders: list[Sender] = field(default_factory=list)
    broadcasters: list[Broadcaster] = field(default_factory=list)
    has_server_code: bool = False
    # Every socket the project serves is among the endpoints, each with a known path: no path
    # is unknown, and no server the model does not list (``websockets.serve`` handlers,
    # Starlette ``WebSocketEndpoint`` classes, Channels consumers, Socket.IO, Tornado, aiohttp).
    paths_complete: bool = False
    # Sockets served where the model lists no endpoint, with their paths where a route says.
    served_elsewhere: tuple[ServedElsewhere, ...] = ()

    def endpoints_reached(self, sender: Sender) -> list[Endpoint]:
        """The endpoints whose clients ``sender`` may send to."""
        if not sender.sends:
            return []
        if sender.kind == SELF:  # an endpoint's own push goes to its own client
            return [e for e in self.endpoints if (e.file, e.line) == (sender.file, sender.line)]
        return [endpoint for endpoint in self.endpoints if sender.could_reach(endpoint.registry)]

    def sent_types(self) -> frozenset[str]:
        """Every known type some sender carries after a connection's first message."""
        return union_of(sender.types for sender in self.senders if sender.sends)

    def unknown_senders(self) -> list[Sender]:
        return [sender for sender in self.senders if sender.sends and sender.types is None]


def union_of(sets: Iterable[frozenset[str] | None]) -> frozenset[str]:
    """The known types among ``sets`` (unknown ones add nothing)."""
    found: set[str] = set()
    for types in sets:
        if types:
            found |= types
    return frozenset(found)
