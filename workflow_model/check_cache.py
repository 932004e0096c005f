"""Keeps `VersionCheck` true: any change to what a version's document is made of drops it.

One listener on every flush, so no service, import or form can forget: steps,
transitions, the version's units and officers, and the directory and catalogue rows
they point at (an officer's new phone can make a version invalid).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from .models import (
    DossierComponent,
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    Unit,
    VersionOfficer,
    VersionUnit,
)
from .models.base import utcnow
from .models.checks import VersionCheck

_OWN_VERSION = (Step, Transition, VersionUnit, VersionOfficer)


def _version_ids(connection: sa.Connection, changed: Iterable[object]) -> set[int]:
    ids: set[int] = set()
    officers: set[int] = set()
    units: set[int] = set()
    procedures: set[int] = set()
    cases: set[int] = set()
    steps: set[int] = set()
    for obj in changed:
        if isinstance(obj, _OWN_VERSION) and obj.version_id is not None:
            ids.add(obj.version_id)
        elif isinstance(obj, StepOfficer | StepDocument) and obj.step_id is not None:
            steps.add(obj.step_id)
        elif isinstance(obj, Officer) and obj.id is not None:
            officers.add(obj.id)
        elif isinstance(obj, Unit) and obj.id is not None:
            units.add(obj.id)
        elif isinstance(obj, DossierComponent) and obj.procedure_id is not None:
            procedures.add(obj.procedure_id)
        elif isinstance(obj, Procedure) and obj.id is not None:
            procedures.add(obj.id)
        elif isinstance(obj, ProcedureCase) and obj.id is not None:
            cases.add(obj.id)
    queries = []
    if steps:
        queries.append(sa.select(Step.version_id).where(Step.id.in_(steps)))
    if officers:
        queries.append(
            sa.select(VersionOfficer.version_id).where(VersionOfficer.officer_id.in_(officers))
        )
    if units:
        queries.append(sa.select(VersionUnit.version_id).where(VersionUnit.unit_id.in_(units)))
    if procedures:
        queries.append(
            sa.select(FlowVersion.id)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .where(ProcedureCase.procedure_id.in_(procedures))
        )
    if cases:
        queries.append(sa.select(FlowVersion.id).where(FlowVersion.case_id.in_(cases)))
    for query in queries:
        ids.update(connection.execute(query).scalars())
    return ids


@sa.event.listens_for(Session, "before_flush")
def _drop_stale_checks(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # `session.new` builds a new set on each call: read once, not once per object, so
    # a flush of n rows (an import) costs n, not n².
    new, deleted = session.new, session.deleted
    changed = [
        obj
        for obj in (*new, *session.dirty, *deleted)
        if not isinstance(obj, VersionCheck)
        and (obj in new or obj in deleted or session.is_modified(obj))
    ]
    if not changed:
        return
    # Core statements on the flush's connection: no autoflush, no recursion.
    connection = session.connection()
    ids = _version_ids(connection, changed)
    if ids:
        connection.execute(sa.delete(VersionCheck).where(VersionCheck.version_id.in_(ids)))


def store_checks(
    session: Session, counts: Mapping[int, tuple[int, int]]
) -> dict[int, VersionCheck]:
    """Cache the (errors, warnings) of each version id in `counts`, and commit.

    Two requests may fill the same versions at once: one upsert (``INSERT … ON CONFLICT
    DO UPDATE``) per call, so the second writes over the first instead of breaking the
    primary key. Returns the rows as stored, not attached to the session.
    """
    if not counts:
        return {}
    now = utcnow()
    rows = [
        {"version_id": key, "errors": errors, "warnings": warnings, "checked_at": now}
        for key, (errors, warnings) in sorted(counts.items())
    ]
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(VersionCheck)
    session.execute(
        insert.values(rows).on_conflict_do_update(
            index_elements=[VersionCheck.version_id],
            set_={
                "errors": insert.excluded.errors,
                "warnings": insert.excluded.warnings,
                "checked_at": insert.excluded.checked_at,
            },
        )
    )
    session.commit()
    return {
        key: VersionCheck(version_id=key, errors=errors, warnings=warnings, checked_at=now)
        for key, (errors, warnings) in counts.items()
    }
