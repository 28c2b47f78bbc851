"""The ``wslint`` command line."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from wslint import __version__, rules
from wslint.core.findings import Finding
from wslint.core.fix import Fix
from wslint.core.options import CLI_OPTIONS, COMMAND_OPTIONS, CommandOption, OptionError, Settings
from wslint.driver.config import ConfigError, check_known_codes, load_settings
from wslint.driver.discovery import DiscoveryError
from wslint.driver.output import (
    fixable_counts,
    render_github,
    render_json,
    render_statistics,
    render_summary,
    render_text,
)
from wslint.driver.runner import Report, check_paths

F = TypeVar("F", bound=Callable[..., Any])


def _explain(context: click.Context, _: click.Parameter, code: str | None) -> None:
    if not code or context.resilient_parsing:
        return
    rule = rules.RULES_BY_CODE.get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code {code!r} (see --list-rules)")
    from wslint.docs import explanation

    click.echo(explanation(rule))
    context.exit(0)


def _list_rules(context: click.Context, _: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    for rule in rules.ALL_RULES:
        state = "on" if rule.default_enabled else "off"
        click.echo(f"{rule.code}\t{rule.name}\t{state}\t{rule.summary}")
    context.exit(0)


def _click_type(option: CommandOption) -> Any:
    if option.kind == "choice":
        return click.Choice(option.choices)
    if option.kind == "path":
        return click.Path(path_type=Path)
    if option.kind == "count":
        return click.IntRange(min=1)
    return None


def _command_option(option: CommandOption) -> Callable[[F], F]:
    names = [option.flag, option.dest] if option.short is None else [option.short, option.flag, option.dest]
    extra: dict[str, Any] = {}
    if option.action:
        extra = {"callback": ACTIONS[option.dest], "expose_value": False, "is_eager": True}
    return click.option(
        *names,
        is_flag=option.kind == "flag",
        type=_click_type(option),
        default=option.default,
        show_default=option.default is not None,
        metavar=option.metavar,
        help=option.help,
        **extra,
    )


def _options(function: F) -> F:
    """The command's click options: each setting the command line exposes, then its own."""
    declared = [
        click.option(f"--{option.key}/--no-{option.key}", option.attr, default=None, help=option.help)
        if option.switch
        else click.option(f"--{option.key}", option.attr, help=option.help, metavar=option.metavar)
        for option in CLI_OPTIONS
    ]
    declared += [_command_option(option) for option in COMMAND_OPTIONS]
    for decorator in reversed(declared):
        function = decorator(function)
    return function


ACTIONS = {"explain": _explain, "list_rules": _list_rules}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@_options
@click.version_option(__version__, "--version", prog_name="wslint")
def cli(paths: tuple[Path, ...], **options: Any) -> None:
    """Check Python code that pushes live updates to WebSocket clients."""
    try:
        settings = _settings(options)
        stdin = None
        if any(str(path) == "-" for path in paths):
            stdin = (options["stdin_filename"] or "<stdin>", sys.stdin.buffer.read())
            paths = tuple(path for path in paths if str(path) != "-")
        elif not paths:
            paths = (Path("."),)
        cache_dir = None
        if not options["no_cache"]:  # relative to the project root unless given
            given = options["cache_dir"]
            cache_dir = Path(os.path.abspath(given)) if given else Path(".wslint_cache")
        jobs = options["jobs"] or os.cpu_count() or 1
        report = check_paths(list(paths), settings, stdin=stdin, jobs=jobs, cache_dir=cache_dir)
        if options["write_baseline"] is not None:  # record the findings instead of reporting them
            from wslint.driver.baseline import record_baseline

            click.echo(record_baseline(options["write_baseline"], report, stdin), err=True)
            sys.exit(0)
        _apply_baseline(report, settings, options, stdin)
        if (settings.fix or options["diff"]) and report.findings:  # (only what the baseline left)
            from wslint.fixes.command import apply_fixes

            changed, stdin = apply_fixes(report.findings, settings, options["diff"], stdin)
            if options["diff"]:
                sys.exit(1 if changed else 0)
            if changed:  # the findings again, where the fixes moved them
                report = check_paths(list(paths), settings, stdin=stdin, jobs=jobs, cache_dir=cache_dir)
                _apply_baseline(report, settings, options, stdin, quiet=True)
        source_out = settings.fix and stdin is not None and not options["diff"]
        if source_out and stdin is not None:  # (fixed) standard input back to the editor
            sys.stdout.buffer.write(stdin[1])
            sys.stdout.flush()
    except (ConfigError, DiscoveryError) as error:
        click.echo(f"wslint: error: {error}", err=True)
        sys.exit(2)
    if report.files_checked == 0:
        shown = ", ".join(str(path) for path in paths)
        click.echo(f"wslint: warning: no Python files to check in {shown}", err=True)
    _output(report, options, settings, stdin, to_stderr=source_out, cache_dir=cache_dir)
    sys.exit(1 if report.findings and not options["exit_zero"] else 0)


def _apply_baseline(
    report: Report,
    settings: Settings,
    options: dict[str, Any],
    stdin: tuple[str, bytes] | None,
    quiet: bool = False,
) -> None:
    """Leave out the baselined findings (``quiet``: without saying again how many are gone)."""
    if options["baseline"] or settings.baseline:  # (a BaselineError is a ConfigError)
        from wslint.driver.baseline import apply_baseline

        gone = apply_baseline(options["baseline"], settings, report, stdin)
        if gone and not quiet:
            click.echo(gone, err=True)


def _settings(options: dict[str, Any]) -> Settings:
    settings, source = load_settings(options["config_path"])
    overrides = {
        option.key: options[option.attr] for option in CLI_OPTIONS if options[option.attr] is not None
    }
    for key, value in overrides.items():
        try:
            settings = settings.with_values({key: value})
            check_known_codes(settings, key)
        except OptionError as error:
            raise ConfigError(f"command line: option '--{key}': {error}") from None
    return settings


def _output(
    report: Report,
    options: dict[str, Any],
    settings: Settings,
    stdin: tuple[str, bytes] | None,
    to_stderr: bool = False,  # standard output carries the fixed source
    cache_dir: Path | None = None,
) -> None:
    """The findings, to ``--output-file`` or standard output; on a terminal, a summary line after
    them, with how many ``--fix`` would repair."""
    output_format = options["output_format"]
    complete = not (options["baseline"] or settings.baseline)  # every finding of each file is here
    fixes = _fixes(report.findings, settings, stdin, cache_dir, complete) if output_format != "github" else {}
    output_file = options["output_file"]
    if output_file is None:
        _emit(report.findings, options, settings, fixes, to_stderr)
        if output_format == "text" and (sys.stderr if to_stderr else sys.stdout).isatty():
            fixable, unsafe_only = fixable_counts(fixes, settings.unsafe_fixes)
            click.echo(render_summary(report.findings, fixable, unsafe_only), err=to_stderr)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
            _emit(report.findings, options, settings, fixes)  # (not a terminal: no colour)
    except OSError as error:
        click.echo(f"wslint: error: {output_file}: cannot write: {error.strerror or error}", err=True)
        sys.exit(2)


def _emit(
    findings: list[Finding],
    options: dict[str, Any],
    settings: Settings,
    fixes: dict[Finding, Fix],
    err: bool = False,
) -> None:
    output_format = options["output_format"]
    if output_format == "json":
        click.echo(render_json(findings, fixes), err=err)
        return
    if output_format == "github":
        text = render_github(findings)
    elif output_format == "sarif":
        from wslint.frontends.sarif import render_sarif

        text = render_sarif(findings, fixes)
    else:
        color = (sys.stderr if err else sys.stdout).isatty() and not os.environ.get("NO_COLOR")
        sources = _sources(findings) if options["show_source"] else {}
        fixable = {finding for finding, fix in fixes.items() if fix.applies(settings.unsafe_fixes)}
        text = render_text(findings, color, options["show_source"], sources, fixable)
    if text:
        click.echo(text, err=err)
    if options["statistics"] and findings and output_format == "text":
        click.echo(render_statistics(findings), err=err)


def _fixes(
    findings: list[Finding],
    settings: Settings,
    stdin: tuple[str, bytes] | None,
    cache_dir: Path | None,
    complete: bool = False,
) -> dict[Finding, Fix]:
    """Each finding's fix, where it has one (libcst is loaded only for a fixable rule's finding,
    and not at all where the cache knows the fixes)."""
    from wslint.fixes import FIXABLE

    fixable = [finding for finding in findings if finding.code in FIXABLE]
    if not fixable:
        return {}
    from wslint.fixes.apply import fixes_of_findings

    if cache_dir is not None and not cache_dir.is_absolute():  # where the result cache is
        from wslint.driver.project import find_project_root

        folders = sorted({Path(os.path.abspath(finding.path)).parent for finding in fixable})
        cache_dir = find_project_root(folders) / cache_dir
    return fixes_of_findings(findings, settings, stdin, cache_dir, complete)


def _sources(findings: list) -> dict[str, list[str]]:  # type: ignore[type-arg]
    sources: dict[str, list[str]] = {}
    for path in {finding.path for finding in findings}:
        try:
            sources[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            sources[path] = []
    return sources


# Subcommands, each a click command in a module of its own, imported only when asked for:
# ``wslint map``, ``wslint server``. Anything else is the check command (``wslint [PATHS]``).
SUBCOMMANDS: dict[str, str] = {
    "map": "wslint.flow.map_cli:map_command",
    "server": "wslint.lsp.cli:server_command",
}


def _command_for(argv: list[str]) -> tuple[click.Command, list[str], str]:
    """The click command that ``argv`` asks for, its arguments and its program name."""
    if argv and argv[0] in SUBCOMMANDS and not Path(argv[0]).exists():
        module_name, _, attribute = SUBCOMMANDS[argv[0]].partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attribute), argv[1:], f"wslint {argv[0]}"
    return cli, argv, "wslint"


def main(argv: list[str] | None = None) -> int:
    """Entry point: returns the exit status (0 clean, 1 findings, 2 error)."""
    try:
        arguments = list(sys.argv[1:] if argv is None else argv)
        command, arguments, prog_name = _command_for(arguments)
        command.main(args=arguments, prog_name=prog_name, standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:  # one line, never click's usage block
        click.echo(f"wslint: error: {error.format_message()}", err=True)
        return 2
    except click.Abort:
        return 2
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        click.echo(f"wslint: internal error: {type(error).__name__}: {error}", err=True)
        return 2
    return 0


def entry_point() -> None:
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader has gone (``wslint . | head``): nothing more to say
        pass
    except ValueError:  # already closed (the language server's streams, at the client's exit)
        pass
    # Everything is written: leave without tearing the interpreter down object by object,
    # which takes tens of milliseconds after a large run.
    os._exit(status)
