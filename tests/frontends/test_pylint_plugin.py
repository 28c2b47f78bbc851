"""The pylint plugin, driven through the real ``pylint``: same findings as the command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from frontend_support import (
    REPO,
    Project,
    Row,
    by_project,
    in_parallel,
    parse_lines,
    python_rows,
    run,
    tool,
)

from wslint.pylint_plugin import MESSAGES, message_id
from wslint.rules import ALL_RULES

SYMBOLS = ",".join(rule.name for rule in ALL_RULES)
TEMPLATE = "{path}:{line}:{column}: {msg}"  # msg is "WSL003 <message>", column is 0-based


def pylint(cwd: Path, *targets: str) -> tuple[int, list[Row], str]:
    result = run(
        [
            *tool("pylint"),
            "--load-plugins=wslint.pylint_plugin",
            "--disable=all",
            f"--enable={SYMBOLS}",
            "--persistent=n",
            "--score=n",
            "--recursive=y",
            f"--msg-template={TEMPLATE}",
            *targets,
        ],
        cwd,
    )
    # pylint exits with a bit field; 4 = warnings issued, 32 = usage error, 1/2 = fatal/error
    assert result.returncode & ~4 == 0, result.stdout + result.stderr
    return result.returncode, parse_lines(result.stdout, cwd, column_offset=1), result.stderr


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_pylint_reports_what_the_command_reports_on_every_fixture(
    fixture_projects: list[Project], cli_results: dict[Path, set[Row]]
) -> None:
    # Single-file projects in one run; multi-file and configured projects each from their own
    # root (modules of different projects share dotted names, and astroid caches by name).
    single = [p for p in fixture_projects if not p.configured and not p.case.path.is_dir()]
    alone = [p for p in fixture_projects if p not in single]
    base = single[0].root.parent
    found = by_project(pylint(base, *(p.root.name for p in single))[1], single)
    for project, (_, rows, _) in zip(alone, in_parallel(alone, lambda p: pylint(p.root, "."))):
        found.update(by_project(rows, [project]))
    mismatches = {}
    for project in fixture_projects:
        expected_rows = python_rows(cli_results[project.root])  # the client's are the command's only
        if found[project.root] != expected_rows:
            mismatches[project.case.id] = found[project.root] ^ expected_rows
        assert project.unmatched(found[project.root], project.python_expected()) == ([], []), project.case.id
    assert not mismatches, mismatches


def test_messages_are_generated_from_the_rule_registry() -> None:
    assert len(MESSAGES) == len(ALL_RULES)
    for rule in ALL_RULES:
        msgid = message_id(rule.code)
        assert re.fullmatch(r"[CRWEF](5[1-9]|[6-9]\d)\d\d", msgid)
        template, symbol, description, options = MESSAGES[msgid]
        assert template.startswith(f"{rule.code} ")
        assert symbol == rule.name
        assert rule.code in description
    assert message_id("WSL003") == "W5103"


def test_pylint_tree_is_handed_to_inference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """astroid is built once, by pylint: the engine infers on pylint's own module."""
    import io

    from pylint.lint import Run
    from pylint.reporters.text import TextReporter

    from wslint.analysis import inference

    trees = []
    real = inference.InferenceView

    class Recording(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args, tree=None, **kwargs):  # type: ignore[no-untyped-def]
            trees.append(tree)
            super().__init__(*args, tree=tree, **kwargs)

    monkeypatch.setattr(inference, "InferenceView", Recording)
    source = REPO / "tests" / "fixtures" / "wsl003" / "bad_class_constant.py"
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "orders.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    output = io.StringIO()
    Run(
        [
            "--load-plugins=wslint.pylint_plugin",
            "--disable=all",
            f"--enable={SYMBOLS}",
            "--persistent=n",
            "--score=n",
            "orders.py",
        ],
        reporter=TextReporter(output),
        exit=False,
    )
    assert "W5103" in output.getvalue() and "WSL003" in output.getvalue()
    assert trees and all(type(tree).__name__ == "Module" for tree in trees)


@pytest.mark.integration
def test_bad_configuration_is_one_line_and_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wslint]\nmin-interval = "soon"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text("async def main():\n    pass\n", encoding="utf-8")
    result = run(
        [*tool("pylint"), "--load-plugins=wslint.pylint_plugin", "--persistent=n", "app.py"], tmp_path
    )
    assert result.returncode == 32
    assert "pyproject.toml:2: option 'min-interval': expected a number of seconds" in result.stderr
    assert "Traceback" not in result.stderr
