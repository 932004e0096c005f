"""Storing a flow document as a new draft version."""

from __future__ import annotations

from collections.abc import Mapping

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
    ProcedureCase,
    Step,
    Transition,
    User,
    VersionOfficer,
    VersionStatus,
    VersionUnit,
)
from ..version_rules import refuse_open_version
from .catalogue_sync import adopt_lead_unit, existing_case, upsert_case, upsert_procedure
from .directory_sync import resolve_officers, resolve_units
from .references import reference_errors
from .step_content import (
    TransitionValues,
    apply_step_values,
    apply_transition_values,
    values_from_entry,
)


def _next_number(session: Session, case: ProcedureCase) -> int:
    highest = session.execute(
        sa.select(sa.func.max(FlowVersion.number)).where(FlowVersion.case_id == case.id)
    ).scalar()
    return (highest or 0) + 1


_TRANSITION_COLUMNS = [column for column in Transition.__table__.columns if not column.primary_key]


def write_content(
    session: Session,
    version: FlowVersion,
    doc: FlowDocument,
    unit_ids: Mapping[str, int],
    officer_ids: Mapping[str, int],
) -> None:
    """Store the units, officers, steps and transitions of `doc` as the content of `version`.

    `unit_ids` and `officer_ids` name the directory rows the document's keys stand for.
    Used by import (rows found or created from the document) and by `new_draft` (the
    rows of the version it copies), so both store content the same way. `version` must
    have its id (be flushed). Proportional to the document's size: the rows of each kind
    are added together and flushed once (steps, then transitions, which need their ids).
    """
    components = {c.key: c.id for c in version.case.procedure.dossier_components}
    session.add_all(
        VersionUnit(version_id=version.id, unit_id=unit_ids[unit.key], key=unit.key, position=i)
        for i, unit in enumerate(doc.units)
    )
    session.add_all(
        VersionOfficer(
            version_id=version.id, officer_id=officer_ids[officer.key], key=officer.key, position=i
        )
        for i, officer in enumerate(doc.officers)
    )
    steps: dict[str, Step] = {}
    with session.no_autoflush:
        for position, entry in enumerate(doc.steps):
            point = doc.layout.get(entry.key)
            step = Step(
                version_id=version.id,
                key=entry.key,
                x=point.x if point else None,
                y=point.y if point else None,
                position=position,
            )
            apply_step_values(
                session, step, values_from_entry(entry, unit_ids, officer_ids, components)
            )
            steps[entry.key] = step
    session.add_all(steps.values())
    session.flush()
    rows = []
    for position, link in enumerate(doc.transitions):
        transition = Transition(
            version_id=version.id,
            from_step_id=steps[link.source].id,
            to_step_id=steps[link.target].id,
            position=position,
        )
        apply_transition_values(transition, TransitionValues(label=link.label))
        rows.append({c.key: getattr(transition, c.key) for c in _TRANSITION_COLUMNS})
    if rows:
        # One executemany: no transition's id is needed here. It skips the flush
        # listeners, which have nothing to do for it: the version is a new draft, so
        # it has no cached check and is not frozen.
        session.execute(sa.insert(Transition), rows)
    # The rows went in by their foreign keys: the version's collections are read afresh.
    session.expire(version, ["units", "officers", "steps", "transitions"])


def create_draft_from_document(
    session: Session, doc: FlowDocument, user: User | None
) -> FlowVersion:
    """Store `doc` as a new draft version of its procedure's case, and commit.

    The procedure is created or updated from the document (``procedure.case``, or the
    default case when the document has none) through the catalogue service; units,
    officers and dossier components are matched by key, code or email, or created. A
    document whose keys name nothing raises `DocumentError` listing every such path, and
    nothing is written.

    Import obeys the lifecycle: while the case has an open version (draft, submitted or
    rejected) it is refused with ``open-version`` (`version_rules.open_version`, the rule
    of `lifecycle.new_draft`), and a change to the catalogue rows that a version under
    review reads with ``under-review``. A refusal is a `ChangeRefused`; nothing is written.
    """
    errors = reference_errors(doc)
    if errors:
        raise DocumentError(errors)
    try:
        case = existing_case(session, doc.procedure)
        if case is not None:
            refuse_open_version(session, case)
        procedure = upsert_procedure(session, doc.procedure, user)
        case = upsert_case(session, procedure, doc.procedure, user)
        units = resolve_units(session, doc, user)
        adopt_lead_unit(session, procedure, doc, units, user)
        officers = resolve_officers(session, doc, units, user)
        version = FlowVersion(
            case=case,
            number=_next_number(session, case),
            status=VersionStatus.DRAFT,
            created_by=user,
            source=dict(doc.source) if doc.source is not None else None,
        )
        session.add(version)
        session.flush()  # ids for the version and the rows found or created
        write_content(
            session,
            version,
            doc,
            {key: unit.id for key, unit in units.items()},
            {key: officer.id for key, officer in officers.items()},
        )
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
