"""Client expressions resolved across files, and the paths their URLs name.

A URL resolves to *parts*: text, and ``None`` for a piece that cannot be read (a hole: an
environment variable, ``window.location.host``, a parameter). Constants are followed within
the file and through relative imports (a config module); a helper (``getUrl("/ws/x")``) is
followed one level, its parameters bound to the call's arguments. The path is what follows
the scheme and host; a hole before it is an origin or base of unknown path (any prefix).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from wslint.client.files import CLIENT_SUFFIXES
from wslint.client.reading import ClientFacts, Expr

Parts = list["str | None"]
MAX_DEPTH = 8
INDEX_FILES = tuple(f"index{suffix}" for suffix in CLIENT_SUFFIXES)


class ClientProject:
    """Every client file's facts, read on first need (an imported config module too)."""

    def __init__(self, facts_of: Callable[[Path], ClientFacts | None]) -> None:
        self._facts_of = facts_of

    def facts(self, path: Path) -> ClientFacts | None:
        return self._facts_of(path)

    # -- URLs ---------------------------------------------------------------------------------
    def parts(self, expr: Expr, path: Path, facts: ClientFacts, depth: int = 0) -> Parts:
        """What an expression spells, hole by hole."""
        return self._parts(expr, path, facts, (), depth, helpers=True)

    def _parts(
        self, expr: Expr, path: Path, facts: ClientFacts, bound: tuple[Parts, ...], depth: int, helpers: bool
    ) -> Parts:
        if depth > MAX_DEPTH:
            return [None]
        kind = expr[0]
        if kind == "lit":
            return [expr[1]]
        if kind == "cat":
            found: Parts = []
            for part in expr[1]:
                found.extend(self._parts(part, path, facts, bound, depth + 1, helpers))
            return found
        if kind == "param":
            return bound[expr[1]] if expr[1] < len(bound) else [None]
        if kind in ("ref", "member"):
            located = self.constant(expr[1], path, facts, depth)
            if located is None:
                return [None]
            value, where, owner = located
            return self._parts(value, where, owner, (), depth + 1, helpers)
        if kind == "call" and helpers:
            return self._call(expr, path, facts, bound, depth)
        return [None]

    def _call(
        self, expr: Expr, path: Path, facts: ClientFacts, bound: tuple[Parts, ...], depth: int
    ) -> Parts:
        located = self._helper(expr[1], path, facts, depth)
        if located is None:
            return [None]
        (parameters, body), where, owner = located
        arguments = tuple(self._parts(a, path, facts, bound, depth + 1, False) for a in expr[2])
        arguments += tuple([None] for _ in range(len(parameters) - len(arguments)))
        return self._parts(body, where, owner, arguments, depth + 1, False)  # one level only

    def constant(
        self, name: str, path: Path, facts: ClientFacts, depth: int = 0
    ) -> tuple[Expr, Path, ClientFacts] | None:
        """Where a constant (``NAME`` or ``NAME.key``) is bound: its value, file and facts."""
        if name in facts.constants:
            return facts.constants[name], path, facts
        head, _, rest = name.partition(".")
        imported = self._imported(head, path, facts, depth)
        if imported is None:
            return None
        original, where, owner = imported
        wanted = rest if original == "*" else (f"{original}.{rest}" if rest else original)
        if not wanted or wanted == "default":
            return None
        return self.constant(wanted, where, owner, depth + 1) if depth < MAX_DEPTH else None

    def _helper(self, name: str, path: Path, facts: ClientFacts, depth: int):  # type: ignore[no-untyped-def]
        if name in facts.helpers:
            return facts.helpers[name], path, facts
        imported = self._imported(name, path, facts, depth)
        if imported is None:
            return None
        original, where, owner = imported
        if original in owner.helpers:
            return owner.helpers[original], where, owner
        return None

    def _imported(
        self, name: str, path: Path, facts: ClientFacts, depth: int
    ) -> tuple[str, Path, ClientFacts] | None:
        if name not in facts.imports or depth > MAX_DEPTH:
            return None
        source, original = facts.imports[name]
        target = module_file(path, source)
        owner = self.facts(target) if target is not None else None
        if target is None or owner is None:
            return None
        return original, target, owner

    # -- message types ------------------------------------------------------------------------
    def string(self, expr: Expr, path: Path, facts: ClientFacts) -> str | None:
        """The one string an expression is (a literal or a constant), else None."""
        parts = self._parts(expr, path, facts, (), 0, helpers=False)
        if any(part is None for part in parts):
            return None
        return "".join(part for part in parts if part is not None)


def module_file(importer: Path, source: str) -> Path | None:
    """The client file a relative import names (``./config`` -> ``config.ts``), if any."""
    if not source.startswith("."):
        return None  # a package, or a bundler alias wslint does not read
    return _existing(os.path.normpath(os.path.join(os.path.dirname(importer), source)))


@lru_cache(maxsize=4096)
def _existing(base: str) -> Path | None:
    if base.endswith(CLIENT_SUFFIXES) and os.path.isfile(base):
        return Path(base)
    for suffix in CLIENT_SUFFIXES:
        if os.path.isfile(base + suffix):
            return Path(base + suffix)
    for name in INDEX_FILES:
        candidate = os.path.join(base, name)
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


# -- paths ------------------------------------------------------------------------------------
HOLE = None
Pattern = tuple["str | None", ...]  # one character, or None for a hole, each


def url_path(parts: Parts) -> Pattern | None:
    """The path a URL names, character by character (None items: holes); None when it cannot
    be read (no literal path, or a URL that is not one)."""
    items: list[str | None] = []
    for part in parts:
        if part is None:
            if not items or items[-1] is not None:
                items.append(None)
        else:
            items.extend(part)
    text = "".join(item if item is not None else "\0" for item in items)
    authority = text.find("//")
    if authority >= 0:
        if not _scheme_or_hole(text[:authority]):
            return None
        start = text.find("/", authority + 2)
        if start < 0:
            return None
        path = items[start:]
    elif items and items[0] == "/":
        path = items
    elif items and items[0] is None and len(items) > 1 and items[1] == "/":
        path = items  # a base of unknown origin and path: any prefix
    else:
        return None
    for stop, item in enumerate(path):
        if item in ("?", "#"):
            path = path[:stop]
            break
    while len(path) > 1 and path[-1] == "/":
        path = path[:-1]
    if not any(item not in (None, "/") for item in path):
        return None
    return tuple(path)


# Hosts that are this machine: a client that names one talks to the project's own server.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})


def external_host(parts: Parts) -> str | None:
    """The host a URL names literally when it is not this machine (``stream.example.com``):
    the socket then talks to another service, not to the project's server."""
    text = "".join(part if part is not None else "\0" for part in parts)
    start = text.find("//")
    if start < 0:
        return None
    end = text.find("/", start + 2)
    authority = text[start + 2 : end if end >= 0 else len(text)]
    if not authority or "\0" in authority:
        return None  # the page's own host, or one chosen at run time
    host = authority.rpartition("@")[2]
    host = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    return None if host.lower() in LOCAL_HOSTS or host.endswith(".localhost") else host


def _scheme_or_hole(head: str) -> bool:
    if head == "" or head == "\0":
        return True  # ``//host/x``, or ``${protocol}//host``
    if head.endswith(":"):
        scheme = head[:-1]
        return scheme in ("ws", "wss", "http", "https") or scheme == "\0"
    return head.endswith("\0:") or head == "\0"


def shown(path: Pattern) -> str:
    """A path for a message: holes shown as ``*``."""
    return "".join(item if item is not None else "*" for item in path)


def matches(path: Pattern, endpoint: str) -> bool:
    """Whether a client path (with holes) can be an endpoint's path (``{param}`` any segment,
    ``{param:path}`` anything); trailing slashes do not matter."""
    server = _server_items(endpoint.rstrip("/") or "/")
    client = tuple(path)
    return _match(client, server)


ANY_CHAR, ANY_RUN, ANY_TAIL = "\1any", "\1run", "\1tail"


@lru_cache(maxsize=1024)
def _server_items(endpoint: str) -> tuple[str, ...]:
    items: list[str] = []
    index = 0
    while index < len(endpoint):
        char = endpoint[index]
        close = endpoint.find("}", index) if char in "{<" else -1
        if char == "<":
            close = endpoint.find(">", index)
        if close > index:
            converter = endpoint[index + 1 : close]
            items += (
                [ANY_TAIL]
                if converter.endswith(":path") or converter.startswith("path:")
                else [ANY_CHAR, ANY_RUN]
            )
            index = close + 1
        else:
            items.append(char)
            index += 1
    return tuple(items)


def _match(client: tuple[str | None, ...], server: tuple[str, ...]) -> bool:
    @lru_cache(maxsize=None)
    def at(i: int, j: int) -> bool:
        if i == len(client):
            return all(item in (ANY_RUN, ANY_TAIL) for item in server[j:])
        if client[i] is None:  # a hole: empty, or standing for what the server has next
            return at(i + 1, j) or (j < len(server) and at(i, j + 1))
        if j == len(server):
            return False
        item, char = server[j], client[i]
        if item == ANY_TAIL:
            return at(i, j + 1) or at(i + 1, j)
        if item == ANY_RUN:
            return at(i, j + 1) or (char != "/" and at(i + 1, j))
        if item == ANY_CHAR:
            return char != "/" and at(i + 1, j + 1)
        return char == item and at(i + 1, j + 1)

    return at(0, 0)
