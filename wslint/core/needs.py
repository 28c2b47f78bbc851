"""What a file must hold for a rule to fire, declared as data.

A rule's :meth:`~wslint.rules.base.Rule.required_words` returns alternatives (:data:`Needs`):
the rule may fire on a file where, for one alternative, the file holds every word of it. The
speed layer (:mod:`wslint.speed.prefilter`) turns these declarations into its byte tests and
decides from them which rules a file is parsed for; a rule never sees how.

A word is one of:

- a ``str`` (or ``bytes``): a substring of the file's bytes (``"await"``);
- :class:`Keywords`: words in order, with any blanks or line joins between (``async def``);
- :class:`CallOf`: a call of one of some names (``broadcast(``, ``hub.broadcast_json (``);
- :data:`BROADCASTER`: what a broadcaster needs, from the configuration in force (an
  ``async def`` named like one, or one whose loop broadcasts); it stands for several
  alternatives, each holding the alternative's other words too;
- :data:`BROADCAST_CALL`: a call of one of the configured broadcast methods;
- a project question, which the rest of the project answers: :class:`AnyProjectFileHolds`,
  :class:`NoProductionDefinition`;
- a shape that only a closer reading of the bytes tells: :class:`SpawnStatement`,
  :class:`StateStoredOnlyInInit`.

A rule that needs only substrings, keywords and calls needs nothing more of the speed layer.
A rule that never fires on a Python file declares :data:`NO_PYTHON_FILE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union

if TYPE_CHECKING:
    from wslint.core.options import Settings


@dataclass(frozen=True)
class Keywords:
    """Words in this order, any blanks or line joins between: ``Keywords("async def")``."""

    phrase: str


@dataclass(frozen=True)
class CallOf:
    """A call of one of ``names``, as a name or an attribute (``names(``, ``x.names (``)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Configured:
    """A word the configuration in force spells (see :data:`BROADCASTER`, :data:`BROADCAST_CALL`)."""

    what: str


BROADCASTER = Configured("broadcaster")
BROADCAST_CALL = Configured("broadcast call")


@dataclass(frozen=True)
class AnyProjectFileHolds:
    """Held by every file when some file of the project holds one of ``words``."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class NoProductionDefinition:
    """Held by every file when no production module of the project says ``def <name>``."""

    name: str


@dataclass(frozen=True)
class SpawnStatement:
    """A ``create_task`` / ``ensure_future`` call that may stand as a statement of its own and
    be reported: not ``self.create_task(...)``, nor ``ensure_future`` of a future. With
    ``on_an_attribute``, only those on a chain of attributes that may be a project wrapper's
    (``self.pool.create_task(...)``); without, only the others, an event loop's by its name
    among them (``self._loop.create_task(...)``: asyncio's, whatever the project defines)."""

    on_an_attribute: bool


@dataclass(frozen=True)
class StateStoredOnlyInInit:
    """A remembered attribute (``self.last_status``: a name holding one of ``words``) that an
    ``__init__`` may assign, that nothing writes anywhere else, and that a loop may compare."""

    words: tuple[str, ...]


Word = Union[
    str,
    bytes,
    Keywords,
    CallOf,
    Configured,
    AnyProjectFileHolds,
    NoProductionDefinition,
    SpawnStatement,
    StateStoredOnlyInInit,
]
Needs = tuple[tuple[Word, ...], ...]

# What a rule that reads no Python file needs of one: no alternative, so no Python file is ever
# parsed for it, by the command or the flake8 and pylint plugins (the client rules, which read
# JavaScript / TypeScript in a stage of their own).
NO_PYTHON_FILE: Needs = ()


class Declaring(Protocol):
    """What declares its needs: a rule class."""

    code: str

    def required_words(self, settings: Settings) -> Needs: ...
