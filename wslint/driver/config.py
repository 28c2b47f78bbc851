"""Finding and reading the configuration: ``[tool.wslint]`` or ``setup.cfg`` ``[wslint]``."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wslint.core.options import OPTIONS_BY_KEY, OptionError, Settings

if TYPE_CHECKING:
    import configparser


class ConfigError(Exception):
    """A configuration problem, phrased as one line naming the file and key."""


@dataclass(frozen=True)
class ConfigSource:
    """Where settings came from (``path`` is None for the defaults)."""

    path: Path | None
    values: dict[str, Any]


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with ``[tool.wslint]`` or ``setup.cfg`` with ``[wslint]``."""
    for directory in (start, *start.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_pyproject_section(pyproject):
            return pyproject
        setup_cfg = directory / "setup.cfg"
        if setup_cfg.is_file() and _has_setup_cfg_section(setup_cfg):
            return setup_cfg
    return None


def _has_pyproject_section(path: Path) -> bool:
    try:
        return "wslint" in _read_toml(path).get("tool", {})
    except ConfigError:
        # A broken pyproject.toml that mentions wslint is still ours to report on.
        return "[tool.wslint" in path.read_text(encoding="utf-8", errors="replace")


def _has_setup_cfg_section(path: Path) -> bool:
    try:
        return _read_ini(path).has_section("wslint")
    except ConfigError:
        return "[wslint]" in path.read_text(encoding="utf-8", errors="replace")


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: most runs read no TOML at all
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def _read_ini(path: Path) -> configparser.ConfigParser:
    import configparser  # (imported here: most projects configure wslint in pyproject.toml)

    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except configparser.Error as error:
        first_line = str(error).splitlines()[0]
        raise ConfigError(f"{path}: invalid INI: {first_line}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    return parser


def read_config(path: Path) -> ConfigSource:
    """The raw ``key -> value`` table of a config file (TOML or INI by file name)."""
    if path.suffix == ".toml":
        table = _read_toml(path).get("tool", {}).get("wslint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.wslint] must be a table")
        return ConfigSource(path, dict(table))
    parser = _read_ini(path)
    section = "wslint" if parser.has_section("wslint") else None
    values = dict(parser.items(section)) if section else {}
    return ConfigSource(path, values)


def _line_of_key(path: Path, key: str) -> int | None:
    """The line that sets ``key`` inside wslint's own section (not ``[tool.ruff]``'s ``select``)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    toml = path.suffix == ".toml"
    ours = not toml and path.name != "setup.cfg"  # a bare INI file given with --config
    dotted = re.compile(r"^tool\s*\.\s*wslint\s*\.\s*")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = SECTION.match(stripped)
        if header:
            name = header.group(1).strip()
            ours = name == "wslint" or (toml and re.match(r"^tool\s*\.\s*wslint(\s*\.|$)", name) is not None)
            if toml and name.replace(" ", "") == f"tool.wslint.{key}":
                return number  # a sub-table: [tool.wslint.per-file-ignores]
            continue
        if toml and dotted.match(stripped):  # tool.wslint.key = ... at the top level
            stripped, allowed = dotted.sub("", stripped), True
        else:
            allowed = ours
        if not allowed:
            continue
        for spelling in (key, f'"{key}"', f"'{key}'"):
            if stripped.startswith(spelling) and stripped[len(spelling) :].lstrip()[:1] in ("=", ":"):
                return number
    return None


SECTION = re.compile(r"^\[+\s*([^\]]+?)\s*\]+")


def settings_from(source: ConfigSource, base: Settings | None = None) -> Settings:
    """Validate ``source`` into settings; each bad key is a ConfigError naming file, line and key."""
    settings = base or Settings()
    for key, value in source.values.items():
        where = _where(source.path, key)
        if key not in OPTIONS_BY_KEY:
            hint = _close_key(key)
            raise ConfigError(f"{where}: unknown option {key!r}{hint}")
        try:
            settings = settings.with_values({key: value})
            check_known_codes(settings, key)
        except OptionError as error:
            raise ConfigError(f"{where}: option {key!r}: {error}") from None
    if source.path is not None:
        settings = replace(settings, config_dir=str(source.path.resolve().parent))
    return settings


CODE_KEYS = ("select", "ignore", "extend-select", "per-file-ignores")


def check_known_codes(settings: Settings, key: str) -> None:
    """An OptionError when a code option names a code or prefix that matches no rule.

    ``select = ["WSL03"]`` would otherwise silently turn every rule off.
    """
    if key not in CODE_KEYS:
        return
    from wslint.rules import RULE_CODES  # late: the rules import the engine

    value = getattr(settings, OPTIONS_BY_KEY[key].attr)
    codes = [code for _, group in value for code in group] if key == "per-file-ignores" else value
    for code in codes:
        if code != "ALL" and not any(known.startswith(code) for known in RULE_CODES):
            raise OptionError(f"unknown rule code {code!r} (see wslint --list-rules)")


def _where(path: Path | None, key: str) -> str:
    if path is None:
        return "<command line>"
    line = _line_of_key(path, key)
    return f"{path}:{line}" if line else str(path)


def _close_key(key: str) -> str:
    import difflib

    matches = difflib.get_close_matches(key.replace("_", "-"), list(OPTIONS_BY_KEY), n=1)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def load_settings(config_path: Path | None, cwd: Path | None = None) -> tuple[Settings, Path | None]:
    """Settings from ``config_path`` or the nearest config above ``cwd``; defaults when none."""
    if config_path is None:
        config_path = find_config((cwd or Path.cwd()).resolve())
        if config_path is None:
            return Settings(), None
    elif not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found")
    return settings_from(read_config(config_path)), config_path
