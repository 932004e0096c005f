"""The catalogue's drift mark says what the versions page says, on SQLite and PostgreSQL.

A unit set on a step in the editor (or a step form) is in the version's document without
being one of its imported members; when it changes after approval, the versions page
warns, and the procedure list must flag the procedure too.
"""

from __future__ import annotations

import sqlalchemy as sa
from conftest import FLOWS_DIR
from sqlalchemy.orm import Session
from support.signoff import author_and_approver, draft_of, submit_and_approve

from workflow_model import editing
from workflow_model.conversion import document_from_version
from workflow_model.conversion.step_content import step_values
from workflow_model.diff import directory_drift
from workflow_model.flow_editing import update_step
from workflow_model.lifecycle import version_document
from workflow_model.models import FlowVersion, Step, StepKind, Unit, VersionUnit
from workflow_model.overview import procedures_with_drift

FLOW = FLOWS_DIR / "caobang-1_004944-1.json"


def _page_drift(session: Session, version: FlowVersion) -> list[str]:
    session.expire_all()
    changes = directory_drift(
        version_document(session, version), document_from_version(session, version)
    )
    return [f"{change}: {change.old} -> {change.new}" for change in changes]


def _members(session: Session, version: FlowVersion) -> set[int]:
    return set(
        session.execute(
            sa.select(VersionUnit.unit_id).where(VersionUnit.version_id == version.id)
        ).scalars()
    )


def _unit_outside(session: Session, version: FlowVersion) -> Unit:
    members = _members(session, version)
    assert members
    unit = session.execute(sa.select(Unit).where(Unit.id.not_in(members)).limit(1)).scalar()
    if unit is None:
        member = session.get(Unit, next(iter(members)))
        assert member is not None
        unit = Unit(code="phong-moi", name="Phòng Mới", level=member.level)
        editing.save(session, None, unit, None)
    return unit


def test_a_unit_set_on_a_step_only_drifts_in_the_list_as_on_the_page(session: Session) -> None:
    author, approver = author_and_approver(session)
    version = draft_of(session, FLOW, author)
    procedure_id = version.case.procedure_id
    unit = _unit_outside(session, version)
    task = session.execute(
        sa.select(Step).where(Step.version_id == version.id, Step.kind == StepKind.TASK).limit(1)
    ).scalar_one()
    values = step_values(task)
    values["unit"] = unit.id
    values["officers"] = []
    update_step(session, author, version.id, version.lock_counter, task.key, values)
    session.refresh(version)
    submit_and_approve(session, version, author, approver)
    assert unit.id not in _members(session, version), "the step's unit is no member row"
    assert procedures_with_drift(session, [procedure_id]) == set()
    assert _page_drift(session, version) == []

    original = unit.name
    before = editing.entity_state(unit)
    unit.name = f"{original} (đổi tên)"
    editing.save(session, author, unit, before)

    assert _page_drift(session, version)
    assert procedures_with_drift(session, [procedure_id]) == {procedure_id}

    # Changed back: the page no longer warns, and neither does the list.
    before = editing.entity_state(unit)
    unit.name = original
    editing.save(session, author, unit, before)
    assert _page_drift(session, version) == []
    assert procedures_with_drift(session, [procedure_id]) == set()
