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
from wslint.analysis.loops import function_loops
from wslint.analysis.message_flow import MENTIONS, mentions_in
from wslint.analysis.module import ModuleInfo
from wslint.analysis.project_facts import holds_a_site
from wslint.analysis.roles import matches_broadcaster_pattern
from wslint.core.options import Settings

# The kinds of answers shared between workers; which are asked is declared by the rules
# (``Rule.project_questions``).
KINDS = (REFERENCES, MENTIONS, CONSTRUCTIONS)


def asked_about(module: ModuleInfo, settings: Settings) -> dict[str, set[str]]:
    """kind -> the names the module defines that a question of that kind may be about: the
    coroutines that may be broadcasters (named like one, or looping), the functions holding a
    broadcast site (a message that arrives as their parameter takes its types from their call
    sites), the classes with an ``__init__`` (which may take an interval).

    A name left out is still answered, by each worker for itself (as one process does): the
    callers of those functions, asked about when they pass on a parameter of their own, are.
    """
    module.lay_out()  # every function's body is walked: slices beat walking the tree
    functions = list(module.iter_functions())
    coroutines = {
        function.name
        for function in functions
        if function.is_async
        and (matches_broadcaster_pattern(function, settings) or function_loops(function, module, settings))
    }
    classes = {info.node.name for info in module.classes.values() if "__init__" in info.methods}
    return {
        REFERENCES: coroutines,
        MENTIONS: {
            function.name
            for function in functions
            if function.name not in settings.broadcast_methods  # its callers carry the types
            and holds_a_site(function, settings)
        },
        CONSTRUCTIONS: classes,
    }


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
