"""The project's senders: every place a message reaches clients after their first one.

Gathered module by module (:func:`module_senders`, which worker processes run on their share
and send each other), then joined (:func:`join_senders`): a bus relay takes its types from the
publishes to its channels, and is unknown only where they are (or where nothing in the project
publishes to them: another service may).
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import replace

from wslint.analysis.calls import COMPREHENSIONS
from wslint.analysis.message_flow import Scope, TypeResolver, Types
from wslint.analysis.module import FunctionInfo, ModuleInfo, local_nodes
from wslint.analysis.names import final_name
from wslint.flow import library
from wslint.flow.model import BROADCAST, FAN_OUT, LIBRARY, PUBLISH, RELAY, Sender
from wslint.flow.registry import instance_registry, resolved_registry


def known(types: Types) -> frozenset[str] | None:
    """The model's spelling of a resolver's answer (None: unknown)."""
    return types if isinstance(types, frozenset) else None


def qualified_function(function: FunctionInfo | None) -> str:
    return function.key.partition("::")[2] if function is not None else "<module>"


def module_senders(module: ModuleInfo, resolver: TypeResolver) -> Iterator[Sender]:
    """Every sender of one module (publishes too: whether they are senders is told at the join)."""
    from wslint.analysis.project_facts import sites_in  # (it imports this module's package)

    settings = resolver.index.settings
    module.lay_out()  # every function's body is walked twice: slices beat walking the tree
    for function in module.iter_functions():
        scope = Scope(module, function)
        channels: tuple[str | None, ...] | None = None
        broadcasts, fan_outs = sites_in(function, settings)
        implementation = function.name in settings.broadcast_methods
        places: list[tuple[ast.AST, ast.AST | None, str]] = [
            (b.node, b.payload, FAN_OUT if _is_loop(b.node) else BROADCAST) for b in broadcasts
        ]
        places += [(node, payload, FAN_OUT) for node, payload in fan_outs]
        for node, payload, kind in places:
            types = known(resolver.message_types(payload, scope)) if payload is not None else None
            if types is None and channels is None:
                channels = _subscribed(function, scope, resolver)
            relay = types is None and bool(channels)
            yield Sender(
                module.name,
                str(module.path),
                _line(node),
                qualified_function(function),
                RELAY if relay else kind,
                types,
                _registry(node, kind, function, scope, resolver) if types is None else None,
                channels if relay and channels else (),
                implementation,
            )
        yield from _library_senders(function.body_nodes(), scope, resolver)
    yield from _library_senders(local_nodes(module.tree.body), Scope(module, None), resolver)


def _library_senders(nodes: Iterable[ast.AST], scope: Scope, resolver: TypeResolver) -> Iterator[Sender]:
    module = scope.module
    where = qualified_function(scope.function)
    for node in nodes:
        if not isinstance(node, ast.Call) or final_name(node.func) not in library.LIBRARY_CALLS:
            continue
        use = library.reference_construction(node, scope, resolver)
        if use is not None:
            yield Sender(
                module.name,
                str(module.path),
                _line(node),
                where,
                LIBRARY,
                use.types,
                use.registry,
                library=f"wslint.reference.{use.name}",
            )
            continue
        event = library.socketio_emit(node, module)
        if event is not False:
            types = known(resolver.type_values(event, scope)) if isinstance(event, ast.AST) else None
            yield Sender(
                module.name,
                str(module.path),
                _line(node),
                where,
                LIBRARY,
                types,
                "socketio",
                library="socketio",
            )
            continue
        published = library.bus_publish(node, module)
        if published is not None:
            channel, message = published
            types = known(resolver.message_types(message, scope)) if message is not None else None
            channels = library.channel_names([channel] if channel is not None else [], scope, resolver)
            yield Sender(module.name, str(module.path), _line(node), where, PUBLISH, types, None, channels)


def _subscribed(function: FunctionInfo, scope: Scope, resolver: TypeResolver) -> tuple[str | None, ...]:
    """The bus channels the function (else its class) subscribes to; empty: it subscribes to none."""
    candidates = [function]
    owner = function.owner
    if owner is not None:
        candidates += [method for method in owner.methods.values() if method is not function]
    for candidate in candidates:
        found: list[str | None] = []
        inner = Scope(scope.module, candidate)
        for node in candidate.body_nodes():
            if isinstance(node, ast.Call):
                arguments = library.subscriptions(node, scope.module)
                if arguments is not None:
                    found.extend(library.channel_names(arguments, inner, resolver))
        if found:
            return tuple(found)
    return ()


def _registry(
    node: ast.AST, kind: str, function: FunctionInfo, scope: Scope, resolver: TypeResolver
) -> str | None:
    if kind == FAN_OUT:  # the connections it loops over belong to its class
        owner = function.owner
        return owner.key if owner is not None else None
    if not isinstance(node, ast.Call):
        return None
    resolved = resolver.resolve_call(node, scope)
    if resolved is not None:
        return resolved_registry(resolved)
    func = node.func
    if isinstance(func, ast.Attribute):
        return instance_registry(func.value, scope, resolver.index)
    return None


def _is_loop(node: ast.AST) -> bool:
    return isinstance(node, (ast.For, ast.AsyncFor, *COMPREHENSIONS))


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


# -- the join --------------------------------------------------------------------------------
def join_senders(senders: Iterable[Sender]) -> list[Sender]:
    """Every sender with each relay's types taken from the publishes to its channels."""
    every = list(senders)
    publishes = [sender for sender in every if sender.kind == PUBLISH]
    joined = []
    for sender in every:
        if sender.kind == RELAY:
            feeding = [p for p in publishes if _channels_meet(p.channels, sender.channels)]
            types = None
            if feeding and all(p.types is not None for p in feeding):
                types = frozenset().union(*(p.types or frozenset() for p in feeding))
            sender = replace(sender, types=types)
        joined.append(sender)
    return joined


def _channels_meet(published: tuple[str | None, ...], subscribed: tuple[str | None, ...]) -> bool:
    """Whether a publish to ``published`` may reach a subscription to ``subscribed`` (patterns
    too); a channel that cannot be read meets every channel."""
    for out in published or (None,):
        for into in subscribed or (None,):
            if out is None or into is None or out == into or fnmatch.fnmatchcase(out, into):
                return True
    return False
