"""Fan-outs through a per-client helper: each client handed to a function that sends to it.

``await asyncio.gather(*(self._send(ws, msg) for ws in self.clients))`` and
``for ws in clients: await self._safe_send(ws, msg)`` broadcast as surely as a loop calling
``ws.send_text`` itself. The loop is found here from the syntax; whether the helper sends on
the client it is given is for the project index to tell, once the helper is resolved.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wslint.analysis.calls import SEND_METHODS
from wslint.analysis.module import FunctionInfo, local_nodes
from wslint.analysis.names import receiver_root
from wslint.analysis.walk import walk

COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp)


@dataclass(frozen=True)
class ClientHandOff:
    """A call in a loop over clients that passes the loop's client on: ``self._send(ws, m)``."""

    loop: ast.AST  # the ``for`` loop or comprehension
    call: ast.Call
    position: int | None  # the client's positional index, or None when passed by keyword
    keyword: str | None


def client_hand_offs(nodes: Iterable[ast.AST]) -> Iterator[ClientHandOff]:
    """Every call of a ``for`` loop (or comprehension) among ``nodes`` that takes the loop's
    target as an argument, other than a method called on the target itself."""
    for node in nodes:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            targets = _names(node.target)
            calls = [c for c in local_nodes(node.body) if isinstance(c, ast.Call)]
        elif isinstance(node, COMPREHENSIONS):
            targets = {name for generator in node.generators for name in _names(generator.target)}
            calls = [c for c in local_nodes([ast.Expr(node.elt)]) if isinstance(c, ast.Call)]
        else:
            continue
        for call in calls:
            hand_off = _hand_off(node, call, targets)
            if hand_off is not None:
                yield hand_off


def _hand_off(loop: ast.AST, call: ast.Call, targets: set[str]) -> ClientHandOff | None:
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Name) and argument.id in targets:
            return ClientHandOff(loop, call, position, None)
    for keyword in call.keywords:
        if isinstance(keyword.value, ast.Name) and keyword.value.id in targets and keyword.arg:
            return ClientHandOff(loop, call, None, keyword.arg)
    return None


def client_parameter(hand_off: ClientHandOff, helper: FunctionInfo) -> str | None:
    """The helper's parameter that receives the client (``self`` skipped for a method)."""
    arguments = helper.node.args
    positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    if helper.owner is not None and isinstance(hand_off.call.func, ast.Attribute) and not _is_static(helper):
        positional = positional[1:]
    if hand_off.keyword is not None:
        names = {*positional, *(a.arg for a in arguments.kwonlyargs)}
        return hand_off.keyword if hand_off.keyword in names else None
    position = hand_off.position
    return positional[position] if position is not None and position < len(positional) else None


def sends_on(helper: FunctionInfo, parameter: str) -> bool:
    """Whether the helper calls ``send`` / ``send_text`` / ... on that parameter (or on an
    attribute of it: ``client.websocket.send_text``)."""
    for node in helper.body_nodes():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SEND_METHODS
            and receiver_root(node.func.value) == parameter
            and parameter not in helper.target_names()
        ):
            return True
    return False


def _is_static(function: FunctionInfo) -> bool:
    return any(
        isinstance(decorator, ast.Name) and decorator.id == "staticmethod"
        for decorator in function.node.decorator_list
    )


def _names(target: ast.AST) -> set[str]:
    return {node.id for node in walk(target) if isinstance(node, ast.Name)}
