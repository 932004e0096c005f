"""What the editor says when the domain refuses a change, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workflow_model.editing import ChangeRefused

from ..admin_views.base import REFUSALS as FORM_REFUSALS
from ..admin_views.lifecycle_pages import refusal_message

EDITOR_REFUSALS = {
    "empty-name": _l("A step needs a name."),
    "invalid-duration": _l(
        "The duration must be a number from 0 to 100000, such as 4 or 0,5. Nothing was saved."
    ),
    "self-loop": _l("A step cannot lead to itself."),
    "duplicate-transition": _l("These two steps are already connected."),
    "into-start": _l("Nothing can lead into the start step: it is where the dossier arrives."),
    "not-found": _l("This step or transition no longer exists; the diagram was reloaded."),
}


def invalid_input_text() -> str:
    """The message for a value the browser sent that the editor cannot use (a forgery)."""
    return str(FORM_REFUSALS["invalid-value"])


def refusal_text(error: ChangeRefused) -> str:
    """The message for a refused change: the editor's own, the forms', or the lifecycle's."""
    if error.code in EDITOR_REFUSALS:
        return str(EDITOR_REFUSALS[error.code])
    if error.code in FORM_REFUSALS and error.code != "not-draft":
        return str(FORM_REFUSALS[error.code])
    return refusal_message(error)
