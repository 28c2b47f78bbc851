"""The types an endpoint sends from its loops: replies to its client's messages, which the
client receives after its first message too (a client waiting for one is answered)."""

from __future__ import annotations

import ast

from wslint.analysis.endpoints import socket_parameter
from wslint.analysis.message_flow import UNKNOWN, Scope, TypeResolver, Types, union
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import local_nodes


def reply_types(function: FunctionInfo, module: ModuleInfo, resolver: TypeResolver) -> Types:
    """A send on the socket inside a loop, or a call whose name says it sends and that is
    handed the socket: the types they carry. UNKNOWN where one cannot be read."""
    socket = socket_parameter(function)
    scope = Scope(module, function)
    loops = [n for n in local_nodes(function.node.body) if isinstance(n, (ast.While, ast.AsyncFor, ast.For))]
    found: Types = frozenset()
    for node in local_nodes(loops):
        if not isinstance(node, ast.Call) or "send" not in (final_name(node.func) or "").lower():
            continue
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id == socket:
            payloads = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("data", "text"))]
        elif any(isinstance(a, ast.Name) and a.id == socket for a in node.args):
            payloads = [a for a in node.args if not (isinstance(a, ast.Name) and a.id == socket)]
        else:
            continue
        if len(payloads) != 1:
            return UNKNOWN
        found = union(found, resolver.message_types(payloads[0], scope))
        if found is UNKNOWN:
            return UNKNOWN
    return found
