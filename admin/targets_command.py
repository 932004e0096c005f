"""`sodo targets reencrypt`: re-encrypt delivery targets' secrets after a key rotation.

Rotating `SECRET_KEY`: set the new key, list the previous one in
``SODO_OLD_SECRET_KEYS`` (comma-separated), run ``sodo targets reencrypt``, then remove
the old key from ``SODO_OLD_SECRET_KEYS``. Targets' names are printed, never secrets.
"""

from __future__ import annotations

import sys

import click
from flask import current_app

from workflow_model.delivery import reseal_secrets

from .config import secret_box
from .database import db_session


@click.group("targets")
def targets_group() -> None:
    """Maintain the delivery targets."""


@targets_group.command("reencrypt")
def reencrypt_command() -> None:
    """Re-encrypt every target's secret with the current SECRET_KEY.

    Secrets sealed with a key of SODO_OLD_SECRET_KEYS are sealed again with SECRET_KEY;
    once this has run, the old keys can be removed. Exits 1 if a secret cannot be opened
    with any configured key (that target's secret must then be typed again).
    """
    done = reseal_secrets(db_session(), secret_box(current_app.config))
    click.echo(
        f"Re-encrypted: {len(done.resealed)}, already current: {len(done.current)}, "
        f"unreadable: {len(done.unreadable)}."
    )
    if done.unreadable:
        click.echo(
            "Cannot open the secret of: " + ", ".join(done.unreadable) + ". Add the key it was "
            "sealed with to SODO_OLD_SECRET_KEYS, or type the secret again on the target's page.",
            err=True,
        )
        sys.exit(1)
