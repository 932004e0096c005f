"""One engine and one scoped session per app, removed at the end of each request."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session, scoped_session

from workflow_model.db import make_engine, make_session_factory


def init_database(app: Flask) -> None:
    """Create the engine for `DATABASE_URL` and a request-scoped session on `app`."""
    engine = make_engine(app.config["DATABASE_URL"])
    sessions = scoped_session(make_session_factory(engine))
    app.extensions["sodo.engine"] = engine
    app.extensions["sodo.sessions"] = sessions

    @app.teardown_appcontext
    def _remove_session(_error: BaseException | None) -> None:
        sessions.remove()


def db_session() -> Session:
    """Return the session of the current app context."""
    return current_app.extensions["sodo.sessions"]()
