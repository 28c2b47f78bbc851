"""What one client file says: the sockets it opens, the message types it waits for, and the
constants, URL helpers and imports those may be spelt with.

Read from tree-sitter's tree by one query (:data:`wslint.client.syntax.QUERY`). Expressions
that may spell a URL or a message type are kept as small tuples (:data:`Expr`), resolved later
across files (:mod:`wslint.client.resolve`): ``("lit", text)``, ``("cat", parts)`` (a template
literal or a ``+`` chain), ``("ref", name)``, ``("member", "A.B")``, ``("call", name, args)``,
``("param", n)`` (inside a helper) and ``("hole",)`` (anything else: unknown). Nothing under an
ERROR node is ever reported: a partial parse yields what its sound parts say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wslint.client import syntax

Expr = tuple[Any, ...]
HOLE: Expr = ("hole",)
MAX_EXPR_DEPTH = 6
# The patterns of :data:`wslint.client.syntax.QUERY`, by number.
NEW, CALL, COMPARISON, SWITCH, SUBSCRIPT, DECL, PAIR, FUNC, IMPORT, EXPORT = range(10)
SOCKETIO_CLIENT = "socket.io-client"
# Message channels that are not WebSockets: ``new EventSource(url)`` and the like.
OTHER_CHANNELS = frozenset({"EventSource", "Worker", "SharedWorker", "BroadcastChannel", "MessageChannel"})
# A file that opens no socket still handles a socket's messages where it says one of these.
HANDLER_WORDS = re.compile(rb"\.onmessage\b|addEventListener\(\s*['\"]message['\"]|lastJsonMessage")
GLOBAL_TARGETS = frozenset({"window", "self", "globalThis", "parent", "top"})
SOCKETIO_OPENERS = frozenset({"io", "io.connect", "socketIOClient"})
UNWRAPPED = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "non_null_expression",
        "await_expression",
        "satisfies_expression",
        "type_assertion",
    }
)
FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})


@dataclass(frozen=True)
class Place:
    """A source range: 1-based lines and columns (columns in characters)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class SocketSite:
    """A socket the file opens: ``websocket`` (``new WebSocket``), ``socketio`` (``io()``),
    ``hook`` (a ``useWebSocket(url)``-style hook) or ``socket-hook`` (``useSocket(url)``: of
    unknown protocol); ``url`` None where no URL is given."""

    kind: str
    url: Expr | None
    place: Place


@dataclass(frozen=True)
class WaitSite:
    """A message type the file's handlers compare with (``type`` an :data:`Expr`)."""

    type: Expr
    place: Place


@dataclass
class ClientFacts:
    """One client file, as the checks need it."""

    sockets: list[SocketSite] = field(default_factory=list)
    waits: list[WaitSite] = field(default_factory=list)
    constants: dict[str, Expr] = field(default_factory=dict)  # ``NAME`` and ``NAME.key``
    helpers: dict[str, tuple[tuple[str, ...], Expr]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (source, name)
    # The file also receives messages that are no socket's (server-sent events, workers,
    # window.postMessage): whose its waits are cannot be told.
    other_channels: bool = False


def read_client(data: bytes, file_name: str) -> ClientFacts:
    """The facts of one client file (any bytes: tree-sitter never fails)."""
    suffix = syntax.grammar_key(file_name)
    tree = syntax.parse(data, suffix)
    return _Reader(data).read(syntax.matches(tree, suffix))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.facts = ClientFacts()
        self.messages: set[str] = {"lastJsonMessage"}  # names holding a parsed message
        self.type_names: set[str] = set()  # names holding a message's type
        self.socketio_names: set[str] = set()  # names bound to ``io(...)``
        self.socketio_openers: set[str] = set(SOCKETIO_OPENERS)  # and what Socket.IO is imported as
        self.object_literals: dict[str, Any] = {}  # handler-map candidates by name
        self.handler_maps: set[str] = set()  # names looked up with a message's type
        self.keyed: dict[str, list[Any]] = {}  # name -> strings it is indexed or ``set`` with
        self.functions: dict[str, Any] = {}  # name -> function node
        self.ambiguous: set[str] = set()
        self.default_name: str | None = None  # ``export default NAME``
        self.handles = False  # a socket's handler seen (onMessage handed to one, Socket.IO's on)

    # -- the passes ---------------------------------------------------------------------------
    def read(self, found: Iterable[tuple[int, dict[str, list[Any]]]]) -> ClientFacts:
        later: list[tuple[int, dict[str, Any]]] = []
        for pattern, captures in found:
            one = {name: nodes[0] for name, nodes in captures.items() if nodes}
            if pattern == DECL:
                self._declaration(one)
            elif pattern == FUNC:
                self._function(one)
            elif pattern == IMPORT:
                self._import(one)
            elif pattern == EXPORT:
                self._default_export(_unwrapped(one["export.value"]))
            later.append((pattern, one))
        for name in self.ambiguous:
            self.facts.constants.pop(name, None)
            self.facts.helpers.pop(name, None)
        if self.default_name is not None:  # ``export default config``: its keys as ``default.KEY``
            prefix = self.default_name + "."
            for name, value in list(self.facts.constants.items()):
                if name.startswith(prefix):
                    self.facts.constants["default." + name[len(prefix) :]] = value
        self._handler_parameters(later)
        for pattern, one in later:
            if pattern == NEW:
                self._new(one)
            elif pattern == CALL:
                self._call(one)
            elif pattern == COMPARISON:
                self._comparison(one)
            elif pattern == SWITCH:
                self._switch(one)
            elif pattern == SUBSCRIPT:
                self._subscript(one)
        self._handler_map_keys()
        if not (self.facts.sockets or self.handles or HANDLER_WORDS.search(self.data)):
            self.facts.waits.clear()  # no socket, no handler: its JSON is not a socket's message
        self.facts.waits.sort(key=lambda wait: (wait.place.line, wait.place.column))
        return self.facts

    # -- declarations -------------------------------------------------------------------------
    def _declaration(self, one: dict[str, Any]) -> None:
        name_node, value = one["decl.name"], _unwrapped(one["decl.value"])
        if name_node.type == "object_pattern":
            self._destructured(name_node, value)
            return
        if name_node.type != "identifier":
            return
        name = _text(name_node)
        if _is_json_parse(value) or (value.type == "identifier" and _text(value) in self.messages):
            self.messages.add(name)
        if value.type == "call_expression" and _callee(value) in self.socketio_openers:
            self.socketio_names.add(name)
        if value.type in FUNCTIONS:
            self._remember(name, self.functions, value)
            helper = _helper(value)
            if helper is not None:
                self._remember(name, self.facts.helpers, helper)
            return
        if not _is_const(one["decl"]):
            return
        if value.type == "object":
            self._remember(name, self.object_literals, value)
            self._object_constants(name, value)
            return
        self._remember(name, self.facts.constants, _expr(value, ()))

    def _destructured(self, pattern: Any, value: Any) -> None:
        from_message = _is_json_parse(value) or (value.type == "identifier" and _text(value) in self.messages)
        from_hook = value.type == "call_expression" and _is_socket_hook(_callee(value))
        for part in pattern.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                name = _text(part)
                if from_message and name == "type":
                    self.type_names.add(name)
                elif from_hook and name == "lastJsonMessage":
                    self.messages.add(name)
            elif part.type == "pair_pattern":
                key = _key_text(part.child_by_field_name("key"))
                alias = part.child_by_field_name("value")
                if alias is None or alias.type != "identifier":
                    continue
                if from_message and key == "type":
                    self.type_names.add(_text(alias))
                elif from_hook and key == "lastJsonMessage":
                    self.messages.add(_text(alias))

    def _default_export(self, value: Any) -> None:
        if value.type == "identifier":
            self.default_name = _text(value)
        elif value.type == "object":
            self._object_constants("default", value)

    def _object_constants(self, name: str, value: Any) -> None:
        for pair in value.named_children:
            if pair.type == "pair":
                key = _key_text(pair.child_by_field_name("key"))
                item = pair.child_by_field_name("value")
                if key is not None and item is not None:
                    self._remember(f"{name}.{key}", self.facts.constants, _expr(item, ()))

    def _remember(self, name: str, table: dict[str, Any], value: Any) -> None:
        if name in table or name in self.ambiguous:
            self.ambiguous.add(name)  # bound twice in the file: which one is meant is unknown
        else:
            table[name] = value

    def _function(self, one: dict[str, Any]) -> None:
        name = _text(one["func.name"])
        node = one["func.name"].parent
        self._remember(name, self.functions, node)
        helper = _helper(node)
        if helper is not None:
            self._remember(name, self.facts.helpers, helper)

    def _import(self, one: dict[str, Any]) -> None:
        source = _string_value(one["import.source"])
        if source is None:
            return
        for part in one["import.clause"].named_children:
            if part.type == "identifier":
                self._imported(_text(part), source, "default")
            elif part.type == "namespace_import":
                for name in part.named_children:
                    self._imported(_text(name), source, "*")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    original = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or original
                    if original is not None and alias is not None:
                        self._imported(_text(alias), source, _text(original))

    def _imported(self, local: str, source: str, name: str) -> None:
        self.facts.imports[local] = (source, name)
        if source == SOCKETIO_CLIENT and name in ("default", "io", "connect"):
            self.socketio_openers.add(local)

    # -- which parameters hold a parsed message -----------------------------------------------
    def _handler_parameters(self, later: list[tuple[int, dict[str, Any]]]) -> None:
        for pattern, one in later:
            handler = None
            if pattern == PAIR and _key_text(one["pair.key"]) == "onMessage":
                handler = one["pair.value"] if _given_to_socket(one["pair"]) else None
            elif pattern == CALL and self._is_socketio_on(one, "message"):
                arguments = one["call.args"].named_children
                handler = arguments[1] if len(arguments) > 1 else None
            if handler is None:
                continue
            self.handles = True
            if handler.type == "identifier":
                handler = self.functions.get(_text(handler))
            if handler is not None:
                first = _parameters(handler)
                if first:
                    self.messages.add(first[0])

    # -- sockets ------------------------------------------------------------------------------
    def _new(self, one: dict[str, Any]) -> None:
        constructor = one["new.ctor"]
        name = _text(constructor).rpartition(".")[2]
        if name in OTHER_CHANNELS:
            self.facts.other_channels = True
        if not name.endswith("WebSocket") or _in_error(one["new"]):
            return
        self._socket("websocket", one["new.args"], one["new"])

    def _call(self, one: dict[str, Any]) -> None:
        callee = _text(one["call.fn"])
        if callee in self.socketio_openers and not _in_error(one["call"]):
            self._socket("socketio", one["call.args"], one["call"])
        elif _is_socket_hook(callee) and not _in_error(one["call"]):
            # ``useWebSocket(url)`` opens a WebSocket; ``useSocket("/chat")`` may as well name a
            # Socket.IO namespace: which protocol it speaks is unknown.
            kind = "hook" if "WebSocket" in callee else "socket-hook"
            self._socket(kind, one["call.args"], one["call"])
        elif one["call.fn"].type == "member_expression":
            self._member_call(one)

    def _member_call(self, one: dict[str, Any]) -> None:
        if _is_other_channel(one["call.fn"], one["call.args"]):
            self.facts.other_channels = True
        if self._is_socketio_on(one, None):
            event = one["call.args"].named_children[0]
            value = _string_value(event)
            self.handles = True
            if value is not None and not _in_error(event):
                self.facts.waits.append(WaitSite(("lit", value), self._place(event)))
        else:
            self._map_call(one)

    def _socket(self, kind: str, arguments: Any, node: Any) -> None:
        given = [a for a in arguments.named_children if a.type != "comment"]
        if kind in ("hook", "socket-hook") and not given:
            return  # a hook that takes no URL opens nothing this file can name
        url = _expr(given[0], ()) if given else None
        self.facts.sockets.append(SocketSite(kind, url, self._place(node)))

    def _is_socketio_on(self, one: dict[str, Any], event: str | None) -> bool:
        function = one.get("call.fn")
        if function is None or function.type != "member_expression":
            return False
        method = function.child_by_field_name("property")
        if method is None or _text(method) not in ("on", "once"):
            return False
        receiver = function.child_by_field_name("object")
        if receiver is None or not self._is_socketio_receiver(receiver):
            return False
        arguments = one["call.args"].named_children
        if not arguments or arguments[0].type != "string":
            return False
        return event is None or _string_value(arguments[0]) == event

    def _is_socketio_receiver(self, receiver: Any) -> bool:
        text = _text(receiver)
        if text in self.socketio_names:
            return True
        imports_client = any(source == SOCKETIO_CLIENT for source, _ in self.facts.imports.values())
        return imports_client and "socket" in text.lower()

    # -- message types waited for -------------------------------------------------------------
    def _comparison(self, one: dict[str, Any]) -> None:
        operator = one["cmp"].child_by_field_name("operator")
        if operator is None or operator.type not in ("===", "=="):
            return
        left, right = one["cmp.left"], one["cmp.right"]
        for side, other in ((left, right), (right, left)):
            if self._is_type_of_message(side):
                self._wait(other)

    def _switch(self, one: dict[str, Any]) -> None:
        if not self._is_type_of_message(_unwrapped(one["switch.value"])):
            return
        for case in one["switch.body"].named_children:
            value = case.child_by_field_name("value") if case.type == "switch_case" else None
            if value is not None:
                self._wait(value)

    def _subscript(self, one: dict[str, Any]) -> None:
        """``handlers[msg.type]`` makes ``handlers`` a handler map; ``handlers["T"]`` may
        register one of its types."""
        name, index = _text(one["sub.object"]), _unwrapped(one["sub.index"])
        if self._is_type_of_message(index):
            self.handler_maps.add(name)
        elif _string_value(index) is not None:
            self.keyed.setdefault(name, []).append(index)

    def _map_call(self, one: dict[str, Any]) -> None:
        """``handlers.get(msg.type)`` makes a ``Map`` a handler map; ``handlers.set("T", fn)``
        registers one of its types."""
        function, arguments = one["call.fn"], one["call.args"].named_children
        receiver = function.child_by_field_name("object")
        method = function.child_by_field_name("property")
        if receiver is None or receiver.type != "identifier" or method is None or not arguments:
            return
        if _text(method) == "get" and self._is_type_of_message(arguments[0]):
            self.handler_maps.add(_text(receiver))
        elif _text(method) == "set" and _string_value(arguments[0]) is not None:
            self.keyed.setdefault(_text(receiver), []).append(arguments[0])

    def _handler_map_keys(self) -> None:
        """The types each handler map is keyed by: its object literal's keys, the strings it
        is indexed or ``set`` with."""
        for name in sorted(self.handler_maps):
            literal = self.object_literals.get(name)
            for pair in literal.named_children if literal is not None else ():
                if pair.type in ("pair", "method_definition"):
                    key = pair.child_by_field_name("key") or pair.child_by_field_name("name")
                    if key is not None and _key_text(key) is not None:
                        self._wait(key, ("lit", _key_text(key)))
                elif pair.type == "shorthand_property_identifier":
                    self._wait(pair, ("lit", _text(pair)))
            for key in self.keyed.get(name, ()):
                self._wait(key)

    def _is_type_of_message(self, node: Any) -> bool:
        node = _unwrapped(node)
        if node.type == "identifier":
            return _text(node) in self.type_names
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            holder = node.child_by_field_name("object")
            return (
                prop is not None
                and _text(prop) == "type"
                and holder is not None
                and holder.type == "identifier"
                and _text(holder) in self.messages
            )
        if node.type == "subscript_expression":
            holder, index = node.child_by_field_name("object"), node.child_by_field_name("index")
            return (
                holder is not None
                and holder.type == "identifier"
                and _text(holder) in self.messages
                and index is not None
                and _string_value(index) == "type"
            )
        return False

    def _wait(self, node: Any, value: Expr | None = None) -> None:
        node = _unwrapped(node)
        if _in_error(node):
            return
        expr = value if value is not None else _expr(node, ())
        if expr[0] in ("lit", "ref", "member"):
            self.facts.waits.append(WaitSite(expr, self._place(node)))

    # -- positions ----------------------------------------------------------------------------
    def _place(self, node: Any) -> Place:
        start, end = node.start_point, node.end_point
        return Place(
            start[0] + 1,
            self._column(node.start_byte, start[1]) + 1,
            end[0] + 1,
            self._column(node.end_byte, end[1]) + 1,
        )

    def _column(self, offset: int, byte_column: int) -> int:
        line_start = offset - byte_column
        return len(self.data[line_start:offset].decode("utf-8", "replace"))


# -- helpers on nodes -------------------------------------------------------------------------
def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _unwrapped(node: Any) -> Any:
    while node.type in UNWRAPPED and node.named_child_count:
        node = node.named_children[0]
    return node


def _in_error(node: Any) -> bool:
    """Whether the node holds a piece tree-sitter could not parse, or sits in a statement that
    does (or in an ERROR region nested in sound code). A file whose whole text tree-sitter
    wraps in one ERROR still yields its sound statements."""
    if node.has_error:
        return True
    parent = node.parent
    while parent is not None:
        if parent.type == "ERROR":
            return parent.parent is not None
        if parent.has_error:
            return True
        if parent.type.endswith(("_statement", "_declaration")) and parent.type != "statement_block":
            return False  # a sound statement: what encloses it does not matter
        parent = parent.parent
    return False


def _is_const(declarator: Any) -> bool:
    declaration = declarator.parent
    if declaration is None or declaration.type != "lexical_declaration":
        return False
    kind = declaration.child_by_field_name("kind")
    return kind is not None and kind.type == "const"


def _callee(call: Any) -> str:
    function = call.child_by_field_name("function")
    return _text(function) if function is not None else ""


def _is_json_parse(node: Any) -> bool:
    return node.type == "call_expression" and _callee(node) == "JSON.parse"


def _given_to_socket(pair: Any) -> bool:
    """Whether an ``onMessage`` option is handed to something named for a socket
    (``useWebSocket(url, {onMessage})``, ``createSocket({onMessage})``)."""
    holder = pair.parent
    arguments = holder.parent if holder is not None else None
    call = arguments.parent if arguments is not None and arguments.type == "arguments" else None
    if call is None or call.type not in ("call_expression", "new_expression"):
        return False
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    return callee is not None and "socket" in _text(callee).lower()


def _is_other_channel(function: Any, arguments: Any) -> bool:
    """``window.addEventListener("message", ...)`` (postMessage), ``chrome.runtime.onMessage``."""
    text = _text(function)
    if "runtime.onMessage" in text:
        return True
    receiver, _, method = text.rpartition(".")
    given = arguments.named_children
    return (
        method == "addEventListener"
        and receiver in GLOBAL_TARGETS
        and bool(given)
        and _string_value(given[0]) == "message"
    )


def _is_socket_hook(name: str) -> bool:
    """``useWebSocket``, ``useReliableWebSocket``, ``useSocket``: a hook named for a socket."""
    return name.startswith("use") and name[3:4].isupper() and "Socket" in name and "." not in name


def _string_value(node: Any) -> str | None:
    """The text of a string literal (or of a template literal without substitutions)."""
    if node.type == "string":
        return _text(node)[1:-1]
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return _text(node)[1:-1]
    return None


def _key_text(node: Any) -> str | None:
    if node is None:
        return None
    if node.type in ("property_identifier", "identifier"):
        return _text(node)
    return _string_value(node)


def _parameters(function: Any) -> list[str]:
    parameters = function.child_by_field_name("parameters")
    if parameters is None:
        single = function.child_by_field_name("parameter")  # ``msg => ...``
        return [_text(single)] if single is not None and single.type == "identifier" else []
    names = []
    for parameter in parameters.named_children:
        target = parameter.child_by_field_name("pattern") or parameter
        if target.type == "assignment_pattern":
            target = target.child_by_field_name("left") or target
        names.append(_text(target) if target.type == "identifier" else "")
    return names


def _helper(function: Any) -> tuple[tuple[str, ...], Expr] | None:
    """A one-expression function (``getUrl(path)``): its parameters and what it returns."""
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type == "statement_block":
        returns = [c for c in body.named_children if c.type == "return_statement"]
        if len(returns) != 1 or not returns[0].named_child_count:
            return None
        body = returns[0].named_children[0]
    names = tuple(_parameters(function))
    return names, _expr(body, names)


def _expr(node: Any, parameters: tuple[str, ...], depth: int = 0) -> Expr:
    """What an expression may spell, as an :data:`Expr`."""
    if depth > MAX_EXPR_DEPTH:
        return HOLE
    node = _unwrapped(node)
    kind = node.type
    if kind == "string":
        return ("lit", _text(node)[1:-1])
    if kind == "template_string":
        parts: list[Expr] = []
        for child in node.children:
            if child.type == "template_substitution":
                inner = child.named_children
                parts.append(_expr(inner[0], parameters, depth + 1) if inner else HOLE)
            elif child.type in ("string_fragment", "escape_sequence"):
                parts.append(("lit", _text(child)))
        return ("cat", tuple(parts))
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is not None and operator.type == "+" and left is not None and right is not None:
            return ("cat", (_expr(left, parameters, depth + 1), _expr(right, parameters, depth + 1)))
        return HOLE
    if kind == "identifier":
        name = _text(node)
        return ("param", parameters.index(name)) if name in parameters else ("ref", name)
    if kind == "member_expression":
        dotted = _text(node)
        if all(part.isidentifier() for part in dotted.split(".")):
            return ("member", dotted)
        return HOLE
    if kind == "call_expression":
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or function.type != "identifier" or arguments is None:
            return HOLE
        given = tuple(_expr(a, parameters, depth + 1) for a in arguments.named_children)
        return ("call", _text(function), given)
    return HOLE
