"""Read-only summaries of the catalogue for lists and dashboards."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import (
    EDITABLE_STATUSES,
    AuditEvent,
    FlowVersion,
    Level,
    Procedure,
    ProcedureCase,
    User,
    VersionStatus,
)


@dataclass(frozen=True)
class VersionRow:
    """A version as the home page lists it."""

    id: int
    procedure_code: str
    procedure_name: str
    case_key: str
    number: int
    status: VersionStatus
    created_by: str


@dataclass(frozen=True)
class StatusCount:
    """How many procedures of a level have a version in a status."""

    level: str
    status: VersionStatus
    count: int


def _version_rows(session: Session, condition: sa.ColumnElement[bool]) -> list[VersionRow]:
    rows = session.execute(
        sa.select(
            FlowVersion.id,
            Procedure.code,
            Procedure.name,
            ProcedureCase.key,
            FlowVersion.number,
            FlowVersion.status,
            User.username,
        )
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .outerjoin(User, FlowVersion.created_by_id == User.id)
        .where(condition)
        .order_by(Procedure.code, FlowVersion.number)
        .limit(200)
    )
    return [VersionRow(*row[:6], created_by=row[6] or "") for row in rows]


def drafts_of(session: Session, user_id: int) -> list[VersionRow]:
    """The open drafts (draft or rejected) a user created."""
    return _version_rows(
        session,
        sa.and_(
            FlowVersion.created_by_id == user_id,
            FlowVersion.status.in_(EDITABLE_STATUSES),
        ),
    )


def open_drafts(session: Session) -> list[VersionRow]:
    """Every open draft (draft or rejected), by procedure."""
    return _version_rows(session, FlowVersion.status.in_(EDITABLE_STATUSES))


def waiting_for_review(session: Session) -> list[VersionRow]:
    """Versions submitted and waiting for an approver."""
    return _version_rows(session, FlowVersion.status == VersionStatus.SUBMITTED)


def counts_by_level_and_status(session: Session) -> list[StatusCount]:
    """Procedures counted by level and by the status of their versions."""
    rows = session.execute(
        sa.select(Level.name, FlowVersion.status, sa.func.count(sa.distinct(Procedure.id)))
        .join(Procedure, Procedure.level_id == Level.id)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .group_by(Level.name, Level.position, FlowVersion.status)
        .order_by(Level.position, FlowVersion.status)
    )
    return [StatusCount(level, status, count) for level, status, count in rows]


def procedure_history(session: Session, procedure_id: int) -> list[AuditEvent]:
    """The journal of a procedure and of every version of its cases, oldest first."""
    version_ids = [
        str(key)
        for key in session.execute(
            sa.select(FlowVersion.id)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .where(ProcedureCase.procedure_id == procedure_id)
        ).scalars()
    ]
    return list(
        session.execute(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    sa.and_(
                        AuditEvent.entity_type == "procedure",
                        AuditEvent.entity_id == str(procedure_id),
                    ),
                    sa.and_(
                        AuditEvent.entity_type == "flow_version",
                        AuditEvent.entity_id.in_(version_ids),
                    ),
                )
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        ).scalars()
    )


def procedures_with_drift(session: Session, procedure_ids: list[int]) -> set[int]:
    """Procedures whose version in force names a unit or officer changed since approval.

    One query, for a page of the catalogue; the versions page lists the differences.
    """
    from .models import Officer, Unit, VersionOfficer, VersionUnit

    officer_moved = sa.exists().where(
        VersionOfficer.version_id == FlowVersion.id,
        VersionOfficer.officer_id == Officer.id,
        Officer.updated_at > FlowVersion.approved_at,
    )
    unit_moved = sa.exists().where(
        VersionUnit.version_id == FlowVersion.id,
        VersionUnit.unit_id == Unit.id,
        Unit.updated_at > FlowVersion.approved_at,
    )
    rows = session.execute(
        sa.select(ProcedureCase.procedure_id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(
            ProcedureCase.procedure_id.in_(procedure_ids),
            FlowVersion.status == VersionStatus.APPROVED,
            FlowVersion.approved_at.is_not(None),
            sa.or_(officer_moved, unit_moved),
        )
        .distinct()
    )
    return set(rows.scalars())
