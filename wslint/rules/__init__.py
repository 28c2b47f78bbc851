"""The rules, one module each (``wslNNN_<name>.py``), registered here in code order."""

from __future__ import annotations

from wslint.rules.base import Rule
from wslint.rules.wsl000_unreadable_file import UnreadableFile
from wslint.rules.wsl001_broadcaster_never_broadcasts import BroadcasterNeverBroadcasts
from wslint.rules.wsl002_loop_exception_unhandled import LoopExceptionUnhandled
from wslint.rules.wsl003_poll_interval_too_short import PollIntervalTooShort
from wslint.rules.wsl004_broadcast_without_change_check import BroadcastWithoutChangeCheck
from wslint.rules.wsl005_broadcaster_never_started import BroadcasterNeverStarted

ALL_RULES: tuple[type[Rule], ...] = (
    UnreadableFile,
    BroadcasterNeverBroadcasts,
    LoopExceptionUnhandled,
    PollIntervalTooShort,
    BroadcastWithoutChangeCheck,
    BroadcasterNeverStarted,
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}


def selected_rules(select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...]) -> list[type[Rule]]:
    """Rules enabled by select/extend-select prefixes minus ignore prefixes (longest prefix wins)."""
    chosen = []
    for rule in ALL_RULES:
        enabled = _match_length(rule.code, (*select, *extend_select))
        disabled = _match_length(rule.code, ignore)
        if enabled > disabled:
            chosen.append(rule)
        elif rule.code == "WSL000" and disabled == 0:
            chosen.append(rule)  # an unreadable file is always reported unless ignored
    return chosen


def _match_length(code: str, prefixes: tuple[str, ...]) -> int:
    lengths = [len(p) if p != "ALL" else 1 for p in prefixes if p == "ALL" or code.startswith(p)]
    return max(lengths, default=0)
