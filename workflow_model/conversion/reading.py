"""Reading a flow version out of the database as a flow document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..document import (
    CaseEntry,
    DossierComponentEntry,
    Duration,
    FlowDocument,
    OfficerEntry,
    Position,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
    canonical_number,
)
from ..models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    Unit,
    VersionOfficer,
    VersionUnit,
)
from .catalogue_lists import fee_entry
from .step_content import entry_from_values, step_values


def _load_versions(session: Session, version_ids: list[int]) -> list[FlowVersion]:
    # A fixed number of queries however many versions: lists stay free of N+1 loads.
    case = selectinload(FlowVersion.case).selectinload(ProcedureCase.procedure)
    statement = (
        sa.select(FlowVersion)
        .where(FlowVersion.id.in_(version_ids))
        .options(
            case.selectinload(Procedure.level),
            case.selectinload(Procedure.field),
            case.selectinload(Procedure.dossier_components),
            selectinload(FlowVersion.units).selectinload(VersionUnit.unit).selectinload(Unit.level),
            selectinload(FlowVersion.officers).selectinload(VersionOfficer.officer),
            selectinload(FlowVersion.steps).selectinload(Step.officer_links),
            selectinload(FlowVersion.steps).selectinload(Step.document_links),
            selectinload(FlowVersion.transitions),
        )
    )
    return list(session.execute(statement).scalars())


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
        fees=tuple(fee_entry(f) for f in procedure.fees),
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
            self.units[unit.id] = free_key(unit.code, self.units.values())
            self.unit_rows[unit.id] = unit
        return self.units[unit.id]

    def officer(self, officer: Officer) -> str:
        if officer.id not in self.officers:
            self.officers[officer.id] = free_key(f"o{officer.id}", self.officers.values())
            self.officer_rows[officer.id] = officer
        return self.officers[officer.id]


def free_key(wanted: str, taken: Iterable[str]) -> str:
    """Return `wanted`, or `wanted-2`, `wanted-3`… whichever is not taken.

    >>> free_key("tt", ["tt", "tt-2"])
    'tt-3'
    """
    used = set(taken)
    key, counter = wanted, 2
    while key in used:
        key, counter = f"{wanted}-{counter}", counter + 1
    return key


def _step_entry(step: Step, keys: _Keys, components: dict[int, str]) -> StepEntry:
    units = {link.id: link for link in (step.unit,) if link is not None}
    officers = {link.officer_id: link.officer for link in step.officer_links}
    return entry_from_values(
        step.key,
        step_values(step),
        unit_key=lambda unit_id: keys.unit(units[unit_id]),
        officer_key=lambda officer_id: keys.officer(officers[officer_id]),
        component_key=components.__getitem__,
    )


def document_from_version(session: Session, version: FlowVersion) -> FlowDocument:
    """Return the flow document of `version`, read from the live rows of the database.

    Units and officers keep the keys under which the version knows them; a unit or
    officer set on a step without such a key gets one (the unit's code, or ``o<id>``).
    """
    return documents_from_versions(session, [version.id])[version.id]


def documents_from_versions(session: Session, version_ids: list[int]) -> dict[int, FlowDocument]:
    """Return the flow documents of several versions, by id, in a fixed number of queries."""
    return {v.id: _document(v, _Keys(v)) for v in _load_versions(session, version_ids)}


@dataclass(frozen=True)
class KeyedDocument:
    """A version's document with the rows its unit and officer keys stand for."""

    document: FlowDocument
    unit_ids: dict[str, int]
    officer_ids: dict[str, int]


def keyed_document(session: Session, version: FlowVersion) -> KeyedDocument:
    """The document of `version` (live rows) and the unit and officer ids of its keys.

    This is how content is copied through the document into a new draft: the copy
    names the same directory rows under the same keys.
    """
    (row,) = _load_versions(session, [version.id])
    keys = _Keys(row)
    document = _document(row, keys)
    return KeyedDocument(
        document,
        {key: unit_id for unit_id, key in keys.units.items()},
        {key: officer_id for officer_id, key in keys.officers.items()},
    )


def _document(version: FlowVersion, keys: _Keys) -> FlowDocument:
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
