"""The contract of a client rule: a :class:`Rule` that reads client files, never Python ones.

A client rule takes a :class:`~wslint.client.clients.ClientView` (one JavaScript / TypeScript
file: the sockets it opens, the types it waits for) and the
:class:`~wslint.client.surface.ServerSurface` of the Python project. The Python front ends
(flake8, pylint) run it on nothing: its prefilter words rule out every Python file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wslint.engine.context import FileContext
from wslint.engine.findings import Finding
from wslint.engine.options import Settings
from wslint.engine.prefilter import WordGroups
from wslint.rules.base import Rule

if TYPE_CHECKING:
    from wslint.client.clients import ClientView
    from wslint.client.reading import Place
    from wslint.client.surface import ServerSurface


class ClientRule(Rule):
    project_wide = True

    @classmethod
    def required_words(cls, settings: Settings) -> WordGroups:
        return ()  # no Python file holds client code

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
