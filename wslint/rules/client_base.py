"""The contract of a client rule: a :class:`Rule` that reads client files, never Python ones.

A client rule takes a :class:`~wslint.client.clients.ClientView` (one JavaScript / TypeScript
file: the sockets it opens, the types it waits for) and the
:class:`~wslint.client.surface.ServerSurface` of the Python project. The Python front ends
(flake8, pylint) run it on nothing: it declares that it needs
:data:`~wslint.core.needs.NO_PYTHON_FILE`, so no Python file is ever parsed for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wslint.analysis.context import FileContext
from wslint.core.findings import Finding
from wslint.core.needs import NO_PYTHON_FILE, Needs
from wslint.core.options import Settings
from wslint.rules.base import Rule

if TYPE_CHECKING:
    from wslint.client.clients import ClientView
    from wslint.client.reading import Place
    from wslint.client.surface import ServerSurface


class ClientRule(Rule):
    project_wide = True
    noqa_comment = "//"  # also ``/* noqa: WSL014 */``

    @classmethod
    def required_words(cls, settings: Settings) -> Needs:
        return NO_PYTHON_FILE  # no Python file holds client code

    def check(self, context: FileContext) -> Iterator[Finding]:
        return iter(())

    def check_client(self, view: ClientView, surface: ServerSurface, settings: Settings) -> Iterator[Finding]:
        raise NotImplementedError

    def client_finding(self, view: ClientView, place: Place, message: str) -> Finding:
        return Finding(
            view.display,
            place.line,
            place.column,
            self.code,
            message,
            self.name,
            place.end_line,
            place.end_column,
        )
