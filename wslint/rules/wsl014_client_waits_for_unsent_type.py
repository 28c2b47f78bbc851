"""## What it does
Checks that every update type the project's JavaScript / TypeScript client waits for is sent by
the Python server after a connection's first message.

A client waits for a message type `T` where a handler compares a received message's type with
it: `msg.type === "T"` (or `==`), `case "T":` in a `switch (msg.type)`, a handler map looked up with the type
(`handlers[msg.type]`, `handlers.get(msg.type)`) and keyed `{T: fn}`, `handlers["T"] = fn` or
`handlers.set("T", fn)`, or Socket.IO's `socket.on("T", fn)`.
A received message is a name bound to `JSON.parse(...)`, the parameter of an `onMessage`
handler (`useWebSocket(url, {onMessage})`, `useReliableWebSocket(url, {onMessage})`), or
react-use-websocket's `lastJsonMessage`; its type is `msg.type`, `msg["type"]` or a `type`
destructured from it. `T` is a string literal or a constant (in the file, or imported from a
module of the client).

The rule fires when `T` matches `update-type-patterns` (default `*_update`, `*_updated`,
`*.update`) and no sender of the Python project (a broadcast or fan-out carrying `T`, a
python-socketio `emit("T")`, a `wslint.reference` broadcaster) ever sends it: at most an
endpoint's initial message carries it. A type an endpoint sends from its loops, in reply to
the client's own messages, counts as sent: the client does get it after its first message.
Reported at the comparison (the `case`, the handler map's key, the event name).

## Why is this bad?
The postmortem the broadcasting checklist was written after: a React hook waits for
`system_status_update` on `/ws/system-status`, and the server sends that type once, when the
client connects, and never again. The page renders, the data never moves, nothing fails. The
hook and the server live in different languages; no linter of either side can see the gap.

## Example
```typescript
// client/src/hooks/useSystemStatus.ts
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.type === "system_status_update") setStatus(msg.data);
};
```
```python
# server: sends system_status_update once, on connect; nothing broadcasts it
await websocket.send_json({"type": "system_status_update", "data": get_status()})
```

## Use instead
```python
async def _broadcast_system_status(self):
    while True:
        status = get_status()
        if status != self.last_status:
            await self.manager.broadcast({"type": "system_status_update", "data": status})
            self.last_status = status
        await asyncio.sleep(5)
```

## Options
- `update-type-patterns`

## Known problems
Precision first. The rule is silent for a file where a sender of unknown type could reach its
sockets: a broadcast whose type wslint cannot read reaches every endpoint (wslint does not yet
tell connection registries apart); an endpoint that pushes on its own, or one wslint cannot
analyse, reaches its own path (a file whose sockets cannot be read counts as reaching it). It
is silent where the project holds no Python server code at all (no endpoint, no sender), and
for a file that opens a socket to another machine named literally (`wss://stream.example.com`)
or also receives messages that are no WebSocket's (`new EventSource(url)`, a `Worker`, a
`BroadcastChannel`, `window.addEventListener("message", ...)`, `chrome.runtime.onMessage`):
the types it waits for may be theirs.

Only the shapes above are read, by name within one file: a handler in another file that
receives an already parsed message under another name is not seen, and a name bound to
`JSON.parse(...)` anywhere in a file that opens or handles a socket counts as a message. A
file that neither opens a socket nor handles one (`.onmessage`, `addEventListener("message",
...)`, an `onMessage` option handed to a socket, Socket.IO's `on`) is not read for waits: its
JSON may be anything's (a message router called from elsewhere is missed).
Comparisons with `!==` / `!=` are not waits. A type built at run time (`` `${kind}_update` ``)
is never reported. flake8 and pylint read only Python files: this rule runs in the `wslint`
command (and its pre-commit hook) only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wslint.analysis.messages import matches_any
from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.rules.client_base import ClientRule

if TYPE_CHECKING:
    from wslint.client.clients import ClientView, WaitedType
    from wslint.client.surface import ServerSurface


class ClientWaitsForUnsentType(ClientRule):
    code = "WSL014"
    name = "client-waits-for-unsent-type"
    summary = "Client code waits for an update type the Python server never broadcasts"
    fix = "broadcast the type from the server when the state changes, or stop waiting for it"
    options = ("update-type-patterns",)

    def check_client(self, view: ClientView, surface: ServerSurface, settings: Settings) -> Iterator[Finding]:
        for wait in unsent_waits(view, surface, settings):
            message = (
                f"the client waits for `{wait.type}`, which the server never broadcasts: "
                f"broadcast `{wait.type}` when the state changes"
            )
            yield self.client_finding(view, wait.place, message)


def unsent_waits(view: ClientView, surface: ServerSurface, settings: Settings) -> list[WaitedType]:
    """The update types a client file waits for that no sender sends after a connection's
    first message (what ``wslint map`` marks, and this rule reports)."""
    patterns = settings.update_type_patterns
    waited = [w for w in view.waits if w.type is not None and matches_any(w.type, patterns)]
    if not waited or not surface.has_server_code:
        return []
    if view.other_channels or any(socket.host is not None for socket in view.sockets):
        return []  # the file also listens elsewhere: whose types these are is unknown
    paths = [s.path for s in view.sockets if s.path is not None]
    readable = bool(view.sockets) and len(paths) == len(view.sockets)
    if surface.unknown_could_reach(paths if readable else None):
        return []
    return [wait for wait in waited if wait.type not in surface.sent_after_first]
