"""What the read-only pages read of the request: its language, a text parameter, the scope.

One definition for the dossier pages and the three supervision pages (dashboard,
periodic report, configured against actual).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from flask_babel import get_locale

from workflow_model.supervision import Scope, scope_of_user

from ..database import db_session
from .base import acting_user

TEXT_LIMIT = 64
"""The most characters a page reads of a text parameter (nothing longer is meaningful)."""


def page_language() -> str:
    """The page's language as Babel names it (``vi`` unless the reader chose another)."""
    return str(get_locale() or "vi")


def query_text(args: Mapping[str, str], name: str) -> str:
    """The parameter `name` of `args` (a query string or a form), trimmed and bounded."""
    return str(args.get(name, "")).strip()[:TEXT_LIMIT]


def reader_scope() -> Scope:
    """What the logged-in reader may see (phạm vi theo dõi), from their stored account.

    The account is read again, so a scope changed since login applies at once; the views
    only let a logged-in user in, so a missing row is a 403.
    """
    session = db_session()
    user = acting_user(session)
    if user is None:
        abort(403)
    return scope_of_user(session, user)
