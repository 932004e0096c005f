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


def _named_changed_since_approval() -> sa.ColumnElement[bool]:
    """True for an approved version that names a unit or officer changed since approval.

    A version names its members (`VersionUnit`, `VersionOfficer`), and also, without a
    member row, the units and officers set on its steps in the editor or a form, and the
    unit of each officer it names: its document holds all of them, so all are looked at.
    """
    from .models import Officer, Step, StepOfficer, Unit, VersionOfficer, VersionUnit

    approved_at = FlowVersion.approved_at
    step_officers = sa.select(StepOfficer.officer_id).join(Step, Step.id == StepOfficer.step_id)
    officer_ids = sa.union(
        sa.select(VersionOfficer.officer_id).where(VersionOfficer.version_id == FlowVersion.id),
        step_officers.where(Step.version_id == FlowVersion.id),
    )
    unit_ids: sa.CompoundSelect[tuple[int | None]] = sa.union(
        sa.select(VersionUnit.unit_id).where(VersionUnit.version_id == FlowVersion.id),
        sa.select(Step.unit_id).where(Step.version_id == FlowVersion.id),
        sa.select(Officer.unit_id).where(Officer.id.in_(officer_ids)),
    )
    return sa.or_(
        sa.exists().where(Officer.id.in_(officer_ids), Officer.updated_at > approved_at),
        sa.exists().where(Unit.id.in_(unit_ids), Unit.updated_at > approved_at),
    )


def procedures_with_drift(session: Session, procedure_ids: list[int]) -> set[int]:
    """Procedures whose version in force reads differently from the directory now.

    The same drift the versions page lists (`diff.directory_drift` of the snapshot and
    the live document), so the catalogue's mark and that page never disagree. One query
    finds the versions naming a unit or officer changed since approval; only those are
    compared, so a page of the catalogue reads a document only where something moved.
    """
    from .conversion import document_from_version
    from .diff import directory_drift
    from .lifecycle import CorruptSnapshot, version_document, version_in_force

    candidates = session.execute(
        sa.select(ProcedureCase.procedure_id, ProcedureCase.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(
            ProcedureCase.procedure_id.in_(procedure_ids),
            FlowVersion.status == VersionStatus.APPROVED,
            FlowVersion.approved_at.is_not(None),
            _named_changed_since_approval(),
        )
        .distinct()
    ).all()
    drifted: set[int] = set()
    for procedure_id, case_id in candidates:
        if procedure_id in drifted:
            continue
        in_force = version_in_force(session, case_id)
        if in_force is None or in_force.snapshot is None:
            continue
        try:
            frozen = version_document(session, in_force)
        except CorruptSnapshot:
            continue  # marked as corrupt on its own pages, not as drift
        if directory_drift(frozen, document_from_version(session, in_force)):
            drifted.add(procedure_id)
    return drifted
