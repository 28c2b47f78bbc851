"""The rules, one module each (``wslNNN_<name>.py``), found here and registered in code order.

A new rule is a new module: a ``Rule`` subclass with its documentation as the module docstring.
"""

from __future__ import annotations

import importlib
import pkgutil

from wslint.rules.base import Rule


def _discover() -> tuple[type[Rule], ...]:
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("wsl"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__
        )
    return tuple(sorted(found, key=lambda rule: rule.code))


ALL_RULES: tuple[type[Rule], ...] = _discover()
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}


def selected_rules(
    select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...]
) -> list[type[Rule]]:
    """Rules enabled by select/extend-select prefixes minus ignore prefixes (longest prefix wins)."""
    chosen = []
    for rule in ALL_RULES:
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
