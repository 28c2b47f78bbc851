"""``wslint --fix`` / ``--diff`` / ``--unsafe-fixes`` through the command line, and the fixes as
JSON, SARIF and text show them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fix_support import as_project, expected_of
from fixture_support import FIXTURES
from terminal_support import on_terminal

from wslint.cli import main
from wslint.fixes import Edit
from wslint.fixes.edits import apply_edits
from wslint.fixes.verify import MAX_FIXES_PER_FILE

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = next(
    path
    for path in (
        REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json",
        REPO / "tests" / "frontends" / "data" / "sarif-schema-2.1.0.json",
    )
    if path.is_file()
)
AWAIT = FIXTURES / "wsl007" / "fix_await_broadcast.py"  # two safe fixes
LOOP = FIXTURES / "wsl002" / "fix_wrap_body_keep_sleep.py"  # one unsafe fix


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--no-cache", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_fix_writes_the_file_and_exits_by_what_remains(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = as_project(AWAIT, project)
    status, out, err = run(capsys, "--fix", copy.name)
    assert copy.read_bytes() == expected_of(AWAIT).read_bytes()
    assert (status, out) == (0, "")
    assert "Fixed 2 findings in 1 file." in err
    assert run(capsys, "--fix", copy.name) == (0, "", "")  # the second --fix changes nothing


def test_fix_leaves_unsafe_fixes_without_unsafe_fixes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = as_project(LOOP, project)
    status, out, _ = run(capsys, "--fix", copy.name)
    assert copy.read_bytes() == LOOP.read_bytes()
    assert status == 1
    assert "WSL002 `self.source.fetch()`" in out  # not marked [*]: --fix alone does not repair it
    assert "fixable" not in out  # piped: the findings only (the count is the terminal's summary)
    assert on_terminal(["--fix", copy.name], project)[1].splitlines()[-1] == (
        "Found 1 finding in 1 file (1 fixable with --fix --unsafe-fixes)."
    )
    status, out, _ = run(capsys, "--fix", "--unsafe-fixes", copy.name)
    assert (status, out) == (0, "")
    assert copy.read_bytes() == expected_of(LOOP).read_bytes()


def test_fix_and_unsafe_fixes_from_the_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = as_project(LOOP, project)
    (project / "pyproject.toml").write_text(
        "[tool.wslint]\nfix = true\nunsafe-fixes = true\n", encoding="utf-8"
    )
    assert run(capsys, copy.name)[0] == 0
    assert copy.read_bytes() == expected_of(LOOP).read_bytes()


def test_configured_fix_is_turned_off_by_no_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = as_project(AWAIT, project)
    (project / "pyproject.toml").write_text("[tool.wslint]\nfix = true\n", encoding="utf-8")
    status, out, _ = run(capsys, "--no-fix", copy.name)
    assert status == 1 and out.count("WSL007 [*] ") == 2
    assert on_terminal(["--no-fix", copy.name], project)[1].splitlines()[-1] == (
        "Found 2 findings in 1 file (2 fixable with --fix)."
    )
    assert copy.read_bytes() == AWAIT.read_bytes()


def test_a_bad_fix_value_is_a_configuration_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.wslint]\nfix = "sometimes"\n', encoding="utf-8")
    status, _, err = run(capsys, ".")
    assert status == 2 and "fix" in err and "true or false" in err


def test_diff_prints_the_fixes_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = as_project(AWAIT, project)
    status, out, err = run(capsys, "--diff", copy.name)
    assert status == 1 and copy.read_bytes() == AWAIT.read_bytes()
    assert out.startswith(f"--- a/{copy.name}\n+++ b/{copy.name}\n")
    assert "-        self.manager.broadcast(  # error: WSL007" in out
    assert "+        await self.manager.broadcast(  # error: WSL007" in out
    assert "Would fix 2 findings." in err
    copy.write_bytes(expected_of(AWAIT).read_bytes())
    assert run(capsys, "--diff", copy.name) == (0, "", "")


def test_stdin_with_fix_prints_the_fixed_source(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = as_project(LOOP, project)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LOOP.read_bytes())))
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer))
    status = main(["--no-cache", "--fix", "--unsafe-fixes", "--stdin-filename", copy.name, "-"])
    sys.stdout.flush()
    assert status == 0
    assert buffer.getvalue() == expected_of(LOOP).read_bytes()
    assert copy.read_bytes() == LOOP.read_bytes()  # the file on disk is not the one fixed


def test_stdin_with_fix_through_a_real_process(project: Path) -> None:
    copy = as_project(AWAIT, project)
    result = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--fix", "--stdin-filename", copy.name, "-"],
        input=AWAIT.read_bytes(),
        capture_output=True,
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_of(AWAIT).read_bytes()


def test_stdin_with_fix_and_findings_left_reports_them_on_stderr(project: Path) -> None:
    copy = as_project(LOOP, project)
    result = subprocess.run(
        [sys.executable, "-m", "wslint", "--no-cache", "--fix", "--stdin-filename", copy.name, "-"],
        input=LOOP.read_bytes(),
        capture_output=True,
        cwd=project,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1
    assert result.stdout == LOOP.read_bytes()  # an unsafe fix, not asked for: unchanged
    assert b"WSL002" in result.stderr


def test_json_carries_each_fix_in_ruffs_shape(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fixture in (AWAIT, LOOP):
        as_project(fixture, project)
    status, out, _ = run(capsys, "--format", "json", ".")
    assert status == 1
    findings = json.loads(out)
    fixes = {(item["path"], item["code"]): item["fix"] for item in findings}
    assert set(fixes) == {(AWAIT.name, "WSL007"), (LOOP.name, "WSL002")}
    for item in findings:
        fix = item["fix"]
        assert fix["applicability"] == ("safe" if item["code"] == "WSL007" else "unsafe")
        assert fix["message"][0].isupper()
        for edit in fix["edits"]:
            assert set(edit) == {"content", "location", "end_location"}
            assert set(edit["location"]) == set(edit["end_location"]) == {"row", "column"}
    loop_fix = fixes[(LOOP.name, "WSL002")]
    edits = [
        Edit(
            e["location"]["row"],
            e["location"]["column"],
            e["end_location"]["row"],
            e["end_location"]["column"],
            e["content"],
        )
        for e in loop_fix["edits"]
    ]
    # The edits alone, applied to the file, give what --fix writes.
    assert apply_edits(LOOP.read_text(encoding="utf-8"), edits) == expected_of(LOOP).read_text(
        encoding="utf-8"
    )


def test_json_fix_is_null_without_one(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_project(FIXTURES / "seed" / "mistake3_too_frequent.py", project)
    _, out, _ = run(capsys, "--format", "json", ".")
    assert [item["fix"] for item in json.loads(out) if item["code"] == "WSL003"] == [None]


def test_sarif_fixes_validate_against_the_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    as_project(AWAIT, project)
    as_project(LOOP, project)
    status, out, _ = run(capsys, "--format", "sarif", ".")
    assert status == 1
    log = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    results = log["runs"][0]["results"]
    assert results and all(len(result["fixes"]) == 1 for result in results)
    change = results[0]["fixes"][0]["artifactChanges"][0]
    assert (
        change["artifactLocation"]["uri"]
        == results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    )
    replacement = change["replacements"][0]
    assert set(replacement) == {"deletedRegion", "insertedContent"}


def test_text_marks_fixable_findings_and_counts_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_project(AWAIT, project)
    as_project(LOOP, project)
    status, out, _ = run(capsys, ".")
    lines = out.splitlines()
    assert status == 1
    assert [line.split()[1:3] for line in lines] == [
        ["WSL007", "[*]"],
        ["WSL007", "[*]"],
        ["WSL002", "`self.source.fetch()`"],  # (files in order: fix_await_... first)
    ]
    status, shown = on_terminal(["."], project)
    assert shown.splitlines()[-1] == (
        "Found 3 findings in 2 files (2 fixable with --fix, 1 more with --unsafe-fixes)."
    )
    status, out, _ = run(capsys, "--unsafe-fixes", ".")
    assert out.count("[*]") == 3
    status, shown = on_terminal(["--unsafe-fixes", "."], project)
    assert shown.splitlines()[-1] == "Found 3 findings in 2 files (3 fixable with --fix)."


def test_overlapping_fixes_are_applied_in_rounds(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Both fixes would create ``self._tasks`` in __init__ at the same place: the second waits a
    # round, and then finds the set already made.
    source = textwrap.dedent(
        """\
        import asyncio


        class Feeds:
            def __init__(self):
                self.ready = True

            async def _poll_a(self):
                await asyncio.sleep(5)

            async def _poll_b(self):
                await asyncio.sleep(5)

            async def start(self):
                asyncio.create_task(self._poll_a())
                asyncio.create_task(self._poll_b())
        """
    )
    (project / "setup.cfg").write_text("", encoding="utf-8")
    (project / "feeds.py").write_text(source, encoding="utf-8")
    status, out, err = run(capsys, "--fix", "feeds.py")
    fixed = (project / "feeds.py").read_text(encoding="utf-8")
    assert (status, out) == (0, ""), out
    assert "Fixed 2 findings" in err
    assert fixed.count("self._tasks: set[asyncio.Task] = set()") == 1
    assert fixed.count("add_done_callback(self._tasks.discard)") == 2
    compile(fixed, "feeds.py", "exec")


def test_no_findings_never_imports_libcst(project: Path) -> None:
    copy = as_project(FIXTURES / "wsl007" / "good_awaited_returned_scheduled.py", project)
    program = (
        "import sys\n"
        "from wslint.cli import main\n"
        f"status = main(['--no-cache', '--fix', '--diff', {copy.name!r}])\n"
        f"status += main(['--no-cache', '--fix', {copy.name!r}])\n"
        "print(status, 'libcst' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project)
    assert result.stdout.split() == ["0", "False"], result.stderr


def test_a_finding_without_a_fix_never_imports_libcst(project: Path) -> None:
    copy = as_project(FIXTURES / "seed" / "mistake3_too_frequent.py", project)
    program = (
        "import sys\n"
        "from wslint.cli import main\n"
        f"status = main(['--no-cache', '--select', 'WSL003', '--fix', {copy.name!r}])\n"
        "print(status, 'libcst' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project)
    assert result.stdout.split()[-2:] == ["1", "False"], result.stderr


def test_a_run_from_the_cache_shows_the_fixes_without_libcst(project: Path) -> None:
    copy = as_project(AWAIT, project)
    program = (
        "import sys\n"
        "from wslint.cli import main\n"
        f"status = main([{copy.name!r}])\n"
        "print(status, 'libcst' in sys.modules, file=sys.stderr)\n"
    )

    def run_once() -> tuple[str, list[str]]:
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project)
        return result.stdout, result.stderr.split()[-2:]

    first, loaded = run_once()
    assert first.count("[*]") == 2 and loaded == ["1", "True"]
    second, loaded = run_once()
    assert second == first and loaded == ["1", "False"]  # the fixes came from the cache
    copy.write_bytes(AWAIT.read_bytes().replace(b"order_cancelled", b"order_voided"))
    third, loaded = run_once()
    assert third.count("[*]") == 2 and loaded == ["1", "True"]  # a changed file: computed again


def test_a_file_that_cannot_be_written_is_reported_and_kept(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = as_project(AWAIT, project)

    def refuse(fixed: object) -> None:  # (the tests run as root, who may write read-only files)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("wslint.fixes.command.write", refuse)
    status, out, err = run(capsys, "--fix", copy.name)
    assert status == 1 and out.count("WSL007 [*]") == 2
    assert f"cannot write {copy.name}: Permission denied" in err and "Fixed" not in err
    assert copy.read_bytes() == AWAIT.read_bytes()


def test_a_file_with_more_findings_to_fix_than_the_bound_gets_no_fix(project: Path) -> None:
    calls = "".join(f"    asyncio.create_task(job({number}))\n" for number in range(MAX_FIXES_PER_FILE + 1))
    (project / "setup.cfg").write_text("", encoding="utf-8")
    (project / "many.py").write_text("import asyncio\n\n\nasync def start():\n" + calls, encoding="utf-8")
    program = (
        "import sys\n"
        "from wslint.cli import main\n"
        "status = main(['--no-cache', '--fix', 'many.py'])\n"
        "print(status, 'libcst' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=project)
    assert result.stderr.split()[-2:] == ["1", "False"]
    assert "[*]" not in result.stdout and result.stdout.count("WSL008") == MAX_FIXES_PER_FILE + 1
