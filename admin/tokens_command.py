"""`sodo tokens`: issue, list and revoke the API tokens of source systems.

A token (and its signing secret, with ``--signed``) is printed once, when it is created;
only its hash is kept, so a lost token is revoked and a new one issued.
"""

from __future__ import annotations

import sys

import click
from flask import current_app

from workflow_model.api_tokens import ApiScope, create_token, list_tokens, revoke_token
from workflow_model.refusals import ChangeRefused

from .config import secret_box
from .database import db_session


@click.group("tokens")
def tokens_group() -> None:
    """Issue, list and revoke the API tokens of source systems."""


@tokens_group.command("create")
@click.option("--source", required=True, help="The source system's name, e.g. igate.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([scope.value for scope in ApiScope]),
    help="What the token may do; repeat for several.",
)
@click.option("--signed", is_flag=True, help="Also issue a secret that must sign each request.")
def create_command(source: str, scopes: tuple[str, ...], signed: bool) -> None:
    """Issue a token for SOURCE and print it, this once."""
    session = db_session()
    box = secret_box(current_app.config) if signed else None
    try:
        issued = create_token(session, source, scopes, by=None, box=box)
    except ChangeRefused as refused:
        session.rollback()
        click.echo(f"Refused ({refused.code}): {refused}", err=True)
        sys.exit(1)
    session.commit()
    click.echo(f"Token {issued.row.id} for {issued.row.source} ({', '.join(issued.row.scopes)}):")
    click.echo(issued.token)
    if issued.signing_secret is not None:
        click.echo("Signing secret (HMAC-SHA256 of the body in X-Sodo-Signature):")
        click.echo(issued.signing_secret)
    click.echo("Keep them now: they are not stored and cannot be shown again.", err=True)


@tokens_group.command("list")
def list_command() -> None:
    """List the tokens: id, source, scopes, start of the token, last use, state."""
    for row in list_tokens(db_session()):
        state = "revoked" if row.revoked_at else "active"
        used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
        signed = ", signed" if row.signing_secret else ""
        click.echo(
            f"{row.id}\t{row.source}\t{','.join(row.scopes)}\t{row.prefix}…\t"
            f"last used {used}\t{state}{signed}"
        )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `sodo tokens list`); it stops working at once."""
    session = db_session()
    try:
        row = revoke_token(session, token_id, by=None)
    except ChangeRefused as refused:
        session.rollback()
        click.echo(f"Refused ({refused.code}): {refused}", err=True)
        sys.exit(1)
    session.commit()
    click.echo(f"Token {row.id} of {row.source} is revoked.")
