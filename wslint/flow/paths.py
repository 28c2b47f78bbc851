"""An endpoint's path: its route's path joined with the prefixes of what mounts it.

``@router.websocket("/ws")`` on ``router = APIRouter(prefix="/api")`` mounted by
``app.include_router(router, prefix="/v1")`` is ``/v1/api/ws``; a ``WebSocketRoute`` inside
``Mount("/live", routes=[...])`` takes the mount's path. A route factory's parameter
(``def init_routes(app)``) takes the prefix of what its production call sites pass. Anything
that cannot be read (a path built at run time, a router mounted twice with different
prefixes, an unknown receiver) makes the whole path unknown: None, never a guess.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.endpoints import ENDPOINT_DECORATORS, REGISTRARS, _handler_argument
from wslint.analysis.index import ProjectIndex, Resolved
from wslint.analysis.message_flow import Scope, TypeResolver
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.flow.library import argument
from wslint.flow.registry import assigned

APPS = frozenset({"FastAPI", "Starlette", "Quart", "Sanic", "Litestar", "Flask"})
ROUTERS = frozenset({"APIRouter", "Router", "Blueprint"})
MAX_DEPTH = 4
Unknown = None


class PathReader:
    """Reads endpoint paths for one project (memoising where routers are mounted)."""

    def __init__(self, index: ProjectIndex, resolver: TypeResolver) -> None:
        self.index = index
        self.resolver = resolver
        self._mounts: list[tuple[ast.Call, Scope]] | None = None

    # -- routes ----------------------------------------------------------------------------
    def decorated_path(self, function: FunctionInfo, module: ModuleInfo) -> str | None:
        """The path of an endpoint decorated ``@x.websocket(path)``."""
        scope = Scope(module, function.parent)
        for decorator in function.node.decorator_list:
            if isinstance(decorator, ast.Call) and final_name(decorator.func) in ENDPOINT_DECORATORS:
                route = self._text(argument(decorator, 0, "path"), scope)
                func = decorator.func
                prefix = self.prefix(func.value, scope, 0) if isinstance(func, ast.Attribute) else Unknown
                return _joined(prefix, route)
        return None

    def registered_paths(self, function: FunctionInfo) -> list[str | None]:
        """Each distinct path the project registers the coroutine on (None: one cannot be
        read), in order: one handler may serve several routes."""
        paths: set[str | None] = set()
        for call, scope in self._registrations(function):
            route = self._text(argument(call, 0, "path"), scope)
            func = call.func
            if final_name(func) == "WebSocketRoute":
                prefix = self._mount_prefix(call, scope)
            else:
                prefix = self.prefix(func.value, scope, 0) if isinstance(func, ast.Attribute) else Unknown
            paths.add(_joined(prefix, route))
        return sorted(paths, key=lambda path: (path is None, path or "")) or [None]

    def _registrations(self, function: FunctionInfo) -> Iterator[tuple[ast.Call, Scope]]:
        for module in self.index.production_modules_mentioning_any(REGISTRARS):
            scopes = module.scope_map()
            for name in REGISTRARS:
                for call in module.calls_named(name):
                    handler = _handler_argument(call)
                    if handler is None or final_name(call.func) not in REGISTRARS:
                        continue
                    scope = Scope(module, scopes.get(id(call)))
                    fake = ast.Call(func=handler, args=[], keywords=[])  # type: ignore[arg-type]
                    resolved = self.resolver.resolve_call(fake, scope)
                    if isinstance(resolved, Resolved) and resolved.function.key == function.key:
                        yield call, scope

    def _mount_prefix(self, route: ast.Call, scope: Scope) -> str | None:
        """The paths of the ``Mount``s whose ``routes`` hold ``route`` (outermost first)."""
        prefix = ""
        node: ast.AST | None = route
        module = scope.module
        while node is not None:
            parent = module.parent_of(node)
            if isinstance(parent, ast.Call) and final_name(parent.func) == "Mount":
                mount = self._text(argument(parent, 0, "path"), scope)
                if mount is None:
                    return Unknown
                prefix = mount.rstrip("/") + prefix
            node = parent
        return prefix

    # -- prefixes --------------------------------------------------------------------------
    def prefix(self, receiver: ast.AST, scope: Scope, depth: int) -> str | None:
        """The prefix of the app or router ``receiver`` names, mounts included."""
        if depth > MAX_DEPTH or not isinstance(receiver, ast.Name):
            return Unknown
        function = scope.function
        while function is not None:  # a route factory: its parameter, or an app it builds
            if receiver.id in _parameters(function):
                return self._parameter_prefix(function, scope.module, receiver.id, depth)
            local = assigned(function.node.body, receiver.id, deep=True)
            if local:
                built = local[0] if len(local) == 1 and isinstance(local[0], ast.Call) else None
                return self._own_prefix(built, scope) if built is not None else Unknown
            function = function.parent
        found = self._definition(receiver.id, scope)
        if found is None:
            return Unknown
        module, value = found
        own = self._own_prefix(value, Scope(module, None))
        if own is None:
            return Unknown
        mounts = self._mounted_prefixes(
            module.name, receiver.id if module is scope.module else _last(receiver.id, scope), depth
        )
        if not mounts:  # an app serves at its root; a router included nowhere wslint sees, unknown
            return own if final_name(value.func) in APPS else Unknown
        mounted = mounts.pop() if len(mounts) == 1 else Unknown
        return None if mounted is None else mounted + own

    def _parameter_prefix(
        self, function: FunctionInfo, module: ModuleInfo, name: str, depth: int
    ) -> str | None:
        found = set()
        for site in self.resolver._arguments_at_call_sites(function, name):
            if site is None:
                return Unknown
            value, outer = site
            found.add(self.prefix(value, outer, depth + 1))
        return found.pop() if len(found) == 1 else Unknown

    def _definition(self, name: str, scope: Scope) -> tuple[ModuleInfo, ast.Call] | None:
        """The one module-level ``name = FastAPI(...)`` / ``APIRouter(...)`` it names."""
        module = scope.module
        values = _module_assignments(module, name)
        if not values and name in module.aliases:
            head, _, last = module.aliases[name].rpartition(".")
            other = self.index.module(head) if head and self.index.is_project_module(head) else None
            if other is not None:
                module, values = other, _module_assignments(other, last)
        if len(values) == 1 and isinstance(values[0], ast.Call):
            return module, values[0]
        return None

    def _own_prefix(self, value: ast.Call, scope: Scope) -> str | None:
        kind = final_name(value.func)
        if kind in APPS:
            root = argument(value, None, "root_path")
            return "" if root is None else Unknown
        if kind in ROUTERS:
            prefix = argument(value, None, "prefix") or argument(value, None, "url_prefix")
            return "" if prefix is None else self._text(prefix, scope)
        return Unknown

    def _mounted_prefixes(self, module_name: str, name: str, depth: int) -> set[str | None]:
        """The prefixes ``include_router(<it>, prefix=...)`` or ``app.mount(path, <it>)`` add
        (with their parent's), empty where nothing mounts it, None for one that cannot be read
        (a ``Mount(path, app=<it>)`` among some app's routes: its parent is not followed)."""
        found: set[str | None] = set()
        for call, scope in self._includes():
            kind = final_name(call.func)
            if kind == "include_router" or kind == "register_blueprint":
                included = argument(call, 0, "router") or argument(call, 0, "blueprint")
                extra = argument(call, None, "prefix") or argument(call, None, "url_prefix")
            else:  # mount / Mount: the path first, the app second
                included = argument(call, 1, "app")
                extra = argument(call, 0, "path")
            if included is None or _object_of(included, scope, self.index) != (module_name, name):
                continue
            func = call.func
            if kind == "Mount" or not isinstance(func, ast.Attribute):
                found.add(None)
                continue
            parent = self.prefix(func.value, scope, depth + 1)
            text = "" if extra is None and kind != "mount" else self._text(extra, scope)
            found.add(None if parent is None or text is None else parent + text.rstrip("/"))
        return found

    def _includes(self) -> list[tuple[ast.Call, Scope]]:
        if self._mounts is None:
            self._mounts = []
            words = ("include_router", "register_blueprint", "mount", "Mount")
            for module in self.index.production_modules_mentioning_any(words):
                scopes = module.scope_map()
                for word in words:
                    for call in module.calls_named(word):
                        self._mounts.append((call, Scope(module, scopes.get(id(call)))))
        return self._mounts

    def _text(self, node: ast.AST | None, scope: Scope) -> str | None:
        if node is None:
            return Unknown
        if isinstance(node, ast.JoinedStr):
            return Unknown
        values = self.resolver.type_values(node, scope)
        if isinstance(values, frozenset) and len(values) == 1:
            return next(iter(values))
        return Unknown


def _joined(prefix: str | None, route: str | None) -> str | None:
    if prefix is None or route is None:
        return None
    return (prefix.rstrip("/") + "/" + route.lstrip("/")) if prefix else route


def _parameters(function: FunctionInfo) -> set[str]:
    arguments = function.node.args
    return {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}


def _module_assignments(module: ModuleInfo, name: str) -> list[ast.AST]:
    return [
        statement.value
        for statement in module.tree.body
        if isinstance(statement, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    ]


def _last(name: str, scope: Scope) -> str:
    dotted = scope.module.aliases.get(name, name)
    return dotted.rpartition(".")[2]


def _object_of(node: ast.AST, scope: Scope, index: ProjectIndex) -> tuple[str, str] | None:
    """(module, name) of the module-level object ``node`` names: ``router``, ``ws.router``."""
    module = scope.module
    if isinstance(node, ast.Name):
        if node.id in module.aliases:
            head, _, last = module.aliases[node.id].rpartition(".")
            name = _project_module_name(head, index)
            return (name, last) if name else None
        return (module.name, node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        dotted = module.aliases.get(node.value.id)
        name = _project_module_name(dotted, index) if dotted else None
        return (name, node.attr) if name else None
    return None


def _project_module_name(dotted: str, index: ProjectIndex) -> str | None:
    other = index.module(dotted) if dotted and index.is_project_module(dotted) else None
    return other.name if other is not None else None
