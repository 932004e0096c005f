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


def stored_state(session: Session, source: str, code: str) -> dict[str, Any]:
    """The derived state stored for one dossier: its columns and its step runs, no ids."""
    from workflow_model.models import Dossier, DossierStepRun

    session.expire_all()
    dossier = session.execute(
        sa.select(Dossier).where(Dossier.source == source, Dossier.code == code)
    ).scalar_one()
    columns = {
        column.key: getattr(dossier, column.key)
        for column in Dossier.__table__.columns
        if column.key not in {"id", "source", "created_at", "check_hash"}
    }
    runs = session.execute(
        sa.select(DossierStepRun)
        .where(DossierStepRun.dossier_id == dossier.id)
        .order_by(DossierStepRun.position)
    ).scalars()
    columns["runs"] = [
        {
            c.key: getattr(run, c.key)
            for c in DossierStepRun.__table__.columns
            if c.key != "dossier_id"
        }
        for run in runs
    ]
    return columns


def row_counts(session: Session) -> tuple[int, int, int]:
    """How many dossiers, events and step runs are stored."""
    from workflow_model.models import Dossier, DossierEvent, DossierStepRun

    return tuple(  # type: ignore[return-value]
        session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model in (Dossier, DossierEvent, DossierStepRun)
    )
