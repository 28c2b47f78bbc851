"""A run's project index, and every tree it keeps, is freed when the run is done.

Freed by reference counting alone: the collector is paused while files are checked, and a
cycle through the index would leave every tree for the next collection to walk.
"""

from __future__ import annotations

import gc

from fixture_support import FIXTURES

from wslint.analysis import project_facts
from wslint.analysis.index import ProjectIndex
from wslint.core.options import Settings
from wslint.driver.runner import SourceUnit, check_units


def test_the_index_is_freed_without_the_collector() -> None:
    folder = FIXTURES / "wsl006"  # endpoints: the project's facts are gathered
    files = [path.resolve() for path in sorted(folder.glob("bad_*.py"))]
    units = [SourceUnit(str(path), path) for path in files]
    gc.collect()
    gc.disable()
    try:
        report = check_units(units, Settings(), folder.resolve(), files)
        alive = [obj for obj in gc.get_objects() if isinstance(obj, ProjectIndex)]
        assert report.findings, "the fixtures must make the rules work"
        assert not alive and not project_facts._FACTS
    finally:
        gc.enable()
