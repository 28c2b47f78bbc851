"""``wslint server`` driven over stdio by a real LSP client (pytest-lsp's, built on pygls).

Each test starts the server process, initializes a session, and speaks the protocol to it as an
editor does: open, change, save, close, hover, settings, code actions.
"""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from samples import FAST_COLUMN, FAST_LINE, FAST_POLLER  # noqa: E402

REPO = Path(__file__).resolve().parent.parent.parent
WAIT = 60.0  # seconds before a test gives up on a notification (a guard, not a measure)
CLEAN = FAST_POLLER.replace("asyncio.sleep(0.1)", "asyncio.sleep(5)")

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

# A broadcaster nobody starts (WSL005, project-wide): started once app.py says so.
NEVER_STARTED = textwrap.dedent(
    """\
    import asyncio


    class Feed:
        def __init__(self, manager):
            self.manager = manager
            self.last = None

        async def _broadcast_prices(self):
            while True:
                try:
                    prices = await self.fetch()
                    if prices != self.last:
                        self.last = prices
                        await self.manager.broadcast({"type": "prices_update", "data": prices})
                except Exception:
                    pass
                await asyncio.sleep(5)

        async def fetch(self):
            return {}
    """
)
APP = "import asyncio\n\nfrom tasks import Feed\n\n\ndef main(manager):\n    feed = Feed(manager)\n"
APP += "    return feed\n"
APP_STARTING = APP.replace(
    "    return feed\n", "    task = asyncio.create_task(feed._broadcast_prices())\n    return feed, task\n"
)


class Editor:
    """A client session with the server, recording every diagnostics notification."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.published: list[types.PublishDiagnosticsParams] = []
        self.messages: list[types.ShowMessageParams] = []
        self.logs: list[types.LogMessageParams] = []
        self.arrived = asyncio.Event()
        self.versions: dict[str, int] = {}

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        item = types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=path.read_text() if text is None else text
        )
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        whole = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=document, content_changes=[whole])
        )
        return self.versions[uri]

    def save(self, uri: str) -> None:
        identifier = types.TextDocumentIdentifier(uri=uri)
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=identifier))

    async def diagnostics(
        self,
        uri: str,
        accept: Callable[[types.PublishDiagnosticsParams], bool] = lambda _: True,
        after: int = 0,
    ) -> list[types.Diagnostic]:
        """The diagnostics of the first notification for ``uri`` (from the ``after``-th on) that
        ``accept`` takes."""

        async def wait() -> list[types.Diagnostic]:
            seen = after
            while True:
                for params in self.published[seen:]:
                    if params.uri == uri and accept(params):
                        return list(params.diagnostics)
                seen = len(self.published)
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), WAIT)

    async def message(self) -> types.ShowMessageParams:
        async def wait() -> types.ShowMessageParams:
            while not self.messages:
                self.arrived.clear()
                await self.arrived.wait()
            return self.messages[-1]

        return await asyncio.wait_for(wait(), WAIT)


def with_server(
    test: Callable[[Editor], Awaitable[None]],
    initialization_options: Any = None,
    configuration: dict[str, Any] | None = None,
) -> None:
    """Run ``test`` against a fresh ``wslint server`` process."""

    async def session() -> None:
        client = LanguageClient(configuration=configuration)
        editor = Editor(client)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            editor.published.append(params)
            editor.arrived.set()

        @client.feature(types.WORKSPACE_CONFIGURATION)
        def pulled(params: types.ConfigurationParams) -> list[Any]:
            return [client.get_configuration(section=item.section) for item in params.items]

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            editor.logs.append(params)
            editor.arrived.set()

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            editor.messages.append(params)
            editor.arrived.set()

        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        await client.start_io(sys.executable, "-m", "wslint", "server", env=environment)
        try:
            capabilities = types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(configuration=configuration is not None)
            )
            result = await asyncio.wait_for(
                client.initialize_session(
                    types.InitializeParams(
                        capabilities=capabilities, initialization_options=initialization_options
                    )
                ),
                WAIT,
            )
            assert result.server_info is not None and result.server_info.name == "wslint"
            assert result.capabilities.hover_provider and result.capabilities.code_action_provider
            await test(editor)
        finally:
            await client.shutdown_session()

    asyncio.run(session())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    return tmp_path


def test_open_publishes_the_command_lines_findings(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py")
        (diagnostic,) = await editor.diagnostics(uri)
        assert diagnostic.code == "WSL003" and diagnostic.source == "wslint"
        assert diagnostic.range.start == types.Position(line=FAST_LINE - 1, character=FAST_COLUMN - 1)
        assert "polls every 0.1 s" in diagnostic.message
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href.endswith("/docs/rules/WSL003.md")

    with_server(test)
    assert (project / ".wslint_cache").is_dir()  # the project's result cache, as the command keeps it


def test_edits_are_checked_and_a_newer_edit_cancels_an_older_check(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py")
        assert [d.code for d in await editor.diagnostics(uri)] == ["WSL003"]
        version = editor.change(uri, CLEAN)
        assert await editor.diagnostics(uri, lambda p: p.version == version) == []
        seen = len(editor.published)
        older = editor.change(uri, FAST_POLLER)  # typed, then at once typed over
        newest = editor.change(uri, CLEAN.replace("asyncio.sleep(5)", "asyncio.sleep(0.2)"))
        (diagnostic,) = await editor.diagnostics(uri, lambda p: p.version == newest, after=seen)
        assert "polls every 0.2 s" in diagnostic.message
        assert [p.version for p in editor.published[seen:] if p.uri == uri] == [newest]
        assert older not in [p.version for p in editor.published]

    with_server(test)


def test_unsaved_text_never_stands_for_the_file_on_disk(project: Path) -> None:
    """The buffer's findings are cached by its text only: the command still reads the file."""
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    time.sleep(2.1)  # the file's change time settled: the cache would trust a stamped stat

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py", CLEAN)
        assert await editor.diagnostics(uri) == []

    with_server(test)
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "wslint", "feed.py"],
        cwd=project,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert result.returncode == 1 and b"WSL003" in result.stdout


def test_a_file_with_a_syntax_error_is_wsl000(project: Path) -> None:
    (project / "broken.py").write_text("async def f(:\n    pass\n", encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "broken.py")
        (diagnostic,) = await editor.diagnostics(uri)
        assert diagnostic.code == "WSL000" and diagnostic.range.start.line == 0

    with_server(test)


def test_a_file_outside_any_project(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    markers = ("pyproject.toml", "setup.cfg", ".git")
    assert not any((folder / marker).exists() for folder in loose.parents for marker in markers)

    async def test(editor: Editor) -> None:
        uri = editor.open(loose / "feed.py")
        assert [d.code for d in await editor.diagnostics(uri)] == ["WSL003"]

    with_server(test)
    assert sorted(path.name for path in loose.iterdir()) == ["feed.py"]  # no cache left beside it


def test_project_wide_rules_and_saving_another_file(project: Path) -> None:
    (project / "tasks.py").write_text(NEVER_STARTED, encoding="utf-8")
    (project / "app.py").write_text(APP, encoding="utf-8")

    async def test(editor: Editor) -> None:
        tasks = editor.open(project / "tasks.py")
        app = editor.open(project / "app.py")
        assert [d.code for d in await editor.diagnostics(tasks)] == ["WSL005"]
        seen = len(editor.published)
        editor.change(app, APP_STARTING)
        (project / "app.py").write_text(APP_STARTING, encoding="utf-8")
        editor.save(app)  # the other open file of the project is checked again
        assert await editor.diagnostics(tasks, after=seen) == []

    with_server(test)


def test_hover_shows_the_rules_explanation(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py")
        (diagnostic,) = await editor.diagnostics(uri)
        document = types.TextDocumentIdentifier(uri=uri)
        on = await editor.client.text_document_hover_async(
            types.HoverParams(text_document=document, position=diagnostic.range.start)
        )
        assert on is not None and isinstance(on.contents, types.MarkupContent)
        assert on.contents.value.startswith("# WSL003 poll-interval-too-short")
        assert "## Why is this bad?" in on.contents.value and "docs/rules/WSL003.md" in on.contents.value
        off = await editor.client.text_document_hover_async(
            types.HoverParams(text_document=document, position=types.Position(line=0, character=0))
        )
        assert off is None

    with_server(test)


def test_settings_from_initialization_and_from_a_configuration_change(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py")
        assert await editor.diagnostics(uri) == []  # min-interval 0.05 from the initialization
        seen = len(editor.published)
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"wslint": {"min-interval": 0.5}})
        )
        assert [d.code for d in await editor.diagnostics(uri, after=seen)] == ["WSL003"]
        seen = len(editor.published)
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"wslint": {"select": ["WSL004"]}})
        )
        assert await editor.diagnostics(uri, after=seen) == []

    with_server(test, initialization_options={"min-interval": 0.05})


def test_settings_pulled_when_the_change_carries_none(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "feed.py")
        assert [d.code for d in await editor.diagnostics(uri)] == ["WSL003"]
        seen = len(editor.published)
        editor.client.set_configuration({"min-interval": 0.01}, section="wslint")
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        assert await editor.diagnostics(uri, after=seen) == []

    with_server(test, configuration={})


def test_an_unknown_setting_and_a_bad_configuration_are_shown(project: Path) -> None:
    (project / "feed.py").write_text(FAST_POLLER, encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.wslint]\nmin-interval = 'fast'\n", encoding="utf-8")

    async def test(editor: Editor) -> None:
        message = await editor.message()
        assert message.type == types.MessageType.Error and "wslint.colour" in message.message
        editor.open(project / "feed.py")
        while "pyproject.toml" not in editor.messages[-1].message:
            editor.messages.clear()
            await editor.message()
        assert "min-interval" in editor.messages[-1].message
        assert "\n" not in editor.messages[-1].message
        shown = len(editor.messages)
        seen = len(editor.published)
        uri = (project / "feed.py").as_uri()
        logged = len(editor.logs)
        editor.change(uri, FAST_POLLER + "\n")  # the same failure again: logged, not shown again

        async def logged_again() -> None:
            while len(editor.logs) == logged:
                editor.arrived.clear()
                await editor.arrived.wait()

        await asyncio.wait_for(logged_again(), WAIT)
        assert "min-interval" in editor.logs[-1].message and len(editor.messages) == shown
        (project / "pyproject.toml").write_text("[tool.wslint]\nmin-interval = 0.05\n", encoding="utf-8")
        editor.save(uri)
        assert await editor.diagnostics(uri, after=seen) == []  # fixed: checked with it
        assert len(editor.messages) == shown

    with_server(test, initialization_options={"colour": True})


def test_code_action_awaits_a_dropped_broadcast(project: Path) -> None:
    pytest.importorskip("wslint.fixes")
    source = "async def notify(manager, msg):\n    manager.broadcast(msg)\n"
    (project / "notify.py").write_text(source, encoding="utf-8")

    async def test(editor: Editor) -> None:
        uri = editor.open(project / "notify.py")
        diagnostics = await editor.diagnostics(uri)
        assert [d.code for d in diagnostics] == ["WSL007"]
        actions = await editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostics[0].range,
                context=types.CodeActionContext(diagnostics=diagnostics),
            )
        )
        assert actions, "no code action for WSL007"
        (action,) = [a for a in actions if isinstance(a, types.CodeAction)]
        assert action.kind == types.CodeActionKind.QuickFix and action.edit and action.edit.changes
        assert apply(source, action.edit.changes[uri]) == (
            "async def notify(manager, msg):\n    await manager.broadcast(msg)\n"
        )

    with_server(test)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with ``edits`` applied (ASCII text: positions are characters)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[position.line] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
