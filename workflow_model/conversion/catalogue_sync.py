"""Bringing a document's procedure, case and dossier components into the catalogue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..audit import record_event
from ..document import (
    DossierComponentEntry,
    ProcedureEntry,
    canonical_number,
)
from ..models import (
    DEFAULT_CASE_KEY,
    STANDARD_LEVELS,
    DossierComponent,
    Field,
    Level,
    Procedure,
    ProcedureCase,
    User,
)


def level_by_key(session: Session, key: str) -> Level:
    """Return the administrative level with `key`, creating it (standard name if known)."""
    level = session.execute(sa.select(Level).where(Level.key == key)).scalar_one_or_none()
    if level is None:
        level = Level(key=key, name=STANDARD_LEVELS.get(key, key), position=len(STANDARD_LEVELS))
        session.add(level)
        session.flush()
    return level


def _field(session: Session, name: str) -> Field | None:
    if not name:
        return None
    field = session.execute(sa.select(Field).where(Field.name == name)).scalar_one_or_none()
    if field is None:
        field = Field(name=name)
        session.add(field)
        session.flush()
    return field


def _procedure_state(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "level": procedure.level.key,
        "field": procedure.field.name if procedure.field else None,
        "result": procedure.result,
        "legal_basis": list(procedure.legal_basis or []),
        "fees": list(procedure.fees or []),
        "dossier_components": [
            {
                "key": c.key,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "form": c.form_name,
            }
            for c in procedure.dossier_components
        ],
    }


def _apply_components(procedure: Procedure, entries: tuple[DossierComponentEntry, ...]) -> None:
    existing = {c.key: c for c in procedure.dossier_components}
    for position, entry in enumerate(entries):
        component = existing.get(entry.key)
        if component is None:
            component = DossierComponent(key=entry.key)
            procedure.dossier_components.append(component)
        component.name = entry.name
        component.originals = entry.originals
        component.copies = entry.copies
        component.form_name = entry.form
        component.position = position
    # Components the document does not list stay (another case may use them), after it.
    kept = [c for c in procedure.dossier_components if c.key not in {e.key for e in entries}]
    for offset, component in enumerate(kept):
        component.position = len(entries) + offset


def upsert_procedure(session: Session, entry: ProcedureEntry, user: User | None) -> Procedure:
    """Create or update the procedure of `entry` by code, journaling what changed."""
    procedure = session.execute(
        sa.select(Procedure).where(Procedure.code == entry.code)
    ).scalar_one_or_none()
    before = _procedure_state(procedure) if procedure is not None else None
    level, field = level_by_key(session, entry.level), _field(session, entry.field)
    if procedure is None:
        procedure = Procedure(code=entry.code, name=entry.name, level=level)
        session.add(procedure)
    procedure.name = entry.name
    procedure.level = level
    procedure.field = field
    procedure.result = entry.result
    procedure.legal_basis = list(entry.legal_basis)
    procedure.fees = [
        {"name": f.name, "amount": canonical_number(f.amount), "currency": f.currency}
        for f in entry.fees
    ]
    _apply_components(procedure, entry.dossier_components)
    session.flush()
    after = _procedure_state(procedure)
    if before != after:
        action = "create" if before is None else "update"
        record_event(session, user, action, "procedure", procedure.id, before=before, after=after)
    return procedure


def upsert_case(session: Session, procedure: Procedure, entry: ProcedureEntry) -> ProcedureCase:
    """Create or update the case of `entry` (the default case when it has none)."""
    key = entry.case.key if entry.case is not None else DEFAULT_CASE_KEY
    case = next((c for c in procedure.cases if c.key == key), None)
    if case is None:
        case = ProcedureCase(key=key, position=len(procedure.cases))
        procedure.cases.append(case)
    case.name = entry.case.name if entry.case is not None else ""
    case.legal_time_value = entry.legal_time.value
    case.legal_time_unit = entry.legal_time.unit
    session.flush()
    return case
