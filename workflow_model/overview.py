"""Read-only summaries of the catalogue for lists and dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import (
    EDITABLE_STATUSES,
    AuditEvent,
    Delivery,
    DeliveryStatus,
    DeliveryTarget,
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
    procedure_id: int = 0
    rejection_reason: str = ""
    approved_at: datetime | None = None


@dataclass(frozen=True)
class StatusCount:
    """How many procedures of a level have their latest version in a status.

    `status` is None for the procedures that have no version yet.
    """

    level: str
    status: VersionStatus | None
    count: int


@dataclass(frozen=True)
class FailedDelivery:
    """A delivery that gave up, as the exporter's home page lists it."""

    id: int
    procedure_code: str
    number: int
    target: str
    attempts: int
    error: str


@dataclass(frozen=True)
class TargetState:
    """A delivery target and how its deliveries stand."""

    id: int
    name: str
    kind: str
    enabled: bool
    pending: int
    failed: int
    delivered: int
    last_delivered_at: datetime | None


def _version_rows(
    session: Session,
    condition: sa.ColumnElement[bool],
    order: tuple[sa.ColumnElement[Any], ...] = (),
    limit: int = 200,
) -> list[VersionRow]:
    rows = session.execute(
        sa.select(
            FlowVersion.id,
            Procedure.code,
            Procedure.name,
            ProcedureCase.key,
            FlowVersion.number,
            FlowVersion.status,
            User.username,
            Procedure.id,
            FlowVersion.rejection_reason,
            FlowVersion.approved_at,
        )
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .outerjoin(User, FlowVersion.created_by_id == User.id)
        .where(condition)
        .order_by(*(order or (Procedure.code, FlowVersion.number)))
        .limit(limit)
    )
    return [
        VersionRow(
            *row[:6],
            created_by=row[6] or "",
            procedure_id=row[7],
            rejection_reason=row[8] or "",
            approved_at=row[9],
        )
        for row in rows
    ]


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


def rejected_versions(session: Session) -> list[VersionRow]:
    """Versions sent back by an approver and not yet submitted again, with their reason."""
    return _version_rows(session, FlowVersion.status == VersionStatus.REJECTED)


def recently_approved(session: Session, limit: int = 20) -> list[VersionRow]:
    """The versions approved last (approved, in force or waiting for their date), newest first."""
    return _version_rows(
        session,
        sa.and_(FlowVersion.status == VersionStatus.APPROVED, FlowVersion.approved_at.is_not(None)),
        order=(FlowVersion.approved_at.desc(), FlowVersion.id.desc()),
        limit=limit,
    )


def failed_deliveries(session: Session, limit: int = 50) -> list[FailedDelivery]:
    """Deliveries that gave up (no attempt left, or refused by the receiver), newest first."""
    rows = session.execute(
        sa.select(
            Delivery.id,
            Procedure.code,
            FlowVersion.number,
            DeliveryTarget.name,
            Delivery.attempts,
            Delivery.last_error,
        )
        .join(DeliveryTarget, Delivery.target_id == DeliveryTarget.id)
        .join(FlowVersion, Delivery.version_id == FlowVersion.id)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    return [FailedDelivery(*row) for row in rows]


def target_states(session: Session) -> list[TargetState]:
    """Every delivery target with its deliveries counted by status, by name."""

    def counted(status: DeliveryStatus) -> sa.ColumnElement[int]:
        return sa.func.count(Delivery.id).filter(Delivery.status == status)

    rows = session.execute(
        sa.select(
            DeliveryTarget.id,
            DeliveryTarget.name,
            DeliveryTarget.kind,
            DeliveryTarget.enabled,
            counted(DeliveryStatus.PENDING),
            counted(DeliveryStatus.FAILED),
            counted(DeliveryStatus.DELIVERED),
            sa.func.max(Delivery.delivered_at),
        )
        .outerjoin(Delivery, Delivery.target_id == DeliveryTarget.id)
        .group_by(DeliveryTarget.id, DeliveryTarget.name, DeliveryTarget.kind)
        .order_by(DeliveryTarget.name)
    )
    return [
        TargetState(id, name, kind.value, enabled, pending, failed, delivered, last)
        for id, name, kind, enabled, pending, failed, delivered, last in rows
    ]


def counts_by_level_and_status(session: Session) -> list[StatusCount]:
    """Procedures counted by level and by the status of their latest version.

    Each procedure counts once: under the status of the version created last among its
    cases' versions, or under None when it has no version yet. (Counting versions made a
    procedure with an approved v1 and a rejected v2 show under both.)
    """
    latest = (
        sa.select(ProcedureCase.procedure_id, sa.func.max(FlowVersion.id).label("version_id"))
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .group_by(ProcedureCase.procedure_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Level.name, FlowVersion.status, sa.func.count(Procedure.id))
        .join(Procedure, Procedure.level_id == Level.id)
        .outerjoin(latest, latest.c.procedure_id == Procedure.id)
        .outerjoin(FlowVersion, FlowVersion.id == latest.c.version_id)
        .group_by(Level.name, Level.position, FlowVersion.status)
        .order_by(Level.position, FlowVersion.status.asc().nulls_last())
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
