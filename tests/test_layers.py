"""The layers a reader can see: each module imports only from its own layer or those below.

    front ends   wslint.cli, wslint.docs, wslint.frontends, wslint.pylint_plugin
    driver       wslint.driver: discovery, reading, cache, workers, runner, output
    rules        wslint.rules: one module per rule, and their base
    speed        wslint.speed: which rules may fire on which file, from the bytes
    analysis     wslint.analysis: what the code means (modules, calls, loops, the project index)
    core         wslint.core: findings, source units, options, noqa, the shared vocabulary

Every import counts, at the top of a module or inside a function, for type checking or not.
The reference runtime (``wslint.reference``) stands apart and imports nothing of wslint.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wslint"
LAYERS = (
    ("core", ("wslint", "wslint.core")),
    ("analysis", ("wslint.analysis",)),
    ("speed", ("wslint.speed",)),
    ("rules", ("wslint.rules",)),
    ("driver", ("wslint.driver",)),
    (
        "front ends",
        ("wslint.cli", "wslint.docs", "wslint.frontends", "wslint.pylint_plugin", "wslint.__main__"),
    ),
)
# The rules state what they need as data; the speed layer is the engine's to run. What the rules
# still take from it, to be moved behind declarations (see docs/architecture.md):
RULES_FROM_SPEED_LEFT = {
    ("wslint.rules.base", "wslint.speed.prefilter"),
    ("wslint.rules.wsl000_unreadable_file", "wslint.speed.prefilter"),
    ("wslint.rules.wsl006_endpoint_never_updated", "wslint.speed.prefilter"),
    ("wslint.rules.wsl006_endpoint_never_updated", "wslint.speed.project_words"),
    ("wslint.rules.wsl008_task_reference_dropped", "wslint.speed.byte_tests"),
    ("wslint.rules.wsl008_task_reference_dropped", "wslint.speed.prefilter"),
    ("wslint.rules.wsl008_task_reference_dropped", "wslint.speed.project_words"),
    ("wslint.rules.wsl010_cancellation_swallowed", "wslint.speed.prefilter"),
    ("wslint.rules.wsl011_blocking_sleep_in_broadcaster", "wslint.speed.prefilter"),
    ("wslint.rules.wsl012_last_state_never_updated", "wslint.speed.byte_tests"),
    ("wslint.rules.wsl012_last_state_never_updated", "wslint.speed.prefilter"),
    ("wslint.rules.wsl013_message_without_type", "wslint.speed.prefilter"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """The layer's height (0 = core; the longest prefix decides); None for the reference runtime."""
    if module == "wslint.reference" or module.startswith("wslint.reference."):
        return None
    matches = [
        (len(prefix), height)
        for height, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1]


def imports_of(path: Path) -> set[str]:
    """The wslint modules ``path`` imports (``from wslint.x import y`` counts as ``wslint.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "wslint" or name.startswith("wslint.")}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_no_module_imports_from_a_layer_above(path: Path) -> None:
    module, height = module_name(path), layer_of(module_name(path))
    for imported in imports_of(path):
        if height is None:
            assert layer_of(imported) is None, f"{module} (the reference runtime) imports {imported}"
            continue
        above = layer_of(imported)
        assert above is not None and above <= height, f"{module} ({LAYERS[height][0]}) imports {imported}"


def test_rules_take_nothing_new_from_the_speed_layer() -> None:
    taken = {
        (module_name(path), imported)
        for path in (PACKAGE / "rules").glob("*.py")
        for imported in imports_of(path)
        if imported.startswith("wslint.speed")
    }
    assert taken <= RULES_FROM_SPEED_LEFT, sorted(taken - RULES_FROM_SPEED_LEFT)


def test_the_layer_test_sees_an_import_from_above(tmp_path: Path) -> None:
    assert layer_of("wslint.core.options") == 0 and layer_of("wslint") == 0
    assert (
        layer_of("wslint.driver.runner") > layer_of("wslint.rules.base") > layer_of("wslint.analysis.calls")
    )
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from wslint.driver import runner\n", encoding="utf-8")
    assert imports_of(module) == {"wslint.driver"}
