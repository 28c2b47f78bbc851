"""## What it does
Checks that every message a broadcast call sends as a dict literal (or as a local name bound
once to one) has a `"type"` key whose value (a string literal or a module constant) matches
`message-type-pattern`: snake_case (`queue_update`) or Channels' dotted handler names
(`chat.message`) by default. It applies to every broadcast call of production code, in
broadcasters, endpoints, services and routes alike.

## Why is this bad?
Clients route every message by its `"type"`: a message without one reaches a `switch` that has
no case for it and is silently dropped, and a type spelled differently from the convention
(`QueueUpdate`, `queue-update`) never matches the handler the front end registered. Channels
goes further: `group_send` dispatches on `"type"` to a consumer method, so a missing or
malformed type raises in every consumer of the group. The broadcasting checklist's own templates carry the
placeholder `"FEATURE_update"`: left as it is (or replaced with a CamelCase feature name), it is
reported, because the capitalised part does not match the pattern.

## Example
```python
await self.websocket_manager.broadcast({"data": current_state})
await self.websocket_manager.broadcast({"type": "QueueUpdate", "data": current_state})
```

## Use instead
```python
await self.websocket_manager.broadcast({"type": "queue_update", "data": current_state})
```

## Options
- `broadcast-methods`
- `message-type-pattern`

## Known problems
The payload is the call's `message=` (or `msg`, `data`, `payload`, `event`) keyword, else the
last positional argument that reads as a message (a dict display, `dict(...)`, `json.dumps(...)`
or a name like `message`: the dict of `broadcast({...}, room_id)`), else its last positional
argument: the dict of `group_send(group, {...})`, and for
`websockets.broadcast(connections, json.dumps({...}))` the dict inside `json.dumps(...)` (any
`dumps`), since that dict is what the client parses. The whole type must match the pattern.
Unknown, so never reported: a payload that is a parameter or a call (`self._message("x")`), a
dict with `**` unpacking or built with `dict(...)`, a local dict that is changed or handed to
another call before the broadcast (`msg["type"] = ...`, `msg.update(...)`, `stamp(msg)`), and a
type that is an f-string, an enum member or a class attribute. A helper that takes the type as
its own argument is not missing one: a call with another string argument
(`broadcast("heartbeat", data)`; for `group_send` the first argument is the group) or an
argument or keyword named like a type (`kind`, `message_type=...`) is not reported. Fan-out
loops (`for ws in clients: await ws.send_json({...})`) are not checked, and neither is test
code, which broadcasts odd messages on purpose. The key is always `"type"`: a project that
routes its messages by another key (`"event"`, `"action"`) is reported; it can disable the rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from wslint.analysis.calls import broadcast_payload, is_broadcast_call, is_logging_call
from wslint.analysis.context import FileContext
from wslint.analysis.guards import name_parts
from wslint.analysis.messages import payload_dict, string_value
from wslint.analysis.module import FunctionInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.core.findings import Finding
from wslint.core.needs import BROADCAST_CALL, Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule

TYPE_WORDS = frozenset({"type", "kind", "event", "topic"})
GROUP_SENDERS = frozenset({"group_send"})
READ_ONLY = frozenset({"get", "keys", "values", "items", "copy"})


class MessageWithoutType(Rule):
    code = "WSL013"
    name = "message-without-type"
    summary = 'A broadcast message has no "type", or its type does not match message-type-pattern'
    fix = 'give the message a snake_case "type" key named after what it carries ("orders_update")'
    options = ("broadcast-methods", "message-type-pattern")

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return ((BROADCAST_CALL,),)

    def check(self, context: FileContext) -> Iterator[Finding]:
        module, settings = context.module, context.settings
        if module.is_test:
            return
        pattern = re.compile(settings.message_type_pattern)
        scopes = module.scope_map()
        for call in walk(module.tree):
            if not isinstance(call, ast.Call) or not is_broadcast_call(call, settings):
                continue
            function = scopes.get(id(call))
            where = f"`{function.name}`" if function is not None else "module code"
            payload = _payload(call)
            message = _message_dict(payload, call, function)
            if message is None:
                continue
            type_node = _type_value(message)
            if type_node is None:
                if not _type_given_separately(call, payload):
                    suggested = suggested_type(function.name if function is not None else None)
                    yield self.finding(
                        context,
                        call,
                        f'the message broadcast in {where} has no "type" key: add one '
                        f'("type": "{suggested}") so clients can route it',
                    )
                continue
            value = string_value(type_node, module)
            if value is not None and not pattern.fullmatch(value):
                yield self.finding(
                    context,
                    type_node,
                    f"message type {value!r} broadcast in {where} does not match "
                    f"`message-type-pattern`: use snake_case such as {_suggest(value)!r}",
                )


def _payload(call: ast.Call) -> ast.AST | None:
    payload = broadcast_payload(call)
    if isinstance(payload, ast.Call) and final_name(payload.func) == "dumps" and payload.args:
        return payload.args[0]  # websockets.broadcast(conns, json.dumps({...}))
    return payload


def _message_dict(payload: ast.AST | None, call: ast.Call, function: FunctionInfo | None) -> ast.Dict | None:
    """The dict literal sent, when it is certain what it holds at the broadcast."""
    found = payload_dict(payload, function)
    if found is None or any(key is None for key in found.keys):  # ** unpacking: unknown
        return None
    if isinstance(payload, ast.Name) and _changed_or_passed_on(payload.id, call, function):
        return None
    return found


def _changed_or_passed_on(name: str, call: ast.Call, function: FunctionInfo | None) -> bool:
    if function is None:
        return True
    for node in function.body_nodes():
        if isinstance(node, ast.Subscript) and _is_name(node.value, name):
            if not isinstance(node.ctx, ast.Load):
                return True
        if isinstance(node, ast.AugAssign) and _is_name(node.target, name):
            return True
        if isinstance(node, ast.Call) and node is not call:
            func = node.func
            if isinstance(func, ast.Attribute) and _is_name(func.value, name) and func.attr not in READ_ONLY:
                return True
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(_is_name(argument, name) for argument in arguments) and not _harmless(node, call):
                return True
    return False


def _harmless(node: ast.Call, call: ast.Call) -> bool:
    """Logging, ``json.dumps`` of the message, or the broadcast's own argument."""
    if is_logging_call(node) or final_name(node.func) in ("dumps", "len", "repr", "str"):
        return True
    return any(argument is node for argument in call.args)


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _type_value(message: ast.Dict) -> ast.expr | None:
    value = None
    for key, item in zip(message.keys, message.values):
        if isinstance(key, ast.Constant) and key.value == "type":
            value = item
    return value


def _type_given_separately(call: ast.Call, payload: ast.AST | None) -> bool:
    """``broadcast("heartbeat", data)``, ``broadcast(kind, data)``, ``broadcast(data, message_type=...)``."""
    others = [argument for argument in call.args if argument is not payload and not _wraps(argument, payload)]
    if final_name(call.func) in GROUP_SENDERS:
        others = others[1:]  # group_send(group, message)
    for keyword in call.keywords:
        if keyword.value is payload or _wraps(keyword.value, payload):
            continue
        if keyword.arg is None or _names_type(keyword.arg):
            return True
        others.append(keyword.value)
    return any(_type_like(argument) for argument in others)


def _wraps(node: ast.AST, payload: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and any(argument is payload for argument in node.args)


def _type_like(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    name = final_name(node)
    return name is not None and _names_type(name)


def _names_type(name: str) -> bool:
    return any(part in TYPE_WORDS for part in name_parts(name)) or name.isupper()


# What a broadcaster's name says about the act, not the data: ``_broadcast_orders`` carries orders.
ACT_WORDS = frozenset(
    {"broadcast", "push", "send", "notify", "publish", "emit", "stream", "poll", "watch", "relay"}
)
TRAILING_WORDS = frozenset({"update", "updates", "updated", "changes", "change", "events", "loop", "task"})
# Who receives it, not what it is: ``notify_all_clients``.
AUDIENCE_WORDS = frozenset({"to", "all", "clients", "client", "subscribers", "everyone", "ws", "websockets"})


def suggested_type(function: str | None) -> str:
    """A type made from the broadcasting function's own name: ``_broadcast_orders`` ->
    ``orders_update``, ``push_queue_updates`` -> ``queue_update``; ``state_update`` when the
    name says nothing of the data (``broadcast`` itself, module code)."""
    parts = [part for part in name_parts(function or "") if part not in AUDIENCE_WORDS]
    while parts and parts[0] in ACT_WORDS:
        parts = parts[1:]
    while parts and parts[-1] in TRAILING_WORDS:
        parts = parts[:-1]
    words = [re.sub(r"[^a-z0-9]", "", part) for part in parts]
    subject = "_".join(word for word in words if word)
    if not subject or not subject[0].isalpha():
        subject = "state"
    return f"{subject}_update"


def _suggest(value: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value)
    return re.sub(r"[^a-z0-9.]+", "_", spaced.lower()).strip("_") or "message_update"
