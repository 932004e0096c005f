"""The sign-off is what the approver reviewed: four eyes over every editor of a version,
and approval freezes the document as submitted, refused when anything changed since.

On SQLite and PostgreSQL, through the lifecycle services with real validators: each test
first plays the scenario of issue 12 that let an approval through, then checks that
the refusal changed nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
import sqlalchemy as sa
import support.signoff as signoff
from conftest import FLOWS_DIR
from sqlalchemy.orm import Session
from support.signoff import draft_of

from validators import validate
from workflow_model import editing
from workflow_model.conversion import document_from_version
from workflow_model.conversion.step_content import step_values
from workflow_model.document import Duration, FlowDocument, dump_document, load_document
from workflow_model.flow_editing import update_step
from workflow_model.lifecycle import (
    LifecycleRefused,
    approve,
    reject,
    submission_drift,
    submit,
    submitted_document,
)
from workflow_model.models import (
    AuditEvent,
    Delivery,
    FlowVersion,
    Officer,
    Step,
    TimeUnit,
    User,
    VersionOfficer,
    VersionStatus,
)

# 1.009642.H05 of Bắc Ninh: 13 steps within a legal time of 17 working days.
BACNINH = FLOWS_DIR / "bacninh-1_009642_H05-1.json"


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    return signoff.people(session)


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


def approve_reviewed(session: Session, version: FlowVersion, user: User, **kwargs: object) -> None:
    """Approve as the review page does: with the hash of the document it showed."""
    kwargs.setdefault("reviewed_sha256", version.submitted_sha256)
    kwargs.setdefault("validate", validate)
    approve(session, version, user, **kwargs)  # type: ignore[arg-type]


def refused(code: str, action: object, *args: object, **kwargs: object) -> LifecycleRefused:
    with pytest.raises(LifecycleRefused) as caught:
        action(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.code == code, str(caught.value)
    return caught.value


def unchanged_submission(session: Session, version: FlowVersion, events: int) -> None:
    """A refused approval left the version waiting, unfrozen, with nothing journaled."""
    session.rollback()
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED
    assert version.snapshot is None and version.approved_at is None
    assert version.submitted_snapshot is not None
    assert journal_size(session) == events
    assert session.execute(sa.select(sa.func.count()).select_from(Delivery)).scalar_one() == 0


def first_officer(session: Session, version: FlowVersion) -> Officer:
    return (
        session.execute(
            sa.select(Officer)
            .join(VersionOfficer, VersionOfficer.officer_id == Officer.id)
            .where(VersionOfficer.version_id == version.id)
            .order_by(VersionOfficer.position)
        )
        .scalars()
        .first()
    )


def test_an_approver_who_edited_a_step_of_the_draft_cannot_approve_it(
    session: Session, people: dict[str, User]
) -> None:
    # Someone else's draft; a user with both roles edits one of its steps.
    version = draft_of(session, BACNINH, people["author"])
    edit_step(session, people["both"], version, "s2", description="Bổ sung kiểm tra chữ ký số.")
    submit(session, version, people["author"], validate=validate)
    events = journal_size(session)
    refused("four-eyes-editor", approve_reviewed, session, version, people["both"])
    unchanged_submission(session, version, events)
    # Someone who did not touch it may.
    approve_reviewed(session, version, people["approver"])
    assert version.status is VersionStatus.APPROVED


def test_an_edit_of_another_version_does_not_count(
    session: Session, people: dict[str, User]
) -> None:
    """Only this version's journal counts: editing another draft is no bar."""
    other = draft_of(session, FLOWS_DIR / "caobang-1_004944-1.json", people["author"])
    edit_step(session, people["both"], other, "s2", description="Sửa bản khác.")
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    approve_reviewed(session, version, people["both"])
    assert version.status is VersionStatus.APPROVED


# --- the document is frozen at submission ----------------------------------------------


def test_submit_freezes_the_document_and_approval_freezes_exactly_it(
    session: Session, people: dict[str, User]
) -> None:
    version = draft_of(session, BACNINH, people["author"])
    live = document_from_version(session, version)
    submit(session, version, people["author"], validate=validate)
    frozen = dump_document(live)
    assert version.submitted_snapshot == frozen.decode("utf-8")
    assert version.submitted_sha256 == hashlib.sha256(frozen).hexdigest()
    assert submitted_document(version) == load_document(frozen)
    assert submission_drift(session, version) == ()
    submit_event = session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "submit")
    ).scalar_one()
    assert submit_event.after["sha256"] == version.submitted_sha256
    approve_reviewed(session, version, people["approver"])
    assert version.snapshot == frozen.decode("utf-8")
    assert version.snapshot_sha256 == hashlib.sha256(frozen).hexdigest()
    assert version.submitted_snapshot is None and version.submitted_sha256 is None
    assert submitted_document(version) is None


def test_a_catalogue_and_directory_change_after_submission_refuses_the_approval(
    session: Session, people: dict[str, User]
) -> None:
    """Issue 12: reviewed at lock 2 and 17 days; 1 day and a new name must not be frozen."""
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    # The approver opens the review: lock 2, legal time 17 working days.
    assert version.lock_counter == 2
    reviewed = submitted_document(version)
    assert reviewed is not None
    assert reviewed.procedure.legal_time == Duration(17, TimeUnit.WORKING_DAY)
    reviewed_sha256 = version.submitted_sha256
    # An administrator then sets the case's legal time to 1 day (whatever path allows it)
    # and renames an officer of the flow through the directory service.
    version.case.legal_time_value = 1
    session.commit()
    officer = first_officer(session, version)
    old_name = officer.full_name
    before = editing.entity_state(officer)
    officer.full_name = "Nguyễn Văn Đổi Tên"
    editing.save(session, people["author"], officer, before)
    session.refresh(version)
    assert version.lock_counter == 2  # the version's rows did not change
    # The live document would not even validate: 1 day is less than the flow takes.
    live_codes = [f.code for f in validate(document_from_version(session, version)).findings]
    assert "time-budget-exceeded" in live_codes

    events = journal_size(session)
    error = refused(
        "changed-since-submission",
        approve,
        session,
        version,
        people["approver"],
        reviewed_sha256=reviewed_sha256,
        validate=validate,
    )
    named = {(c.subject, c.field): (c.old, c.new) for c in error.params["changes"]}
    assert named[("", "legal_time")] == (
        Duration(17, TimeUnit.WORKING_DAY),
        Duration(1, TimeUnit.WORKING_DAY),
    )
    assert named[(old_name, "name")] == (old_name, "Nguyễn Văn Đổi Tên")
    assert "changed since submission: legal_time" in str(error)
    assert f"{old_name}: name" in str(error)
    unchanged_submission(session, version, events)
    # The review page's drift says the same.
    assert submission_drift(session, version) == error.params["changes"]
    # Putting the catalogue and directory back makes the reviewed document approvable.
    version.case.legal_time_value = 17
    officer.full_name = old_name
    session.commit()
    approve_reviewed(session, version, people["approver"], reviewed_sha256=reviewed_sha256)
    assert version.snapshot_sha256 == reviewed_sha256
    assert validate(load_document(version.snapshot)).ok


def test_the_hash_reviewed_must_be_the_hash_submitted(
    session: Session, people: dict[str, User]
) -> None:
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    events = journal_size(session)
    for wrong in ("", "0" * 64):
        error = refused(
            "changed-since-submission",
            approve_reviewed,
            session,
            version,
            people["approver"],
            reviewed_sha256=wrong,
        )
        assert error.params["changes"] == () and error.params["reviewed"] is False
        unchanged_submission(session, version, events)


def test_approval_validates_the_frozen_document_again(
    session: Session, people: dict[str, User]
) -> None:
    """A rule tightened between submission and approval stops the approval."""
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    seen: list[FlowDocument] = []

    def stricter(document: FlowDocument) -> object:
        # The same rules, with the legal time read as 1 day: time-budget-exceeded.
        seen.append(document)
        tight = dataclasses.replace(
            document.procedure, legal_time=Duration(1, TimeUnit.WORKING_DAY)
        )
        return validate(dataclasses.replace(document, procedure=tight))

    events = journal_size(session)
    error = refused(
        "submission-has-errors",
        approve_reviewed,
        session,
        version,
        people["approver"],
        validate=stricter,
    )
    assert [e["code"] for e in error.params["errors"]] == ["time-budget-exceeded"]
    (checked,) = seen
    assert dump_document(checked).decode("utf-8") == version.submitted_snapshot
    unchanged_submission(session, version, events)


def test_a_rejection_drops_the_submitted_document_and_a_new_submission_freezes_anew(
    session: Session, people: dict[str, User]
) -> None:
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    first = version.submitted_sha256
    reject(session, version, people["approver"], "Mô tả bước 2 chưa rõ.")
    assert version.submitted_snapshot is None and version.submitted_sha256 is None
    edit_step(session, people["author"], version, "s2", description="Kiểm tra chữ ký số.")
    submit(session, version, people["author"], validate=validate)
    assert version.submitted_sha256 not in (None, first)
    assert submitted_document(version) == document_from_version(session, version)
    refused(
        "changed-since-submission",
        approve_reviewed,
        session,
        version,
        people["approver"],
        reviewed_sha256=first,
    )
    approve_reviewed(session, version, people["approver"])
    assert version.status is VersionStatus.APPROVED


def test_a_version_submitted_without_a_frozen_document_must_be_submitted_again(
    session: Session, people: dict[str, User]
) -> None:
    """Versions submitted before the migration that added the frozen document."""
    version = draft_of(session, BACNINH, people["author"])
    submit(session, version, people["author"], validate=validate)
    session.execute(
        sa.update(FlowVersion)
        .where(FlowVersion.id == version.id)
        .values(submitted_snapshot=None, submitted_sha256=None)
    )
    session.commit()
    session.refresh(version)
    events = journal_size(session)
    refused("submission-not-frozen", approve_reviewed, session, version, people["approver"])
    session.rollback()
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED and version.snapshot is None
    assert journal_size(session) == events
