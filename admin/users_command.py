"""`sodo users`: create accounts and set passwords from the command line.

Passwords are typed twice at a hidden prompt, or read from one line of standard input
with ``--password-stdin`` for scripts. They are never echoed, printed or journaled.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from workflow_model.accounts import create_user, set_password
from workflow_model.models import Role, User

from .database import db_session

MIN_PASSWORD_LENGTH = 10
_USERNAME_LENGTH = 64

_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


def _refuse(message: str) -> NoReturn:
    click.echo(f"Refused: {message}", err=True)
    sys.exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        _refuse(f"the password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def _find_user(username: str) -> User | None:
    return db_session().execute(sa.select(User).where(User.username == username)).scalar()


@click.group("users")
def users_group() -> None:
    """Create user accounts and set their passwords."""


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="A role of the user; repeat for several.",
)
@click.option("--full-name", default="", help="The name shown on the pages.")
@click.option("--email", default="", help="The email address of the user.")
@_password_stdin
def create_command(
    username: str, roles: tuple[str, ...], full_name: str, email: str, password_stdin: bool
) -> None:
    """Create the user USERNAME with its roles; the password is asked for (or read)."""
    if not 0 < len(username) <= _USERNAME_LENGTH or username.strip() != username:
        _refuse(f"a username has 1 to {_USERNAME_LENGTH} characters, without spaces at either end.")
    if _find_user(username) is not None:
        _refuse(f"a user named {username!r} already exists.")
    password = _read_password(password_stdin)
    session = db_session()
    try:
        user = create_user(
            session,
            username,
            password,
            [Role(role) for role in roles],
            full_name=full_name,
            email=email,
        )
        session.commit()
    except IntegrityError:  # created meanwhile by someone else
        session.rollback()
        _refuse(f"a user named {username!r} already exists.")
    click.echo(f"Created user {username} with roles: {', '.join(sorted(user.roles))}.")


@users_group.command("set-password")
@click.argument("username")
@_password_stdin
def set_password_command(username: str, password_stdin: bool) -> None:
    """Give the user USERNAME a new password; it is asked for (or read)."""
    user = _find_user(username)
    if user is None:
        _refuse(f"no user named {username!r}.")
    password = _read_password(password_stdin)
    set_password(db_session(), user, password)
    db_session().commit()
    click.echo(f"Password of {username} changed.")
