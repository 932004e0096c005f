"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_wtf import CSRFProtect

from . import auth, views
from .config import load_config
from .database import init_database
from .i18n import init_i18n

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def static_dir() -> Path:
    """Return the folder of CSS, JS and images: ``static/`` of the checkout, or of the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "static", here.parent / "static"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("static files not found beside the admin package")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the web app; `config` overrides what the environment gives.

    For example ``create_app({"DATABASE_URL": "sqlite:///test.db", "SECRET_KEY": "…"})``
    in a test, or ``create_app()`` to read `DATABASE_URL`, `SECRET_KEY` and `SODO_ENV`.
    """
    settings = load_config(overrides=config)
    app = Flask(
        __name__,
        static_folder=str(static_dir()),
        instance_path=settings["SODO_INSTANCE"],
    )
    app.config.update(settings)
    CSRFProtect(app)
    init_database(app)
    init_i18n(app)
    auth.init_auth(app)
    app.register_blueprint(views.blueprint)
    app.after_request(_security_headers)
    from .cli import register_commands

    register_commands(app)
    return app
