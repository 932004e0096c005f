"""Read-only summaries of the catalogue for lists and dashboards."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .models import FlowVersion, Procedure, ProcedureCase, Step, TimeUnit, VersionStatus


@dataclass(frozen=True)
class VersionSummary:
    """A flow version as a list shows it."""

    id: int
    number: int
    status: VersionStatus
    step_count: int


@dataclass(frozen=True)
class CaseSummary:
    """A case of a procedure with its legal time and versions, newest first."""

    key: str
    name: str
    legal_time_value: float
    legal_time_unit: TimeUnit
    versions: tuple[VersionSummary, ...]


@dataclass(frozen=True)
class ProcedureSummary:
    """A procedure as the catalogue list shows it."""

    id: int
    code: str
    name: str
    level: str
    field: str
    cases: tuple[CaseSummary, ...]


def procedure_overview(session: Session) -> list[ProcedureSummary]:
    """Return every procedure with its cases, versions and step counts, ordered by code.

    Three queries whatever the size of the catalogue: procedures with cases, versions,
    and step counts grouped by version.
    """
    procedures = (
        session.execute(
            sa.select(Procedure)
            .options(
                selectinload(Procedure.cases),
                selectinload(Procedure.level),
                selectinload(Procedure.field),
            )
            .order_by(Procedure.code)
        )
        .scalars()
        .all()
    )
    versions: dict[int, list[FlowVersion]] = {}
    for version in session.execute(
        sa.select(FlowVersion).order_by(FlowVersion.case_id, FlowVersion.number.desc())
    ).scalars():
        versions.setdefault(version.case_id, []).append(version)
    step_counts = dict(
        session.execute(sa.select(Step.version_id, sa.func.count()).group_by(Step.version_id)).all()
    )
    return [
        ProcedureSummary(
            id=procedure.id,
            code=procedure.code,
            name=procedure.name,
            level=procedure.level.name,
            field=procedure.field.name if procedure.field else "",
            cases=tuple(_case_summary(case, versions, step_counts) for case in procedure.cases),
        )
        for procedure in procedures
    ]


def _case_summary(
    case: ProcedureCase, versions: dict[int, list[FlowVersion]], step_counts: dict[int, int]
) -> CaseSummary:
    return CaseSummary(
        key=case.key,
        name=case.name,
        legal_time_value=case.legal_time_value,
        legal_time_unit=case.legal_time_unit,
        versions=tuple(
            VersionSummary(v.id, v.number, v.status, step_counts.get(v.id, 0))
            for v in versions.get(case.id, [])
        ),
    )
