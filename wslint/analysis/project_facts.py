"""Project-wide facts for WSL006, extracted once per file and joined across the project.

Per production module: its broadcast sites (broadcast calls, fan-outs, fan-outs through a
send helper) and the message types each carries, or unknown. Joined: every type the project
broadcasts, whether any broadcast's type is unknown, whether anything broadcasts at all; and
which functions the project registers as WebSocket routes. Memoised per :class:`ProjectIndex`
(one run); only modules whose bytes mention a broadcast method or a send method are parsed.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from wslint.analysis import endpoints
from wslint.analysis.calls import Broadcast, broadcasts_in
from wslint.analysis.index import ProjectIndex
from wslint.analysis.message_flow import UNKNOWN, Scope, TypeResolver, Types
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import final_name
from wslint.analysis.walk import walk
from wslint.core.options import Settings
from wslint.core.vocabulary import SEND_METHODS


@dataclass(frozen=True)
class BroadcastSite:
    module: str
    line: int
    types: Types


@dataclass
class ProjectFacts:
    """The join: every broadcast's types, the registered endpoints, a shared resolver."""

    resolver: TypeResolver
    sites: list[BroadcastSite] = field(default_factory=list)

    @cached_property
    def types(self) -> frozenset[str]:
        """Every type some broadcast carries (asked once the sites are all gathered)."""
        found: set[str] = set()
        for site in self.sites:
            if isinstance(site.types, frozenset):
                found |= site.types
        return frozenset(found)

    @cached_property
    def unknown_site(self) -> BroadcastSite | None:
        return next((site for site in self.sites if site.types is UNKNOWN), None)

    @cached_property
    def broadcasts_anything(self) -> bool:
        return any(site.types is UNKNOWN or site.types for site in self.sites)


_FACTS: weakref.WeakKeyDictionary[ProjectIndex, ProjectFacts] = weakref.WeakKeyDictionary()
_REGISTERED: weakref.WeakKeyDictionary[ProjectIndex, set[str]] = weakref.WeakKeyDictionary()


def registered_endpoints(index: ProjectIndex) -> set[str]:
    """Keys of the functions the production code registers as WebSocket routes (memoised)."""
    if index not in _REGISTERED:
        _REGISTERED[index] = endpoints.registered_endpoints(index)
    return _REGISTERED[index]


def project_facts(index: ProjectIndex) -> ProjectFacts:
    """The join of every broadcast site of the project, gathered on the first question."""
    if index not in _FACTS:
        resolver = TypeResolver(index)
        gathered = gather_sites(index, resolver, broadcasting_module_names(index))
        _FACTS[index] = ProjectFacts(resolver, [site for sites in gathered.values() for site in sites])
    return _FACTS[index]


# -- gathered by worker processes, each for its share of the modules -------------------------
def broadcasting_module_names(index: ProjectIndex) -> list[str]:
    """Modules whose bytes mention a broadcast method or a send method (fan-outs), in order:
    those :func:`project_facts` gathers sites from (none parsed)."""
    return index.names_mentioning_any((*index.settings.broadcast_methods, *SEND_METHODS))


def gather_sites(
    index: ProjectIndex, resolver: TypeResolver, names: list[str]
) -> dict[str, list[BroadcastSite]]:
    """The broadcast sites of the named modules (test modules and unparsable ones have none)."""
    sites: dict[str, list[BroadcastSite]] = {}
    for name in names:
        module = index.module(name)
        if module is None or module.is_test:
            sites[name] = []
        else:
            sites[name] = list(module_broadcasts(module, resolver))
    return sites


def share_facts(index: ProjectIndex, resolver: TypeResolver, sites: list[BroadcastSite]) -> None:
    """Install the project's sites, joined from every worker's share, as this index's facts."""
    _FACTS[index] = ProjectFacts(resolver, list(sites))


def module_broadcasts(module: ModuleInfo, resolver: TypeResolver) -> Iterator[BroadcastSite]:
    """Every broadcast site of one module with the types it carries."""
    settings = resolver.index.settings
    module.lay_out()  # every function's body is walked twice: slices beat walking the tree
    for function in module.iter_functions():
        scope = Scope(module, function)
        broadcasts, fan_outs = _sites_in(function, settings)
        for broadcast in broadcasts:
            yield BroadcastSite(
                module.name, _line(broadcast.node), resolver.message_types(broadcast.payload, scope)
            )
        for node, payload in fan_outs:
            types = resolver.message_types(payload, scope) if payload is not None else UNKNOWN
            yield BroadcastSite(module.name, _line(node), types)


def holds_a_site(function: FunctionInfo, settings: Settings) -> bool:
    """Whether :func:`module_broadcasts` finds a site in ``function``."""
    broadcasts, fan_outs = _sites_in(function, settings)
    return bool(broadcasts or fan_outs)


_Sites = tuple[list[Broadcast], list[tuple[ast.AST, ast.AST | None]]]


def _sites_in(function: FunctionInfo, settings: Settings) -> _Sites:
    """The broadcasts and helper fan-outs of ``function``, found once per function (a worker
    asks when it tabulates and again when it gathers)."""
    found: tuple[Settings, _Sites] | None = getattr(function, "_wsl_sites", None)
    if found is None or found[0] is not settings:
        sites = (list(broadcasts_in(function.body_nodes(), settings)), list(helper_fan_outs(function)))
        found = function._wsl_sites = (settings, sites)  # type: ignore[attr-defined]
    return found[1]


def helper_fan_outs(function: FunctionInfo) -> Iterator[tuple[ast.AST, ast.AST | None]]:
    """``for ws in clients: await self._safe_send(ws, msg)`` and its comprehension form.

    The payload is the one other argument of the send helper (None when it cannot be told).
    """
    for node in function.body_nodes():
        if isinstance(node, (ast.For, ast.AsyncFor)):
            targets = _names(node.target)
            calls = [c for n in node.body for c in walk(n) if isinstance(c, ast.Call)]
        elif isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            targets = {name for g in node.generators for name in _names(g.target)}
            calls = [node.elt] if isinstance(node.elt, ast.Call) else []
        else:
            continue
        for call in calls:
            name = (final_name(call.func) or "").lower()
            if "send" not in name or name in SEND_METHODS and _receiver_in(call, targets):
                continue
            arguments = [*call.args, *(k.value for k in call.keywords)]
            if any(isinstance(a, ast.Name) and a.id in targets for a in arguments):
                others = [a for a in arguments if not (isinstance(a, ast.Name) and a.id in targets)]
                yield node, others[0] if len(others) == 1 else None
                break


def _receiver_in(call: ast.Call, targets: set[str]) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in targets


def _names(target: ast.AST) -> set[str]:
    return {node.id for node in walk(target) if isinstance(node, ast.Name)}


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)
