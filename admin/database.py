"""One engine and one scoped session per app, removed at the end of each request."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session, scoped_session

from workflow_model.db import APP_SESSIONS, make_engine, make_session_factory

SESSIONS = APP_SESSIONS
"""The key of the request-scoped session factory in `app.extensions`."""


def init_database(app: Flask) -> None:
    """Create the engine for `DATABASE_URL` and a request-scoped session on `app`."""
    engine = make_engine(app.config["DATABASE_URL"])
    sessions = scoped_session(make_session_factory(engine))
    app.extensions["sodo.engine"] = engine
    app.extensions[SESSIONS] = sessions

    @app.teardown_appcontext
    def _remove_session(_error: BaseException | None) -> None:
        sessions.remove()


def session_factory(app: Flask | None = None) -> scoped_session[Session]:
    """Return the request-scoped session factory of `app`, by default the current app.

    Raises `RuntimeError` when `init_database` was not called on that app, rather than
    failing later with a `KeyError` far from the cause.
    """
    owner = current_app if app is None else app
    sessions = owner.extensions.get(SESSIONS)
    if not isinstance(sessions, scoped_session):
        raise RuntimeError(f"no session factory on app {owner.name!r}: call init_database(app)")
    return sessions


def db_session() -> Session:
    """Return the session of the current app context."""
    return session_factory()()
