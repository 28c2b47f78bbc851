"""The language server: diagnostics, hover, code actions and settings, over pygls.

A buffer is checked when it is opened or saved, and after an edit once the user pauses
(:data:`DEBOUNCE_SECONDS`); a newer edit cancels the check of the older text (waiting, or under
way: its answer is dropped). Saving a file checks every open buffer of its project again, as
project-wide rules may change with it. The checks run in checker processes, one per project
(:mod:`wslint.lsp.checks`), never on the protocol's thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from wslint import __version__
from wslint.core.findings import Finding
from wslint.lsp.checks import Checker, Outcome, SettingsError, arguments_for, checker_key, project_root_of

DEBOUNCE_SECONDS = 0.3  # after an edit: the next keystroke usually comes sooner
MAX_CHECKERS = 4  # checker processes kept (one per project and settings), the least recent ended
SOURCE = "wslint"


class WslintServer(LanguageServer):
    """The server's state: the client's settings, the checks under way, what each buffer holds."""

    def __init__(self) -> None:
        super().__init__("wslint", __version__)
        self.settings: dict[str, Any] = {}
        self.arguments: list[str] = []
        self.checks: dict[str, asyncio.Task[None]] = {}
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.checkers: dict[tuple[Path, tuple[str, ...]], Checker] = {}
        self.shown_errors: set[str] = set()

    # -- settings ---------------------------------------------------------------------------

    def use_settings(self, settings: Any) -> None:
        """Take the client's ``wslint`` settings. Settings with a key wslint does not know are
        refused, in a message, and the ones before stay in force."""
        if isinstance(settings, dict) and isinstance(settings.get("wslint"), dict):
            settings = settings["wslint"]
        if not isinstance(settings, dict):
            settings = {}
        try:
            arguments = arguments_for(settings)
        except SettingsError as error:
            self.tell(types.MessageType.Error, f"wslint: {error}")
            return
        if arguments != self.arguments:
            self.close_checkers()  # they run with the old options
        self.arguments, self.settings = arguments, dict(settings)

    def checker(self, path: Path) -> Checker:
        """The checker process for ``path``'s project and the present settings."""
        key = checker_key(path, self.arguments)
        checker = self.checkers.pop(key, None) or Checker(*key)
        self.checkers[key] = checker  # the most recently used last
        while len(self.checkers) > MAX_CHECKERS:
            oldest = next(iter(self.checkers))
            self.checkers.pop(oldest).close()
        return checker

    def close_checkers(self) -> None:
        for checker in self.checkers.values():
            checker.close()
        self.checkers.clear()

    def tell(self, kind: types.MessageType, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # -- checking ---------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds, cancelling the check of it under way."""
        path = file_path(uri)
        if path is None:
            return  # an unsaved, untitled buffer has no project to be checked in
        previous = self.checks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.checks[uri] = asyncio.get_running_loop().create_task(self._check(uri, path, delay))

    async def _check(self, uri: str, path: Path, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            document = self.workspace.get_text_document(uri)
            version, text = document.version, document.source
            outcome = await self.checker(path).check(path, text)
        except asyncio.CancelledError:
            return
        if self.checks.get(uri) is asyncio.current_task():
            del self.checks[uri]
        self.publish(uri, version, text, outcome)

    def publish(self, uri: str, version: int | None, text: str, outcome: Outcome) -> None:
        if outcome.error:
            error = types.LogMessageParams(type=types.MessageType.Error, message=outcome.error)
            self.window_log_message(error)
            if outcome.error not in self.shown_errors:  # once, not at every keystroke
                self.shown_errors.add(outcome.error)
                self.tell(types.MessageType.Error, outcome.error)
            return
        self.shown_errors.clear()  # a check went through: a new failure is news again
        lines = text.splitlines(keepends=True)
        diagnostics = [self.diagnostic(finding, lines) for finding in outcome.findings]
        self.published[uri] = diagnostics
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def diagnostic(self, finding: Finding, lines: Sequence[str]) -> types.Diagnostic:
        from wslint.origin import rule_page_uri

        start = self.position(lines, finding.line, finding.column)
        end = self.position(lines, finding.end_line or finding.line, finding.end_column or finding.column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        page = rule_page_uri(finding.code)
        return types.Diagnostic(
            range=types.Range(start=start, end=end),
            message=finding.message,
            severity=types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=page) if page else None,
            source=SOURCE,
            data=finding.as_dict(),
        )

    def position(self, lines: Sequence[str], line: int, column: int) -> types.Position:
        """The client's position of a 1-based line and UTF-8 byte column (the findings')."""
        index = max(line - 1, 0)
        if index >= len(lines):
            return types.Position(line=index, character=0)
        text = lines[index]
        prefix = text.encode("utf-8", "surrogatepass")[: max(column - 1, 0)]
        characters = len(prefix.decode("utf-8", "ignore"))
        position = types.Position(line=index, character=characters)
        return self.workspace.position_codec.position_to_client_units(list(lines), position)

    def project_uris(self, uri: str) -> list[str]:
        """The open buffers of ``uri``'s project (``uri`` first), for a check after a save."""
        path = file_path(uri)
        root = project_root_of(path) if path else None
        found = [uri]
        for other in self.workspace.text_documents:
            other_path = file_path(other)
            if other == uri or other_path is None or root is None:
                continue
            if project_root_of(other_path) == root:
                found.append(other)
        return found


def file_path(uri: str) -> Path | None:
    """The file a ``file:`` URI names (None for any other scheme)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def create_server() -> WslintServer:
    server = WslintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: WslintServer, params: types.InitializeParams) -> None:
        ls.use_settings(params.initialization_options)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: WslintServer, params: None) -> None:
        checkers = list(ls.checkers.values())
        ls.checkers.clear()
        await asyncio.gather(*(checker.aclose() for checker in checkers))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: WslintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: WslintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: WslintServer, params: types.DidSaveTextDocumentParams) -> None:
        for uri in ls.project_uris(params.text_document.uri):
            ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: WslintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        check = ls.checks.pop(uri, None)
        if check is not None:
            check.cancel()
        ls.published.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: WslintServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if not settings and _can_pull_configuration(ls):
            pulled = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="wslint")])
            )
            settings = pulled[0] if pulled else None
        ls.use_settings(settings)
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: WslintServer, params: types.HoverParams) -> types.Hover | None:
        return hover_at(ls.published.get(params.text_document.uri, []), params.position)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(ls: WslintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        from wslint.lsp.actions import code_actions

        document = ls.workspace.get_text_document(params.text_document.uri)
        path = file_path(params.text_document.uri)
        if path is None:
            return []
        ours = [d for d in params.context.diagnostics if d.source == SOURCE and isinstance(d.data, dict)]
        if not ours:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, code_actions, ls, params.text_document.uri, path, document.source, ours
        )

    return server


def _can_pull_configuration(ls: WslintServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.configuration)


def hover_at(diagnostics: Sequence[types.Diagnostic], position: types.Position) -> types.Hover | None:
    """The documentation (``--explain``) of every rule reported where the pointer is."""
    from wslint import rules
    from wslint.docs import explanation

    shown: list[str] = []
    for diagnostic in diagnostics:
        start, end = diagnostic.range.start, diagnostic.range.end
        where = (position.line, position.character)
        if not (start.line, start.character) <= where <= (end.line, end.character):
            continue
        rule = rules.RULES_BY_CODE.get(str(diagnostic.code))
        if rule is not None and explanation(rule) not in shown:
            shown.append(explanation(rule))
    if not shown:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(shown))
    )
