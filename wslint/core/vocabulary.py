"""The words every layer shares: the WebSocket send methods, the names an event loop is kept
under, and how Python spells a gap between tokens and an identifier's bytes (the analysis and
the speed layer both search bytes)."""

from __future__ import annotations

# A WebSocket's own send methods: one client at a time (a fan-out when looped over clients).
SEND_METHODS = frozenset({"send", "send_text", "send_json", "send_bytes"})

# Names an event loop is kept under: ``loop.create_task``, ``self._loop.create_task``.
LOOP_NAMES = frozenset({"loop", "_loop", "event_loop", "_event_loop", "io_loop", "_io_loop"})

IDENTIFIER = rb"[\w\x80-\xff]"  # a byte of an identifier (UTF-8 letters included)
# What may separate the tokens of one expression inside brackets: whitespace, line joins, comments.
# A comment runs to its line's end (the lookahead): matched one way only, so that a line of
# ``#`` after a name cannot be split in every way before a match fails (exponential).
GAP = rb"(?:\s|\\|#[^\n]*(?![^\n]))*"
