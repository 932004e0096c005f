"""What the editor says when the domain refuses a change, in the user's language."""

from __future__ import annotations

from workflow_model.refusals import ChangeRefused

from ..vocabulary import refusal_message


def refusal_text(error: ChangeRefused) -> str:
    """The message for a refused change: the same words as the forms and pages use."""
    return refusal_message(error)
