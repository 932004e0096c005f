"""Between the database and the flow document: read a version out, bring a document in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from .audit import record_event
from .document import (
    CaseEntry,
    DocumentError,
    DossierComponentEntry,
    Duration,
    Fee,
    FlowDocument,
    OfficerEntry,
    Position,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
    canonical_number,
    document_hash,
)
from .models import (
    DEFAULT_CASE_KEY,
    STANDARD_LEVELS,
    DossierComponent,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    Unit,
    User,
    VersionOfficer,
    VersionStatus,
    VersionUnit,
)

# --------------------------------------------------------------------------- reading out


def _load_version(session: Session, version_id: int) -> FlowVersion:
    statement = (
        sa.select(FlowVersion)
        .where(FlowVersion.id == version_id)
        .options(
            selectinload(FlowVersion.units).selectinload(VersionUnit.unit),
            selectinload(FlowVersion.officers).selectinload(VersionOfficer.officer),
            selectinload(FlowVersion.steps).selectinload(Step.officer_links),
            selectinload(FlowVersion.steps).selectinload(Step.document_links),
            selectinload(FlowVersion.transitions),
        )
    )
    return session.execute(statement).scalar_one()


def _procedure_entry(case: ProcedureCase) -> ProcedureEntry:
    procedure = case.procedure
    return ProcedureEntry(
        code=procedure.code,
        name=procedure.name,
        level=procedure.level.key,
        field=procedure.field.name if procedure.field else "",
        legal_time=Duration(canonical_number(case.legal_time_value), case.legal_time_unit),
        result=procedure.result,
        legal_basis=tuple(procedure.legal_basis),
        fees=tuple(
            Fee(f["name"], canonical_number(f["amount"]), f.get("currency", "VND"))
            for f in procedure.fees
        ),
        dossier_components=tuple(
            DossierComponentEntry(c.key, c.name, c.originals, c.copies, c.form_name)
            for c in procedure.dossier_components
        ),
        case=None if case.is_default else CaseEntry(case.key, case.name),
    )


class _Keys:
    """Keys of units and officers in one version's document, adding any the version lacks."""

    def __init__(self, version: FlowVersion) -> None:
        self.units: dict[int, str] = {vu.unit_id: vu.key for vu in version.units}
        self.unit_rows: dict[int, Unit] = {vu.unit_id: vu.unit for vu in version.units}
        self.officers: dict[int, str] = {vo.officer_id: vo.key for vo in version.officers}
        self.officer_rows: dict[int, Officer] = {
            vo.officer_id: vo.officer for vo in version.officers
        }

    def unit(self, unit: Unit) -> str:
        if unit.id not in self.units:
            # A unit set on a step outside the document path joins under its directory code.
            self.units[unit.id] = _free_key(unit.code, self.units.values())
            self.unit_rows[unit.id] = unit
        return self.units[unit.id]

    def officer(self, officer: Officer) -> str:
        if officer.id not in self.officers:
            self.officers[officer.id] = _free_key(f"o{officer.id}", self.officers.values())
            self.officer_rows[officer.id] = officer
        return self.officers[officer.id]


def _free_key(wanted: str, taken: Iterable[str]) -> str:
    used = set(taken)
    key, counter = wanted, 2
    while key in used:
        key, counter = f"{wanted}-{counter}", counter + 1
    return key


def _step_entry(step: Step, keys: _Keys, components: dict[int, str]) -> StepEntry:
    return StepEntry(
        key=step.key,
        name=step.name,
        kind=step.kind,
        unit=keys.unit(step.unit) if step.unit is not None else None,
        duration=Duration(canonical_number(step.duration_value), step.duration_unit),
        officers=tuple(keys.officer(link.officer) for link in step.officer_links),
        documents=tuple(components[link.component_id] for link in step.document_links),
        split=step.split,
        join=step.join,
        description=step.description,
    )


def document_from_version(session: Session, version: FlowVersion) -> FlowDocument:
    """Return the flow document of `version`, read from the live rows of the database.

    Units and officers keep the keys under which the version knows them; a unit or
    officer set on a step without such a key gets one (the unit's code, or ``o<id>``).
    """
    version = _load_version(session, version.id)
    keys = _Keys(version)
    steps_by_id = {step.id: step for step in version.steps}
    components = {c.id: c.key for c in version.case.procedure.dossier_components}
    steps = tuple(_step_entry(step, keys, components) for step in version.steps)
    officers = tuple(
        OfficerEntry(
            key=keys.officers[officer_id],
            name=officer.full_name,
            title=officer.title,
            phone=officer.phone,
            email=officer.email or "",
            unit=keys.unit(officer.unit),
        )
        for officer_id, officer in list(keys.officer_rows.items())
    )
    units = tuple(
        UnitEntry(
            key=keys.units[unit_id],
            name=unit.name,
            level=unit.level.key,
            one_stop=unit.one_stop,
            parent=keys.units.get(unit.parent_id) if unit.parent_id is not None else None,
        )
        for unit_id, unit in keys.unit_rows.items()
    )
    transitions = tuple(
        TransitionEntry(steps_by_id[t.from_step_id].key, steps_by_id[t.to_step_id].key, t.label)
        for t in version.transitions
    )
    layout = {
        step.key: Position(canonical_number(step.x), canonical_number(step.y))
        for step in version.steps
        if step.x is not None and step.y is not None
    }
    return FlowDocument(
        procedure=_procedure_entry(version.case),
        units=units,
        officers=officers,
        steps=steps,
        transitions=transitions,
        layout=layout,
        source=version.source,
    )


# --------------------------------------------------------------------------- bringing in


def _duplicates(path: str, keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    errors = []
    for index, key in enumerate(keys):
        if key in seen:
            errors.append(f"{path}[{index}].key: duplicate key {key!r}")
        seen.add(key)
    return errors


def _unit_order(doc: FlowDocument) -> tuple[list[UnitEntry], list[str]]:
    """Units with every parent before its children, or the errors that prevent it."""
    by_key = {unit.key: unit for unit in doc.units}
    ordered: list[UnitEntry] = []
    placed: set[str] = set()
    errors: list[str] = []
    for index, unit in enumerate(doc.units):
        chain: list[UnitEntry] = []
        current: UnitEntry | None = unit
        while current is not None and current.key not in placed:
            if current in chain:
                errors.append(f"units[{index}].parent: the units' parents form a cycle")
                break
            chain.append(current)
            current = by_key.get(current.parent) if current.parent is not None else None
        else:
            for entry in reversed(chain):
                placed.add(entry.key)
                ordered.append(entry)
            continue
        break
    return ordered, errors


def reference_errors(doc: FlowDocument) -> list[str]:
    """Return what stops `doc` from being stored: duplicate keys and keys that name nothing.

    The validators report the same problems as findings; storing needs them fixed, since
    the database keeps every reference as a foreign key.
    """
    proc = doc.procedure
    errors = _duplicates("units", (u.key for u in doc.units))
    errors += _duplicates("officers", (o.key for o in doc.officers))
    errors += _duplicates("steps", (s.key for s in doc.steps))
    errors += _duplicates("procedure.dossier_components", (c.key for c in proc.dossier_components))
    units = {u.key for u in doc.units}
    officers = {o.key for o in doc.officers}
    steps = {s.key for s in doc.steps}
    components = {c.key for c in proc.dossier_components}
    for i, unit in enumerate(doc.units):
        if unit.parent is not None and unit.parent not in units:
            errors.append(f"units[{i}].parent: unknown unit {unit.parent!r}")
    for i, officer in enumerate(doc.officers):
        if officer.unit not in units:
            errors.append(f"officers[{i}].unit: unknown unit {officer.unit!r}")
    for i, step in enumerate(doc.steps):
        if step.unit is not None and step.unit not in units:
            errors.append(f"steps[{i}].unit: unknown unit {step.unit!r}")
        for j, key in enumerate(step.officers):
            if key not in officers:
                errors.append(f"steps[{i}].officers[{j}]: unknown officer {key!r}")
            elif key in step.officers[:j]:
                errors.append(f"steps[{i}].officers[{j}]: officer {key!r} is listed twice")
        for j, key in enumerate(step.documents):
            if key not in components:
                errors.append(f"steps[{i}].documents[{j}]: unknown dossier component {key!r}")
            elif key in step.documents[:j]:
                errors.append(
                    f"steps[{i}].documents[{j}]: dossier component {key!r} is listed twice"
                )
    pairs: set[tuple[str, str]] = set()
    for i, transition in enumerate(doc.transitions):
        for end, key in (("from", transition.source), ("to", transition.target)):
            if key not in steps:
                errors.append(f"transitions[{i}].{end}: unknown step {key!r}")
        pair = (transition.source, transition.target)
        if pair in pairs:
            errors.append(f"transitions[{i}]: duplicate transition {pair[0]!r} → {pair[1]!r}")
        pairs.add(pair)
    errors += [f"layout.{key}: unknown step {key!r}" for key in doc.layout if key not in steps]
    errors += _unit_order(doc)[1]
    return errors


def _level(session: Session, key: str) -> Level:
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
        "level": procedure.level.key if procedure.level else None,
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


def _upsert_procedure(session: Session, entry: ProcedureEntry, user: User | None) -> Procedure:
    procedure = session.execute(
        sa.select(Procedure).where(Procedure.code == entry.code)
    ).scalar_one_or_none()
    before = _procedure_state(procedure) if procedure is not None else None
    level, field = _level(session, entry.level), _field(session, entry.field)
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


def _upsert_case(session: Session, procedure: Procedure, entry: ProcedureEntry) -> ProcedureCase:
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


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level.key,
        "one_stop": unit.one_stop,
        "parent": unit.parent.code if unit.parent else None,
    }


def _match_unit(
    session: Session, entry: UnitEntry, level: Level, parent: Unit | None, taken: set[int]
) -> Unit | None:
    same = sa.and_(
        Unit.name == entry.name,
        Unit.level_id == level.id,
        Unit.one_stop == entry.one_stop,
        Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id,
    )
    by_code = session.execute(sa.select(Unit).where(Unit.code == entry.key, same)).scalar()
    if by_code is not None and by_code.id not in taken:
        return by_code
    for unit in session.execute(sa.select(Unit).where(same).order_by(Unit.id)).scalars():
        if unit.id not in taken:
            return unit
    return None


def _resolve_units(session: Session, doc: FlowDocument, user: User | None) -> dict[str, Unit]:
    """Match each unit of `doc` to an identical directory unit, or create it.

    A unit is reused only when name, level, one-stop flag and parent all agree: an
    import never rewrites the directory, and two provinces' "tt" stay two units.
    """
    resolved: dict[str, Unit] = {}
    for entry in _unit_order(doc)[0]:
        level = _level(session, entry.level)
        parent = resolved[entry.parent] if entry.parent is not None else None
        taken = {unit.id for unit in resolved.values()}
        unit = _match_unit(session, entry, level, parent, taken)
        if unit is None:
            codes = session.execute(sa.select(Unit.code).where(Unit.code.like(f"{entry.key}%")))
            unit = Unit(
                code=_free_key(entry.key, codes.scalars()),
                name=entry.name,
                level=level,
                one_stop=entry.one_stop,
                parent=parent,
            )
            session.add(unit)
            session.flush()
            record_event(session, user, "create", "unit", unit.id, after=_unit_state(unit))
        resolved[entry.key] = unit
    return resolved


def _officer_state(officer: Officer) -> dict[str, Any]:
    return {
        "full_name": officer.full_name,
        "title": officer.title,
        "phone": officer.phone,
        "email": officer.email,
        "unit": officer.unit.code,
    }


def _resolve_officers(
    session: Session, doc: FlowDocument, units: dict[str, Unit], user: User | None
) -> dict[str, Officer]:
    """Match each officer of `doc` by email (which identifies a person), or create it.

    The document is the newer statement of a person's contacts: a matched officer takes
    its name, title, phone and unit, and the change is journaled.
    """
    resolved: dict[str, Officer] = {}
    for entry in doc.officers:
        email = entry.email or None
        unit = units[entry.unit]
        officer = None
        if email is not None:
            officer = session.execute(
                sa.select(Officer).where(Officer.email == email)
            ).scalar_one_or_none()
        else:
            officer = session.execute(
                sa.select(Officer).where(
                    Officer.email.is_(None),
                    Officer.full_name == entry.name,
                    Officer.unit_id == unit.id,
                )
            ).scalar()
        if officer is not None and officer in resolved.values():
            officer = None if email is None else officer
        before = _officer_state(officer) if officer is not None else None
        if officer is None:
            officer = Officer(email=email)
            session.add(officer)
        officer.full_name, officer.title, officer.phone = entry.name, entry.title, entry.phone
        officer.unit = unit
        session.flush()
        after = _officer_state(officer)
        if before != after:
            action = "create" if before is None else "update"
            record_event(session, user, action, "officer", officer.id, before=before, after=after)
        resolved[entry.key] = officer
    return resolved


def _next_number(session: Session, case: ProcedureCase) -> int:
    highest = session.execute(
        sa.select(sa.func.max(FlowVersion.number)).where(FlowVersion.case_id == case.id)
    ).scalar()
    return (highest or 0) + 1


def _add_content(
    session: Session,
    version: FlowVersion,
    doc: FlowDocument,
    units: dict[str, Unit],
    officers: dict[str, Officer],
) -> None:
    components = {c.key: c for c in version.case.procedure.dossier_components}
    for position, entry in enumerate(doc.units):
        version.units.append(VersionUnit(unit=units[entry.key], key=entry.key, position=position))
    for position, entry in enumerate(doc.officers):
        version.officers.append(
            VersionOfficer(officer=officers[entry.key], key=entry.key, position=position)
        )
    steps: dict[str, Step] = {}
    for position, entry in enumerate(doc.steps):
        point = doc.layout.get(entry.key)
        step = Step(
            key=entry.key,
            name=entry.name,
            kind=entry.kind,
            unit=units[entry.unit] if entry.unit is not None else None,
            duration_value=entry.duration.value,
            duration_unit=entry.duration.unit,
            split=entry.split,
            join=entry.join,
            description=entry.description,
            x=point.x if point else None,
            y=point.y if point else None,
            position=position,
        )
        step.officer_links = [
            StepOfficer(officer=officers[key], position=i) for i, key in enumerate(entry.officers)
        ]
        step.document_links = [
            StepDocument(component=components[key], position=i)
            for i, key in enumerate(entry.documents)
        ]
        version.steps.append(step)
        steps[entry.key] = step
    session.flush()
    for position, entry in enumerate(doc.transitions):
        version.transitions.append(
            Transition(
                version_id=version.id,
                from_step_id=steps[entry.source].id,
                to_step_id=steps[entry.target].id,
                label=entry.label,
                position=position,
            )
        )
    session.flush()


def create_draft_from_document(
    session: Session, doc: FlowDocument, user: User | None
) -> FlowVersion:
    """Store `doc` as a new draft version of its procedure's case, and commit.

    The procedure is created or updated from the document (``procedure.case``, or the
    default case when the document has none); units, officers and dossier components are
    matched by key, code or email, or created. A document whose keys name nothing raises
    `DocumentError` listing every such path, and nothing is written.
    """
    errors = reference_errors(doc)
    if errors:
        raise DocumentError(errors)
    try:
        procedure = _upsert_procedure(session, doc.procedure, user)
        case = _upsert_case(session, procedure, doc.procedure)
        units = _resolve_units(session, doc, user)
        officers = _resolve_officers(session, doc, units, user)
        version = FlowVersion(
            case=case,
            number=_next_number(session, case),
            status=VersionStatus.DRAFT,
            created_by=user,
            source=dict(doc.source) if doc.source is not None else None,
        )
        session.add(version)
        session.flush()
        _add_content(session, version, doc, units, officers)
        record_event(
            session,
            user,
            "import",
            "flow_version",
            version.id,
            after={
                "procedure": procedure.code,
                "case": case.key,
                "number": version.number,
                "sha256": document_hash(doc),
            },
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return version
