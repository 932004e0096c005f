"""Configured against actual, on SQLite and PostgreSQL: figures, flags, suggestions, the draft.

The flow of `flow_samples` (s1 half a day at ``tt`` → s2 two days at ``svh-qlvh`` → s3
eight hours at ``svh`` → s4; legal time four days, which the critical path fills
exactly) is in force since 1 January 2026. Dossiers are built through `ingest_events`:
each step is completed a chosen number of working hours after the one before, so every
run's used hours are known by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flow_samples import flow, step
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn

from validators import validate
from workflow_model import lifecycle
from workflow_model.accounts import create_user
from workflow_model.audit import content_entity_id
from workflow_model.calendar import WorkingCalendar
from workflow_model.conversion import document_from_version
from workflow_model.conversion.step_content import step_values
from workflow_model.document import Duration
from workflow_model.flow_editing import update_step
from workflow_model.models import (
    AuditEvent,
    DossierStepRun,
    FlowVersion,
    Role,
    Step,
    TimeUnit,
    Unit,
    User,
    VersionStatus,
)
from workflow_model.refusals import ChangeRefused, Refusal
from workflow_model.supervision import (
    EVERYTHING,
    Period,
    StepCalibration,
    Thresholds,
    ThresholdsError,
    by_case,
    configured_vs_actual,
    draft_with_suggested_times,
    percentile,
    scope_of_unit,
    suggested_duration,
)
from workflow_model.tracking import ingest_events

NOW = vn(2026, 4, 20, 9)
MARCH = Period.month_of(date(2026, 3, 1))
CALENDAR = WorkingCalendar()
DAY, HOUR = TimeUnit.WORKING_DAY, TimeUnit.WORKING_HOUR
UNITS = {"s1": "tt", "s2": "svh-qlvh", "s3": "svh"}


def dossier(code: str, received: datetime, hours: dict[str, float]) -> list[dict[str, Any]]:
    """A dossier received at `received` whose steps each take `hours[key]` working hours.

    A value may also be the moment the step is completed (for a step finished after its
    office hours end).
    """
    events = [item(f"{code}-r", "received", received, code)]
    at = received
    for key, spent in hours.items():
        at = spent if isinstance(spent, datetime) else CALENDAR.add_working_hours(at, spent)
        events.append(item(f"{code}-{key}", "step_completed", at, code, step=key, unit=UNITS[key]))
    return events


def people(session: Session) -> tuple[User, User]:
    """The author and the approver `in_force` made."""
    by_name = {u.username: u for u in session.scalars(sa.select(User))}
    return by_name["tac.gia"], by_name["phe.duyet"]


def ingest(session: Session, events: list[dict[str, Any]]) -> None:
    results = ingest_events(session, SOURCE, events, check_keys=KEYS, now=NOW)
    assert [r.result.value for r in results] == ["accepted"] * len(results), results


DEFAULTS = Thresholds()


def calibrate(
    session: Session, thresholds: Thresholds = DEFAULTS, **kwargs: Any
) -> dict[str, StepCalibration]:
    rows = configured_vs_actual(session, MARCH, EVERYTHING, thresholds, now=NOW, **kwargs)
    return {row.step_key: row for row in rows}


S2_HOURS = (4, 8, 12, 18, 20)
"""s2 (16 hours allotted) in five dossiers: two late; median 12, p90 19.2."""


@pytest.fixture
def five(session: Session) -> Session:
    """Five dossiers of March (s1: 1, 1, 2, 2, 3 h; s2: `S2_HOURS`; s3: 1, 1, 1, 1, 1.5 h)."""
    in_force(session, flow(), vn(2026, 1, 1))
    events: list[dict[str, Any]] = []
    s1, s3 = (1, 1, 2, 2, 3), (1, 1, 1, 1, 1.5)
    for number, (a, b, c) in enumerate(zip(s1, S2_HOURS, s3, strict=True)):
        events += dossier(
            f"H-{number}", vn(2026, 3, 2 + number, 7, 30), {"s1": a, "s2": b, "s3": c}
        )
    ingest(session, events)
    return session


def test_the_figures_are_computed_by_hand(five: Session) -> None:
    used = five.execute(
        sa.select(DossierStepRun.step_key, DossierStepRun.used_hours).order_by(
            DossierStepRun.step_key, DossierStepRun.used_hours
        )
    ).all()
    assert [hours for key, hours in used if key == "s2"] == list(S2_HOURS)
    rows = calibrate(five)
    assert list(rows) == ["s1", "s2", "s3", "s4", "s5"]  # every step, in the version's order
    s1, s2, s3 = rows["s1"], rows["s2"], rows["s3"]
    assert (s1.configured, s1.configured_hours) == (Duration(0.5, DAY), 4.0)
    assert (s1.median_hours, s1.p90_hours) == (2.0, pytest.approx(2.6))
    assert (s1.late_rate, s1.dossiers, s1.runs, s1.flagged) == (0.0, 5, 5, False)
    assert (s2.configured, s2.configured_hours) == (Duration(2, DAY), 16.0)
    assert (s2.median_hours, s2.p90_hours) == (12.0, pytest.approx(19.2))
    assert (s2.late_runs, s2.late_rate, s2.dossiers) == (2, 0.4, 5)
    assert (s2.chronically_late, s2.slack) == (True, False)
    assert s2.suggested == Duration(2.5, DAY)  # 19.2 h = 2.4 days → 2.5
    assert (s3.configured, s3.median_hours, s3.p90_hours) == (
        Duration(8, HOUR),
        1.0,
        pytest.approx(1.3),
    )
    assert (s3.chronically_late, s3.slack) == (False, False)  # 5 dossiers, not 30
    assert s3.suggested == Duration(1.25, HOUR)  # 1.3 h → 1.25
    s4 = rows["s4"]  # never reported: shown with its time and no figure
    assert (s4.runs, s4.median_hours, s4.late_rate, s4.suggested, s4.flagged) == (
        0,
        None,
        None,
        None,
        False,
    )
    assert {(r.procedure_code, r.case_key, r.version_number) for r in rows.values()} == {
        ("1.000894", "", 1)
    }


def test_slack_needs_enough_dossiers(five: Session) -> None:
    # s3's p90 (1.3 h) is under a quarter of its 8 hours: slack once 5 dossiers suffice.
    assert calibrate(five, Thresholds(slack_min_dossiers=5))["s3"].slack is True
    assert calibrate(five, Thresholds(slack_min_dossiers=6))["s3"].slack is False
    # Under the share, strictly: 1.3 h is not under 0.1625 × 8 = 1.3 h.
    assert (
        calibrate(five, Thresholds(slack_share=0.1625, slack_min_dossiers=5))["s3"].slack is False
    )
    assert calibrate(five, Thresholds(slack_share=0.17, slack_min_dossiers=5))["s3"].slack is True


def test_slack_at_exactly_thirty_dossiers(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    events: list[dict[str, Any]] = []
    for number in range(31):
        day = vn(2026, 3, 2, 7, 30) if number < 30 else vn(2026, 4, 1, 7, 30)  # one in April
        events += dossier(f"D-{number:02}", day, {"s1": 0.5})
    ingest(session, events)
    s1 = calibrate(session)["s1"]
    assert (s1.dossiers, s1.p90_hours, s1.configured_hours) == (30, 0.5, 4.0)
    assert s1.slack is True and s1.chronically_late is False
    assert s1.suggested == Duration(0.25, DAY)  # 0.0625 days, never below 0.25
    assert calibrate(session, Thresholds(slack_min_dossiers=31))["s1"].slack is False


def test_the_late_rate_is_flagged_above_thirty_percent_not_at_it(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    events: list[dict[str, Any]] = []
    days = (2, 3, 4, 5, 9, 10, 11, 12, 16, 17)  # Mondays to Thursdays of March
    for number, day in enumerate(days):
        # s3 starts at 11:30 and has its 8 hours until 11:30 the next day; completed at
        # 12:00 then, it is late without using more working hours than allotted.
        s3: float | datetime = vn(2026, 3, day + 1, 12) if number < 3 else 1
        events += dossier(f"L-{number}", vn(2026, 3, day, 7, 30), {"s1": 0.5, "s2": 3.5, "s3": s3})
    ingest(session, events)
    s3_row = calibrate(session)["s3"]
    assert (s3_row.runs, s3_row.late_runs, s3_row.late_rate) == (10, 3, 0.3)
    assert s3_row.p90_hours == 8.0  # not above the 8 hours configured
    assert s3_row.chronically_late is False  # exactly 30 %: not above
    assert calibrate(session, Thresholds(late_rate=0.29))["s3"].chronically_late is True
    more = dossier("L-x", vn(2026, 3, 18, 7, 30), {"s1": 0.5, "s2": 3.5, "s3": vn(2026, 3, 19, 12)})
    ingest(session, more)
    s3_row = calibrate(session)["s3"]
    assert (s3_row.late_runs, s3_row.runs, s3_row.chronically_late) == (4, 11, True)


def test_only_runs_finished_in_the_period_of_dossiers_pinned_to_the_version_in_force(
    session: Session,
) -> None:
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)
    ingest(session, dossier("OLD", vn(2026, 3, 2, 7, 30), {"s1": 1, "s2": 30}))  # v1's

    def renamed(data: dict[str, Any]) -> None:
        step(data, "s3")["name"] = "Lãnh đạo Sở ký duyệt"

    in_force(session, flow(renamed), vn(2026, 3, 16), people)
    ingest(
        session,
        dossier("NEW", vn(2026, 3, 17, 7, 30), {"s1": 2, "s2": 4})
        + dossier("APRIL", vn(2026, 3, 31, 16, 30), {"s1": 1, "s2": 2}),  # s2 done 1 April
    )
    rows = calibrate(session)
    assert {row.version_number for row in rows.values()} == {2}
    assert rows["s3"].step_name == "Lãnh đạo Sở ký duyệt"
    assert (rows["s1"].runs, rows["s1"].median_hours) == (2, 1.5)  # NEW and APRIL's s1
    assert (rows["s2"].runs, rows["s2"].median_hours) == (1, 4.0)  # APRIL's s2 is in April
    assert (
        configured_vs_actual(
            session, Period.month_of(date(2026, 2, 1)), EVERYTHING, Thresholds(), now=NOW
        )
        == ()
    )


def test_the_scope_keeps_the_runs_reported_by_its_units(five: Session) -> None:
    svh = five.execute(sa.select(Unit.id).where(Unit.code == "svh")).scalar_one()
    rows = configured_vs_actual(five, MARCH, scope_of_unit(five, svh), Thresholds(), now=NOW)
    counted = {row.step_key: row.runs for row in rows}
    assert counted == {"s1": 0, "s2": 5, "s3": 5, "s4": 0, "s5": 0}  # s1 is at tt
    qlvh = five.execute(sa.select(Unit.id).where(Unit.code == "svh-qlvh")).scalar_one()
    rows = configured_vs_actual(five, MARCH, scope_of_unit(five, qlvh), Thresholds(), now=NOW)
    assert {row.step_key: row.runs for row in rows} == {"s1": 0, "s2": 5, "s3": 0, "s4": 0, "s5": 0}
    tt = five.execute(sa.select(Unit.id).where(Unit.code == "tt")).scalar_one()
    assert (
        len(configured_vs_actual(five, MARCH, scope_of_unit(five, tt), Thresholds(), now=NOW)) == 5
    )


def test_cases_with_a_flagged_step_come_first(five: Session) -> None:
    def second(data: dict[str, Any]) -> None:
        data["procedure"]["code"] = "0.000001"  # sorts before 1.000894
        data["procedure"]["name"] = "Thủ tục khác"

    in_force(five, flow(second), vn(2026, 1, 1), people(five))
    events = [item("o-r", "received", vn(2026, 3, 2, 7, 30), "O-1", procedure="0.000001")]
    events.append(item("o-1", "step_completed", vn(2026, 3, 2, 8, 30), "O-1", step="s1", unit="tt"))
    ingest(five, events)
    rows = configured_vs_actual(five, MARCH, EVERYTHING, Thresholds(), now=NOW)
    assert [row.procedure_code for row in rows][:1] == ["0.000001"]  # by procedure code
    cases = by_case(rows)
    assert [case.first.procedure_code for case in cases] == ["1.000894", "0.000001"]
    assert [case.flagged for case in cases] == [True, False]
    assert cases[0].suggestions == {"s2": Duration(2.5, DAY)}
    assert cases[1].suggestions == {}
    only = configured_vs_actual(
        five, MARCH, EVERYTHING, Thresholds(), now=NOW, case_id=cases[1].first.case_id
    )
    assert {row.procedure_code for row in only} == {"0.000001"}


@pytest.mark.parametrize(
    ("hours", "unit", "expected"),
    [
        (19.2, DAY, 2.5),  # 2.4 days
        (17.0, DAY, 2.25),  # 2.125 days, halfway between 2 and 2.25: up
        (13.0, DAY, 1.75),  # 1.625 days, a half: up
        (12.9, DAY, 1.5),  # 1.6125 days
        (0.3, DAY, 0.25),  # never below a quarter
        (2.12, HOUR, 2.0),
        (2.125, HOUR, 2.25),  # a half: up
        (2.13, HOUR, 2.25),
        (0.0, HOUR, 0.25),
        (10_000_000.0, HOUR, 100_000.0),  # within what a step may hold
    ],
)
def test_suggestions_round_to_a_quarter_of_the_steps_unit(
    hours: float, unit: TimeUnit, expected: float
) -> None:
    assert suggested_duration(hours, unit) == Duration(expected, unit)


@pytest.mark.parametrize(
    "arguments",
    [{"late_rate": 1.5}, {"late_rate": -0.1}, {"slack_share": 2}, {"slack_min_dossiers": 0},
     {"slack_min_dossiers": 2.5}, {"late_rate": "0.3"}, {"slack_min_dossiers": True}],
)  # fmt: skip
def test_thresholds_that_make_no_sense_are_refused(arguments: dict[str, Any]) -> None:
    with pytest.raises(ThresholdsError):
        Thresholds(**arguments)


def test_percentile_by_hand() -> None:
    assert percentile([7], 0.9) == 7
    assert percentile([3, 1, 2], 0.5) == 2
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20], 0.9) == pytest.approx(19)
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == pytest.approx(9.1)
    assert percentile([4, 8, 12, 18, 20], 0.9) == pytest.approx(19.2)
    assert percentile([4, 8, 12, 18, 20], 0) == 4 and percentile([20, 4], 1) == 20
    for bad in ([], (), [float("nan")]):
        with pytest.raises(ValueError):
            percentile(bad, 0.5)
    for q in (-0.1, 1.1):
        with pytest.raises(ValueError):
            percentile([1, 2], q)


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@settings(deadline=None)  # no timed assertion on a shared machine
@given(st.lists(finite, min_size=1, max_size=50), st.floats(0, 1), st.floats(0, 1))
def test_percentile_lies_between_min_and_max_and_grows_with_q(
    values: list[float], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert min(values) <= percentile(values, low) <= percentile(values, high) <= max(values)
    assert percentile(values, low) == percentile(sorted(values, reverse=True), low)


# --- the draft with suggested times ------------------------------------------------------


def _steps(session: Session, version_id: int) -> dict[str, Any]:
    session.expire_all()
    rows = session.scalars(sa.select(Step).where(Step.version_id == version_id))
    return {row.key: step_values(row) for row in rows}


def _versions(session: Session) -> list[tuple[int, str]]:
    session.expire_all()
    return [
        (v.number, v.status.value)
        for v in session.scalars(sa.select(FlowVersion).order_by(FlowVersion.id))
    ]


def test_the_draft_is_opened_through_the_lifecycle_with_the_suggested_times(five: Session) -> None:
    admin, _approver = people(five)
    source = lifecycle.version_in_force(five, five.scalars(sa.select(FlowVersion)).one().case_id)
    assert source is not None
    before = _steps(five, source.id)
    draft = draft_with_suggested_times(five, source.case_id, {"s3": Duration(1.25, HOUR)}, admin)
    assert (draft.number, draft.status, draft.created_by_id) == (2, VersionStatus.DRAFT, admin.id)
    assert lifecycle.version_in_force(five, source.case_id) is source
    assert _steps(five, source.id) == before  # the version in force is untouched
    after = _steps(five, draft.id)
    assert after["s3"]["duration"] == {"value": 1.25, "unit": "working_hour"}
    assert {k: v for k, v in after.items() if k != "s3"} == {
        k: v for k, v in before.items() if k != "s3"
    }
    assert {k: v for k, v in after["s3"].items() if k != "duration"} == {
        k: v for k, v in before["s3"].items() if k != "duration"
    }
    journal = five.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
    update, opened = journal
    assert (opened.action, opened.entity_type, opened.entity_id) == (
        "new-draft",
        "flow_version",
        str(draft.id),
    )
    assert (update.action, update.entity_type, update.entity_id) == (
        "update",
        "step",
        content_entity_id(draft.id, "s3"),
    )
    assert update.before["duration"] == {"value": 8, "unit": "working_hour"}
    assert update.after["duration"] == {"value": 1.25, "unit": "working_hour"}
    assert update.user_id == admin.id
    assert not [
        f
        for f in validate(document_from_version(five, draft)).findings
        if f.severity.value == "error"
    ]


def _refused(
    session: Session, code: Refusal, case_id: int, suggestions: dict[str, Any], user: User | None
) -> None:
    versions, journal = (
        _versions(session),
        session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
    )
    with pytest.raises(ChangeRefused) as refused:
        draft_with_suggested_times(session, case_id, suggestions, user)
    assert refused.value.code is code
    session.rollback()
    assert _versions(session) == versions
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == journal


def test_the_draft_is_refused_with_nothing_created(five: Session) -> None:
    admin, approver = people(five)
    supervisor = create_user(five, "giam.sat", "mật khẩu dài 9", [Role.SUPERVISOR])
    five.commit()
    case_id = five.scalars(sa.select(FlowVersion)).one().case_id
    good = {"s2": Duration(2.5, DAY)}
    _refused(five, Refusal.NOT_PERMITTED, case_id, good, approver)
    _refused(five, Refusal.NOT_PERMITTED, case_id, good, supervisor)
    _refused(five, Refusal.NOT_PERMITTED, case_id, good, None)
    _refused(five, Refusal.NOT_FOUND, case_id + 1000, good, admin)
    _refused(five, Refusal.NOT_FOUND, case_id, {"s9": Duration(1, DAY)}, admin)
    _refused(five, Refusal.INVALID_DURATION, case_id, {"s2": Duration(-1, DAY)}, admin)
    _refused(five, Refusal.INVALID_DURATION, case_id, {"s2": Duration(float("nan"), DAY)}, admin)
    _refused(five, Refusal.INVALID_DURATION, case_id, {"s2": Duration(100_001, HOUR)}, admin)
    _refused(five, Refusal.INVALID_DURATION, case_id, {"s2": Duration(1, "week")}, admin)  # type: ignore[arg-type]
    _refused(five, Refusal.INVALID_DURATION, case_id, {"s2": 2.5}, admin)
    _refused(five, Refusal.INVALID_VALUE, case_id, {}, admin)
    source = lifecycle.version_in_force(five, case_id)
    assert source is not None
    lifecycle.new_draft(five, source.case, admin)  # an open version
    _refused(five, Refusal.OPEN_VERSION, case_id, good, admin)


def test_the_draft_is_refused_without_a_version_in_force(session: Session) -> None:
    admin, approver = author_and_approver(session)
    version = in_force(session, flow(), vn(2099, 1, 1), (admin, approver))  # not yet
    _refused(session, Refusal.NOT_IN_FORCE, version.case_id, {"s2": Duration(1, DAY)}, admin)


def test_a_draft_over_the_legal_time_shows_the_finding_and_is_not_submitted_until_edited(
    five: Session,
) -> None:
    admin, _approver = people(five)
    case_id = five.scalars(sa.select(FlowVersion)).one().case_id
    draft = draft_with_suggested_times(five, case_id, {"s2": Duration(2.5, DAY)}, admin)
    codes = [
        f.code
        for f in validate(document_from_version(five, draft)).findings
        if f.severity.value == "error"
    ]
    assert codes == ["time-budget-exceeded"]
    with pytest.raises(lifecycle.LifecycleRefused) as refused:
        lifecycle.submit(five, draft, admin, validate=validate)
    assert refused.value.code is Refusal.HAS_ERRORS
    assert [e["code"] for e in refused.value.params["errors"]] == ["time-budget-exceeded"]
    five.rollback()
    five.refresh(draft)
    assert draft.status is VersionStatus.DRAFT
    # Edited back within the budget (s3 takes the half day s2 gained), it submits.
    s3 = _steps(five, draft.id)["s3"]
    s3["duration"] = {"value": 4, "unit": "working_hour"}
    update_step(five, admin, draft.id, draft.lock_counter, "s3", s3)
    five.refresh(draft)
    lifecycle.submit(five, draft, admin, validate=validate)
    assert draft.status is VersionStatus.SUBMITTED
