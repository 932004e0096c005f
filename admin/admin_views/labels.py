"""Words the pages show for domain values: version statuses, and why an action was refused.

Shared by the catalogue lists, the versions and review pages and the graph editor, so a
status or a refusal reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from workflow_model.editing import ChangeRefused

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "superseded": _l("Superseded"),
    "retired": _l("Retired"),
}
REFUSALS = {
    "illegal-transition": _l("This action is not possible in the version's current status."),
    "not-approver": _l("Only an approver can do this."),
    "four-eyes": _l("The author or submitter of a version cannot approve it: four eyes."),
    "has-errors": _l("The version has errors, so it cannot be submitted:"),
    "reason-required": _l("A rejection needs a reason."),
    "retired-source": _l("A retired version cannot be restored."),
    "conflict": _l("This version was changed by %(by)s at %(at)s; reload the page."),
    "not-draft": _l("Only a draft version can be changed; create a new draft instead."),
}


def refusal_message(error: ChangeRefused) -> str:
    """The message of a refused action, with its details, in the user's language."""
    if error.code == "conflict":
        at = error.params.get("at")
        when = format_datetime(at, "short") if isinstance(at, datetime) else at
        return str(REFUSALS["conflict"] % {"by": error.params.get("by") or "?", "at": when or "?"})
    message = str(REFUSALS.get(error.code, str(error)))
    if error.code == "has-errors":
        message += " " + "; ".join(
            e["message_vi"] if _vi() else e["message_en"] for e in error.params["errors"]
        )
    return message


def _vi() -> bool:
    return get_locale() is None or get_locale().language == "vi"
