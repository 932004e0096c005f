"""What the editor says when the domain refuses a change, in the user's language."""

from __future__ import annotations

from workflow_model.refusals import ChangeRefused, Refusal

from ..vocabulary import REFUSAL_MESSAGES, refusal_message


def invalid_input_text() -> str:
    """The message for a value the browser sent that the editor cannot use (a forgery)."""
    return str(REFUSAL_MESSAGES[Refusal.INVALID_VALUE])


def refusal_text(error: ChangeRefused) -> str:
    """The message for a refused change: the same words as the forms and pages use."""
    return refusal_message(error)
