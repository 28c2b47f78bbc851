"""Building the message-flow model of a project, once per run (:func:`flow_model`)."""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator

from wslint.analysis.endpoints import (
    ENDPOINT_DECORATORS,
    REGISTRARS,
    EndpointFacts,
    analyse_endpoint,
    is_decorated_endpoint,
)
from wslint.analysis.index import ProjectIndex
from wslint.analysis.message_flow import Scope, TypeResolver, Types
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.project_facts import broadcasting_module_names, project_facts, registered_endpoints
from wslint.analysis.roles import broadcaster_loops
from wslint.flow import library
from wslint.flow.broadcasters import broadcaster_facts, library_broadcaster
from wslint.flow.model import (
    LIBRARY,
    SELF,
    UNKNOWN_STATUS,
    Broadcaster,
    Endpoint,
    FlowModel,
    Place,
    Sender,
)
from wslint.flow.paths import PathReader
from wslint.flow.replies import reply_types
from wslint.flow.senders import qualified_function
from wslint.flow.servers import served_elsewhere
from wslint.flow.status import SenderSet, endpoint_verdict, initial_types

SERVER_PACKAGES = (
    "fastapi",
    "starlette",
    "websockets",
    "channels",
    "socketio",
    "flask_socketio",
    "aiohttp",
    "tornado",
    "quart",
    "sanic",
    "litestar",
    "django",
    "flask_sock",
    "simple_websocket",
)
_MODELS: weakref.WeakKeyDictionary[ProjectIndex, FlowModel] = weakref.WeakKeyDictionary()


def flow_model(index: ProjectIndex) -> FlowModel:
    """The project's model, built on the first question and kept for the run."""
    model = _MODELS.get(index)
    if model is None:
        model = _MODELS[index] = build_model(index)
    return model


def build_model(index: ProjectIndex) -> FlowModel:
    candidates = list(_endpoint_functions(index))
    if not candidates and not _imports_a_server(index):
        return FlowModel()  # no WebSocket server code: nothing to map
    facts = project_facts(index)
    senders = facts.senders
    reader = PathReader(index, facts.resolver)
    endpoints: list[Endpoint] = []
    own: list[Sender] = []  # the endpoints' pushes on their own: senders of their types too
    for function, module in candidates:
        found, pushes = _endpoint(function, module, facts.resolver, reader, senders, facts.sender_set, index)
        endpoints += found
        own += pushes
    endpoints.sort(key=lambda e: (e.file, e.line, e.path is None, e.path or ""))
    broadcasters = sorted(_broadcasters(index, senders), key=lambda b: (b.file, b.line, b.function))
    has_server = bool(endpoints) or bool(candidates) or _imports_a_server(index)
    every = sorted([*senders, *own], key=lambda s: (s.file, s.line, s.kind))
    elsewhere = served_elsewhere(index, facts.resolver)
    complete = all(e.path is not None for e in endpoints) and not elsewhere and not _other_servers(index)
    return FlowModel(endpoints, every, broadcasters, has_server, complete, elsewhere)


# -- endpoints -------------------------------------------------------------------------------
def _endpoint_functions(index: ProjectIndex) -> Iterator[tuple[FunctionInfo, ModuleInfo]]:
    registered = registered_endpoints(index)
    names = set(index.names_mentioning_any((*ENDPOINT_DECORATORS, *REGISTRARS)))
    names |= {key.partition("::")[0] for key in registered}  # registered from another module
    for name in sorted(names):
        module = index.module(name)
        if module is None or module.is_test:
            continue
        for function in module.iter_functions():
            if (function.is_async and is_decorated_endpoint(function)) or function.key in registered:
                yield function, module


def _endpoint(
    function: FunctionInfo,
    module: ModuleInfo,
    resolver: TypeResolver,
    reader: PathReader,
    senders: list[Sender],
    sender_set: SenderSet,
    index: ProjectIndex,
) -> tuple[list[Endpoint], list[Sender]]:
    """The endpoint (one per path it is registered on) and its pushes on its own."""
    if is_decorated_endpoint(function):
        paths = [reader.decorated_path(function, module)]
    else:
        paths = reader.registered_paths(function)
    facts = analyse_endpoint(function, module, resolver)
    if facts is None:  # its socket cannot be told: served, but what it sends is unknown
        return [_unread_endpoint(function, module, path) for path in paths], []
    replies = reply_types(function, module, resolver)
    verdict = endpoint_verdict(facts, sender_set, index.settings.update_type_patterns)
    known = initial_types(facts)
    pushes = [
        Sender(
            module.name,
            str(module.path),
            function.node.lineno,
            qualified_function(function),
            SELF,
            types if isinstance(types, frozenset) else None,
            facts.registry,
        )
        for types in _distinct(facts.pushes)
    ]
    endpoints = [
        Endpoint(
            path=path,
            function=qualified_function(function),
            module=module.name,
            file=str(module.path),
            line=function.node.lineno,
            initial_types=known,
            initial_unknown=any(not isinstance(types, frozenset) for types in facts.initial),
            sends_initial=bool(facts.initial),
            registry=facts.registry,
            status=verdict.status,
            missing_type=verdict.missing_type,
            senders=_feeding(facts, known, [*senders, *pushes]),
            replies=replies if isinstance(replies, frozenset) else None,
        )
        for path in paths
    ]
    return endpoints, pushes


def _unread_endpoint(function: FunctionInfo, module: ModuleInfo, path: str | None) -> Endpoint:
    return Endpoint(
        path=path,
        function=qualified_function(function),
        module=module.name,
        file=str(module.path),
        line=function.node.lineno,
        initial_types=frozenset(),
        initial_unknown=True,
        sends_initial=False,
        registry=None,
        status=UNKNOWN_STATUS,
        replies=None,
    )


def _distinct(pushes: list[Types]) -> list[Types]:
    """Each set of types pushed, once (unknown first)."""
    found: list[Types] = []
    for types in pushes:
        if types not in found:
            found.append(types)
    return found


def _feeding(facts: EndpointFacts, known: frozenset[str], senders: list[Sender]) -> tuple[Sender, ...]:
    """The senders that carry one of its initial types, or an unknown type it may receive (for
    an endpoint that sends nothing first: every sender that may reach it)."""
    if not facts.initial:
        return tuple(sender for sender in senders if sender.sends and sender.could_reach(facts.registry))
    return tuple(
        sender
        for sender in senders
        if sender.sends
        and (
            (sender.types is not None and bool(sender.types & known))
            or (sender.types is None and sender.could_reach(facts.registry))
        )
    )


# -- broadcasters ----------------------------------------------------------------------------
def _broadcasters(index: ProjectIndex, senders: list[Sender]) -> Iterator[Broadcaster]:
    pattern_words = [p.replace("*", "").strip("_") for p in index.settings.broadcaster_patterns]
    names = set(broadcasting_module_names(index)) | set(
        index.names_mentioning_any(w for w in pattern_words if w)
    )
    for name in sorted(names):
        module = index.module(name)
        if module is None or module.is_test:
            continue
        for function in module.iter_functions():
            loops = broadcaster_loops(function, module, index)
            if loops is not None:
                yield broadcaster_facts(function, module, loops, index, senders)
    for sender in senders:
        if sender.kind == LIBRARY and (sender.library or "").startswith(library.REFERENCE_PACKAGE):
            found = _reference_use(sender, index)
            if found is not None:
                use, starts = found
                yield library_broadcaster(sender, use.shape.kind, use.interval, starts)


def _reference_use(
    sender: Sender, index: ProjectIndex
) -> tuple[library.ReferenceUse, tuple[Place, ...]] | None:
    module = index.module(sender.module)
    if module is None:
        return None
    scopes = module.scope_map()
    name = (sender.library or "").rpartition(".")[2]
    for call in module.calls_named(name):
        if call.lineno != sender.line:
            continue
        holder = scopes.get(id(call))
        facts = project_facts(index)
        use = library.reference_construction(call, Scope(module, holder), facts.resolver)
        if use is not None:
            return use, _reference_starts(call, module)
    return None


def _reference_starts(call: ast.Call, module: ModuleInfo) -> tuple[Place, ...]:
    """Where ``<name>.start()`` is called on the name the construction is assigned to."""
    parent = module.parent_of(call)
    if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return ()
    target = parent.targets[0]
    spelled = ast.dump(target.value) + target.attr if isinstance(target, ast.Attribute) else None
    name = target.id if isinstance(target, ast.Name) else None
    places = []
    for start in module.calls_named("start"):
        receiver = start.func.value if isinstance(start.func, ast.Attribute) else None
        if receiver is None:
            continue
        if (name is not None and isinstance(receiver, ast.Name) and receiver.id == name) or (
            spelled is not None
            and isinstance(receiver, ast.Attribute)
            and ast.dump(receiver.value) + receiver.attr == spelled
        ):
            places.append(Place(str(module.path), start.lineno))
    return tuple(places)


# Servers whose sockets are not listed as endpoints (their paths and handlers are not read).
OTHER_SERVERS = (
    "websockets",
    "socketio",
    "flask_socketio",
    "channels",
    "tornado",
    "aiohttp",
    "simple_websocket",
)
OTHER_HANDLERS = frozenset({"WebSocketEndpoint", "HTTPEndpoint"})


def _other_servers(index: ProjectIndex) -> bool:
    for module in index.production_modules_mentioning_any((*OTHER_SERVERS, *OTHER_HANDLERS)):
        if library.imports_any(module, OTHER_SERVERS):
            return True
        if any(
            info.bases and any(b.rpartition(".")[2] in OTHER_HANDLERS for b in info.bases)
            for info in module.classes.values()
        ):
            return True
    return False


def _imports_a_server(index: ProjectIndex) -> bool:
    for module in index.production_modules_mentioning_any(SERVER_PACKAGES):
        if library.imports_any(module, SERVER_PACKAGES):
            return True
    return False
