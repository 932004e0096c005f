"""The API blueprint: every request authenticated by token before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app, request
from flask_wtf import CSRFProtect
from werkzeug.exceptions import HTTPException

from workflow_model.refusals import ChangeRefused
from workflow_model.target_secrets import SecretBox
from workflow_model.tracking import CheckKeys

from .auth import authenticate_request
from .errors import URL_PREFIX, error_response

MAX_BODY = 5 * 1024 * 1024
"""The largest request body the API reads (413 above it)."""
SECRET_BOX = "sodo.api.secret_box"
CHECK_KEYS = "sodo.api.check_keys"
EXPLAIN = "sodo.api.explain"

blueprint = Blueprint("api", __name__, url_prefix=URL_PREFIX)
blueprint.register_error_handler(HTTPException, error_response)


@blueprint.before_request
def _authenticate() -> None:
    # Every route of the API needs a token: none can forget to ask for one.
    request.max_content_length = MAX_BODY
    authenticate_request(current_app.extensions[SECRET_BOX])


def init_api(
    app: Flask,
    csrf: CSRFProtect,
    *,
    box: SecretBox,
    check_keys: CheckKeys,
    explain: Callable[[ChangeRefused], str],
) -> None:
    """Register the API on `app`: machines send tokens, not the forms' CSRF tokens.

    The factory hands over what the app holds: the `box` that opens signing secrets,
    the `check_keys` of receipts' check values, and `explain`, the project's one table of
    refusal messages in the request's language.
    """
    app.extensions[SECRET_BOX] = box
    app.extensions[CHECK_KEYS] = check_keys
    app.extensions[EXPLAIN] = explain
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
