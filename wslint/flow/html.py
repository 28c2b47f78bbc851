"""The model as one self-contained HTML page (no network): the flow drawn as SVG — senders ->
message types -> endpoints -> clients, each endpoint coloured by its status — and, per
broadcaster, the checklist's rows as ✓ / ✗ / ?."""

from __future__ import annotations

from html import escape

from wslint.flow.model import STATUSES, Broadcaster, FlowModel
from wslint.flow.render import (
    NO_SERVER,
    _broadcasters,
    _endpoints,
    _senders,
    client_text,
    endpoint_clients,
    flow_graph,
    initial_text,
    mark,
    relative,
)

COLUMNS = {"sender": 20, "type": 380, "endpoint": 640, "client": 1000}
WIDTHS = {"sender": 320, "type": 220, "endpoint": 320, "client": 400}
SVG_WIDTH = COLUMNS["client"] + WIDTHS["client"] + 20
ROW = 56
BOX = 40
COLOURS = {
    "updated": ("#d4edda", "#2e7d32"),
    "never-updated": ("#f8d7da", "#c62828"),
    "self-updating": ("#d6eaf8", "#1565c0"),
    "unknown": ("#eeeeee", "#757575"),
}
STYLE = """
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
svg text { font: 12px system-ui, sans-serif; dominant-baseline: middle; }
.node rect { fill: #fff; stroke: #888; rx: 6; }
.type rect { fill: #fff8e1; stroke: #f9a825; rx: 18; }
.client rect { fill: #f3f6fb; stroke: #5c6bc0; rx: 18; }
.client.unsent rect { fill: #fff3cd; stroke: #c62828; stroke-width: 2; }
.edge { fill: none; stroke: #999; stroke-width: 1.5; }
.edge.lit { stroke: #222; stroke-width: 2.5; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 4px 8px; }
td.yes { color: #2e7d32; } td.no { color: #c62828; font-weight: bold; } td.maybe { color: #757575; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 8px; border: 1px solid; }
"""
STATUS_STYLE = "".join(
    f".status-{status} rect {{ fill: {fill}; stroke: {stroke}; }}\n"
    for status, (fill, stroke) in COLOURS.items()
)
SCRIPT = """
(function () {
  const edges = Array.from(document.querySelectorAll('.edge'));
  document.querySelectorAll('.node').forEach(function (node) {
    node.addEventListener('mouseenter', function () {
      edges.forEach(function (e) {
        e.classList.toggle('lit', e.dataset.from === node.id || e.dataset.to === node.id);
      });
    });
  });
  document.body.dataset.ready = 'yes';
})();
"""


def render_html(model: FlowModel) -> str:
    if model.has_server_code:
        body = _graph(model) + _endpoint_table(model) + _checklist(model)
    else:
        body = f"<p>{escape(NO_SERVER)}</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>wslint map</title>\n"
        f"<style>{STYLE}{STATUS_STYLE}</style>\n</head>\n<body>\n<h1>WebSocket message flow</h1>\n"
        f"{_legend()}{body}<script>{SCRIPT}</script>\n</body>\n</html>"
    )


def _legend() -> str:
    spans = "".join(
        f'<span class="status-{status}" '
        f'style="background:{COLOURS[status][0]};border-color:{COLOURS[status][1]}">'
        f"{status}</span>"
        for status in STATUSES
    )
    return f'<p class="legend">{spans}</p>\n'


def _graph(model: FlowModel) -> str:
    graph = flow_graph(model)
    if not graph.nodes:
        return "<p>No WebSocket endpoint found.</p>\n"
    rows: dict[str, int] = {}
    where: dict[str, tuple[int, int, int]] = {}
    statuses = dict(graph.statuses)
    parts: list[str] = []
    for node_id, label, shape in graph.nodes:
        row = rows.get(shape, 0)
        rows[shape] = row + 1
        x, y, width = COLUMNS[shape], 20 + row * ROW, WIDTHS[shape]
        where[node_id] = (x, y, width)
        classes = f"node {shape}"
        extra = ""
        if shape == "endpoint":
            status = statuses.get(node_id, "unknown")
            endpoint = graph.endpoints[node_id]
            classes += f" status-{status}"
            extra = (
                f' data-status="{escape(status)}" data-path="{escape(endpoint.path or "")}"'
                f' data-function="{escape(endpoint.function)}"'
            )
        elif shape == "client":
            client = graph.clients[node_id]
            if client.unsent:
                classes += " unsent"
            extra = (
                f' data-waits="{escape(" ".join(client.waits))}"'
                f' data-unsent="{escape(" ".join(client.unsent))}"'
            )
        parts.append(
            f'<g class="{classes}" id="{node_id}"{extra}><title>{escape(label)}</title>'
            f'<rect x="{x}" y="{y}" width="{width}" height="{BOX}"></rect>'
            f'<text x="{x + 8}" y="{y + BOX // 2}">{escape(_fit(label, width))}</text></g>'
        )
    lines = []
    for source, target in graph.edges:
        x1, y1, w1 = where[source]
        x2, y2, _ = where[target]
        start, end = (x1 + w1, y1 + BOX // 2), (x2, y2 + BOX // 2)
        middle = (start[0] + end[0]) // 2
        lines.append(
            f'<path class="edge" data-from="{source}" data-to="{target}" '
            f'd="M{start[0]},{start[1]} C{middle},{start[1]} {middle},{end[1]} {end[0]},{end[1]}"></path>'
        )
    height = 40 + max(rows.values()) * ROW
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{height}" role="img" '
        f'aria-label="senders, message types, endpoints and clients">\n'
        + "\n".join(lines + parts)
        + "\n</svg>\n"
    )


def _fit(text: str, width: int) -> str:
    room = max(8, width // 7)
    return text if len(text) <= room else text[: room - 1] + "…"


def _endpoint_table(model: FlowModel) -> str:
    endpoints = _endpoints(model)
    if not endpoints:
        return ""
    header = "".join(
        f"<th>{title}</th>"
        for title in ("path", "function", "where", "initial types", "status", "senders", "clients")
    )
    rows = []
    for endpoint in endpoints:
        senders = "<br>".join(
            escape(f"{s.function} ({s.kind}) {relative(s.file)}:{s.line}") for s in _senders(endpoint.senders)
        )
        clients = "<br>".join(escape(client_text(c)) for c in endpoint_clients(endpoint))
        rows.append(
            f'<tr class="endpoint-row status-{endpoint.status}" data-status="{endpoint.status}">'
            f"<td>{escape(endpoint.path or '? unknown')}</td><td>{escape(endpoint.function)}</td>"
            f"<td>{escape(relative(endpoint.file))}:{endpoint.line}</td>"
            f"<td>{escape(initial_text(endpoint))}</td>"
            f'<td style="background:{COLOURS[endpoint.status][0]}">{endpoint.status}</td>'
            f"<td>{senders or 'none'}</td><td>{clients or 'none known'}</td></tr>"
        )
    return (
        f'<h2>Endpoints</h2>\n<table class="endpoints">\n<tr>{header}</tr>\n'
        + "\n".join(rows)
        + "\n</table>\n"
    )


CHECKLIST = ("defined", "started", "try/except in the loop", "compares state", "interval 5-60 s", "logs")


def _checklist(model: FlowModel) -> str:
    broadcasters = _broadcasters(model)
    if not broadcasters:
        return "<h2>Broadcasters</h2>\n<p>No broadcaster found.</p>\n"
    header = "".join(f"<th>{escape(title)}</th>" for title in ("broadcaster", "where", "types", *CHECKLIST))
    rows = "\n".join(_checklist_row(b) for b in broadcasters)
    return f'<h2>Broadcasters</h2>\n<table class="checklist">\n<tr>{header}</tr>\n{rows}\n</table>\n'


def _checklist_row(broadcaster: Broadcaster) -> str:
    types = ", ".join(sorted(broadcaster.types)) if broadcaster.types is not None else "unknown"
    started_by = ", ".join(f"{relative(p.file)}:{p.line}" for p in broadcaster.started_by)
    if broadcaster.start_method:
        started_by = f"{broadcaster.start_method}() is never called"
    interval = f" ({broadcaster.interval:g} s)" if broadcaster.interval is not None else ""
    cells = [
        (True, ""),
        (broadcaster.started, started_by),
        (broadcaster.error_handling, ""),
        (broadcaster.change_guard, ""),
        (broadcaster.interval_ok, interval),
        (broadcaster.logs, ""),
    ]
    marks = "".join(
        f'<td class="{_mark_class(value)}">{mark(value)}{escape(" " + note if note else "")}</td>'
        for value, note in cells
    )
    return (
        f'<tr class="broadcaster" data-function="{escape(broadcaster.function)}">'
        f"<td>{escape(broadcaster.function)}</td><td>{escape(relative(broadcaster.file))}:{broadcaster.line}</td>"
        f"<td>{escape(types or 'none')}</td>{marks}</tr>"
    )


def _mark_class(value: bool | None) -> str:
    return "maybe" if value is None else ("yes" if value else "no")
