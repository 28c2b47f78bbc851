"""The layers a reader can see: each module imports only from its own layer or those below.

    front ends   wslint.cli, wslint.docs, wslint.frontends, wslint.pylint_plugin, wslint.lsp,
                 wslint map (wslint.flow.map_cli and its formats: render, html)
    fixes        wslint.fixes: repairs of findings (libcst), each checked by running the driver on
                 the rewritten file (what a fix is, its edits, lives in wslint.core.fix)
    driver       wslint.driver: discovery, reading, cache, workers, runner, output, the client stage;
                 wslint.flow.project: the message-flow model of a project, cached
    rules        wslint.rules: one module per rule, and their base
    speed        wslint.speed: which rules may fire on which file, from the bytes (the rules
                 never import it: they declare what they need in wslint.core.needs)
    analysis     wslint.analysis: what the code means (modules, calls, loops, the project index);
                 wslint.flow: the message-flow model built from it; wslint.client: what the
                 JavaScript / TypeScript client means (its sockets, the types it waits for) and
                 what it needs of the Python side
    core         wslint.core: findings, source units, options, noqa, what a fix is, the shared vocabulary

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
    ("analysis", ("wslint.analysis", "wslint.flow", "wslint.client")),
    ("speed", ("wslint.speed",)),
    ("rules", ("wslint.rules",)),
    ("driver", ("wslint.driver", "wslint.flow.project")),
    ("fixes", ("wslint.fixes",)),
    (
        "front ends",
        (
            "wslint.cli",
            "wslint.docs",
            "wslint.frontends",
            "wslint.pylint_plugin",
            "wslint.__main__",
            "wslint.lsp",
            "wslint.flow.map_cli",
            "wslint.flow.render",
            "wslint.flow.html",
        ),
    ),
)
SPEED = [name for name, _ in LAYERS].index("speed")


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


def test_rules_never_import_the_speed_layer() -> None:
    """A rule declares what it needs as data (:mod:`wslint.core.needs`); how a file is tested
    for it is the speed layer's business."""
    taken = {
        (module_name(path), imported)
        for path in (PACKAGE / "rules").glob("*.py")
        for imported in imports_of(path)
        if layer_of(imported) == SPEED
    }
    assert not taken, sorted(taken)


def test_the_layer_test_sees_an_import_from_above(tmp_path: Path) -> None:
    assert layer_of("wslint.core.options") == 0 and layer_of("wslint") == 0
    assert layer_of("wslint.flow.build") == layer_of("wslint.analysis.index")
    assert layer_of("wslint.flow.map_cli") == layer_of("wslint.cli") > layer_of("wslint.flow.project")
    assert layer_of("wslint.client.reading") == layer_of("wslint.analysis.calls")
    assert layer_of("wslint.driver.client_stage") > layer_of("wslint.rules.client_base")
    assert (
        layer_of("wslint.driver.runner") > layer_of("wslint.rules.base") > layer_of("wslint.analysis.calls")
    )
    module = tmp_path / "probe.py"
    module.write_text("def f():\n    from wslint.driver import runner\n", encoding="utf-8")
    assert imports_of(module) == {"wslint.driver"}
