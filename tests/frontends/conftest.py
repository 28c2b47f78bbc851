"""Fixture projects shared by every front-end test, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from frontend_support import Project, Row, cli_rows, materialize


@pytest.fixture(scope="session")
def fixture_projects(tmp_path_factory: pytest.TempPathFactory) -> list[Project]:
    return materialize(tmp_path_factory.mktemp("fixture-projects"))


@pytest.fixture(scope="session")
def cli_results(fixture_projects: list[Project]) -> dict[Path, set[Row]]:
    """The standalone command's findings for every fixture project: the reference."""
    return {project.root: cli_rows(project.root) for project in fixture_projects}
