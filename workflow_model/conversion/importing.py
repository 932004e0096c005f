"""Storing a flow document as a new draft version."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..audit import record_event
from ..document import (
    DocumentError,
    FlowDocument,
    document_hash,
)
from ..models import (
    FlowVersion,
    Officer,
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
from .catalogue_sync import upsert_case, upsert_procedure
from .directory_sync import resolve_officers, resolve_units
from .references import reference_errors


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
        procedure = upsert_procedure(session, doc.procedure, user)
        case = upsert_case(session, procedure, doc.procedure)
        units = resolve_units(session, doc, user)
        officers = resolve_officers(session, doc, units, user)
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
