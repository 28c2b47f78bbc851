"""Where this copy of wslint came from, for links to its documentation.

wslint is installed from a git repository (``pip install git+URL``) or from a clone, not from
a package index, so there is no one address for its documentation: a link is made only where
the installation says where its source is. pip records it (``direct_url.json``, PEP 610): a
git URL and the commit installed, or the folder of a clone. Running from a clone (the folder
holding ``docs/`` above the package) needs no record.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
RULE_PAGES = "docs/rules"
# Hosts whose web pages show a file of a commit at <repository>/<BLOB>/<commit>/<path>.
BLOB_PATHS = {"github.com": "blob", "gitlab.com": "-/blob", "codeberg.org": "src/commit"}


@lru_cache(maxsize=1)
def _install_record() -> dict[str, Any] | None:
    """pip's record of where the installed wslint came from, if it is the one running."""
    try:
        from importlib.metadata import PackageNotFoundError, distribution
    except ImportError:  # pragma: no cover
        return None
    try:
        installed = distribution("wslint")
        text = installed.read_text("direct_url.json")
        if not text:
            return None
        module = Path(str(installed.locate_file("wslint/__init__.py"))).resolve()
    except (PackageNotFoundError, OSError, ValueError):
        return None
    record = json.loads(text)
    editable = isinstance(record, dict) and record.get("dir_info", {}).get("editable")
    if not editable and module.parent != PACKAGE_DIR:
        return None  # another copy than the one running
    return record if isinstance(record, dict) else None


def _local_folder() -> Path | None:
    """The clone this wslint runs from, or was installed from, if its docs are there."""
    candidates = [PACKAGE_DIR.parent]
    record = _install_record()
    if record and str(record.get("url", "")).startswith("file://") and "dir_info" in record:
        from urllib.parse import unquote, urlparse

        candidates.insert(0, Path(unquote(urlparse(record["url"]).path)))
    for folder in candidates:
        if (folder / RULE_PAGES).is_dir() and (folder / "wslint" / "__init__.py").is_file():
            return folder
    return None


def repository_page(path: str) -> str | None:
    """A web address of ``path`` in the repository and commit wslint was installed from."""
    record = _install_record()
    if not record or record.get("vcs_info", {}).get("vcs") != "git":
        return None
    commit = record["vcs_info"].get("commit_id")
    url = str(record.get("url", ""))
    from urllib.parse import urlparse

    parts = urlparse(url)
    blob = BLOB_PATHS.get(parts.hostname or "")
    if not commit or parts.scheme != "https" or blob is None:
        return None
    repository = f"https://{parts.hostname}{parts.path}".removesuffix(".git").rstrip("/")
    return f"{repository}/{blob}/{commit}/{path}"


def repository() -> str | None:
    """The web address of the repository wslint was installed from, when known."""
    page = repository_page(RULE_PAGES)
    return page.split("/-/blob/")[0].split("/blob/")[0].split("/src/commit/")[0] if page else None


def rule_page_uri(code: str) -> str | None:
    """An absolute URI of a rule's page: on the repository's web host, else in a local clone."""
    relative = f"{RULE_PAGES}/{code}.md"
    page = repository_page(relative)
    if page:
        return page
    folder = _local_folder()
    if folder is not None and (folder / relative).is_file():
        return (folder / relative).as_uri()
    return None
