"""Integrity lives in the database too: keys, uniqueness, checks, refusal to delete in use."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow_model.models import (
    DossierComponent,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepDocument,
    StepKind,
    StepOfficer,
    TimeUnit,
    Transition,
    Unit,
)

NAME = "Nguyễn Thị Hồng Nhung – Phòng Văn hóa – Xã hội"


def build(session: Session) -> dict[str, Any]:
    level = session.execute(sa.select(Level).where(Level.key == "commune")).scalar_one()
    unit = Unit(code="ubndxa", name="UBND xã Đồng Tiến", level=level, one_stop=True)
    officer = Officer(
        full_name=NAME, email="nhung.nth@example.gov.vn", unit=unit, phone="0912 345 678"
    )
    procedure = Procedure(code="1.000001", name="Đăng ký khai sinh", level=level)
    component = DossierComponent(key="d1", name="Tờ khai đăng ký khai sinh", procedure=procedure)
    case = ProcedureCase(
        procedure=procedure, legal_time_value=1, legal_time_unit=TimeUnit.WORKING_DAY
    )
    version = FlowVersion(case=case, number=1)
    step = Step(version=version, key="s1", name="Tiếp nhận hồ sơ", kind=StepKind.START, unit=unit)
    session.add_all([unit, officer, procedure, component, case, version, step])
    session.flush()
    step.officer_links.append(StepOfficer(officer=officer))
    step.document_links.append(StepDocument(component=component))
    session.commit()
    return {
        "unit": unit,
        "officer": officer,
        "component": component,
        "step": step,
        "version": version,
        "level": level,
        "procedure": procedure,
    }


def count(session: Session, model: type) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_vietnamese_text_round_trips_exactly(session: Session) -> None:
    rows = build(session)
    session.expire_all()
    officer = session.get(Officer, rows["officer"].id)
    assert officer is not None and officer.full_name == NAME
    assert session.get_one(Unit, rows["unit"].id).name == "UBND xã Đồng Tiến"


def test_duplicate_procedure_code_is_refused_and_session_stays_usable(session: Session) -> None:
    rows = build(session)
    session.add(Procedure(code="1.000001", name="Bản sao", level=rows["level"]))
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        session.commit()
    session.rollback()
    assert count(session, Procedure) == 1
    session.add(Procedure(code="1.000002", name="Bản sao", level=rows["level"]))
    session.commit()
    assert count(session, Procedure) == 2


def test_duplicate_officer_email_is_refused_and_session_stays_usable(session: Session) -> None:
    rows = build(session)
    session.add(
        Officer(full_name="Trần Văn B", email="nhung.nth@example.gov.vn", unit=rows["unit"])
    )
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        session.commit()
    session.rollback()
    assert count(session, Officer) == 1
    assert session.get_one(Officer, rows["officer"].id).full_name == NAME


@pytest.mark.parametrize("value", [-0.5, float("inf"), float("nan")])
def test_step_duration_out_of_range_is_refused_by_the_database(
    session: Session, value: float
) -> None:
    rows = build(session)
    # A direct SQL update bypasses the loader and the ORM: only the database can refuse.
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(Step).where(Step.id == rows["step"].id).values(duration_value=value)
        )
        session.commit()
    session.rollback()
    assert session.execute(sa.select(Step.duration_value)).scalar_one() == 0


def test_unknown_enum_value_is_refused_by_the_database(session: Session) -> None:
    rows = build(session)
    with pytest.raises(IntegrityError):
        session.execute(
            sa.text("UPDATE steps SET kind = 'gateway' WHERE id = :id"), {"id": rows["step"].id}
        )
        session.commit()
    session.rollback()
    assert session.execute(sa.select(Step.kind)).scalar_one() is StepKind.START


@pytest.mark.parametrize("name", ["unit", "officer", "component"])
def test_deleting_what_a_step_uses_is_refused_not_cascaded(session: Session, name: str) -> None:
    rows = build(session)
    model = type(rows[name])
    with pytest.raises(IntegrityError):
        session.execute(sa.delete(model).where(model.id == rows[name].id))
        session.commit()
    session.rollback()
    assert count(session, model) == 1
    assert count(session, Step) == 1
    assert len(session.get_one(Step, rows["step"].id).officer_links) == 1


def test_deleting_a_unit_through_the_orm_is_refused_too(session: Session) -> None:
    rows = build(session)
    session.delete(rows["unit"])
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert count(session, Unit) == 1


def test_transition_ends_must_be_steps_of_the_same_version(session: Session) -> None:
    rows = build(session)
    other = FlowVersion(case=rows["version"].case, number=2)
    session.add(other)
    session.flush()
    session.add(
        Transition(version_id=other.id, from_step_id=rows["step"].id, to_step_id=rows["step"].id)
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert count(session, Transition) == 0


def test_version_numbers_are_unique_per_case(session: Session) -> None:
    rows = build(session)
    session.add(FlowVersion(case=rows["version"].case, number=1))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert count(session, FlowVersion) == 1


def test_stale_lock_counter_is_refused(database: Any) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    from workflow_model.db import make_session_factory
    from workflow_model.models import VersionStatus

    sessions = make_session_factory(database.engine)
    with sessions() as first:
        version_id = build(first)["version"].id
    with sessions() as one, sessions() as two:
        a, b = one.get(FlowVersion, version_id), two.get(FlowVersion, version_id)
        assert a is not None and b is not None
        a.status = VersionStatus.SUBMITTED
        one.commit()
        b.status = VersionStatus.REJECTED
        with pytest.raises(StaleDataError):
            two.commit()


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_database: Any) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_database_is_the_embedded_sqlite_file() -> None:
    from workflow_model.db import database_url

    assert database_url({}) == "sqlite:///instance/sodo.db"
    assert database_url({"DATABASE_URL": "postgresql+psycopg://x@h/db"}).startswith("postgresql")
