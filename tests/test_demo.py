"""The demo catalogue: every real flow, idempotent, refused on foreign data, safe passwords."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from conftest import sample_paths
from sqlalchemy.orm import Session

from admin.demo import DemoRefused, amended, load_demo
from workflow_model.accounts import authenticate, create_user
from workflow_model.conversion import document_from_version
from workflow_model.document import document_hash, dump_document, load_document
from workflow_model.models import (
    AuditEvent,
    FlowVersion,
    Procedure,
    ProcedureCase,
    Role,
    User,
    VersionStatus,
)


def versions_by_flow(session: Session) -> dict[tuple[str, str], list[FlowVersion]]:
    rows = session.execute(
        sa.select(Procedure.code, ProcedureCase.key, FlowVersion)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .order_by(FlowVersion.number)
    ).all()
    found: dict[tuple[str, str], list[FlowVersion]] = {}
    for code, case_key, version in rows:
        found.setdefault((code, case_key), []).append(version)
    return found


SONLA = ("2.002760", "")


def test_demo_loads_every_real_flow_through_the_lifecycle(session: Session) -> None:
    result = load_demo(session)
    flows = versions_by_flow(session)
    assert len(flows) == len(sample_paths())
    assert len(result.loaded) == len(sample_paths()) - 1 and result.invalid == ["2.002760"]
    # And says why: the decision's steps take 40 working days against its 30.
    assert result.reasons == {
        "2.002760": "its longest path takes 40 working days, "
        "against a legal time of 30 working days"
    }
    users = {u.username: u.id for u in session.execute(sa.select(User)).scalars()}
    for path in sample_paths():
        doc = load_document(path.read_bytes())
        key = (doc.procedure.code, doc.procedure.case.key if doc.procedure.case else "")
        first = flows[key][0]
        assert first.number == 1
        assert dump_document(document_from_version(session, first)) == dump_document(doc)
        if key == SONLA:
            # The decision's own steps overrun its legal time: the demo shows the finding.
            assert first.status is VersionStatus.DRAFT and first.snapshot is None
            continue
        assert first.status is VersionStatus.APPROVED
        assert first.created_by_id == first.submitted_by_id == users["admin"]
        assert first.approved_by_id == users["approver"]
        assert first.snapshot is not None
        assert first.snapshot.encode() == dump_document(doc)
        assert first.snapshot_sha256 == document_hash(doc)


def test_some_flows_get_a_second_draft_with_a_small_change(session: Session) -> None:
    result = load_demo(session)
    assert result.drafts
    flows = versions_by_flow(session)
    drafts = [versions for versions in flows.values() if len(versions) == 2]
    assert len(drafts) == len(result.drafts)
    statuses = sorted(draft.status.value for _, draft in drafts)
    assert statuses == ["draft", "draft", "submitted"]
    for approved, draft in drafts:
        assert draft.number == 2 and approved.status is VersionStatus.APPROVED
        before = document_from_version(session, approved)
        after = document_from_version(session, draft)
        assert after == amended(before) != before
        changed = [a for a, b in zip(after.steps, before.steps, strict=True) if a != b]
        assert len(changed) == 1
        assert changed[0].duration.hours == pytest.approx(
            next(s for s in before.steps if s.key == changed[0].key).duration.hours - 4
        )


def test_demo_is_idempotent(session: Session) -> None:
    load_demo(session)
    counts = session.execute(sa.select(sa.func.count()).select_from(FlowVersion)).scalar_one()
    again = load_demo(session)
    assert again.loaded == [] and again.passwords == {}
    assert len(again.skipped) == len(sample_paths())
    assert (
        session.execute(sa.select(sa.func.count()).select_from(FlowVersion)).scalar_one() == counts
    )


def test_demo_users_get_random_passwords_stored_only_as_hashes(session: Session) -> None:
    result = load_demo(session)
    assert set(result.passwords) == {"admin", "approver", "exporter", "supervisor"}
    assert len(set(result.passwords.values())) == 4
    for username, password in result.passwords.items():
        user = authenticate(session, username, password)
        assert user is not None and password not in user.password_hash
        assert user.password_hash.startswith("scrypt:")
        assert authenticate(session, username, password + "x") is None
    roles = {u.username: u.roles for u in session.execute(sa.select(User)).scalars()}
    assert roles == {
        "admin": {Role.ADMIN},
        "approver": {Role.APPROVER},
        "exporter": {Role.EXPORTER},
        "supervisor": {Role.SUPERVISOR},
    }
    journal = json.dumps(
        [[e.before, e.after] for e in session.execute(sa.select(AuditEvent)).scalars()],
        ensure_ascii=False,
    )
    assert all(password not in journal for password in result.passwords.values())


def test_reset_passwords_gives_new_ones(session: Session) -> None:
    first = load_demo(session)
    second = load_demo(session, reset_passwords=True)
    assert set(second.passwords) == set(first.passwords)
    assert authenticate(session, "admin", first.passwords["admin"]) is None
    assert authenticate(session, "admin", second.passwords["admin"]) is not None


def test_demo_refuses_a_database_with_other_data_unless_forced(session: Session) -> None:
    create_user(session, "nguyen.van.a", "a long passphrase", [Role.ADMIN])
    session.commit()
    with pytest.raises(DemoRefused, match=r"user nguyen\.van\.a"):
        load_demo(session)
    assert session.execute(sa.select(sa.func.count()).select_from(Procedure)).scalar_one() == 0
    result = load_demo(session, force=True)
    assert len(result.loaded) + len(result.invalid) == len(sample_paths())
