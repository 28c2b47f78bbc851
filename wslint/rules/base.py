"""The rule contract: metadata on the class, documentation in the module, findings from ``check``."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from typing import ClassVar

from wslint.analysis.context import FileContext
from wslint.analysis.module import FunctionInfo
from wslint.core.findings import Finding, finding_at
from wslint.core.needs import BROADCASTER, Needs
from wslint.core.options import Settings

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


class Rule:
    """A rule: code, kebab-case name naming the bad pattern, one-line fix, and its check."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # what the rule reports, one line (the README table, --list-rules)
    fix: ClassVar[str]  # the one-line fix shown by --show-source
    default_enabled: ClassVar[bool] = True
    project_wide: ClassVar[bool] = False
    options: ClassVar[tuple[str, ...]] = ()  # config keys the rule reads (documented under Options)
    # The project-wide questions the rule asks, which workers answer once per module and share:
    # (the kind of question, whether only about the names the files this rule checks define).
    project_questions: ClassVar[tuple[tuple[str, bool], ...]] = ()
    # Whether the rule needs every broadcast site of the project (gathered once, then shared).
    needs_broadcast_sites: ClassVar[bool] = False
    # What starts a ``noqa`` comment in the files the rule reads (shown on its page).
    noqa_comment: ClassVar[str] = "#"

    def check(self, context: FileContext) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        """Alternatives of words a file must hold for the rule to fire (:mod:`wslint.core.needs`);
        a file holding none is never parsed for the rule.

        The default fits every rule whose findings sit in a broadcaster.
        """
        return ((BROADCASTER,),)

    def finding(self, context: FileContext, node: ast.AST, message: str) -> Finding:
        return finding_at(node, context.path, self.code, self.name, message)

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation (its module's docstring), in ruff's sections."""
        module = sys.modules[cls.__module__]
        return (module.__doc__ or "").strip()

    @classmethod
    def sections(cls) -> dict[str, str]:
        """Documentation split by ``## Heading``."""
        parts = re.split(r"^## (.+)$", cls.documentation(), flags=re.MULTILINE)
        return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}


def def_line(function: FunctionInfo) -> ast.AST:
    """A node spanning just ``def name``, for findings about a whole function."""
    node = function.node
    keyword = "async def " if function.is_async else "def "
    marker = ast.Pass()
    marker.lineno = marker.end_lineno = node.lineno
    marker.col_offset = node.col_offset
    marker.end_col_offset = node.col_offset + len(keyword) + len(node.name)
    return marker


def except_clause(handler: ast.ExceptHandler) -> ast.AST:
    """A node spanning ``except ...`` (the clause head, not the handler's body)."""
    marker = ast.Pass()
    marker.lineno = marker.end_lineno = handler.lineno
    marker.col_offset = handler.col_offset
    kind = handler.type
    if kind is not None and kind.end_lineno == handler.lineno and kind.end_col_offset is not None:
        marker.end_col_offset = kind.end_col_offset
    else:
        marker.end_col_offset = handler.col_offset + len("except")
    return marker
