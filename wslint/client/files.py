"""Which files are client code: their names, and the folders and bundles never read."""

from __future__ import annotations

CLIENT_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs")
# Dependencies, build output and tests of the client: never the project's own client code
# (a test's sockets go to fakes and mock servers).
CLIENT_SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "bower_components",
        "dist",
        "build",
        ".next",
        "out",
        "coverage",
        "__tests__",
        "__mocks__",
        "tests",
        "test",
        "e2e",
        "cypress",
    }
)
_NOT_CLIENT_CODE = (".min.js", ".d.ts", ".bundle.js")
_TEST_MARKERS = (".test.", ".spec.")
# A line this long is a generated or minified bundle, not code a person wrote.
LONGEST_LINE = 1000


def is_client_file_name(name: str) -> bool:
    """Whether a file of this name is client code to read (not a test, bundle or declaration)."""
    if not name.endswith(CLIENT_SUFFIXES) or name.endswith(_NOT_CLIENT_CODE):
        return False
    return not any(marker in name for marker in _TEST_MARKERS)


def looks_minified(data: bytes) -> bool:
    """Whether a file holds a line longer than :data:`LONGEST_LINE` (a bundle)."""
    return len(data) > LONGEST_LINE and max(map(len, data.split(b"\n"))) > LONGEST_LINE
