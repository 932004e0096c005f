"""Reporting periods and what a supervisor may see, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from support.dossiers import five_dossiers

from workflow_model.accounts import create_user
from workflow_model.calendar import TIMEZONE
from workflow_model.models import Dossier, DossierStepRun, Role, Unit
from workflow_model.supervision import (
    EVERYTHING,
    MAX_PERIOD_DAYS,
    Period,
    PeriodError,
    PeriodKind,
    dossier_clause,
    run_clause,
    scope_of_unit,
    scope_of_user,
    today_in_vietnam,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(days)
def test_each_period_holds_its_day_and_has_its_shape(day: date) -> None:
    week, month, quarter = Period.week_of(day), Period.month_of(day), Period.quarter_of(day)
    for period in (week, month, quarter):
        assert period.first <= day <= period.last
        assert period.contains(datetime.combine(day, datetime.min.time(), tzinfo=TIMEZONE))
        assert period.previous().last + timedelta(days=1) == period.first
    assert week.first.weekday() == 0 and week.days == 7
    assert month.first.day == 1 and (month.last + timedelta(days=1)).day == 1
    assert quarter.first.month in (1, 4, 7, 10) and quarter.first.day == 1
    assert 90 <= quarter.days <= 92 and quarter.first <= month.first <= month.last <= quarter.last


def test_a_period_is_bounded_by_vietnamese_midnights() -> None:
    period = Period.of_kind(PeriodKind.MONTH, date(2026, 2, 14))
    assert (period.first, period.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period.starts_at == datetime(2026, 2, 1, tzinfo=TIMEZONE)
    assert period.ends_at == datetime(2026, 3, 1, tzinfo=TIMEZONE)
    # 17:30 UTC on 28 February is already 00:30 on 1 March in Vietnam.
    assert period.contains(datetime(2026, 2, 28, 16, 30, tzinfo=UTC))
    assert not period.contains(datetime(2026, 2, 28, 17, 30, tzinfo=UTC))
    assert today_in_vietnam(datetime.fromisoformat("2026-02-28T18:00:00+00:00")) == date(2026, 3, 1)


def test_bad_periods_are_refused_clearly() -> None:
    with pytest.raises(PeriodError, match=r"ends .* before it begins"):
        Period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(PeriodError, match=f"at most {MAX_PERIOD_DAYS} days"):
        Period(date(2020, 1, 1), date(2026, 1, 1))
    with pytest.raises(PeriodError, match="custom period"):
        Period.of_kind(PeriodKind.CUSTOM, date(2026, 3, 1))
    assert Period(date(2026, 3, 1), date(2026, 3, 1)).days == 1


def _unit(session: Session, code: str) -> int:
    return session.execute(sa.select(Unit.id).where(Unit.code == code)).scalar_one()


def _dossiers(session: Session, scope: object) -> list[str]:
    query = sa.select(Dossier.code).where(dossier_clause(scope)).order_by(Dossier.code)  # type: ignore[arg-type]
    return list(session.execute(query).scalars())


def test_a_scope_is_a_unit_and_everything_under_it(session: Session) -> None:
    five_dossiers(session)
    department = scope_of_unit(session, _unit(session, "svh"))
    office = scope_of_unit(session, _unit(session, "svh-qlvh"))
    desk = scope_of_unit(session, _unit(session, "tt"))
    assert department.unit_codes == {"svh", "svh-qlvh"} and department.root_name.startswith("Sở")
    assert office.unit_codes == {"svh-qlvh"} and not office.everything
    # The department leads both procedures: every dossier is its.
    assert _dossiers(session, department) == ["H-001", "H-002", "H-003", "H-004", "H-005"]
    # The office sees the dossiers that passed through it, the desk those it handled.
    assert _dossiers(session, office) == ["H-001", "H-002"]
    assert _dossiers(session, desk) == ["H-001", "H-002", "H-005"]
    assert _dossiers(session, EVERYTHING) == _dossiers(session, department)
    runs = session.execute(sa.select(DossierStepRun.unit_code).where(run_clause(office))).scalars()
    assert set(runs) == {"svh-qlvh"}
    assert scope_of_unit(session, 10_000).unit_codes == frozenset()
    assert _dossiers(session, scope_of_unit(session, 10_000)) == []


def test_a_users_scope_follows_their_roles_and_unit(session: Session) -> None:
    five_dossiers(session)
    office = _unit(session, "svh-qlvh")
    scoped = create_user(session, "giamsat.qlvh", "mat-khau-dai-du", [Role.SUPERVISOR])
    scoped.scope_unit_id = office
    province = create_user(session, "giamsat.tinh", "mat-khau-dai-du", [Role.SUPERVISOR])
    admin = create_user(session, "quantri", "mat-khau-dai-du", [Role.ADMIN, Role.SUPERVISOR])
    admin.scope_unit_id = office
    session.commit()
    assert _dossiers(session, scope_of_user(session, scoped)) == ["H-001", "H-002"]
    assert scope_of_user(session, province) is EVERYTHING
    # An administrator changes configuration for the whole province: never narrowed.
    assert scope_of_user(session, admin) is EVERYTHING


def test_a_scope_unit_in_use_cannot_be_deleted(session: Session) -> None:
    five_dossiers(session)
    office = _unit(session, "svh-qlvh")
    scoped = create_user(session, "giamsat.qlvh", "mat-khau-dai-du", [Role.SUPERVISOR])
    scoped.scope_unit_id = office
    session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.delete(Unit).where(Unit.id == office))
        session.flush()
    session.rollback()
    assert session.get(Unit, office) is not None
