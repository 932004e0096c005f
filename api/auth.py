"""Who is calling: the bearer token of a source system, its scopes, its signature."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, request
from sqlalchemy.orm import Session

from workflow_model.api_tokens import ApiScope, authenticate, has_scopes
from workflow_model.db import APP_SESSIONS
from workflow_model.models import ApiToken
from workflow_model.signing import HEADER, verify_signature
from workflow_model.target_secrets import SecretBox, SecretUnreadable

F = TypeVar("F", bound=Callable[..., Any])


def api_session() -> Session:
    """The request's database session (the app's request-scoped factory)."""
    session: Session = current_app.extensions[APP_SESSIONS]()
    return session


def bearer_token() -> str:
    """The token of the ``Authorization: Bearer …`` header, or an empty string."""
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if kind.lower() == "bearer" else ""


def current_token() -> ApiToken:
    """The token the request was authenticated with (after `authenticate_request`)."""
    token: ApiToken = g.api_token
    return token


def authenticate_request(box: SecretBox) -> None:
    """Refuse a request without an active token (401), or with a bad signature (401).

    A token with a signing secret must sign the body with it (``X-Sodo-Signature``).
    """
    session = api_session()
    token = authenticate(session, bearer_token())
    if token is None:
        abort(401)
    if token.signing_secret is not None:
        try:
            secret = box.open(token.signing_secret)
        except SecretUnreadable:
            current_app.logger.error("API token %s: its signing secret cannot be opened", token.id)
            abort(401)
        if not verify_signature(
            request.get_data(cache=True), secret, request.headers.get(HEADER, "")
        ):
            abort(401)
    # The last use it noted, kept even if the request itself is then refused.
    session.commit()
    g.api_token = token


def requires(scope: ApiScope) -> Callable[[F], F]:
    """Let a view run only for a token holding `scope` (403 otherwise)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not has_scopes(current_token(), [scope.value]):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, checked)

    return decorate
