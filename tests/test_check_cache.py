"""The cached validation of versions is dropped whenever what it was computed from changes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from admin.demo import load_demo
from admin.reporting import version_checks
from workflow_model.models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    VersionCheck,
    VersionOfficer,
    VersionStatus,
)


def all_versions(session: Session) -> list[int]:
    return list(session.execute(sa.select(FlowVersion.id).order_by(FlowVersion.id)).scalars())


def cached(session: Session) -> set[int]:
    return set(session.execute(sa.select(VersionCheck.version_id)).scalars())


def test_checks_are_computed_once_then_read(session: Session) -> None:
    load_demo(session)
    ids = all_versions(session)
    checks = version_checks(session, ids)
    assert set(checks) == set(ids) == cached(session)
    failing = {key for key, check in checks.items() if not check.ok}
    sonla = session.execute(
        sa.select(FlowVersion.id)
        .join(ProcedureCase)
        .join(Procedure)
        .where(Procedure.code == "2.002760")
    ).scalar_one()
    assert failing == {sonla}
    again = version_checks(session, ids)
    assert {k: (c.errors, c.warnings) for k, c in again.items()} == {
        k: (c.errors, c.warnings) for k, c in checks.items()
    }


def test_an_officer_change_drops_the_checks_of_its_versions_only(session: Session) -> None:
    load_demo(session)
    ids = all_versions(session)
    version_checks(session, ids)
    officer = session.execute(
        sa.select(Officer).where(Officer.email == "nam.nv@example.gov.vn")
    ).scalar_one()
    using = set(
        session.execute(
            sa.select(VersionOfficer.version_id).where(VersionOfficer.officer_id == officer.id)
        ).scalars()
    )
    officer.phone = "12345"
    session.commit()
    assert cached(session) == set(ids) - using
    rechecked = version_checks(session, ids)
    frozen = set(
        session.execute(
            sa.select(FlowVersion.id).where(FlowVersion.snapshot.is_not(None))
        ).scalars()
    )
    # A draft is checked against the live directory; an approved version as frozen.
    assert using - frozen and using & frozen
    assert all(not rechecked[key].ok for key in using - frozen)
    assert all(rechecked[key].ok for key in using & frozen)


def test_a_step_change_drops_the_check_of_its_version(session: Session) -> None:
    load_demo(session)
    ids = all_versions(session)
    version_checks(session, ids)
    draft = session.execute(
        sa.select(FlowVersion.id).where(FlowVersion.status == VersionStatus.DRAFT).limit(1)
    ).scalar_one()
    step = session.execute(sa.select(Step).where(Step.version_id == draft, Step.key == "s3"))
    step.scalar_one().duration_value = 400
    session.commit()
    assert cached(session) == set(ids) - {draft}
    assert version_checks(session, ids)[draft].errors == 1


def test_a_legal_time_change_drops_the_checks_of_the_case(session: Session) -> None:
    load_demo(session)
    ids = all_versions(session)
    version_checks(session, ids)
    case = session.execute(
        sa.select(ProcedureCase).join(Procedure).where(Procedure.code == "1.009642.H05")
    ).scalar_one()
    case_versions = set(
        session.execute(sa.select(FlowVersion.id).where(FlowVersion.case_id == case.id)).scalars()
    )
    case.legal_time_value = 1
    session.commit()
    assert cached(session) == set(ids) - case_versions
    frozen = {key for key in case_versions if session.get(FlowVersion, key).snapshot is not None}
    checks = version_checks(session, ids)
    # The approved version keeps the legal time it was frozen with; the open one breaks.
    assert frozen and case_versions - frozen
    assert all(checks[key].errors for key in case_versions - frozen)
    assert all(checks[key].ok for key in frozen)
