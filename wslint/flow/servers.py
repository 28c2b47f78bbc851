"""Sockets served where the model lists no endpoint: Channels routes
(``path("ws/x/", Consumer.as_asgi())``, ``re_path(...)``) and ``websockets.serve`` (which
serves every path). The client rules hold a client's socket against them too; their presence
makes the model's paths incomplete.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.index import ProjectIndex
from wslint.analysis.message_flow import Scope, TypeResolver
from wslint.analysis.module import ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.flow.model import ServedElsewhere

SERVE_ANY_PATH = frozenset({"serve", "unix_serve", "re_path"})
WORDS = ("serve", "unix_serve", "as_asgi", "re_path")


def served_elsewhere(index: ProjectIndex, resolver: TypeResolver) -> tuple[ServedElsewhere, ...]:
    """Every such socket of the project's production code, in file order."""
    found: list[ServedElsewhere] = []
    for module in index.production_modules_mentioning_any(WORDS):
        found.extend(_module_sockets(module, resolver))
    return tuple(found)


def _module_sockets(module: ModuleInfo, resolver: TypeResolver) -> Iterator[ServedElsewhere]:
    file = str(module.path)
    for call in (node for node in walk(module.tree) if isinstance(node, ast.Call)):
        name = final_name(call.func)
        if name in SERVE_ANY_PATH and _serves_sockets(module, call, name):
            yield ServedElsewhere(None, file, call.lineno)
        elif name == "path" and _is_channels_route(call):
            values = resolver.type_values(call.args[0], Scope(module, None))
            for value in sorted(values) if isinstance(values, frozenset) and values else [None]:
                yield ServedElsewhere(None if value is None else _rooted(value), file, call.lineno)


def _serves_sockets(module: ModuleInfo, call: ast.Call, name: str) -> bool:
    if name == "re_path":
        return any(isinstance(a, ast.Call) and final_name(a.func) == "as_asgi" for a in call.args[1:])
    return module.may_mention("websockets")


def _is_channels_route(call: ast.Call) -> bool:
    return (
        len(call.args) >= 2
        and isinstance(call.args[1], ast.Call)
        and final_name(call.args[1].func) == "as_asgi"
    )


def _rooted(path: str) -> str:
    """``ws/chat/`` -> ``/ws/chat`` (trailing slashes do not matter to the match)."""
    return "/" + path.strip("/")
