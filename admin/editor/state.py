"""What the editor shows of a version, read fresh from the database for each answer.

A draft is read from its rows, any other version from its frozen snapshot; both are
validated with the same rules as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from validators import Report, validate
from workflow_model.document import FlowDocument
from workflow_model.lifecycle import version_document
from workflow_model.models import FlowVersion, ProcedureCase, Role

from .elements import Diagram, diagram


@dataclass(frozen=True)
class EditorView:
    """A version as the editor shows it."""

    version: FlowVersion
    case: ProcedureCase
    document: FlowDocument
    report: Report
    diagram: Diagram
    editable: bool

    @property
    def lock(self) -> int:
        """The lock counter every save of this view must carry."""
        return self.version.lock_counter


def may_edit() -> bool:
    """Whether the logged-in user may change drafts in the editor (the admin role)."""
    return current_user.is_authenticated and Role.ADMIN in set(current_user.roles)


def language() -> str:
    """The UI's language, ``vi`` or ``en``, for the validators' messages."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "vi"


def editor_view(session: Session, version_id: int | None) -> EditorView | None:
    """Read version `version_id` for the editor, or None when there is no such version."""
    version = session.get(FlowVersion, version_id) if version_id is not None else None
    if version is None:
        return None
    session.refresh(version)
    editable = version.status.editable and may_edit()
    document = version_document(session, version)
    report = validate(document)
    case = session.get(ProcedureCase, version.case_id)
    assert case is not None
    return EditorView(
        version, case, document, report, diagram(document, report, editable=editable), editable
    )
