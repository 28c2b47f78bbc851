"""Every option, declared once.

A setting (what to check and how: a ``[tool.wslint]`` key) is one field of :class:`Settings`,
declared with :func:`setting`: its key, type, default, help, metavar and whether the command
line and flake8 expose it. The command line's click options, flake8's ``add_option``, the
configuration keys and the README's configuration block are all derived from :data:`OPTIONS`.

An option of the command line only (how to run, what to print: ``--jobs``, ``--format``) is one
:class:`CommandOption` in :data:`COMMAND_OPTIONS`; ``wslint/cli.py`` turns each into a click
option and hands its value to the command under the option's ``dest``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeVar

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


def _as_path(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OptionError(f"expected a file path, got {value!r}")
    return value.strip()


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
    """One setting: its config key, how values are checked, its default, help and exposure."""

    key: str
    convert: Callable[[Any], Any]
    help: str
    metavar: str = "VALUE"
    default: Any = None
    cli: bool = False  # ``--<key>`` on the command line, overriding the configuration
    flake8: bool = True  # ``--wslint-<key>`` and ``wslint-<key>`` in flake8's configuration

    @property
    def attr(self) -> str:
        return self.key.replace("-", "_")

    @property
    def switch(self) -> bool:
        """A true/false setting: ``--<key>/--no-<key>`` on the command line."""
        return self.convert is _as_bool


T = TypeVar("T")


def setting(
    default: T,
    convert: Callable[[Any], Any],
    help: str,
    metavar: str,
    cli: bool = False,
    flake8: bool = True,
) -> T:
    """A :class:`Settings` field that is an option (the key is the field's name in kebab-case)."""
    declared = {"convert": convert, "help": help, "metavar": metavar, "cli": cli, "flake8": flake8}
    return field(default=default, metadata={"option": declared})  # type: ignore[no-any-return]


DEFAULT_EXCLUDE = (
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


@dataclass(frozen=True)
class Settings:
    """The frozen options every rule and the engine read."""

    # flake8 has its own select, ignore, extend-select and per-file-ignores.
    select: tuple[str, ...] = setting(
        ("WSL",), _as_codes, "Rule codes or prefixes to enable.", "CODES", cli=True, flake8=False
    )
    ignore: tuple[str, ...] = setting(
        (), _as_codes, "Rule codes or prefixes to disable.", "CODES", cli=True, flake8=False
    )
    extend_select: tuple[str, ...] = setting(
        (), _as_codes, "Rule codes or prefixes to enable on top of select.", "CODES", cli=True, flake8=False
    )
    exclude: tuple[str, ...] = setting(
        DEFAULT_EXCLUDE,
        _as_globs,
        "Glob patterns of paths to skip (replaces the defaults).",
        "GLOBS",
        cli=True,
    )
    extend_exclude: tuple[str, ...] = setting(
        (), _as_globs, "Glob patterns of paths to skip on top of exclude.", "GLOBS", cli=True
    )
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = setting(
        (), _as_per_file_ignores, "Codes ignored in files matching a glob.", "GLOB:CODES", flake8=False
    )
    min_interval: float = setting(
        1.0, _as_float, "Shortest allowed polling interval in seconds (WSL003).", "SECONDS", cli=True
    )
    broadcast_methods: tuple[str, ...] = setting(
        DEFAULT_BROADCAST_METHODS, _as_str_list, "Method names whose calls are broadcasts.", "NAMES"
    )
    broadcaster_patterns: tuple[str, ...] = setting(
        ("_broadcast_*",), _as_globs, "Function-name globs that mark a broadcaster.", "GLOBS"
    )
    sleep_functions: tuple[str, ...] = setting(
        DEFAULT_SLEEP_FUNCTIONS, _as_str_list, "Dotted names of async sleep functions.", "NAMES"
    )
    start_methods: tuple[str, ...] = setting(
        DEFAULT_START_METHODS,
        _as_str_list,
        "Method names that start a class's background tasks (WSL005's hint).",
        "NAMES",
    )
    message_type_pattern: str = setting(
        DEFAULT_MESSAGE_TYPE_PATTERN,
        _as_regex,
        "Regular expression every message type must match (WSL013).",
        "REGEX",
    )
    update_type_patterns: tuple[str, ...] = setting(
        DEFAULT_UPDATE_PATTERNS, _as_globs, "Globs of message types that promise updates (WSL006).", "GLOBS"
    )
    heartbeat_type_patterns: tuple[str, ...] = setting(
        DEFAULT_HEARTBEAT_PATTERNS,
        _as_globs,
        "Globs of message types sent on every tick (exempt from WSL004).",
        "GLOBS",
    )
    # A file of findings to leave out (relative to config_dir), "" for none. Not for flake8: it
    # checks files one by one, and a baseline says what is gone only to a whole run.
    baseline: str = setting(
        "",
        _as_path,
        "Report only the findings not recorded in this baseline file (see --write-baseline).",
        "FILE",
        cli=True,
        flake8=False,
    )
    # What to do with the findings, not what they are (a cached result serves --fix too). Not
    # for flake8: it reports, only the command rewrites files.
    fix: bool = setting(
        False, _as_bool, "Repair the findings that have a safe fix.", "BOOL", cli=True, flake8=False
    )
    unsafe_fixes: bool = setting(
        False,
        _as_bool,
        "Also apply the fixes that change behaviour beyond the finding (with fix).",
        "BOOL",
        cli=True,
        flake8=False,
    )
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
        """A stable text of every value that can change a finding, for cache keys (the baseline
        only filters the findings, after the cache; fix and unsafe-fixes act on them after)."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in NOT_ANALYSIS)
        return repr(tuple(values))


# The settings that say what to do with the findings, not what they are.
NOT_ANALYSIS = frozenset({"baseline", "fix", "unsafe_fixes"})


OPTIONS: tuple[Option, ...] = tuple(
    Option(key=f.name.replace("_", "-"), default=f.default, **f.metadata["option"])
    for f in fields(Settings)
    if "option" in f.metadata
)
OPTIONS_BY_KEY = {option.key: option for option in OPTIONS}
CLI_OPTIONS = tuple(option for option in OPTIONS if option.cli)
FLAKE8_OPTIONS = tuple(option for option in OPTIONS if option.flake8)


@dataclass(frozen=True)
class CommandOption:
    """An option of the command line only: how to run and what to print, never a config key.

    ``kind`` says what it takes: ``flag`` (no value), ``text``, ``path``, ``count`` (an integer
    of at least 1) or ``choice`` (one of ``choices``). The command receives its value under
    ``dest`` (by default the flag's name in snake_case).
    """

    flag: str
    kind: Literal["flag", "text", "path", "count", "choice"]
    help: str
    metavar: str | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    short: str | None = None
    dest_name: str | None = None
    action: bool = False  # eager: does its work and exits (``--explain``), the command never runs

    @property
    def dest(self) -> str:
        return self.dest_name or self.flag.lstrip("-").replace("-", "_")


OUTPUT_FORMATS = ("text", "json", "github", "sarif")

COMMAND_OPTIONS: tuple[CommandOption, ...] = (
    CommandOption(
        "--format",
        "choice",
        "text: path:line:col: CODE message, sorted; json: a list of objects; sarif: SARIF 2.1.0; "
        "github: workflow annotations.",
        default="text",
        choices=OUTPUT_FORMATS,
        dest_name="output_format",
    ),
    CommandOption("--config", "path", "Use this configuration file.", "FILE", dest_name="config_path"),
    CommandOption("--show-source", "flag", "Show the offending line and the fix under each finding."),
    CommandOption("--statistics", "flag", "Count findings per code after the findings."),
    CommandOption("--exit-zero", "flag", "Exit 0 even when there are findings."),
    CommandOption("--stdin-filename", "text", "The file name to report for source read from '-'.", "NAME"),
    CommandOption("--diff", "flag", "Print the fixes as a unified diff instead of writing them."),
    CommandOption("--jobs", "count", "Worker processes (default: all cores).", "N"),
    CommandOption("--no-cache", "flag", "Do not read or write the result cache."),
    CommandOption("--cache-dir", "path", "Where the result cache lives (default: .wslint_cache).", "DIR"),
    CommandOption(
        "--write-baseline", "path", "Record every finding in FILE (for --baseline) and exit 0.", "FILE"
    ),
    CommandOption(
        "--output-file", "path", "Write the findings to FILE instead of standard output.", "FILE", short="-o"
    ),
    CommandOption("--explain", "text", "Explain a rule and exit.", "CODE", action=True),
    CommandOption("--list-rules", "flag", "List every rule and exit.", action=True),
)
