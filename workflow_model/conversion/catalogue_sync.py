"""Bringing a document's procedure, case and dossier components into the catalogue."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import editing
from ..document import (
    DossierComponentEntry,
    FlowDocument,
    ProcedureEntry,
)
from ..models import (
    DEFAULT_CASE_KEY,
    STANDARD_LEVELS,
    DossierComponent,
    Field,
    Level,
    Procedure,
    ProcedureCase,
    Unit,
    User,
)
from ..version_rules import refuse_under_review
from .catalogue_lists import fee_row


def level_by_key(session: Session, key: str) -> Level:
    """Return the administrative level with `key`, creating it (standard name if known)."""
    level = session.execute(sa.select(Level).where(Level.key == key)).scalar_one_or_none()
    if level is None:
        level = Level(key=key, name=STANDARD_LEVELS.get(key, key), position=len(STANDARD_LEVELS))
        session.add(level)
        session.flush()
    return level


def _field(session: Session, name: str, user: User | None) -> Field | None:
    if not name:
        return None
    field = session.execute(sa.select(Field).where(Field.name == name)).scalar_one_or_none()
    if field is None:
        field = Field(name=name)
        editing.stage(session, user, field, None)
    return field


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
    """Create or update the procedure of `entry` by code, through the catalogue service.

    `editing.stage` checks and journals the change. A change is refused (``under-review``)
    while a version of one of the procedure's cases is under review, since that
    version's document reads the procedure; the caller rolls back.
    """
    procedure = session.execute(
        sa.select(Procedure).where(Procedure.code == entry.code)
    ).scalar_one_or_none()
    before = editing.entity_state(procedure) if procedure is not None else None
    level, field = level_by_key(session, entry.level), _field(session, entry.field, user)
    if procedure is None:
        procedure = Procedure(code=entry.code, name=entry.name, level=level)
    procedure.name = entry.name
    procedure.level = level
    procedure.field = field
    procedure.result = entry.result
    procedure.legal_basis = list(entry.legal_basis)
    procedure.fees = [fee_row(f) for f in entry.fees]
    _apply_components(procedure, entry.dossier_components)
    if editing.stage(session, user, procedure, before) and before is not None:
        refuse_under_review(session, procedure.id)
    return procedure


def existing_case(session: Session, entry: ProcedureEntry) -> ProcedureCase | None:
    """The stored case `entry` names (its procedure code and case key), if there is one."""
    key = entry.case.key if entry.case is not None else DEFAULT_CASE_KEY
    return session.execute(
        sa.select(ProcedureCase)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Procedure.code == entry.code, ProcedureCase.key == key)
    ).scalar()


def upsert_case(
    session: Session, procedure: Procedure, entry: ProcedureEntry, user: User | None = None
) -> ProcedureCase:
    """Create or update the case of `entry` (the default case when it has none).

    Through the catalogue service, like `upsert_procedure`: a change to the case's name
    or legal time is refused (``under-review``) while a version of it is under review.
    """
    key = entry.case.key if entry.case is not None else DEFAULT_CASE_KEY
    case = next((c for c in procedure.cases if c.key == key), None)
    before = editing.entity_state(case) if case is not None else None
    if case is None:
        case = ProcedureCase(key=key, position=len(procedure.cases))
        procedure.cases.append(case)
    case.name = entry.case.name if entry.case is not None else ""
    case.legal_time_value = entry.legal_time.value
    case.legal_time_unit = entry.legal_time.unit
    if editing.stage(session, user, case, before) and before is not None:
        refuse_under_review(session, procedure.id, case.id)
    return case


def implementing_agency(doc: FlowDocument) -> str | None:
    """The key of the agency that handles `doc`'s process (cơ quan thực hiện), if it shows.

    The top unit (one without a parent) above the first step, in the document's order,
    whose unit is not a one-stop desk: the agency the desk hands the dossier to, which
    appraises it. Agencies consulted later do not count. None when every step sits at a
    one-stop desk.

    >>> from workflow_model.demo_data import demo_flow
    >>> doc = demo_flow("hatinh-1_013871-1.json")
    >>> {u.key: u.name for u in doc.units}[implementing_agency(doc)]
    'Sở Y tế tỉnh Hà Tĩnh'
    """
    units = {unit.key: unit for unit in doc.units}
    first = next(
        (s.unit for s in doc.steps if s.unit in units and not units[s.unit].one_stop), None
    )
    if first is None:
        return None
    seen = {first}
    while (parent := units[first].parent) in units and parent not in seen:
        first = parent
        seen.add(first)
    return first


def adopt_lead_unit(
    session: Session,
    procedure: Procedure,
    doc: FlowDocument,
    units: dict[str, Unit],
    user: User | None,
) -> None:
    """Give a procedure without a lead unit the agency `doc`'s process shows, journaled.

    An administrator's choice is never overwritten: a procedure that has one keeps it.
    """
    key = implementing_agency(doc)
    if procedure.lead_unit is not None or key is None or key not in units:
        return
    before = editing.entity_state(procedure)
    procedure.lead_unit = units[key]
    editing.stage(session, user, procedure, before)
