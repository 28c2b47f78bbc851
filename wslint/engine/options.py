"""Every option, declared once.

The ``[tool.wslint]`` keys, the command-line flags and the flake8 options are
all derived from :data:`OPTIONS`, so a new option is one entry here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

DEFAULT_BROADCAST_METHODS = (
    "broadcast",
    "broadcast_json",
    "broadcast_text",
    "broadcast_bytes",
    "group_send",
)
DEFAULT_SLEEP_FUNCTIONS = ("asyncio.sleep", "anyio.sleep", "trio.sleep")
DEFAULT_START_METHODS = (
    "start",
    "start_all",
    "startup",
    "start_background_tasks",
    "start_tasks",
    "run",
    "lifespan",
)
DEFAULT_HEARTBEAT_PATTERNS = ("*heartbeat*", "*keepalive*", "*keep_alive*", "ping")
DEFAULT_UPDATE_PATTERNS = ("*_update", "*_updated", "*.update")
DEFAULT_MESSAGE_TYPE_PATTERN = r"^[a-z][a-z0-9]*([._][a-z0-9]+)*$"


class OptionError(ValueError):
    """A configuration value that does not fit its option."""


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise OptionError(f"expected a number of seconds, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise OptionError(f"expected a number of seconds, got {value!r}") from None
    if number < 0 or number != number:
        raise OptionError(f"expected a non-negative number of seconds, got {value!r}")
    return number


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in ("true", "yes", "on", "1", "false", "no", "off", "0"):  # setup.cfg's spellings
        return word in ("true", "yes", "on", "1")
    raise OptionError(f"expected true or false, got {value!r}")


def _as_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [item.strip() for item in re.split(r"[,\n]", value)]
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        raise OptionError(f"expected a list of strings, got {value!r}")
    return tuple(item for item in items if item)


CODE_PREFIX = re.compile(r"^WSL\d{0,3}$")


def _as_codes(value: Any) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in _as_str_list(value))
    for code in codes:
        if code != "ALL" and not CODE_PREFIX.match(code):
            raise OptionError(f"expected rule codes or prefixes like WSL003 or WSL00, got {code!r}")
    return codes


def _as_globs(value: Any) -> tuple[str, ...]:
    globs = _as_str_list(value)
    for glob in globs:
        try:
            re.compile(fnmatch.translate(glob))
        except re.error as error:
            raise OptionError(f"bad glob pattern {glob!r}: {error}") from None
    return globs


def _as_regex(value: Any) -> str:
    if not isinstance(value, str):
        raise OptionError(f"expected a regular expression string, got {value!r}")
    try:
        re.compile(value)
    except re.error as error:
        raise OptionError(f"bad regular expression {value!r}: {error}") from None
    return value


def _as_per_file_ignores(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"glob": ["WSL003"]}`` (TOML) or ``glob: WSL003 WSL004`` lines (INI)."""
    if isinstance(value, str):
        pairs = []
        for line in value.replace(",", " ").splitlines():
            if not line.strip():
                continue
            glob, sep, codes = line.partition(":")
            if not sep:
                raise OptionError(f"expected 'glob: CODES' lines, got {line.strip()!r}")
            pairs.append((glob.strip(), codes.split()))
    elif isinstance(value, dict):
        pairs = [(glob, codes) for glob, codes in value.items()]
    else:
        raise OptionError(f"expected a table of glob = [codes], got {value!r}")
    return tuple((_as_globs([glob])[0], _as_codes(codes)) for glob, codes in pairs)


@dataclass(frozen=True)
class Option:
    """One setting: its config key, how values are checked, and its help."""

    key: str
    convert: Callable[[Any], Any]
    help: str
    metavar: str = "VALUE"
    cli: bool = True

    @property
    def attr(self) -> str:
        return self.key.replace("-", "_")


# What to do with the findings, not what they are: a cached result serves a run with --fix too.
NOT_ANALYSIS = frozenset({"fix", "unsafe_fixes"})


@dataclass(frozen=True)
class Settings:
    """The frozen options every rule and the engine read."""

    select: tuple[str, ...] = ("WSL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = (
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "__pycache__",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        ".wslint_cache",
    )
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_interval: float = 1.0
    broadcast_methods: tuple[str, ...] = DEFAULT_BROADCAST_METHODS
    broadcaster_patterns: tuple[str, ...] = ("_broadcast_*",)
    sleep_functions: tuple[str, ...] = DEFAULT_SLEEP_FUNCTIONS
    start_methods: tuple[str, ...] = DEFAULT_START_METHODS
    message_type_pattern: str = DEFAULT_MESSAGE_TYPE_PATTERN
    update_type_patterns: tuple[str, ...] = DEFAULT_UPDATE_PATTERNS
    heartbeat_type_patterns: tuple[str, ...] = DEFAULT_HEARTBEAT_PATTERNS
    fix: bool = False
    unsafe_fixes: bool = False
    # Not an option: the folder of the config file, which per-file-ignores globs are relative to.
    config_dir: str = ""

    def with_values(self, values: dict[str, Any]) -> Settings:
        """A copy with ``values`` (keyed by kebab-case option key) applied and validated."""
        changes = {}
        for key, value in values.items():
            option = OPTIONS_BY_KEY.get(key)
            if option is None:
                raise OptionError(f"unknown option {key!r}")
            changes[option.attr] = option.convert(value)
        return replace(self, **changes)

    def fingerprint(self) -> str:
        """A stable text of every value findings depend on, for cache keys."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in NOT_ANALYSIS)
        return repr(tuple(values))


OPTIONS: tuple[Option, ...] = (
    Option("select", _as_codes, "Rule codes or prefixes to enable.", "CODES"),
    Option("ignore", _as_codes, "Rule codes or prefixes to disable.", "CODES"),
    Option("extend-select", _as_codes, "Rule codes or prefixes to enable on top of select.", "CODES"),
    Option("exclude", _as_globs, "Glob patterns of paths to skip (replaces the defaults).", "GLOBS"),
    Option("extend-exclude", _as_globs, "Glob patterns of paths to skip on top of exclude.", "GLOBS"),
    Option(
        "per-file-ignores",
        _as_per_file_ignores,
        "Codes ignored in files matching a glob.",
        "GLOB:CODES",
        cli=False,
    ),
    Option(
        "min-interval",
        _as_float,
        "Shortest allowed polling interval in seconds (WSL003).",
        "SECONDS",
    ),
    Option(
        "broadcast-methods",
        _as_str_list,
        "Method names whose calls are broadcasts.",
        "NAMES",
    ),
    Option(
        "broadcaster-patterns",
        _as_globs,
        "Function-name globs that mark a broadcaster.",
        "GLOBS",
    ),
    Option("sleep-functions", _as_str_list, "Dotted names of async sleep functions.", "NAMES"),
    Option(
        "start-methods",
        _as_str_list,
        "Method names that start a class's background tasks (WSL005's hint).",
        "NAMES",
    ),
    Option(
        "message-type-pattern",
        _as_regex,
        "Regular expression every message type must match (WSL013).",
        "REGEX",
    ),
    Option(
        "update-type-patterns",
        _as_globs,
        "Globs of message types that promise updates (WSL006).",
        "GLOBS",
    ),
    Option(
        "heartbeat-type-patterns",
        _as_globs,
        "Globs of message types sent on every tick (exempt from WSL004).",
        "GLOBS",
    ),
    Option("fix", _as_bool, "Repair the findings that have a safe fix.", "BOOL"),
    Option(
        "unsafe-fixes",
        _as_bool,
        "Also apply the fixes that change behaviour beyond the finding (with fix).",
        "BOOL",
    ),
)
OPTIONS_BY_KEY = {option.key: option for option in OPTIONS}
