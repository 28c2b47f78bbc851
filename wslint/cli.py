"""The ``wslint`` command line."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from wslint import __version__, rules
from wslint.engine.config import ConfigError, check_known_codes, load_settings
from wslint.engine.discovery import DiscoveryError
from wslint.engine.options import OPTIONS_BY_KEY, OptionError, Settings
from wslint.engine.output import (
    render_github,
    render_json,
    render_statistics,
    render_summary,
    render_text,
)
from wslint.engine.runner import Report, check_paths

FORMATS = ("text", "json", "github", "sarif")


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


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--select", help=OPTIONS_BY_KEY["select"].help, metavar="CODES")
@click.option("--ignore", help=OPTIONS_BY_KEY["ignore"].help, metavar="CODES")
@click.option("--extend-select", help=OPTIONS_BY_KEY["extend-select"].help, metavar="CODES")
@click.option("--exclude", help=OPTIONS_BY_KEY["exclude"].help, metavar="GLOBS")
@click.option("--extend-exclude", help=OPTIONS_BY_KEY["extend-exclude"].help, metavar="GLOBS")
@click.option("--min-interval", help=OPTIONS_BY_KEY["min-interval"].help, metavar="SECONDS")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--show-source", is_flag=True, help="Show the offending line and the fix under each finding.")
@click.option("--statistics", is_flag=True, help="Count findings per code after the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", help="The file name to report for source read from '-'.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores)."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the result cache lives.")
@click.option("--baseline", help=OPTIONS_BY_KEY["baseline"].help, metavar="FILE")
# Options of one run, not settings (no [tool.wslint] key):
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Record every finding in FILE (for --baseline) and exit 0.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write the findings to FILE instead of standard output.",
)
@click.option(
    "--explain",
    callback=_explain,
    expose_value=False,
    is_eager=True,
    metavar="CODE",
    help="Explain a rule and exit.",
)
@click.option(
    "--list-rules",
    is_flag=True,
    callback=_list_rules,
    expose_value=False,
    is_eager=True,
    help="List every rule and exit.",
)
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
            from wslint.engine.baseline import record_baseline

            click.echo(record_baseline(options["write_baseline"], report, stdin), err=True)
            sys.exit(0)
        if options["baseline"] or settings.baseline:  # (a BaselineError is a ConfigError)
            from wslint.engine.baseline import apply_baseline

            gone = apply_baseline(options["baseline"], settings, report, stdin)
            if gone:
                click.echo(gone, err=True)
    except (ConfigError, DiscoveryError) as error:
        click.echo(f"wslint: error: {error}", err=True)
        sys.exit(2)
    if report.files_checked == 0:
        shown = ", ".join(str(path) for path in paths)
        click.echo(f"wslint: warning: no Python files to check in {shown}", err=True)
    _output(report, options)
    sys.exit(1 if report.findings and not options["exit_zero"] else 0)


def _settings(options: dict[str, Any]) -> Settings:
    settings, source = load_settings(options["config_path"])
    overrides = {
        key: options[OPTIONS_BY_KEY[key].attr]
        for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude", "min-interval")
        if options.get(OPTIONS_BY_KEY[key].attr) is not None
    }
    for key, value in overrides.items():
        try:
            settings = settings.with_values({key: value})
            check_known_codes(settings, key)
        except OptionError as error:
            raise ConfigError(f"command line: option '--{key}': {error}") from None
    return settings


def _output(report: Report, options: dict[str, Any], fixable: int | None = None) -> None:
    """The findings, to ``--output-file`` or standard output; on a terminal, a summary line after
    them (``fixable``: how many ``--fix`` would remove, when known)."""
    output_file = options["output_file"]
    if output_file is None:
        _emit(report.findings, options)
        if options["output_format"] == "text" and sys.stdout.isatty():
            click.echo(render_summary(report.findings, fixable))
        return
    try:
        with open(output_file, "w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
            _emit(report.findings, options)  # (not a terminal: no colour)
    except OSError as error:
        click.echo(f"wslint: error: {output_file}: cannot write: {error.strerror or error}", err=True)
        sys.exit(2)


def _emit(findings: list, options: dict[str, Any]) -> None:  # type: ignore[type-arg]
    output_format = options["output_format"]
    if output_format == "json":
        click.echo(render_json(findings))
        return
    if output_format == "github":
        text = render_github(findings)
    elif output_format == "sarif":
        from wslint.frontends.sarif import render_sarif

        text = render_sarif(findings)
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sources = _sources(findings) if options["show_source"] else {}
        text = render_text(findings, color, options["show_source"], sources)
    if text:
        click.echo(text)
    if options["statistics"] and findings and output_format == "text":
        click.echo(render_statistics(findings))


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
