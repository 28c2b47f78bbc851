"""Links to a rule's page follow where this wslint was installed from (pip's direct_url.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wslint import origin

REPO = Path(__file__).resolve().parent.parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def installed_from(monkeypatch: pytest.MonkeyPatch, record: dict[str, Any] | None) -> None:
    monkeypatch.setattr(origin, "_install_record", lambda: record)


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("https://github.com/someone/wslint.git", f"https://github.com/someone/wslint/blob/{COMMIT}"),
        ("https://gitlab.com/team/tools/wslint", f"https://gitlab.com/team/tools/wslint/-/blob/{COMMIT}"),
        ("https://codeberg.org/someone/wslint", f"https://codeberg.org/someone/wslint/src/commit/{COMMIT}"),
    ],
)
def test_a_git_install_links_the_commits_page(monkeypatch: pytest.MonkeyPatch, url: str, page: str) -> None:
    installed_from(monkeypatch, {"url": url, "vcs_info": {"vcs": "git", "commit_id": COMMIT}})
    assert origin.rule_page_uri("WSL003") == f"{page}/docs/rules/WSL003.md"
    assert origin.repository() == page.rsplit("/", 2)[0].removesuffix("/-").removesuffix("/src")


@pytest.mark.parametrize(
    "record",
    [
        {
            "url": "https://git.example.com/wslint",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT},
        },  # unknown host
        {"url": "ssh://git@github.com/someone/wslint", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        {"url": "https://github.com/someone/wslint", "vcs_info": {"vcs": "hg", "commit_id": COMMIT}},
    ],
)
def test_no_web_page_is_made_up(monkeypatch: pytest.MonkeyPatch, record: dict[str, Any]) -> None:
    installed_from(monkeypatch, record)
    assert origin.repository() is None
    # This checkout holds the pages: the link falls back to them, never to a guessed address.
    assert origin.rule_page_uri("WSL003") == (REPO / "docs" / "rules" / "WSL003.md").as_uri()


def test_a_clone_links_its_own_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed_from(monkeypatch, None)
    assert origin.rule_page_uri("WSL001") == (REPO / "docs" / "rules" / "WSL001.md").as_uri()
    assert origin.rule_page_uri("WSL999") is None  # no such page
    monkeypatch.setattr(origin, "PACKAGE_DIR", tmp_path / "wslint")  # installed, with no docs beside it
    assert origin.rule_page_uri("WSL001") is None
