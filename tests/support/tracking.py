"""Dossier tracking tests: an approved flow in force since a fixed date, and event items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from support.signoff import approved_flow, author_and_approver
from workflow_model.calendar import TIMEZONE
from workflow_model.document import FlowDocument
from workflow_model.models import FlowVersion, User
from workflow_model.tracking import CheckKeys

KEYS = CheckKeys.from_secrets("tracking test secret")
"""The check keys every tracking test hashes with."""

SOURCE = "egov"
"""The source system the tests' events come from."""


def vn(*parts: int) -> datetime:
    """A Vietnamese wall-clock time: vn(2026, 3, 9, 8) is 08:00 on 9 March 2026."""
    return datetime(*parts, tzinfo=TIMEZONE)  # type: ignore[misc]


def in_force(
    session: Session,
    doc: FlowDocument,
    since: datetime,
    people: tuple[User, User] | None = None,
) -> FlowVersion:
    """`doc` imported, approved and made effective from `since` (set back in time)."""
    author, approver = people or author_and_approver(session)
    version = approved_flow(session, doc, author, approver)
    session.execute(
        sa.update(FlowVersion).where(FlowVersion.id == version.id).values(effective_from=since)
    )
    session.commit()
    return version


def item(
    event_id: str, kind: str, at: datetime, dossier: str = "H12-0001", **fields: Any
) -> dict[str, Any]:
    """One event item as the API takes it; `received` gets a procedure, channel and check."""
    found: dict[str, Any] = {"id": event_id, "dossier": dossier, "kind": kind, "at": at.isoformat()}
    if kind == "received":
        found.update(procedure="1.000894", channel="online", check="482913")
    found.update({key: value for key, value in fields.items() if value is not None})
    return found
