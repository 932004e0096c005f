"""Pages of the catalogue; they call services and hold no business rules."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from workflow_model.accounts import set_locale

from .database import db_session
from .i18n import LANGUAGES
from .redirects import local_referrer

blueprint = Blueprint("catalogue", __name__)


@blueprint.route("/language", methods=["POST"])
def choose_language() -> ResponseReturnValue:
    """Switch the interface language of this session (vi or en)."""
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        if current_user.is_authenticated:
            # Kept in the profile too, so the choice follows the user to the next login.
            set_locale(db_session(), int(current_user.id), chosen)
    return redirect(_back())


def _back() -> str:
    # Only a path on this site, so the switch cannot become an open redirect.
    return local_referrer(request.referrer, request.host_url) or url_for("admin.index")
