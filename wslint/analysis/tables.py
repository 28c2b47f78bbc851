"""Per-module answers to the project questions, for sharing between worker processes.

Project questions are asked per name ("where does each reference to ``_broadcast_orders``
go?", "which calls reach this ``_push``?") and answered module by module. Each worker computes
those answers for the modules of its own share, once, for the names the rules can ask about;
joined, they let every worker answer for the whole project without parsing the other
workers' modules (:meth:`ProjectIndex.share`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wslint.analysis.index import REFERENCES, ModuleTable, ProjectIndex
from wslint.analysis.intervals import CONSTRUCTIONS, constructions_in
from wslint.analysis.message_flow import MENTIONS, mentions_in
from wslint.analysis.module import ModuleInfo

# ``def name`` / ``async def name`` as Python spells them (blanks and line joins between).
_GAP = rb"(?:[ \t\f]|\\\r?\n)+"
_DEF = re.compile(rb"\bdef" + _GAP + rb"([A-Za-z_][A-Za-z0-9_]*)")
_ASYNC_DEF = re.compile(rb"\basync" + _GAP + rb"def" + _GAP + rb"([A-Za-z_][A-Za-z0-9_]*)")
_CLASS = re.compile(rb"\bclass" + _GAP + rb"([A-Za-z_][A-Za-z0-9_]*)")
DEFINITIONS = {"function": _DEF, "coroutine": _ASYNC_DEF, "class": _CLASS}


def defined_names(sources: Iterable[bytes], what: str) -> frozenset[str]:
    """The (ASCII) names of the functions, coroutines or classes the sources define; a name
    spelled otherwise is not shared and is answered by each worker for itself."""
    pattern = DEFINITIONS[what]
    return frozenset(name.decode() for data in sources for name in pattern.findall(data))


def module_table(index: ProjectIndex, module: ModuleInfo, names: dict[str, frozenset[str]]) -> ModuleTable:
    """The module's answers of each kind for the names it mentions (``names``: kind -> names)."""
    if module.is_test:
        return {}  # project questions look at production code only
    table: ModuleTable = {}
    mentioned = set(module.mentioned_names())
    for name in sorted(mentioned & names.get(REFERENCES, frozenset())):
        table[(REFERENCES, name)] = index.reference_targets_in(module, name)
    for name in sorted(mentioned & names.get(MENTIONS, frozenset())):
        table[(MENTIONS, name)] = mentions_in(index, module, name)
    for name in sorted(mentioned & names.get(CONSTRUCTIONS, frozenset())):
        table[(CONSTRUCTIONS, name)] = constructions_in(module, name, index.root)
    return table
