"""The ``wslint`` command line."""

from __future__ import annotations

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
    render_fixable,
    render_github,
    render_json,
    render_statistics,
    render_text,
)
from wslint.engine.runner import check_paths

FORMATS = ("text", "json", "github", "sarif")


def _explain(context: click.Context, _: click.Parameter, code: str | None) -> None:
    if not code or context.resilient_parsing:
        return
    rule = rules.RULES_BY_CODE.get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code {code!r} (see --list-rules)")
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.documentation()}")
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
@click.option("--fix/--no-fix", "fix", default=None, help=OPTIONS_BY_KEY["fix"].help)
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes", "unsafe_fixes", default=None, help=OPTIONS_BY_KEY["unsafe-fixes"].help
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them.")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores)."
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the result cache lives.")
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
        if (settings.fix or options["diff"]) and report.findings:
            from wslint.fixes.command import apply_fixes

            changed, stdin = apply_fixes(report.findings, settings, options["diff"], stdin)
            if options["diff"]:
                sys.exit(1 if changed else 0)
            if changed:  # the findings again, where the fixes moved them
                report = check_paths(list(paths), settings, stdin=stdin, jobs=jobs, cache_dir=cache_dir)
        source_out = settings.fix and stdin is not None and not options["diff"]
        if source_out and stdin is not None:  # (fixed) standard input back to the editor
            sys.stdout.buffer.write(stdin[1])
            sys.stdout.flush()
    except (ConfigError, DiscoveryError) as error:
        click.echo(f"wslint: error: {error}", err=True)
        sys.exit(2)
    _emit(report.findings, options, settings, stdin, to_stderr=source_out, cache_dir=cache_dir)
    sys.exit(1 if report.findings and not options["exit_zero"] else 0)


def _settings(options: dict[str, Any]) -> Settings:
    settings, source = load_settings(options["config_path"])
    overrides = {
        key: options[OPTIONS_BY_KEY[key].attr]
        for key in (
            *("select", "ignore", "extend-select", "exclude", "extend-exclude", "min-interval"),
            *("fix", "unsafe-fixes"),
        )
        if options.get(OPTIONS_BY_KEY[key].attr) is not None
    }
    for key, value in overrides.items():
        try:
            settings = settings.with_values({key: value})
            check_known_codes(settings, key)
        except OptionError as error:
            raise ConfigError(f"command line: option '--{key}': {error}") from None
    return settings


def _emit(
    findings: list,  # type: ignore[type-arg]
    options: dict[str, Any],
    settings: Settings,
    stdin: tuple[str, bytes] | None,
    to_stderr: bool = False,  # stdout carries the fixed source
    cache_dir: Path | None = None,
) -> None:
    output_format = options["output_format"]
    err = to_stderr
    fixes = _fixes(findings, settings, stdin, cache_dir) if output_format != "github" else {}
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
        text = "\n".join(line for line in (text, render_fixable(fixes, settings.unsafe_fixes)) if line)
    if text:
        click.echo(text, err=err)
    if options["statistics"] and findings and output_format == "text":
        click.echo(render_statistics(findings), err=err)


def _fixes(
    findings: list,  # type: ignore[type-arg]
    settings: Settings,
    stdin: tuple[str, bytes] | None,
    cache_dir: Path | None,
) -> dict:  # type: ignore[type-arg]
    """Each finding's fix, where it has one (libcst is loaded only for a fixable rule's finding,
    and not at all where the cache knows the fixes)."""
    from wslint.fixes import FIXABLE

    fixable = [finding for finding in findings if finding.code in FIXABLE]
    if not fixable:
        return {}
    from wslint.fixes.apply import fixes_of_findings

    if cache_dir is not None and not cache_dir.is_absolute():  # where the result cache is
        from wslint.engine.project import find_project_root

        folders = sorted({Path(os.path.abspath(finding.path)).parent for finding in fixable})
        cache_dir = find_project_root(folders) / cache_dir
    return fixes_of_findings(findings, settings, stdin, cache_dir)


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
SUBCOMMANDS: dict[str, str] = {}


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
    except click.ClickException as error:
        error.show()
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
    # Everything is written: leave without tearing the interpreter down object by object,
    # which takes tens of milliseconds after a large run.
    os._exit(status)
