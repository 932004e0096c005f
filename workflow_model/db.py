"""Engines and sessions: SQLite by default (WAL, foreign keys on), PostgreSQL in production.

Making an engine or a session factory here registers the domain's flush listeners on
every SQLAlchemy session (`register_listeners`): `check_cache` drops the cached checks of
a version whose document changes, and `immutability` refuses any change to a frozen
version. Whatever writes data makes its engine or its sessions here (the web app, the
CLI, the delivery worker, the tests), so none can miss them, while the flow document, the
validators, the exporters and the command line's start, which write nothing, load
neither the ORM nor the listeners.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///instance/sodo.db"


APP_SESSIONS = "sodo.sessions"
"""The key under which a web app keeps its request-scoped session factory
(`app.extensions`): the app factory sets it, and each front door reads its sessions there."""


def database_url(environ: dict[str, str] | None = None) -> str:
    """Return the database URL from `DATABASE_URL`, or the embedded SQLite default.

    >>> database_url({})
    'sqlite:///instance/sodo.db'
    """
    env = os.environ if environ is None else environ
    return env.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def register_listeners() -> None:
    """Register the flush listeners that keep cached checks true and frozen versions frozen.

    They listen on SQLAlchemy's `Session` class, so every session of the process has them;
    importing their modules registers them, once however often this is called.
    """
    # Imported here, not at the top: they load the ORM, which reading the
    # database URL or validating a file does not need.
    from . import (
        check_cache,  # noqa: F401 - keeps cached version checks true
        immutability,  # noqa: F401 - frozen versions stay frozen
    )


def private_folder(path: Path) -> Path:
    """Create the folder `path` (and missing parents) readable by its owner only (0700).

    Folders that exist already are left as they are: their mode is the owner's choice.
    Holds the SQLite file and the instance's secret key, hence private from the start.
    """
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened: exact
    return path


def _create_private_file(path: Path) -> None:
    # An empty file is a new SQLite database; made here first with mode 0600, since SQLite
    # would create it with the umask's mode. Its -wal and -shm files copy the mode.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)
    path.chmod(0o600)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked on every connection; WAL lets the
    # web server read while a CLI command writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`, preparing SQLite (folder, WAL, foreign keys) as needed.

    The folder of a SQLite file is created, so ``sqlite:///instance/sodo.db`` works on a
    fresh checkout: a new folder with mode 0700, a new database file with mode 0600.
    """
    register_listeners()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).expanduser().resolve()
            private_folder(path.parent)
            _create_private_file(path)
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to `engine`; objects stay readable after commit."""
    register_listeners()
    return sessionmaker(bind=engine, expire_on_commit=False)
