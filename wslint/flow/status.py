"""An endpoint's status, told from what it sends and the project's senders (SPEC "Message flow").

- **self-updating**: it pushes its initial type, or a message of unknown type, on its own (or,
  sending nothing first, anything at all);
- **never-updated** (WSL006): it sends initial data and either nothing in the project sends
  anything after a first message, or an initial type T matching ``update-type-patterns`` is
  carried by no sender while no sender of unknown type could reach its clients;
- **updated**: some sender carries one of its initial types, or reaches it with messages;
- **unknown**: anything else (its types, or those that could reach it, cannot be told).

A reply inside a receive loop is no sender; a message without a ``"type"`` carries no type and
silences nothing; a sender of unknown type silences only the endpoints it could reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wslint.analysis.endpoints import EndpointFacts
from wslint.analysis.messages import matches_any
from wslint.flow.model import (
    NEVER_UPDATED,
    SELF_UPDATING,
    UNKNOWN_STATUS,
    UPDATED,
    Sender,
    union_of,
)


@dataclass(frozen=True)
class Verdict:
    """An endpoint's status; for never-updated, the type no sender carries (None: nothing in
    the project sends anything)."""

    status: str
    missing_type: str | None = None


def initial_types(facts: EndpointFacts) -> frozenset[str]:
    return union_of(types for types in facts.initial if isinstance(types, frozenset))


class SenderSet:
    """The project's senders, summed up once for every endpoint's verdict."""

    def __init__(self, senders: Sequence[Sender]) -> None:
        self.sending = [sender for sender in senders if sender.sends]
        self.carried = union_of(sender.types for sender in self.sending)
        self.unknown = [sender for sender in self.sending if sender.types is None]


def endpoint_verdict(facts: EndpointFacts, senders: SenderSet, update_patterns: Sequence[str]) -> Verdict:
    """The status of an endpoint whose sends are ``facts``, among the project's ``senders``."""
    if facts.updates_itself:
        return Verdict(SELF_UPDATING)
    sending = senders.sending
    own = [types for types in facts.pushes if isinstance(types, frozenset)]
    if not facts.initial:  # no first message to compare with: any push of its own updates it
        if facts.pushes:
            return Verdict(SELF_UPDATING)
        reached = any(sender.could_reach(facts.registry) for sender in sending)
        return Verdict(UPDATED if reached else UNKNOWN_STATUS)
    known = initial_types(facts)
    if not sending and not own:
        return Verdict(NEVER_UPDATED)
    carried = senders.carried | union_of(own)
    unknown_reaches = any(sender.could_reach(facts.registry) for sender in senders.unknown)
    for message_type in sorted(known):
        if message_type in carried or not matches_any(message_type, update_patterns):
            continue
        return Verdict(UNKNOWN_STATUS if unknown_reaches else NEVER_UPDATED, message_type)
    if known & carried:
        return Verdict(UPDATED)
    if unknown_reaches or not known:
        return Verdict(UNKNOWN_STATUS)
    reached = bool(own) or any(sender.could_reach(facts.registry) for sender in sending)
    return Verdict(UPDATED if reached else UNKNOWN_STATUS)
