"""## What it does
Checks that every WebSocket the project's JavaScript / TypeScript client opens connects to a
path some WebSocket endpoint of the Python project serves.

A client opens a socket with `new WebSocket(url)`, `new ReconnectingWebSocket(url)` (any
constructor named `...WebSocket`) or a hook named for one (`useWebSocket(url)`,
`useReliableWebSocket(url, options)`; a `useSocket(url)` may speak Socket.IO and is not
checked). The URL is read from string literals, template literals
and `+` chains, constants (in the file or imported from a client module, `CONFIG.WS_URL`
too) and one-level helpers (`getWsUrl("/ws/status")`, whose body joins its parameter to a
base). The path is what follows the scheme and host; where the start of the URL cannot be read
(`${WS_BASE}/ws/status`, `location.origin`), the path read is matched as the end of an
endpoint's path.

The endpoints are the Python project's `@app.websocket(path)` / `@router.websocket(path)` /
`websocket_route`, `add_websocket_route`, `add_api_websocket_route`, `WebSocketRoute` and
Channels `path(..., Consumer.as_asgi())`, with `APIRouter(prefix=...)`,
`include_router(router, prefix=...)`, `mount(...)` and `Mount(...)` resolved; `{param}`
segments match any segment, `{param:path}` anything.

## Why is this bad?
A mistyped path (`/ws/sytem-status`), or a route moved under a router prefix the client never
learnt about, fails only at run time, in the browser's console, as a closed connection that
reconnects for ever. The server never sees the request at the application level.

## Example
```typescript
const ws = new WebSocket(`${WS_BASE}/ws/sytem-status`);
```
```python
@router.websocket("/ws/system-status")
async def system_status(websocket: WebSocket): ...
```

## Use instead
```typescript
const ws = new WebSocket(`${WS_BASE}/ws/system-status`);
```

## Known problems
Precision first: the rule is silent where the URL's path cannot be read (a parameter, an
environment variable, a ternary), and where the project's endpoints cannot all be read: a path
or router prefix wslint cannot resolve, a router included by an expression it cannot follow, a
server that serves every path (`websockets.serve`, a Channels `re_path`), or no Python endpoint
at all. Socket.IO's `io(url)` names a namespace on the page's or a given origin, served by
python-socketio rather than a WebSocket route: it is never reported, nor is a hook named for a
socket but not a WebSocket (`useSocket(url)`), which may speak Socket.IO. A URL that names
another machine literally (`wss://stream.example.com/ws`) talks to another service and is
never reported either, even where that host is the project's own production server: name it
through configuration (an environment variable, the page's host) to have it checked. A
substitution in a path (`/ws/${room}`) matches anything, slashes included.

A client is held against the Python code of the nearest project root above it (within the
run's project). flake8 and pylint read only Python files: this rule runs in the `wslint`
command (and its pre-commit hook) only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from wslint.core.findings import Finding
from wslint.core.options import Settings
from wslint.rules.client_base import ClientRule

if TYPE_CHECKING:
    from wslint.client.clients import ClientView
    from wslint.client.surface import ServerSurface


class ClientConnectsToUnknownEndpoint(ClientRule):
    code = "WSL015"
    name = "client-connects-to-unknown-endpoint"
    summary = "Client code opens a WebSocket on a path no endpoint of the Python server serves"
    fix = "connect to the path the server's endpoint is registered on (router prefixes included)"

    def check_client(self, view: ClientView, surface: ServerSurface, settings: Settings) -> Iterator[Finding]:
        from wslint.client.clients import WEBSOCKET_KINDS

        sockets = [s for s in view.sockets if s.kind in WEBSOCKET_KINDS and s.path is not None and not s.host]
        if not sockets or not surface.paths_known:
            return
        for socket in sockets:
            assert socket.path is not None
            if surface.serves(socket.path):
                continue
            shown = socket.shown_path
            hint = _hint(shown, surface)
            message = f"the client connects to `{shown}`, which no WebSocket endpoint serves: {hint}"
            yield self.client_finding(view, socket.place, message)


def _hint(shown: str | None, surface: ServerSurface) -> str:
    """The endpoint the path was probably meant to be, or the few there are."""
    known = sorted({e.path for e in surface.endpoints if e.path is not None})
    close = difflib.get_close_matches(shown or "", known, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if len(known) <= 3:
        return "the server serves " + ", ".join(f"`{path}`" for path in known)
    return "connect to a path an endpoint serves"
