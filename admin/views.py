"""Pages of the catalogue; they call services and hold no business rules."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from workflow_model.models import TimeUnit, VersionStatus
from workflow_model.overview import procedure_overview

from .database import db_session
from .i18n import LANGUAGES

blueprint = Blueprint("catalogue", __name__)

STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.SUBMITTED: _l("Submitted"),
    VersionStatus.APPROVED: _l("Approved"),
    VersionStatus.REJECTED: _l("Rejected"),
    VersionStatus.SUPERSEDED: _l("Superseded"),
    VersionStatus.RETIRED: _l("Retired"),
}
TIME_UNIT_LABELS = {
    TimeUnit.WORKING_DAY: _l("working days"),
    TimeUnit.WORKING_HOUR: _l("working hours"),
}


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """List the procedures with their cases, versions and step counts."""
    return render_template(
        "procedures.html",
        procedures=procedure_overview(db_session()),
        status_labels=STATUS_LABELS,
        time_unit_labels=TIME_UNIT_LABELS,
    )


@blueprint.route("/language", methods=["POST"])
def choose_language() -> ResponseReturnValue:
    """Switch the interface language of this session (vi or en)."""
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(url_for("catalogue.index"))
