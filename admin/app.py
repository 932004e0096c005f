"""The Flask application factory."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

import api
import portal
from workflow_model.db import private_folder
from workflow_model.lifecycle import CorruptSnapshot
from workflow_model.tracking import CheckKeys

from . import auth, views
from .admin_views import csp_nonce, init_admin
from .bounds import RowIdConverter
from .commands import register_commands
from .config import load_config, old_secret_keys, secret_box
from .database import init_database
from .editor import init_editor, is_editor_path
from .i18n import init_i18n
from .vocabulary import refusal_message

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-{nonce}'; "
    "script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
EDITOR_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The policy of the graph editor's responses (``/editor/``): only `style-src` differs.

Dash's bundles (dash-renderer, dcc, dash-cytoscape) add their CSS as ``<style>`` elements
at run time, through webpack's style-loader, with no way to give them a nonce; so inline
styles are allowed there, and only there. A nonce in `style-src` would make browsers
ignore ``'unsafe-inline'``, hence none. Scripts stay as strict as on every other page.
"""


HSTS = "max-age=31536000; includeSubDomains"
"""Strict-Transport-Security in production (``SODO_ENV=production``): HTTPS only, a year."""


def static_dir() -> Path:
    """Return the folder of CSS, JS and images: ``static/`` of the checkout, or of the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "static", here.parent / "static"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("static files not found beside the admin package")


def _is_asset() -> bool:
    # Files that are the same for everyone (ours, Dash's bundles, and a library a view
    # serves from an installed package, which marks itself), which may be cached.
    return (
        request.endpoint == "static"
        or "/_dash-component-suites/" in request.path
        or bool(g.get("sodo_cacheable"))
    )


def _security_headers(response: Response) -> Response:
    policy = (
        EDITOR_CONTENT_SECURITY_POLICY if is_editor_path(request.path) else CONTENT_SECURITY_POLICY
    )
    if "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = policy.format(nonce=csp_nonce())
        # A response with its own policy (the embeddable public diagram) says itself
        # who may frame it; every other one may be framed by nobody.
        response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not _is_asset() and request.blueprint != auth.PUBLIC_BLUEPRINT:
        # Pages show what one user may see: no copy is kept by the browser or a proxy,
        # to be read from the history after a logout. The public pages show the same to
        # everyone and say themselves how long it may be kept.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SODO_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


ERROR_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in to continue."),
    403: _l("You do not have the right to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    413: _l("The upload is too large."),
}


def _error_page(error: HTTPException) -> ResponseReturnValue:
    if api.is_api_path(request.path):
        # Machines get JSON, also for an address the API does not have.
        return api.error_response(error)
    code = error.code or 500
    message = ERROR_MESSAGES.get(code, _l("Something went wrong."))
    if isinstance(error, CSRFError):
        message = _l("The form has expired or did not come from this site. Please try again.")
    return render_template("error.html", code=code, message=message), code


def _corrupt_snapshot(error: CorruptSnapshot) -> ResponseReturnValue:
    """A version whose stored snapshot is corrupt: said for that version, not a bug's 500.

    The domain logged it when it refused the snapshot; every other page still works.
    """
    return render_template("error.html", code=409, message=refusal_message(error)), 409


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    """A bug, not a refusal: log it with a trace id, and show the id to quote to IT."""
    if isinstance(error, HTTPException):
        return _error_page(error)
    trace_id = secrets.token_hex(6)
    current_app.logger.error(
        "unexpected error, trace id %s, on %s %s",
        trace_id,
        request.method,
        request.path,
        exc_info=error,
    )
    if api.is_api_path(request.path):
        return api.error_response(InternalServerError(), trace_id=trace_id)
    message = _l("Something went wrong.")
    return render_template("error.html", code=500, message=message, trace_id=trace_id), 500


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
    # Before any route is added: every `<int:…>` of the app is a row id within INTEGER.
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(settings)
    # The instance folder holds the SQLite file, the secret key and compiled catalogues.
    private_folder(Path(settings["SODO_INSTANCE"]))
    init_database(app)
    init_i18n(app)
    # The login check runs before the CSRF check: a visitor who is not logged in is sent
    # to the login form (or gets a 401 from the editor's scripts), whatever the token.
    auth.init_auth(app)
    csrf = CSRFProtect(app)
    app.register_blueprint(views.blueprint)
    check_keys = CheckKeys.from_secrets(app.config["SECRET_KEY"], old_secret_keys(app.config))
    portal.init_portal(app, check_keys=check_keys)
    api.init_api(
        app,
        csrf,
        box=secret_box(app.config),
        check_keys=check_keys,
        explain=refusal_message,
    )
    init_admin(app)
    init_editor(app)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(CorruptSnapshot, _corrupt_snapshot)
    app.register_error_handler(Exception, _unexpected_error)
    register_commands(app)
    return app
