"""The commands that need the app: ``db``, ``demo``, ``import``, ``versions`` and others.

`register_commands` puts them on ``app.cli``, so both ``sodo`` and ``flask --app admin``
list them. They need the app's database, so they run only once the app is made; the
commands that need no app (``validate``, ``export FILE.json``) sit on the console script's
group itself (`admin.cli`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from admin.demo import DEMO_USERS, DemoRefused, DemoResult, load_demo
from workflow_model import migrate
from workflow_model.conversion import create_draft_from_document
from workflow_model.document import DocumentError, load_document
from workflow_model.models import Procedure, User
from workflow_model.refusals import ChangeRefused
from workflow_model.tracking import CheckKeys
from workflow_model.tracking.demo_dossiers import DEMO_DAYS, DEMO_DOSSIERS

from .config import old_secret_keys, secret_box
from .database import db_session
from .deliver_command import deliver_command
from .dossiers_command import dossiers_group
from .targets_command import targets_group
from .tokens_command import tokens_group
from .users_command import users_group
from .versions_command import diff_command, versions_group


@click.group("db")
def db_group() -> None:
    """Create, upgrade or inspect the database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database to REVISION (default: the newest)."""
    box = secret_box(current_app.config)
    migrate.upgrade(current_app.extensions["sodo.engine"], revision, secret_box=box)
    click.echo(
        f"Database at revision {migrate.current_revision(current_app.extensions['sodo.engine'])}."
    )


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (``base`` empties it)."""
    box = secret_box(current_app.config)
    migrate.downgrade(current_app.extensions["sodo.engine"], revision, secret_box=box)


@db_group.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    click.echo(migrate.current_revision(current_app.extensions["sodo.engine"]) or "(none)")


@click.command("demo")
@click.option("--force", is_flag=True, help="Load even if the database holds other data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when any procedure exists.")
@click.option("--reset-passwords", is_flag=True, help="Give the demo users new passwords.")
@click.option(
    "--dossiers",
    type=click.IntRange(min=0),
    default=DEMO_DOSSIERS,
    show_default=True,
    help=f"How many demo dossiers of the last {DEMO_DAYS} days to load (0: none).",
)
def demo_command(force: bool, if_empty: bool, reset_passwords: bool, dossiers: int) -> None:
    """Load the demo catalogue (real provincial processes), the demo users and dossiers.

    The dossiers go through the ingest service, as a processing software's would, once:
    a second run finds them and adds none.
    """
    session = db_session()
    if if_empty and session.query(Procedure.id).first() is not None:
        click.echo("The database already holds procedures; demo data not loaded.")
        _echo_known_logins(session)
        return
    try:
        result = load_demo(
            session,
            force=force,
            reset_passwords=reset_passwords,
            dossiers=dossiers,
            check_keys=CheckKeys.from_secrets(
                current_app.config["SECRET_KEY"], old_secret_keys(current_app.config)
            ),
        )
    except DemoRefused as error:
        click.echo(f"Refused: {error}. Use --force to load the demo anyway.", err=True)
        sys.exit(1)
    click.echo(
        f"Demo flows loaded: {len(result.loaded)}, already present: {len(result.skipped)}, "
        f"second drafts: {len(result.drafts)}."
    )
    if result.loaded:
        click.echo(
            f"Approved (submitted by admin, approved by approver): {len(result.loaded)}; "
            f"waiting for review: {len(result.submitted)}."
        )
    for label in result.invalid:
        reason = result.reasons.get(label)
        click.echo(
            f"Left as a draft, since it does not validate: {label}"
            + (f" ({reason})." if reason else ".")
        )
    _echo_dossiers(result, dossiers)
    click.echo("Demo logins (username: password):")
    for username in result.usernames:
        shown = result.passwords.get(username, "(unchanged; shown when created)")
        click.echo(f"  {username}: {shown}")
    if result.passwords:
        click.echo("These passwords are shown once and stored only as hashes.")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", help="Username to journal the import under.")
def import_command(files: tuple[Path, ...], username: str | None) -> None:
    """Import flow documents (sodo.flow/1 JSON) as new draft versions.

    Each file is read on its own: a bad file is reported on one line and the others
    are still imported. Like a new draft, an import is refused while the case has an
    open version, and a catalogue change while a version that reads it is under review.
    Exits 2 when any file could not be imported.
    """
    session = db_session()
    user = None
    if username is not None:
        user = session.execute(sa.select(User).where(User.username == username)).scalar()
        if user is None:
            raise click.BadParameter(f"no user {username!r}", param_hint="--user")
    failed = False
    for path in files:
        try:
            version = create_draft_from_document(session, load_document(path.read_bytes()), user)
        except (OSError, DocumentError, IntegrityError, ChangeRefused) as error:
            failed = True
            reason = error.strerror if isinstance(error, OSError) else _short(error)
            click.echo(f"{path}: not imported: {reason}", err=True)
            continue
        case = f" case {version.case.key}" if version.case.key else ""
        click.echo(
            f"{path}: imported {version.case.procedure.code}{case} as draft version "
            f"{version.number}"
        )
    if failed:
        sys.exit(2)


def _short(error: Exception) -> str:
    if isinstance(error, ChangeRefused):
        # The lifecycle's refusals (an open version, a version under review) by code.
        return f"refused ({error.code}): {error}"
    if isinstance(error, IntegrityError):
        return f"the database refused it ({str(error.orig).splitlines()[0]})"
    return str(error)


def _echo_dossiers(result: DemoResult, wanted: int) -> None:
    if result.dossiers_present:
        click.echo(f"Demo dossiers already present: {result.dossiers_present}; none added.")
    elif result.dossiers:
        click.echo(f"Demo dossiers loaded through the ingest service: {result.dossiers}.")
    elif wanted:
        # A catalogue loaded by an older demo took effect when it was loaded.
        click.echo(f"No demo dossiers loaded: no demo version was in force {DEMO_DAYS} days ago.")
    for rejection in result.dossiers_rejected[:5]:
        click.echo(f"Demo event rejected: {rejection}", err=True)
    if result.sample_dossier is not None:
        code, check = result.sample_dossier
        click.echo(
            f"Try the dossier lookup (/tra-cuu-ho-so) with code {code} and check value {check}."
        )


def _echo_known_logins(session: Session) -> None:
    names = [username for username, _, _ in DEMO_USERS]
    present = session.execute(sa.select(User.username).where(User.username.in_(names)))
    found = sorted(present.scalars(), key=names.index)
    if found:
        click.echo(f"Demo logins: {', '.join(found)} (passwords were shown when created;")
        click.echo("  'sodo demo --reset-passwords' gives them new ones).")


def register_commands(app: Flask) -> None:
    """Attach the project's commands to `app`, so `sodo` and `flask` both list them."""
    app.cli.add_command(db_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_command)
    app.cli.add_command(versions_group)
    app.cli.add_command(diff_command)
    app.cli.add_command(users_group)
    app.cli.add_command(deliver_command)
    app.cli.add_command(targets_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(dossiers_group)
