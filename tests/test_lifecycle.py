"""The version lifecycle: transitions, four eyes, frozen snapshots, drafts, locks, diff."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import support.signoff as signoff
from conftest import FLOWS_DIR, Database
from sqlalchemy.orm import Session
from support.cli import run_sodo
from support.signoff import draft_of

from validators import validate
from workflow_model import editing
from workflow_model.accounts import create_user
from workflow_model.conversion import document_from_version
from workflow_model.conversion.step_content import step_values
from workflow_model.db import make_session_factory
from workflow_model.diff import diff_versions
from workflow_model.document import Duration, document_hash, load_document
from workflow_model.flow_editing import update_step
from workflow_model.lifecycle import (
    activate_due_versions,
    approve,
    new_draft,
    reject,
    retire,
    submit,
    verify_snapshots,
    version_document,
    version_in_force,
)
from workflow_model.models import (
    AuditEvent,
    FlowVersion,
    Officer,
    Role,
    Step,
    TimeUnit,
    User,
    VersionStatus,
    utcnow,
)
from workflow_model.refusals import ChangeRefused

CAOBANG = FLOWS_DIR / "caobang-1_004944-1.json"
SONLA = FLOWS_DIR / "sonla-2_002760-1.json"


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    return signoff.people(session)


def approved(session: Session, people: dict[str, object]) -> FlowVersion:
    version = draft_of(session, CAOBANG, people["author"])
    submit(session, version, people["author"], validate=validate)
    approve(
        session,
        version,
        people["approver"],
        "Đồng ý ban hành.",
        reviewed_sha256=version.submitted_sha256,
        validate=validate,
    )
    return version


def refused(code: str, action, *args, **kwargs) -> ChangeRefused:
    with pytest.raises(ChangeRefused) as caught:
        action(*args, **kwargs)
    assert caught.value.code == code, str(caught.value)
    return caught.value


def test_the_whole_way_and_a_journal_entry_for_each_action(session: Session, people) -> None:
    version = approved(session, people)
    assert version.status is VersionStatus.APPROVED
    doc = load_document(CAOBANG.read_bytes())
    # The frozen hash is the canonical document's, whatever the database.
    assert version.snapshot_sha256 == document_hash(doc)
    assert version.approval_comment == "Đồng ý ban hành."
    assert version.validation["ok"] is True
    retire(session, version, people["approver"])
    actions = session.execute(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "flow_version", AuditEvent.entity_id == str(version.id))
        .order_by(AuditEvent.id)
    ).scalars()
    assert list(actions) == ["import", "submit", "approve", "retire"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("draft", "reject"),
        ("draft", "retire"),
        ("submitted", "submit"),
        ("submitted", "retire"),
        ("approved", "submit"),
        ("approved", "approve"),
        ("approved", "reject"),
        ("rejected", "approve"),
        ("rejected", "submit"),
        ("retired", "retire"),
        ("retired", "approve"),
    ],
)
def test_illegal_transitions_are_refused_naming_both_statuses(
    session: Session, people, status: str, action: str
) -> None:
    version = draft_of(session, CAOBANG, people["author"])
    if status != "draft":
        submit(session, version, people["author"], validate=validate)
    if status == "rejected":
        reject(session, version, people["approver"], "Thiếu căn cứ pháp lý.")
    if status in ("approved", "retired"):
        approve(
            session,
            version,
            people["approver"],
            reviewed_sha256=version.submitted_sha256,
            validate=validate,
        )
    if status == "retired":
        retire(session, version, people["approver"])
    calls = {
        "submit": lambda: submit(session, version, people["author"], validate=validate),
        "approve": lambda: approve(
            session,
            version,
            people["approver"],
            reviewed_sha256=version.submitted_sha256,
            validate=validate,
        ),
        "reject": lambda: reject(session, version, people["approver"], "Lý do"),
        "retire": lambda: retire(session, version, people["approver"]),
    }
    error = refused("illegal-transition", calls[action])
    assert error.params["current"] == status
    session.refresh(version)
    assert version.status.value == status


def test_four_eyes_even_with_both_roles(session: Session, people) -> None:
    version = draft_of(session, CAOBANG, people["both"])
    submit(session, version, people["both"], validate=validate)
    reviewed = {"reviewed_sha256": version.submitted_sha256, "validate": validate}
    refused("four-eyes", approve, session, version, people["both"], **reviewed)
    refused("not-approver", approve, session, version, people["author"], **reviewed)
    session.refresh(version)
    assert version.status is VersionStatus.SUBMITTED and version.snapshot is None


def test_submit_with_errors_is_refused_with_the_list(session: Session, people) -> None:
    version = draft_of(session, SONLA, people["author"])
    error = refused("has-errors", submit, session, version, people["author"], validate=validate)
    assert [e["code"] for e in error.params["errors"]] == ["time-budget-exceeded"]
    session.refresh(version)
    assert version.status is VersionStatus.DRAFT and version.submitted_at is None


def test_reject_needs_a_reason_and_the_author_can_edit_and_resubmit(
    session: Session, people
) -> None:
    version = draft_of(session, CAOBANG, people["author"])
    submit(session, version, people["author"], validate=validate)
    refused("reason-required", reject, session, version, people["approver"], "  ")
    reject(session, version, people["approver"], "Thời hạn bước 2 chưa đúng quyết định.")
    step = session.execute(
        sa.select(Step).where(Step.version_id == version.id, Step.key == "s2")
    ).scalar_one()
    values = step_values(step)
    values["name"] = "Thẩm định hồ sơ (sửa theo ý kiến)"
    update_step(session, people["author"], version.id, version.lock_counter, "s2", values)
    session.refresh(version)
    assert version.status is VersionStatus.DRAFT
    assert version.updated_by_id == people["author"].id
    submit(session, version, people["author"], validate=validate)
    assert version.status is VersionStatus.SUBMITTED


def test_an_approved_version_cannot_change_by_any_path(session: Session, people) -> None:
    version = approved(session, people)
    step = session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars().first()
    step.duration_value = 99
    with pytest.raises(editing.ChangeRefused):
        session.commit()
    session.rollback()
    version = session.get(FlowVersion, version.id)
    version.snapshot = "{}"
    with pytest.raises(editing.ChangeRefused):
        session.commit()
    session.rollback()
    assert verify_snapshots(session) == []


def test_snapshot_stays_while_the_directory_drifts(session: Session, people) -> None:
    version = approved(session, people)
    frozen = version_document(session, version)
    officer = session.execute(sa.select(Officer).where(Officer.email == frozen.officers[0].email))
    officer = officer.scalar_one()
    officer.phone = "0912 000 111"
    session.commit()
    assert version_document(session, version) == frozen
    live = document_from_version(session, version)
    assert live.officers[0].phone == "0912 000 111" != frozen.officers[0].phone
    assert verify_snapshots(session) == []


def test_tampering_is_detected_by_the_command_line(database: Database, tmp_path: Path) -> None:
    sessions = make_session_factory(database.engine)
    with sessions() as session:
        author = create_user(session, "tac.gia", "mật khẩu dài 1", [Role.ADMIN])
        boss = create_user(session, "phe.duyet", "mật khẩu dài 2", [Role.APPROVER])
        version = draft_of(session, CAOBANG, author)
        submit(session, version, author, validate=validate)
        approve(session, version, boss, reviewed_sha256=version.submitted_sha256, validate=validate)
        version_id = version.id
    env = {"DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path), "PATH": "/usr/bin"}
    good = run_sodo("versions", "verify", env=env)
    assert good.returncode == 0, good.stderr
    with database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE flow_versions SET snapshot = replace(snapshot, 'Cao', 'Kao') WHERE id = :i"
            ),
            {"i": version_id},
        )
    bad = run_sodo("versions", "verify", env=env)
    assert bad.returncode == 1
    assert f"1.004944 v1 (id {version_id}): SHA-256" in bad.stderr


def test_new_draft_copies_the_version_in_force_once(session: Session, people) -> None:
    version = approved(session, people)
    draft = new_draft(session, version.case, people["author"])
    assert draft.number == 2 and draft.status is VersionStatus.DRAFT
    assert document_from_version(session, draft) == version_document(session, version)
    # A second draft while this one is open is refused, whoever asks, and adds nothing.
    count = session.scalar(sa.select(sa.func.count()).select_from(FlowVersion))
    refused("open-version", new_draft, session, version.case, people["author"])
    submit(session, draft, people["author"], validate=validate)
    refused("open-version", new_draft, session, version.case, people["author"])
    assert session.scalar(sa.select(sa.func.count()).select_from(FlowVersion)) == count


def test_only_an_administrator_opens_a_draft(session: Session, people) -> None:
    version = approved(session, people)
    count = session.scalar(sa.select(sa.func.count()).select_from(FlowVersion))
    refused("not-permitted", new_draft, session, version.case, people["approver"])
    assert session.scalar(sa.select(sa.func.count()).select_from(FlowVersion)) == count


def test_rollback_to_an_old_version_and_no_restore_of_a_retired_one(
    session: Session, people
) -> None:
    first = approved(session, people)
    second = new_draft(session, first.case, people["author"])
    submit(session, second, people["author"], validate=validate)
    approve(
        session,
        second,
        people["approver"],
        reviewed_sha256=second.submitted_sha256,
        validate=validate,
    )
    session.refresh(first)
    assert first.status is VersionStatus.SUPERSEDED
    restored = new_draft(session, first.case, people["author"], from_version=first)
    assert restored.number == 3
    assert document_from_version(session, restored) == version_document(session, first)
    session.delete(restored)
    session.commit()
    retire(session, second, people["approver"])
    refused("retired-source", new_draft, session, second.case, people["author"], second)


def test_effective_date_in_the_future_supersedes_only_when_it_arrives(
    session: Session, people
) -> None:
    first = approved(session, people)
    second = new_draft(session, first.case, people["author"])
    submit(session, second, people["author"], validate=validate)
    later = utcnow() + timedelta(days=30)
    approve(
        session,
        second,
        people["approver"],
        "Áp dụng từ tháng sau.",
        effective_from=later,
        reviewed_sha256=second.submitted_sha256,
        validate=validate,
    )
    session.refresh(first)
    assert first.status is VersionStatus.APPROVED
    assert version_in_force(session, first.case_id).id == first.id
    activate_due_versions(session, later + timedelta(seconds=1))
    session.commit()
    session.refresh(first)
    assert first.status is VersionStatus.SUPERSEDED
    assert version_in_force(session, first.case_id, later + timedelta(seconds=1)).id == second.id


def test_two_concurrent_edits_the_second_is_refused(database: Database, people) -> None:
    sessions = make_session_factory(database.engine)
    with sessions() as setup:
        version = draft_of(setup, CAOBANG, setup.merge(people["author"]))
        version_id, loaded = version.id, version.lock_counter

    def edit(session: Session, name: str) -> None:
        # What a form or the editor does: send the lock it loaded with the change.
        step = session.execute(
            sa.select(Step).where(Step.version_id == version_id, Step.key == "s1")
        ).scalar_one()
        values = step_values(step)
        values["name"] = name
        update_step(session, session.merge(people["author"]), version_id, loaded, "s1", values)

    with sessions() as one, sessions() as two:
        edit(one, "Tiếp nhận (A)")
        error = refused("conflict", edit, two, "Tiếp nhận (B)")
        assert error.params["by"] == "tac.gia" and error.params["at"] is not None
    with sessions() as check:
        name = check.execute(
            sa.select(Step.name).where(Step.version_id == version_id, Step.key == "s1")
        ).scalar_one()
        assert name == "Tiếp nhận (A)"


def test_diff_on_crafted_pairs() -> None:
    a = load_document(CAOBANG.read_bytes())
    steps = list(a.steps)
    steps[1] = dataclasses.replace(
        steps[1], duration=dataclasses.replace(steps[1].duration, value=1.5)
    )
    removed = steps.pop(3)
    transitions = [t for t in a.transitions if removed.key not in (t.source, t.target)]
    transitions[0] = dataclasses.replace(transitions[0], label="Hồ sơ hợp lệ")
    b = dataclasses.replace(
        a,
        steps=tuple(steps),
        transitions=tuple(transitions),
        procedure=dataclasses.replace(
            a.procedure, legal_time=dataclasses.replace(a.procedure.legal_time, value=4)
        ),
    )
    diff = diff_versions(a, b)
    assert diff.steps_removed == (removed.key,) and diff.steps_added == ()
    (change,) = diff.steps_changed
    assert change.key == steps[1].key
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("duration", a.steps[1].duration, Duration(1.5, TimeUnit.WORKING_DAY))
    ]
    assert len(diff.transitions_removed) == 2
    assert diff.transitions_relabelled[0][2:] == (a.transitions[0].label, "Hồ sơ hợp lệ")
    assert diff.legal_time is not None and diff.legal_time.new == Duration(4, TimeUnit.WORKING_DAY)
    assert diff_versions(a, a).empty
