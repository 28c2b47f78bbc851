"""A client corpus for wslint's client half: N React/TypeScript files beside a Python server.

A third of the files are hooks that open a socket and switch on the parsed message's type, a
third are contexts that open one through a ``useReliableWebSocket(url, {onMessage})`` hook
with a handler map, a third are components that open nothing (ruled out by the byte
search). URLs come through a shared ``config.ts`` and a one-level helper. A few files wait for
a type the server never broadcasts or connect to a mistyped path: :func:`generate` returns
them, so a test can check that wslint reports them. The output is deterministic for a given
``(n, seed)``::

    client-corpus/
      pyproject.toml
      server/app.py               the endpoints and a broadcaster per domain
      web/src/config.ts           the socket origin and the URL helper
      web/src/hooks/useX_0000.ts ... contexts/..., components/...
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/client_corpus.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.corpus import DOMAINS
else:
    from .corpus import DOMAINS

SERVER_HEAD = '''"""The server of the client corpus: one endpoint and one broadcaster per domain."""

import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


class Manager:
    def __init__(self):
        self.clients = []

    async def broadcast(self, message):
        for ws in list(self.clients):
            try:
                await ws.send_json(message)
            except Exception:
                self.clients.remove(ws)


manager = Manager()
'''

SERVER_DOMAIN = '''

@app.websocket("/ws/{domain}")
async def ws_{domain}(websocket: WebSocket):
    await websocket.accept()
    manager.clients.append(websocket)
    await websocket.send_json({{"type": "{domain}_update", "data": {{}}}})
    while True:
        await websocket.receive_text()


async def _broadcast_{domain}():
    last = None
    while True:
        try:
            state = await fetch_{domain}()
            if state != last:
                await manager.broadcast({{"type": "{domain}_update", "data": state}})
                last = state
        except Exception:
            pass
        await asyncio.sleep(5)
'''

CONFIG = """// Where the sockets live.
export const WS_ORIGIN = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}`;

export function wsUrl(path: string): string {
  return `${WS_ORIGIN}${path}`;
}
"""

HOOK = """// Live {domain} for the dashboard.
import {{ useEffect, useRef, useState }} from "react";
import {{ wsUrl }} from "../config";

export interface {Type}State {{
  items: Array<{{ id: string; value: number; updatedAt: string }}>;
  total: number;
  error?: string;
}}

const EMPTY: {Type}State = {{ items: [], total: 0 }};

export function use{Type}{number}(enabled: boolean = true) {{
  const [state, setState] = useState<{Type}State>(EMPTY);
  const [connected, setConnected] = useState(false);
  const retries = useRef(0);

  useEffect(() => {{
    if (!enabled) return;
    let closed = false;
    let socket: WebSocket | null = null;
    const connect = () => {{
      socket = new WebSocket(wsUrl("{path}"));
      socket.onopen = () => {{
        retries.current = 0;
        setConnected(true);
      }};
      socket.onmessage = (event: MessageEvent) => {{
        const message = JSON.parse(event.data);
        switch (message.type) {{
          case "{waited}":
            setState({{ items: message.data.items ?? [], total: message.data.total ?? 0 }});
            break;
          case "error":
            setState((previous) => ({{ ...previous, error: message.data }}));
            break;
          default:
            break;
        }}
      }};
      socket.onclose = () => {{
        setConnected(false);
        if (!closed) {{
          const delay = Math.min(30000, 1000 * 2 ** retries.current++);
          setTimeout(connect, delay);
        }}
      }};
    }};
    connect();
    return () => {{
      closed = true;
      socket?.close();
    }};
  }}, [enabled]);

  const byId = (id: string) => state.items.find((item) => item.id === id);
  return {{ state, connected, byId }};
}}
"""

CONTEXT = """// The {domain} context: one socket shared by every component below it.
import React, {{ createContext, useContext, useMemo, useState }} from "react";
import {{ useReliableWebSocket }} from "../hooks/useReliableWebSocket";
import {{ WS_ORIGIN }} from "../config";

type {Type}Message = {{ type: string; data: any }};

interface {Type}ContextValue {{
  latest: any;
  history: any[];
  clear: () => void;
}}

const {Type}Context{number} = createContext<{Type}ContextValue | null>(null);

export function {Type}Provider{number}({{ children }}: {{ children: React.ReactNode }}) {{
  const [latest, setLatest] = useState<any>(null);
  const [history, setHistory] = useState<any[]>([]);
  const handlers: Record<string, (message: {Type}Message) => void> = {{
    {waited}: (message) => {{
      setLatest(message.data);
      setHistory((all) => [...all.slice(-99), message.data]);
    }},
    pong: () => undefined,
  }};
  useReliableWebSocket(`${{WS_ORIGIN}}{path}`, {{
    onMessage: (message: {Type}Message) => {{
      const handle = handlers[message.type];
      if (handle) handle(message);
    }},
  }});
  const value = useMemo(() => ({{ latest, history, clear: () => setHistory([]) }}), [latest, history]);
  return <{Type}Context{number}.Provider value={{value}}>{{children}}</{Type}Context{number}.Provider>;
}}

export function use{Type}Context{number}() {{
  const value = useContext({Type}Context{number});
  if (value === null) throw new Error("use{Type}Context{number} outside its provider");
  return value;
}}
"""

COMPONENT = """// The {domain} panel: a table, a filter and a total, fed by its parent.
import React, {{ useMemo, useState }} from "react";

interface Row {{
  id: string;
  name: string;
  value: number;
  updatedAt: string;
}}

interface Props {{
  rows: Row[];
  title?: string;
  onSelect?: (row: Row) => void;
}}

export function {Type}Panel{number}({{ rows, title = "{domain}", onSelect }}: Props) {{
  const [filter, setFilter] = useState("");
  const [sortBy, setSortBy] = useState<keyof Row>("updatedAt");
  const shown = useMemo(
    () =>
      rows
        .filter((row) => row.name.toLowerCase().includes(filter.toLowerCase()))
        .sort((a, b) => (a[sortBy] < b[sortBy] ? 1 : -1)),
    [rows, filter, sortBy],
  );
  const total = shown.reduce((sum, row) => sum + row.value, 0);
  return (
    <section className="panel panel-{domain}">
      <header>
        <h2>{{title}}</h2>
        <input value={{filter}} onChange={{(event) => setFilter(event.target.value)}} placeholder="Filter" />
      </header>
      <table>
        <thead>
          <tr>
            <th onClick={{() => setSortBy("name")}}>Name</th>
            <th onClick={{() => setSortBy("value")}}>Value</th>
            <th onClick={{() => setSortBy("updatedAt")}}>Updated</th>
          </tr>
        </thead>
        <tbody>
          {{shown.map((row) => (
            <tr key={{row.id}} onClick={{() => onSelect?.(row)}}>
              <td>{{row.name}}</td>
              <td>{{row.value.toFixed(2)}}</td>
              <td>{{new Date(row.updatedAt).toLocaleTimeString()}}</td>
            </tr>
          ))}}
        </tbody>
        <tfoot>
          <tr>
            <td>Total</td>
            <td>{{total.toFixed(2)}}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </section>
  );
}}
"""


@dataclass(frozen=True)
class Planted:
    path: str  # relative to the corpus root
    code: str
    detail: str  # the type or the path


@dataclass
class ClientCorpus:
    root: Path
    files: list[Path] = field(default_factory=list)  # the client files
    lines: int = 0
    planted: list[Planted] = field(default_factory=list)


def generate(root: Path, n: int, seed: int = 0, domains: int = 12) -> ClientCorpus:
    """Write the corpus of ``n`` client files under ``root``."""
    rng = random.Random(seed)
    chosen = DOMAINS[:domains]
    corpus = ClientCorpus(root)
    (root / "server").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "client-corpus"\n', encoding="utf-8")
    server = SERVER_HEAD + "".join(SERVER_DOMAIN.format(domain=d) for d in chosen)
    (root / "server" / "app.py").write_text(server, encoding="utf-8")
    src = root / "web" / "src"
    for folder in ("hooks", "contexts", "components"):
        (src / folder).mkdir(parents=True, exist_ok=True)
    (src / "config.ts").write_text(CONFIG, encoding="utf-8")
    for number in range(n):
        domain = rng.choice(chosen)
        kind = ("hooks", "contexts", "components")[number % 3]
        waited, path = f"{domain}_update", f"/ws/{domain}"
        relative = f"web/src/{kind}/{domain}_{number:04d}.{'ts' if kind == 'hooks' else 'tsx'}"
        if kind != "components" and number % 50 == 1:
            waited = f"{domain}_stats_update"
            corpus.planted.append(Planted(relative, "WSL014", waited))
        elif kind != "components" and number % 50 == 2:
            path = f"/ws/{domain}s"
            corpus.planted.append(Planted(relative, "WSL015", path))
        template = {"hooks": HOOK, "contexts": CONTEXT, "components": COMPONENT}[kind]
        names = {"domain": domain, "Type": domain.capitalize(), "number": number}
        text = template.format(**names, waited=waited, path=path)
        target = root / relative
        target.write_text(text, encoding="utf-8")
        corpus.files.append(target)
        corpus.lines += text.count("\n")
    return corpus


if __name__ == "__main__":
    made = generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
    print(f"{len(made.files)} client files, {made.lines:,} lines, {len(made.planted)} planted mistakes")
