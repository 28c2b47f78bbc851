"""``wslint server``: start the language server on standard input and output."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the only transport).")
def server_command(stdio: bool) -> None:
    """Run the wslint language server over stdio (for editors: see docs/editors.md)."""
    try:
        import pygls  # noqa: F401 - only to say clearly that it is missing
    except ImportError:
        raise click.ClickException(
            "the language server needs pygls (the lsp extra): pip install 'pygls>=2,<3'"
        ) from None
    from wslint.lsp.server import create_server

    create_server().start_io()
