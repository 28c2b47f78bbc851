"""The one finding type every rule returns and every front end renders."""

from __future__ import annotations

import ast
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Finding:
    """A rule violation at a position. Lines and columns are 1-based."""

    path: str
    line: int
    column: int
    code: str
    message: str
    name: str = ""
    end_line: int = 0
    end_column: int = 0

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            key: data[key]
            for key in ("code", "name", "message", "path", "line", "column", "end_line", "end_column")
        }


def finding_at(node: ast.AST, path: str, code: str, name: str, message: str) -> Finding:
    """A finding spanning ``node``'s source range."""
    line = getattr(node, "lineno", 1)
    column = getattr(node, "col_offset", 0) + 1
    end_line = getattr(node, "end_lineno", None) or line
    end_column = (getattr(node, "end_col_offset", None) or column - 1) + 1
    return Finding(path, line, column, code, message, name, end_line, end_column)
