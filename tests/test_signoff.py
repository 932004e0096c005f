"""The sign-off is what the approver reviewed: four eyes over every editor of a version.

On SQLite and PostgreSQL, through the lifecycle services with real validators: each test
first plays the scenario of issue 12 that let an approval through, then checks that
the refusal changed nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR
from sqlalchemy.orm import Session

from validators import validate
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document
from workflow_model.conversion.step_content import step_values
from workflow_model.document import load_document
from workflow_model.flow_editing import update_step
from workflow_model.lifecycle import LifecycleRefused, approve, submit
from workflow_model.models import AuditEvent, FlowVersion, Role, Step, User, VersionStatus

# 1.009642.H05 of Bắc Ninh: 13 steps within a legal time of 17 working days.
BACNINH = FLOWS_DIR / "bacninh-1_009642_H05-1.json"


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    users = {
        "author": create_user(session, "tac.gia", "mật khẩu dài 1", [Role.ADMIN]),
        "approver": create_user(session, "phe.duyet", "mật khẩu dài 2", [Role.APPROVER]),
        "both": create_user(session, "ca.hai", "mật khẩu dài 3", [Role.ADMIN, Role.APPROVER]),
    }
    session.commit()
    return users


def draft_of(session: Session, path: Path, user: User) -> FlowVersion:
    return create_draft_from_document(session, load_document(path.read_bytes()), user)


def edit_step(session: Session, user: User, version: FlowVersion, key: str, **changes: str) -> None:
    """What the step form and the editor do: one journaled gesture at the current lock."""
    step = session.execute(
        sa.select(Step).where(Step.version_id == version.id, Step.key == key)
    ).scalar_one()
    values = step_values(step)
    values.update(changes)  # type: ignore[typeddict-item]
    session.refresh(version)
    update_step(session, user, version.id, version.lock_counter, key, values)


def journal_size(session: Session) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()


def test_an_approver_who_edited_a_step_of_the_draft_cannot_approve_it(
    session: Session, people: dict[str, User]
) -> None:
    # Someone else's draft; a user with both roles edits one of its steps.
    version = draft_of(session, BACNINH, people["author"])
    edit_step(session, people["both"], version, "s2", description="Bổ sung kiểm tra chữ ký số.")
    submit(session, version, people["author"], validate=validate)
    events = journal_size(session)
    with pytest.raises(LifecycleRefused) as caught:
        approve(session, version, people["both"])
    assert caught.value.code == "four-eyes-editor", str(caught.value)
    session.rollback()
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED and version.snapshot is None
    assert journal_size(session) == events
    # Someone who did not touch it may.
    approve(session, version, people["approver"])
    assert version.status is VersionStatus.APPROVED


def test_an_edit_of_another_version_does_not_count(
    session: Session, people: dict[str, User]
) -> None:
    """Only this version's journal counts: editing another draft is no bar."""
    other = draft_of(session, FLOWS_DIR / "caobang-1_004944-1.json", people["author"])
    edit_step(session, people["both"], other, "s2", description="Sửa bản khác.")
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    approve(session, version, people["both"])
    assert version.status is VersionStatus.APPROVED
