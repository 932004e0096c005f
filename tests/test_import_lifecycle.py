"""Import obeys the lifecycle: one open version per case, no catalogue change under review."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR, Database
from sqlalchemy.orm import Session
from support.cli import run_sodo
from support.signoff import author_and_approver, submit_and_approve

from validators import validate
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_session_factory
from workflow_model.document import Duration, FlowDocument, dump_document, load_document
from workflow_model.lifecycle import new_draft, submit
from workflow_model.models import (
    AuditEvent,
    FlowVersion,
    Procedure,
    ProcedureCase,
    TimeUnit,
    VersionStatus,
)
from workflow_model.refusals import ChangeRefused, Refusal

CASE_ONE = FLOWS_DIR / "bacninh-1_009646_H05-1.json"
CASE_TWO = FLOWS_DIR / "bacninh-1_009646_H05-2.json"


def _doc(path: Path) -> FlowDocument:
    return load_document(path.read_bytes())


def _renamed(doc: FlowDocument, name: str, days: float) -> FlowDocument:
    procedure = dataclasses.replace(
        doc.procedure, name=name, legal_time=Duration(days, TimeUnit.WORKING_DAY)
    )
    return dataclasses.replace(doc, procedure=procedure)


def _state(session: Session) -> tuple[object, ...]:
    """Everything an import could write: versions, procedures, cases, the journal."""
    session.expire_all()
    versions = session.execute(
        sa.select(FlowVersion.case_id, FlowVersion.number, FlowVersion.status).order_by(
            FlowVersion.id
        )
    ).all()
    procedures = session.execute(sa.select(Procedure.code, Procedure.name)).all()
    cases = session.execute(
        sa.select(ProcedureCase.key, ProcedureCase.legal_time_value).order_by(ProcedureCase.id)
    ).all()
    journal = session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    return versions, procedures, cases, journal


def test_a_second_import_of_a_case_with_an_open_draft_is_refused(session: Session) -> None:
    author, _ = author_and_approver(session)
    first = create_draft_from_document(session, _doc(CASE_ONE), author)
    before = _state(session)
    with pytest.raises(ChangeRefused) as caught:
        create_draft_from_document(session, _renamed(_doc(CASE_ONE), "Tên khác", 3), author)
    assert caught.value.code is Refusal.OPEN_VERSION
    assert caught.value.params == {"number": first.number, "status": "draft"}
    assert _state(session) == before
    # The same rule refuses a new draft.
    with pytest.raises(ChangeRefused) as caught:
        new_draft(session, first.case, author)
    assert caught.value.code is Refusal.OPEN_VERSION
    assert _state(session) == before


def test_import_after_approval_opens_the_next_version(session: Session) -> None:
    author, approver = author_and_approver(session)
    first = create_draft_from_document(session, _doc(CASE_ONE), author)
    submit_and_approve(session, first, author, approver)
    second = create_draft_from_document(session, _doc(CASE_ONE), author)
    assert (second.number, second.status) == (2, VersionStatus.DRAFT)
    with pytest.raises(ChangeRefused) as caught:
        create_draft_from_document(session, _doc(CASE_ONE), author)
    assert caught.value.code is Refusal.OPEN_VERSION


def test_import_while_the_case_is_under_review_changes_nothing(session: Session) -> None:
    author, _ = author_and_approver(session)
    version = create_draft_from_document(session, _doc(CASE_ONE), author)
    submit(session, version, author, validate=validate)
    before = _state(session)
    with pytest.raises(ChangeRefused) as caught:
        create_draft_from_document(session, _renamed(_doc(CASE_ONE), "Tên khác", 1), author)
    assert caught.value.code is Refusal.OPEN_VERSION
    assert caught.value.params["status"] == "submitted"
    assert _state(session) == before


def test_another_case_may_not_rewrite_the_procedure_under_review(session: Session) -> None:
    author, _ = author_and_approver(session)
    version = create_draft_from_document(session, _doc(CASE_ONE), author)
    submit(session, version, author, validate=validate)
    before = _state(session)
    with pytest.raises(ChangeRefused) as caught:
        create_draft_from_document(session, _renamed(_doc(CASE_TWO), "Tên khác", 1), author)
    assert caught.value.code is Refusal.UNDER_REVIEW
    assert caught.value.params == {"number": version.number}
    assert _state(session) == before
    # The same case with the procedure as it is goes in: nothing under review changes.
    other = create_draft_from_document(session, _doc(CASE_TWO), author)
    assert other.number == 1 and other.case.key == "2.2"


def test_catalogue_changes_from_a_file_are_journaled_by_the_catalogue_service(
    session: Session,
) -> None:
    author, _ = author_and_approver(session)
    create_draft_from_document(session, _doc(CASE_ONE), author)
    create_draft_from_document(session, _renamed(_doc(CASE_TWO), "Tên mới", 2), author)
    events = session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type.in_(["procedure", "procedure_case"]))
    ).scalars()
    by_kind = {(e.entity_type, e.action): e for e in events}
    changed = by_kind[("procedure", "update")]
    assert changed.after["name"] == "Tên mới" != changed.before["name"]
    assert changed.user_id == author.id
    assert ("procedure_case", "create") in by_kind


def test_the_command_line_refuses_each_file_on_one_line_and_imports_the_others(
    database: Database, tmp_path: Path
) -> None:
    with make_session_factory(database.engine)() as session:
        author, _ = author_and_approver(session)
        version = create_draft_from_document(session, _doc(CASE_ONE), author)
        submit(session, version, author, validate=validate)
        before = _state(session)
    renamed = tmp_path / "renamed.json"
    renamed.write_bytes(dump_document(_renamed(_doc(CASE_ONE), "Tên khác", 1)))
    other_case = tmp_path / "other-case.json"
    other_case.write_bytes(dump_document(_renamed(_doc(CASE_TWO), "Tên khác", 1)))
    env = {"DATABASE_URL": database.url, "SODO_INSTANCE": str(tmp_path), "PATH": "/usr/bin"}
    result = run_sodo("import", str(renamed), str(other_case), str(CASE_TWO), env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert f"{renamed}: not imported: refused (open-version): the case already has" in lines[0]
    assert f"{other_case}: not imported: refused (under-review): version 1" in lines[1]
    assert len(lines) == 2
    assert f"{CASE_TWO}: imported 1.009646.H05 case 2.2 as draft version 1" in result.stdout
    with make_session_factory(database.engine)() as session:
        versions, procedures, cases, _ = _state(session)
        assert procedures == before[1]
        assert cases[0] == before[2][0]
        assert len(versions) == 2
