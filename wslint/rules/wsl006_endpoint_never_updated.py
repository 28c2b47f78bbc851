"""## What it does
Checks that every WebSocket endpoint that sends initial data also gets updates: somewhere in the
project's production code a broadcast carries the type of message it sent first.

An endpoint is an `async def` decorated `@app.websocket(path)`, `@router.websocket(path)` or
`@app.websocket_route(path)`, or handed to `add_websocket_route`, `add_api_websocket_route` or
`WebSocketRoute` (also nested inside a route-factory function, or registered from another
module). Its initial message is what it sends before its first `while` / `async for` loop:
`await websocket.send_json({"type": "status_update", ...})`, `send_text(json.dumps({...}))`,
directly or through a helper it calls with the socket (`await manager.send_personal(ws, {...})`,
`await send_initial_state(ws)`). Sends inside the receive loop are replies (`pong`, answers to
requests) and never count.

The rule fires when the endpoint sends initial data and either nothing in the project
broadcasts at all, or its initial message type matches `update-type-patterns` (default
`*_update`, `*_updated`, `*.update`) and no broadcast in the project carries that type.

Message types are resolved from string literals, module and class constants (imported too, enum
members), names bound to dict literals, `json.dumps(...)` of those, dicts built by a helper whose
type parameter gets string literals at its call sites (one level), and messages that arrive as a
parameter: a `_push(kind, data)` helper or a `send_to_all(message)` fan-out takes its types from
its call sites; the manager's own `broadcast(self, message)` adds none of its own.

This rule is project-wide: it reads the whole project (the tree under the nearest
`pyproject.toml`, `setup.cfg` or `.git`), whichever files are named on the command line. Test
code (`test_*.py`, `*_test.py`, `conftest.py`, `tests/`, `test/`) never counts: a test that
broadcasts `status_update` updates no real client.

## Why is this bad?
The broadcasting checklist's "#1 mistake": the client connects, renders the initial state, and then shows
stale data for ever. Nothing fails, nothing is logged; the endpoint and the missing broadcast
live in different files, so no review of either file alone notices.

## Example
```python
# api/ws.py
@router.websocket("/ws/status")
async def ws_status(websocket: WebSocket):
    await manager.connect(websocket)
    await websocket.send_json({"type": "status_update", "data": get_status()})
    while True:
        await websocket.receive_text()

# services/monitor.py: polls the status and only logs it
```

## Use instead
```python
# services/monitor.py
class StatusFeed:
    async def _broadcast_status(self):
        while True:
            try:
                current = get_status()
                if current != self.last_status:
                    await self.manager.broadcast({"type": "status_update", "data": current})
                    self.last_status = current
            except Exception:
                logger.exception("status broadcast failed")
            await asyncio.sleep(5)

    def start(self):
        self._task = asyncio.create_task(self._broadcast_status())
```

## Options
- `update-type-patterns`
- `broadcast-methods`

## Known problems
Precision first: where any production broadcast carries a type wslint cannot resolve (a
message built elsewhere, received from Redis, a pydantic model), the rule says nothing about
any endpoint, since that broadcast might carry the endpoint's type.

An endpoint that pushes on its own is not reported: a loop that sends without receiving (its own
polling loop, a queue or pub/sub subscription), a receive loop with a timeout, a nested
function or spawned task that sends on the socket, or the socket handed to something wslint
cannot follow (a constructor, a scheduler, an unresolved call whose name does not say it only
registers the socket or sends once, such as `run`, `listen` or `stream`). Endpoints whose
socket parameter cannot be told apart are skipped. A finite `for` loop before the receive loop
(sending the history item by item) is initial data.

Channels consumers, `websockets.serve` handlers, Starlette `WebSocketEndpoint` classes and
Socket.IO namespaces are not endpoints for this rule: their updates arrive through group
handler methods or per-class callbacks whose message types do not map onto the initial send.

A broadcast counts wherever it sits in production code, even in a broadcaster that is never
started (WSL005 reports that one). A dict message without a `"type"` key has an unknown type.
"""

from __future__ import annotations

from collections.abc import Iterator

from wslint.analysis.context import FileContext
from wslint.analysis.endpoints import (
    REGISTRARS,
    EndpointFacts,
    analyse_endpoint,
    is_decorated_endpoint,
    may_be_registered,
)
from wslint.analysis.message_flow import MENTIONS
from wslint.analysis.messages import matches_any
from wslint.analysis.module import FunctionInfo
from wslint.analysis.project_facts import (
    ProjectFacts,
    project_facts,
    registered_endpoints,
)
from wslint.core.findings import Finding
from wslint.core.needs import AnyProjectFileHolds, Keywords, Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule, def_line

ROUTES_REGISTERED = AnyProjectFileHolds(tuple(sorted(REGISTRARS)))


class EndpointNeverUpdated(Rule):
    code = "WSL006"
    name = "endpoint-never-updated"
    summary = "A WebSocket endpoint sends its initial data and nothing in the project ever updates it"
    fix = "broadcast the endpoint's message type from a broadcaster when the state changes"
    project_wide = True
    options = ("update-type-patterns", "broadcast-methods")
    project_questions = ((MENTIONS, False),)  # the call sites of a message's helpers
    needs_broadcast_sites = True

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        # Endpoints are coroutines that await their sends. One decorated in its own file says
        # ``@x.websocket(...)`` or ``@x.websocket_route(...)``; one registered from another
        # module need not mention "websocket" at all, where some project file registers routes.
        async_def = Keywords("async def")
        return ((async_def, "await", "websocket"), (async_def, "await", ROUTES_REGISTERED))

    def check(self, context: FileContext) -> Iterator[Finding]:
        if context.module.is_test:
            return
        index = context.index
        for function in _endpoints(context):
            facts = project_facts(index)
            endpoint = analyse_endpoint(function, context.module, facts.resolver)
            if endpoint is None or endpoint.updates_itself or not endpoint.initial:
                continue
            message = _verdict(endpoint, facts, context.settings)
            if message is not None:
                yield self.finding(context, def_line(function), message)


def _endpoints(context: FileContext) -> Iterator[FunctionInfo]:
    """Decorated endpoints, and coroutines the project registers (scanned only if one may be)."""
    maybe = []
    for function in context.module.iter_functions():
        if function.is_async and is_decorated_endpoint(function):
            yield function
        elif may_be_registered(function):
            maybe.append(function)
    if maybe:
        registered = registered_endpoints(context.index)
        yield from (function for function in maybe if function.key in registered)


def _verdict(endpoint: EndpointFacts, facts: ProjectFacts, settings: Settings) -> str | None:
    name = endpoint.function.name
    known = [t for types in endpoint.initial if isinstance(types, frozenset) for t in sorted(types)]
    if not facts.broadcasts_anything:
        sent = f"`{known[0]}`" if known else "its initial data"
        return (
            f"endpoint `{name}` sends {sent} once and nothing in the project broadcasts: "
            "broadcast updates to its clients when the state changes"
        )
    if facts.unknown_site is not None:
        return None
    broadcast = facts.types
    for message_type in known:
        if matches_any(message_type, settings.update_type_patterns) and message_type not in broadcast:
            return (
                f"endpoint `{name}` sends `{message_type}` once and nothing in the project broadcasts it: "
                f"broadcast `{message_type}` when the state changes"
            )
    return None
