"""``--format sarif`` validates against SARIF 2.1.0; ``--format github`` writes annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from frontend_support import SARIF_SCHEMA, Project, Row, run, tool

from wslint.core.findings import Finding
from wslint.driver.output import render_github
from wslint.frontends.sarif import render_sarif
from wslint.rules import ALL_RULES

ANNOTATION = re.compile(
    r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=\d+,endColumn=\d+,title=(?P<code>WSL\d{3})::(?P<message>.+)$"
)


def validate(log: dict) -> None:  # type: ignore[type-arg]
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="module")
def seed_project(fixture_projects: list[Project]) -> Project:
    return next(p for p in fixture_projects if p.case.id == "seed/mistake3_too_frequent.py")


@pytest.mark.integration
def test_sarif_from_the_command_validates_and_matches_the_findings(
    seed_project: Project, cli_results: dict[Path, set[Row]]
) -> None:
    result = run([*tool("wslint"), "--format", "sarif", "--no-cache", "."], seed_project.root)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    validate(log)
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "wslint" and driver["version"]
    # Run from a clone: no repository address is known (none is made up); the rule pages are local.
    assert "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    for rule, described in zip(ALL_RULES, driver["rules"]):
        assert described["name"] == rule.name
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["text"]
        assert "## Why is this bad?" in described["help"]["markdown"] or rule.code == "WSL000"
        assert described["help"]["text"] and "`" not in described["help"]["text"]
        assert described["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert described["helpUri"].startswith("file://")
        assert described["helpUri"].endswith(f"/docs/rules/{rule.code}.md")
        assert Path(described["helpUri"].removeprefix("file://")).is_file()
    rows = set()
    for result_ in run_["results"]:
        assert driver["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]
        location = result_["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:", "./"))
        region = location["region"]
        assert region["endLine"] >= region["startLine"] and region["endColumn"] > 0
        rows.add(
            (
                location["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                result_["ruleId"],
                result_["message"]["text"],
            )
        )
    assert rows == cli_results[seed_project.root]


def test_sarif_without_findings_and_with_awkward_paths_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    validate(json.loads(render_sarif([])))
    findings = [
        Finding("sub dir/my app.py", 3, 5, "WSL003", "100% too fast", "poll-interval-too-short", 3, 30),
        Finding("/elsewhere/x.py", 1, 1, "WSL000", "syntax error: invalid syntax", "unreadable-file", 1, 1),
    ]
    log = json.loads(render_sarif(findings))
    validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    ]
    assert uris == ["sub%20dir/my%20app.py", "file:///elsewhere/x.py"]
    region = log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]
    assert region["endColumn"] > region["startColumn"] or region["endLine"] > region["startLine"]


@pytest.mark.integration
def test_github_annotations_from_the_command(
    seed_project: Project, cli_results: dict[Path, set[Row]]
) -> None:
    result = run([*tool("wslint"), "--format", "github", "--no-cache", "."], seed_project.root)
    assert result.returncode == 1, result.stderr
    rows = set()
    for line in result.stdout.splitlines():
        match = ANNOTATION.match(line)
        assert match, line
        rows.add((match["file"], int(match["line"]), int(match["col"]), match["code"], match["message"]))
    assert rows == cli_results[seed_project.root]


def test_github_annotations_escape_properties_and_data() -> None:
    finding = Finding("a,b:c.py", 2, 3, "WSL004", "50% of\nupdates", "x", 2, 9)
    assert render_github([finding]) == (
        "::error file=a%2Cb%3Ac.py,line=2,col=3,endLine=2,endColumn=9,title=WSL004::50%25 of%0Aupdates"
    )
