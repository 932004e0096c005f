"""The `sodo` command line: a Flask CLI group over `admin.create_app`.

Starting it loads only what the command needs. The group itself knows ``validate`` and
``export`` (checking or converting a file needs no app, database or secret) by the module
that defines each, and imports that module only when the command is called or listed.
The app, with its pages, editor and the commands of `admin.commands`, is made only when
another command, or the list of all of them, asks for it.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from .config import ConfigurationError

APP_FREE_COMMANDS = {
    "validate": "admin.validate_command:validate_command",
    "export": "admin.export_command:export_command",
}
"""Commands on the group itself, not the app, each as ``module:attribute``."""
NOT_OFFERED = frozenset({"limiter"})
"""Commands that dependencies add through Flask's ``flask.commands`` entry points and
`sodo` does not offer: Flask-Limiter's needs its ``cli`` extra (not installed), and its
counters live in the server's memory, out of a command's reach, by default."""


class SodoGroup(FlaskGroup):
    """A `FlaskGroup` that also holds `lazy` commands, imported when first asked for.

    `lazy` maps a command name to ``module:attribute``. Any other name is looked up on
    the app, which is made then, as `FlaskGroup` does.
    """

    def __init__(self, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command: the lazy ones, Flask's own and the app's."""
        return sorted({*super().list_commands(ctx), *self.lazy} - NOT_OFFERED)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command `cmd_name`: a lazy one is imported now, without making the app."""
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        if cmd_name in NOT_OFFERED:
            return None
        return super().get_command(ctx, cmd_name)


def _create_app() -> Flask:
    # Imported here: the app loads Flask-Admin and Dash, which validating a file never needs.
    from .app import create_app

    return create_app()


cli = SodoGroup(
    APP_FREE_COMMANDS,
    create_app=_create_app,
    help="Sơ Đồ: administrative procedure processes.",
)


def main() -> None:
    """Entry point of the `sodo` console script."""
    try:
        cli.main(prog_name="sodo")
    except ConfigurationError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
