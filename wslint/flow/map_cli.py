"""``wslint map``: the project's message flow — the checklist's verification, filled in."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from wslint.driver.config import ConfigError, load_settings

FORMATS = ("text", "json", "mermaid", "html")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output-file", type=click.Path(path_type=Path), help="Write the map to this file.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cached model.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the cache lives.")
def map_command(paths: tuple[Path, ...], **options: Any) -> None:
    """Map the WebSocket endpoints, what they send first, and what updates them."""
    from wslint.flow.project import model_of

    try:
        settings, _ = load_settings(options["config_path"])
    except ConfigError as error:
        click.echo(f"wslint: error: {error}", err=True)
        sys.exit(2)
    chosen = list(paths) or [Path(".")]
    missing = [str(path) for path in chosen if not path.exists()]
    if missing:
        click.echo(f"wslint: error: no such file or directory: {missing[0]}", err=True)
        sys.exit(2)
    cache_dir = None
    if not options["no_cache"]:
        given = options["cache_dir"]
        cache_dir = Path(os.path.abspath(given)) if given else Path(".wslint_cache")
    model, root = model_of(chosen, settings, cache_dir)
    model = with_clients(model, root, settings)
    if paths and [Path(os.path.abspath(p)) for p in paths] != [root]:
        model = _within(model, [os.path.abspath(p) for p in paths])
    text = render(model, options["output_format"])
    output = options["output_file"]
    if output is not None:
        output.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        click.echo(text)


def with_clients(model: Any, root: Path, settings: Any) -> Any:
    """The model with each endpoint's clients: the client files of the project at ``root``
    (not those of a project nested in it) whose sockets may connect to the endpoint's path,
    with the types each file waits for and those that nothing sends (as WSL014 says)."""
    from dataclasses import replace

    from wslint.client.clients import clients_of
    from wslint.client.surface import surface_of_model
    from wslint.driver.client_stage import project_clients
    from wslint.driver.project import find_project_root
    from wslint.flow.model import Client
    from wslint.rules.wsl014_client_waits_for_unsent_type import unsent_waits

    if not model.endpoints or not root.is_dir():
        return model
    views = [
        view
        for view in project_clients([root], (*settings.exclude, *settings.extend_exclude))
        if find_project_root([view.path.parent]) == root
    ]
    if not views:
        return model
    surface = surface_of_model(model)
    waits = {view.path: tuple(sorted({w.type for w in view.waits if w.type is not None})) for view in views}
    unsent = {
        view.path: tuple(sorted({w.type for w in unsent_waits(view, surface, settings) if w.type}))
        for view in views
    }
    endpoints = []
    for endpoint in model.endpoints:
        found = clients_of(endpoint.path, views) if endpoint.path is not None else []
        clients = tuple(
            Client(str(view.path), socket.place.line, waits[view.path], unsent[view.path])
            for view, socket in found
        )
        endpoints.append(replace(endpoint, clients=clients))
    return replace(model, endpoints=endpoints)


def render(model: Any, output_format: str) -> str:
    from wslint.flow import render as renderers

    if output_format == "json":
        return renderers.render_json(model)
    if output_format == "mermaid":
        return renderers.render_mermaid(model)
    if output_format == "html":
        from wslint.flow.html import render_html

        return render_html(model)
    return renderers.render_text(model)


def _within(model: Any, paths: list[str]) -> Any:
    """The model's endpoints and broadcasters in the files under ``paths`` (the senders stay:
    they update those endpoints wherever they are)."""
    from dataclasses import replace

    def under(file: str) -> bool:
        return any(file == path or file.startswith(path.rstrip(os.sep) + os.sep) for path in paths)

    return replace(
        model,
        endpoints=[e for e in model.endpoints if under(e.file)],
        broadcasters=[b for b in model.broadcasters if under(b.file)],
    )
