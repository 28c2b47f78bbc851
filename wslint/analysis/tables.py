"""Per-module answers to the project questions, for sharing between worker processes.

Project questions are asked per name ("where does each reference to ``_broadcast_orders``
go?", "which calls reach this ``_push``?") and answered module by module. Each worker computes
those answers for the modules of its own share, once, for the names the rules can ask about;
joined, they let every worker answer for the whole project without parsing the other
workers' modules (:meth:`ProjectIndex.share`).
"""

from __future__ import annotations

from wslint.analysis.index import REFERENCES, ModuleTable, ProjectIndex
from wslint.analysis.intervals import CONSTRUCTIONS, constructions_in
from wslint.analysis.message_flow import MENTIONS, mentions_in
from wslint.analysis.module import ModuleInfo

# The shared kinds of answers: (kind, the rule asking, what the checked files define that it
# asks about, whether only the files that rule checks count).
ASKED = (
    (REFERENCES, "WSL005", "coroutine", True),  # where references to a broadcaster go
    (MENTIONS, "WSL006", "function", False),  # the call sites of a message's helpers
    (CONSTRUCTIONS, "WSL003", "class", True),  # the constructions passing an interval
)


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
