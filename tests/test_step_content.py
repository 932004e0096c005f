"""Every field of a step goes through every path that carries step content.

The fields come from `dataclasses.fields(StepEntry)`, the one definition of a step. For
each one, a change of only that field must show in the diff, be journaled before and
after, be undone and redone exactly, and survive the copy into a new draft. A field
added to `StepEntry` later fails here until each path carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, cast

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR
from sqlalchemy.orm import Session
from support.signoff import approved_flow, author_and_approver

from workflow_model import flow_editing as fe
from workflow_model.conversion import (
    document_from_version,
    keyed_document,
    write_content,
)
from workflow_model.conversion.step_content import STEP_FIELDS, StepValues, step_values
from workflow_model.diff import diff_versions
from workflow_model.document import StepEntry, dump_document
from workflow_model.lifecycle import new_draft
from workflow_model.models import (
    AuditEvent,
    DossierComponent,
    FlowVersion,
    Officer,
    Step,
    Unit,
    User,
    VersionStatus,
)

VINHLONG = FLOWS_DIR / "vinhlong-3_000527_H61-1.json"
STEP = "s3"  # Thẩm định by the commune police: one officer, no documents, 1 working day.


def _other_unit(session: Session, values: StepValues) -> int:
    return session.execute(sa.select(Unit.id).where(Unit.id != values["unit"])).scalars().first()


def _other_officers(session: Session, values: StepValues) -> list[int]:
    ids = session.execute(sa.select(Officer.id).order_by(Officer.id)).scalars().all()
    return [i for i in ids if i not in values["officers"]][:2]


def _documents(session: Session, version: FlowVersion) -> list[int]:
    rows = session.execute(
        sa.select(DossierComponent.id)
        .where(DossierComponent.procedure_id == version.case.procedure_id)
        .order_by(DossierComponent.position.desc())
    )
    return list(rows.scalars())[:2]


# How to change each field of `STEP` to another valid value, keyed by StepEntry's fields.
CHANGES: dict[str, Callable[[Session, FlowVersion, StepValues], Any]] = {
    "name": lambda s, v, values: values["name"] + " (sửa đổi)",
    "kind": lambda s, v, values: "end",
    "unit": lambda s, v, values: _other_unit(s, values),
    "duration": lambda s, v, values: {"value": 2.5, "unit": "working_hour"},
    "officers": lambda s, v, values: _other_officers(s, values),
    "documents": lambda s, v, values: _documents(s, v),
    "split": lambda s, v, values: "parallel",
    "join": lambda s, v, values: "all",
    "description": lambda s, v, values: "Kiểm tra hồ sơ, xác minh nơi cư trú.",
}


def test_the_changes_cover_every_field_of_a_step() -> None:
    assert set(CHANGES) == {f.name for f in fields(StepEntry)} - {"key"} == set(STEP_FIELDS)


@pytest.fixture
def draft(session: Session) -> tuple[FlowVersion, User]:
    author, approver = author_and_approver(session)
    first = approved_flow(session, VINHLONG, author, approver)
    return new_draft(session, first.case, author), author


def _dump(session: Session, version: FlowVersion) -> bytes:
    session.expire_all()
    return dump_document(document_from_version(session, version))


@pytest.mark.parametrize("field", STEP_FIELDS)
def test_a_change_of_one_field_travels_every_path(
    session: Session, draft: tuple[FlowVersion, User], field: str
) -> None:
    version, author = draft
    step = fe.step_row(session, version.id, STEP)
    assert step is not None
    values = step_values(step)
    before: dict[str, Any] = dict(values)
    after = {**before, field: CHANGES[field](session, version, values)}
    assert after[field] != before[field]
    changed = cast(StepValues, after)
    original_doc = document_from_version(session, version)
    original = dump_document(original_doc)
    mark = session.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one()

    result = fe.update_step(session, author, version.id, version.lock_counter, STEP, changed)
    changed_dump = _dump(session, version)
    assert changed_dump != original

    # Diff: exactly this field of this step.
    (step_change,) = diff_versions(
        original_doc, document_from_version(session, version)
    ).steps_changed
    assert step_change.key == STEP
    assert [c.field for c in step_change.changes] == [field]

    # Journal: one update whose before and after differ in this field only.
    (event,) = session.execute(
        sa.select(AuditEvent).where(AuditEvent.id > mark, AuditEvent.entity_type == "step")
    ).scalars()
    assert event.action == "update" and event.entity_id == f"{version.id}:{STEP}"
    assert {k for k in event.after if event.before.get(k) != event.after[k]} == {field}

    # Copy: the content a new draft copies through the document keeps the field.
    copy = FlowVersion(
        case=version.case,
        number=99,
        status=VersionStatus.DRAFT,
        created_by=author,
        source=version.source,  # as new_draft keeps the provenance
    )
    session.add(copy)
    session.flush()
    source = keyed_document(session, version)
    write_content(session, copy, source.document, source.unit_ids, source.officer_ids)
    session.commit()
    assert _dump(session, copy) == changed_dump
    session.delete(copy)
    session.commit()

    # Undo and redo: exactly back, exactly again.
    lock = fe.restore(session, author, version.id, result.lock, result.undo).lock
    assert _dump(session, version) == original
    fe.restore(session, author, version.id, lock, result.redo)
    assert _dump(session, version) == changed_dump


def test_a_new_draft_copies_every_field(session: Session, draft: tuple[FlowVersion, User]) -> None:
    version, _ = draft
    approved = session.execute(
        sa.select(FlowVersion).where(
            FlowVersion.case_id == version.case_id, FlowVersion.status == VersionStatus.APPROVED
        )
    ).scalar_one()
    assert _dump(session, version) == _dump(session, approved)
    steps = {
        s.key: step_values(s)
        for s in session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars()
    }
    assert all(set(v) == set(STEP_FIELDS) for v in steps.values())
