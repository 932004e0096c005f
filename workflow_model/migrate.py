"""Alembic migrations, driven from code so that `sodo db upgrade` works from anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from .target_secrets import SecretBox

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine, secret_box: SecretBox | None = None) -> Config:
    """Return an Alembic configuration that runs the project's migrations on `engine`.

    `secret_box` is for the migrations that encrypt or decrypt stored secrets (0008):
    without it they refuse to run over a database that holds any.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    config.attributes["secret_box"] = secret_box
    return config


def upgrade(engine: Engine, revision: str = "head", secret_box: SecretBox | None = None) -> None:
    """Create or upgrade the schema of the database behind `engine` to `revision`."""
    command.upgrade(alembic_config(engine, secret_box), revision)


def downgrade(engine: Engine, revision: str, secret_box: SecretBox | None = None) -> None:
    """Downgrade the schema of the database behind `engine` to `revision`."""
    command.downgrade(alembic_config(engine, secret_box), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
