"""The model as text, JSON and Mermaid (``wslint map``); paths relative to the current
directory, everything sorted, so that two runs print the same bytes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from wslint.flow.model import Broadcaster, Client, Endpoint, FlowModel, Place, Sender

NO_SERVER = "No WebSocket server code found: nothing to map."
NO_ENDPOINTS = "No WebSocket endpoint found."


def relative(path: str) -> str:
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        shown = path
    return shown.replace(os.sep, "/")


def _sorted_types(types: frozenset[str] | None) -> list[str] | None:
    return None if types is None else sorted(types)


# -- JSON ------------------------------------------------------------------------------------
def as_data(model: FlowModel) -> dict[str, Any]:
    """The model with SPEC's keys: ``endpoints`` and ``broadcasters``."""
    return {
        "endpoints": [_endpoint_data(endpoint) for endpoint in _endpoints(model)],
        "broadcasters": [_broadcaster_data(b) for b in _broadcasters(model)],
    }


def render_json(model: FlowModel) -> str:
    return json.dumps(as_data(model), indent=2, sort_keys=False)


def _endpoint_data(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "path": endpoint.path,
        "function": endpoint.function,
        "file": relative(endpoint.file),
        "line": endpoint.line,
        "initial_types": sorted(endpoint.initial_types),
        "status": endpoint.status,
        "senders": [
            {"function": s.function, "file": relative(s.file), "line": s.line}
            for s in _senders(endpoint.senders)
        ],
        "clients": [
            {"file": relative(c.file), "line": c.line, "waits": list(c.waits), "unsent": list(c.unsent)}
            for c in endpoint_clients(endpoint)
        ],
    }


def _broadcaster_data(broadcaster: Broadcaster) -> dict[str, Any]:
    return {
        "function": broadcaster.function,
        "file": relative(broadcaster.file),
        "line": broadcaster.line,
        "types": _sorted_types(broadcaster.types),
        "kind": broadcaster.kind,
        "interval": broadcaster.interval,
        "started": broadcaster.started,
        "started_by": [{"file": relative(p.file), "line": p.line} for p in _places(broadcaster.started_by)],
        "change_guard": broadcaster.change_guard,
        "error_handling": broadcaster.error_handling,
        "logs": broadcaster.logs,
    }


def _endpoints(model: FlowModel) -> list[Endpoint]:
    return sorted(model.endpoints, key=lambda e: (relative(e.file), e.line, e.function))


def _broadcasters(model: FlowModel) -> list[Broadcaster]:
    return sorted(model.broadcasters, key=lambda b: (relative(b.file), b.line, b.function))


def _senders(senders: Iterable[Sender]) -> list[Sender]:
    unique = {(relative(s.file), s.line, s.function): s for s in senders}
    return [unique[key] for key in sorted(unique)]


def _places(places: Iterable[Place]) -> list[Place]:
    return sorted(set(places), key=lambda p: (relative(p.file), p.line))


def endpoint_clients(endpoint: Endpoint) -> list[Client]:
    """The endpoint's clients in file and line order."""
    return sorted(set(endpoint.clients), key=lambda c: (relative(c.file), c.line))


def client_text(client: Client) -> str:
    """``web/app.ts:12``, with the types the file waits for and those nothing sends."""
    shown = f"{relative(client.file)}:{client.line}"
    if client.waits:
        shown += f" waits for {', '.join(client.waits)}"
    if client.unsent:
        shown += f" (never sent: {', '.join(client.unsent)})"
    return shown


# -- text ------------------------------------------------------------------------------------
def render_text(model: FlowModel) -> str:
    if not model.has_server_code:
        return NO_SERVER
    lines: list[str] = []
    endpoints = _endpoints(model)
    if not endpoints:
        lines.append(NO_ENDPOINTS)
    for endpoint in endpoints:
        lines += _endpoint_text(endpoint)
        lines.append("")
    broadcasters = _broadcasters(model)
    if broadcasters:
        lines.append(
            "Broadcasters (the checklist: started, try/except in the loop, compares state, "
            "interval 5-60 s, logs)"
        )
        for broadcaster in broadcasters:
            lines.append(_broadcaster_text(broadcaster))
    return "\n".join(lines).rstrip("\n")


def initial_text(endpoint: Endpoint) -> str:
    """What an endpoint sends first: its types, "unknown", "no type" or "nothing sent first"."""
    types = ", ".join(sorted(endpoint.initial_types))
    if endpoint.initial_unknown:
        return f"{types}, unknown" if types else "unknown"
    return types or ("no type" if endpoint.sends_initial else "nothing sent first")


def _endpoint_text(endpoint: Endpoint) -> list[str]:
    types = initial_text(endpoint)
    status = endpoint.status + (
        f" (nothing sends `{endpoint.missing_type}`)" if endpoint.missing_type else ""
    )
    lines = [
        f"{endpoint.path or '<path unknown>'}",
        f"  function       {endpoint.function}  {relative(endpoint.file)}:{endpoint.line}",
        f"  initial types  {types}",
        f"  status         {status}",
    ]
    senders = _senders(endpoint.senders)
    if not senders:
        lines.append("  senders        none")
    for number, sender in enumerate(senders):
        label = "  senders        " if number == 0 else "                 "
        carried = ", ".join(sorted(sender.types)) or "no type" if sender.types is not None else "unknown type"
        lines.append(
            f"{label}{carried} <- {sender.function} ({sender.kind}) {relative(sender.file)}:{sender.line}"
        )
    clients = endpoint_clients(endpoint)
    if not clients:
        lines.append("  clients        none known")
    for number, client in enumerate(clients):
        label = "  clients        " if number == 0 else "                 "
        lines.append(f"{label}{client_text(client)}")
    return lines


def mark(value: bool | None) -> str:
    return "?" if value is None else ("✓" if value else "✗")


def _broadcaster_text(broadcaster: Broadcaster) -> str:
    interval = f"{broadcaster.interval:g} s" if broadcaster.interval is not None else "?"
    types = ", ".join(sorted(broadcaster.types)) if broadcaster.types is not None else "unknown"
    started = mark(broadcaster.started)
    if broadcaster.start_method:
        started += f" ({broadcaster.start_method}() is never called)"
    return (
        f"  {broadcaster.function}  {relative(broadcaster.file)}:{broadcaster.line}  "
        f"[{broadcaster.kind}, {interval}] "
        f"types: {types or 'none'}  started {started}  try/except {mark(broadcaster.error_handling)}  "
        f"compares {mark(broadcaster.change_guard)}  interval {mark(broadcaster.interval_ok)}  "
        f"logs {mark(broadcaster.logs)}"
    )


# -- Mermaid ---------------------------------------------------------------------------------
STATUS_CLASSES = {
    "updated": "fill:#d4edda,stroke:#2e7d32",
    "never-updated": "fill:#f8d7da,stroke:#c62828",
    "self-updating": "fill:#d6eaf8,stroke:#1565c0",
    "unknown": "fill:#eeeeee,stroke:#757575",
}
UNSENT_CLASS = "waits_unsent"  # a client waiting for a type nothing sends (WSL014)
UNSENT_STYLE = "fill:#fff3cd,stroke:#c62828"


def render_mermaid(model: FlowModel) -> str:
    """A ``flowchart LR`` of senders -> message types -> endpoints -> clients."""
    graph = flow_graph(model)
    lines = ["flowchart LR"]
    if not model.has_server_code:
        lines.append(f"    %% {NO_SERVER}")
    for node_id, label, shape in graph.nodes:
        opening, closing = {
            "sender": ("[", "]"),
            "type": ("([", "])"),
            "endpoint": ("[[", "]]"),
            "client": ("(", ")"),
        }[shape]
        lines.append(f'    {node_id}{opening}"{_mermaid_text(label)}"{closing}')
    for source, target in graph.edges:
        lines.append(f"    {source} --> {target}")
    for status, style in STATUS_CLASSES.items():
        lines.append(f"    classDef {_class_name(status)} {style}")
    if graph.unsent:
        lines.append(f"    classDef {UNSENT_CLASS} {UNSENT_STYLE}")
    for node_id, status in graph.statuses:
        lines.append(f"    class {node_id} {_class_name(status)}")
    for node_id in graph.unsent:
        lines.append(f"    class {node_id} {UNSENT_CLASS}")
    return "\n".join(lines)


def _class_name(status: str) -> str:
    return status.replace("-", "_")


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#60;").replace(">", "#62;")


class FlowGraph:
    """Nodes (id, label, shape), edges and endpoint statuses, in a stable order."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, str, str]] = []
        self.edges: list[tuple[str, str]] = []
        self.statuses: list[tuple[str, str]] = []
        self.endpoints: dict[str, Endpoint] = {}
        self.clients: dict[str, Client] = {}
        self.unsent: list[str] = []  # the client nodes waiting for a type nothing sends
        self._ids: dict[tuple[str, str], str] = {}

    def node(self, shape: str, key: str, label: str) -> str:
        found = self._ids.get((shape, key))
        if found is None:
            found = self._ids[(shape, key)] = f"{shape[0]}{sum(1 for s, _ in self._ids if s == shape)}"
            self.nodes.append((found, label, shape))
        return found

    def edge(self, source: str, target: str) -> None:
        if (source, target) not in self.edges:
            self.edges.append((source, target))


UNKNOWN_TYPE = "? unknown type"


def flow_graph(model: FlowModel) -> FlowGraph:
    """Senders -> types -> endpoints -> clients: each sender function carrying a type an
    endpoint waits for (or an unknown type that may reach it)."""
    graph = FlowGraph()
    endpoints = _endpoints(model)
    for endpoint in endpoints:
        endpoint_id = graph.node("endpoint", f"{endpoint.file}:{endpoint.line}", _endpoint_label(endpoint))
        graph.statuses.append((endpoint_id, endpoint.status))
        graph.endpoints[endpoint_id] = endpoint
        for sender in _senders(endpoint.senders):
            sender_id = graph.node("sender", _sender_key(sender), _sender_label(sender))
            carried = sorted(sender.types & endpoint.initial_types) if sender.types is not None else []
            for message_type in carried or [UNKNOWN_TYPE]:
                type_id = graph.node("type", message_type, message_type)
                graph.edge(sender_id, type_id)
                graph.edge(type_id, endpoint_id)
        if not endpoint.senders:
            for message_type in sorted(endpoint.initial_types):
                graph.edge(graph.node("type", message_type, message_type), endpoint_id)
        for client in endpoint_clients(endpoint):
            client_id = graph.node("client", f"{client.file}:{client.line}", client_text(client))
            graph.edge(endpoint_id, client_id)
            graph.clients[client_id] = client
            if client.unsent and client_id not in graph.unsent:
                graph.unsent.append(client_id)
    for broadcaster in _broadcasters(model):  # also those whose types no endpoint waits for
        function = broadcaster.function.split(" -> ")[0]
        label = (
            f"{(broadcaster.library or '').rpartition('.')[2]} in {function}"
            if broadcaster.library
            else f"{function} ({broadcaster.kind})"
        )
        sender_id = graph.node("sender", f"{broadcaster.file}:{function}:{broadcaster.library}", label)
        types = sorted(broadcaster.types) if broadcaster.types is not None else [UNKNOWN_TYPE]
        for message_type in types:
            graph.edge(sender_id, graph.node("type", message_type, message_type))
    return graph


def _sender_key(sender: Sender) -> str:
    return f"{sender.file}:{sender.function}:{sender.library}"


def _sender_label(sender: Sender) -> str:
    if sender.library:
        return f"{sender.library.rpartition('.')[2]} in {sender.function}"
    return f"{sender.function} ({sender.kind})"


def _endpoint_label(endpoint: Endpoint) -> str:
    return f"{endpoint.path or '? path'} {endpoint.function} ({endpoint.status})"
