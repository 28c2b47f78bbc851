"""The rules, one module each (``wslNNN_<name>.py``), found here and registered in code order.

A new rule is a new module: a ``Rule`` subclass with its documentation as the module docstring.
A rule defined elsewhere (a plugin, a test) joins with :func:`register`.
The modules (and the analysis they build on) are imported on first use of :data:`ALL_RULES`,
:data:`RULES_BY_CODE` or :func:`selected_rules`: a run answered from the cache never needs them,
and :data:`RULE_CODES` is read from the module names alone.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wslint.rules.base import Rule

_MODULES = sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("wsl"))
RULE_CODES: tuple[str, ...] = tuple(name[:6].upper() for name in _MODULES)
_REGISTERED: list[type[Rule]] = []  # rules defined outside this package


@cache
def _registry() -> tuple[tuple[type[Rule], ...], dict[str, type[Rule]]]:
    from wslint.rules.base import Rule

    found: list[type[Rule]] = []
    for name in _MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__
        )
    every = tuple(sorted((*found, *_REGISTERED), key=lambda rule: rule.code))
    return every, {rule.code: rule for rule in every}


def register(rule: type[Rule]) -> type[Rule]:
    """Add a rule defined outside this package; it runs wherever the package's rules run."""
    global RULE_CODES
    _REGISTERED.append(rule)
    RULE_CODES = (*RULE_CODES, rule.code)
    _registry.cache_clear()
    return rule


def unregister(rule: type[Rule]) -> None:
    """Take back a rule added with :func:`register`."""
    global RULE_CODES
    _REGISTERED.remove(rule)
    RULE_CODES = tuple(code for code in RULE_CODES if code != rule.code)
    _registry.cache_clear()


def __getattr__(name: str) -> Any:
    if name == "ALL_RULES":
        return _registry()[0]
    if name == "RULES_BY_CODE":
        return _registry()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ALL_RULES: tuple[type[Rule], ...]
RULES_BY_CODE: dict[str, type[Rule]]


def selected_rules(
    select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...]
) -> list[type[Rule]]:
    """Rules enabled by select/extend-select prefixes minus ignore prefixes (longest prefix wins)."""
    chosen = []
    for rule in _registry()[0]:
        enabled = _match_length(rule.code, (*select, *extend_select))
        disabled = _match_length(rule.code, ignore)
        if enabled > disabled:
            chosen.append(rule)
        elif rule.code == "WSL000" and disabled == 0:
            chosen.append(rule)  # an unreadable file is always reported unless ignored
    return chosen


def _match_length(code: str, prefixes: tuple[str, ...]) -> int:
    lengths = [len(p) if p != "ALL" else 1 for p in prefixes if p == "ALL" or code.startswith(p)]
    return max(lengths, default=0)
