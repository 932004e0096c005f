"""The supervision figures on SQLite and PostgreSQL against a history worked out by hand.

The history and the derivation of every number are in `support/supervision.py`; each
expected number below says which dossiers or runs make it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.supervision import (
    AN,
    BINH,
    CUONG,
    DUNG,
    EM,
    FEBRUARY,
    MARCH,
    NOW,
    P1,
    P2,
    history,
)
from support.tracking import vn

from workflow_model.models import Channel, Procedure, Unit, Verdict
from workflow_model.supervision import (
    EVERYTHING,
    HEADLINE_FIGURES,
    NO_AGENCY,
    BreakdownBy,
    BreakdownRow,
    OverdueFilter,
    Period,
    Scope,
    TrendWeek,
    UnknownFigure,
    breakdown,
    headline,
    headline_drill,
    overdue_dossiers,
    scope_of_unit,
    weekly_trend,
)
from workflow_model.tracking import DossierFilter, list_dossiers


@pytest.fixture
def seen(session: Session) -> Session:
    history(session)
    return session


def listed(session: Session, drill: DossierFilter) -> list[str]:
    """The codes of every dossier the list shows for `drill`, sorted."""
    found = list_dossiers(session, drill, now=NOW, page_size=100)
    assert found.total == len(found.rows)
    return sorted(row.code for row in found.rows)


def scope_of(session: Session, code: str) -> Scope:
    unit_id = session.execute(sa.select(Unit.id).where(Unit.code == code)).scalar_one()
    return scope_of_unit(session, unit_id)


def figures(row: BreakdownRow) -> tuple[object, ...]:
    return (row.key, row.total, row.early, row.on_time, row.late, row.median_overrun_hours)


# --- Headline ---------------------------------------------------------------------------


def test_headline_of_march(seen: Session) -> None:
    found = headline(seen, MARCH, EVERYTHING, NOW)
    # Received in March: A-03 (post), A-04, A-05, A-06, A-07, B-02 (online), B-01 (counter).
    assert found.received == 7
    assert found.received_by_channel == {Channel.ONLINE: 5, Channel.COUNTER: 1, Channel.POST: 1}
    # Resolved in March: B-01 early (3 Mar), A-03 on time (9 Mar, at the due moment),
    # A-02 late (6 Mar, received in February). B-02 was refused: not resolved.
    assert (found.resolved, found.early, found.on_time, found.late) == (3, 1, 1, 1)
    assert (found.early_rate, found.on_time_rate, found.late_rate) == (1 / 3, 1 / 3, 1 / 3)
    # Open now, A-06 (A-07 withdrawn, B-02 refused, the rest finished);
    # overdue: whose supplement was asked after its due date; waiting for
    # a supplement: A-05 and A-06 (asked before its due date, so not overdue).
    assert (found.in_progress, found.overdue_now, found.waiting_supplement) == (3, 2, 2)


def test_headline_of_february_counts_the_dossier_spanning_two_months_once_each(
    seen: Session,
) -> None:
    found = headline(seen, FEBRUARY, EVERYTHING, NOW)
    # Received: A-01 (counter, over Tết) and A-02 (online); resolved: only A-01, early.
    # A-02 is resolved in March (above), counted received here.
    assert found.received == 2
    assert found.received_by_channel == {Channel.ONLINE: 1, Channel.COUNTER: 1, Channel.POST: 0}
    assert (found.resolved, found.early, found.on_time, found.late) == (1, 1, 0, 0)
    assert (found.early_rate, found.late_rate) == (1.0, 0.0)
    # The figures "now" do not depend on the period.
    assert (found.in_progress, found.overdue_now, found.waiting_supplement) == (3, 2, 2)


def test_an_empty_period_has_zero_rates(seen: Session) -> None:
    found = headline(seen, Period(date(2025, 1, 1), date(2025, 1, 31)), EVERYTHING, NOW)
    assert (found.received, found.resolved) == (0, 0)
    assert (found.early_rate, found.on_time_rate, found.late_rate) == (0.0, 0.0, 0.0)
    assert set(found.received_by_channel.values()) == {0}


def test_each_headline_figure_drills_down_to_exactly_its_dossiers(seen: Session) -> None:
    expected = {
        "received": ["A-03", "A-04", "A-05", "A-06", "A-07", "B-01", "B-02"],
        "received_online": ["A-04", "A-05", "A-06", "A-07", "B-02"],
        "received_counter": ["B-01"],
        "received_post": ["A-03"],
        "resolved": ["A-02", "A-03", "B-01"],
        "early": ["B-01"],
        "on_time": ["A-03"],
        "late": ["A-02"],
        "in_progress": ["A-04", "A-05", "A-06"],
        "overdue_now": ["A-04", "A-05"],
        "waiting_supplement": ["A-05", "A-06"],
    }
    assert set(expected) == set(HEADLINE_FIGURES)
    found = headline(seen, MARCH, EVERYTHING, NOW)
    counts = {
        "received": found.received,
        **{f"received_{c.value}": n for c, n in found.received_by_channel.items()},
        "resolved": found.resolved,
        "early": found.early,
        "on_time": found.on_time,
        "late": found.late,
        "in_progress": found.in_progress,
        "overdue_now": found.overdue_now,
        "waiting_supplement": found.waiting_supplement,
    }
    for figure, codes in expected.items():
        assert listed(seen, headline_drill(figure, MARCH, NOW)) == codes, figure
        assert counts[figure] == len(codes), figure


def test_an_unknown_headline_figure_is_refused(seen: Session) -> None:
    with pytest.raises(UnknownFigure, match="unknown headline figure 'received_fax'"):
        headline_drill("received_fax", MARCH, NOW)
    with pytest.raises(ValueError, match="one of received"):
        headline_drill("", MARCH, NOW)


# --- Breakdowns -------------------------------------------------------------------------


def test_breakdown_by_agency_and_procedure_counts_resolved_dossiers(seen: Session) -> None:
    # svh (P1): A-02 late (2 h over: 34 h used of 32), A-03 on time → late rate 1/2;
    # stp (P2): B-01 early.
    agency = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.AGENCY)
    assert [figures(row) for row in agency] == [("svh", 2, 0, 1, 1, 2.0), ("stp", 1, 1, 0, 0, None)]
    assert [(row.label, row.late_rate, row.early_rate) for row in agency] == [
        ("Sở Văn hóa, Thể thao và Du lịch", 0.5, 0.0),
        ("Sở Tư pháp", 0.0, 1.0),
    ]
    procedure = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.PROCEDURE)
    assert [figures(row) for row in procedure] == [(P1, 2, 0, 1, 1, 2.0), (P2, 1, 1, 0, 0, None)]
    assert [row.label for row in procedure] == ["Cấp giấy phép kinh doanh karaoke",
                                               "Chứng thực hợp đồng"]  # fmt: skip
    assert [listed(seen, row.drill) for row in agency] == [["A-02", "A-03"], ["B-01"]]
    assert [listed(seen, row.drill) for row in procedure] == [["A-02", "A-03"], ["B-01"]]
    # February: A-01 alone, early (over Tết).
    assert [figures(row) for row in breakdown(seen, FEBRUARY, EVERYTHING, BreakdownBy.AGENCY)] == [
        ("svh", 1, 1, 0, 0, None)
    ]


def test_a_procedure_without_agency_has_its_own_row(seen: Session) -> None:
    seen.execute(sa.update(Procedure).where(Procedure.code == P2).values(lead_unit_id=None))
    seen.commit()
    rows = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.AGENCY)
    assert [(row.key, row.label, row.total) for row in rows] == [
        ("svh", "Sở Văn hóa, Thể thao và Du lịch", 2),
        (NO_AGENCY, "", 1),
    ]
    assert listed(seen, rows[1].drill) == ["B-01"]


def test_breakdown_by_unit_counts_step_runs_finished_in_the_period(seen: Session) -> None:
    # Runs finished in March: at tt the s1 of, B-01, B-02 (all on time);
    # at svh-qlvh the s2 of A-02 (5 h over) and A-03 (6 h over): median 5.5; at svh the
    # s3 of A-02 (4 h over) and A-03 (1 h over): median 2.5; at stp-hc B-01's s2 early,
    # at stp its s3 on time. A-02's s1 (26 Feb) belongs to February.
    rows = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.UNIT)
    assert [figures(row) for row in rows] == [
        ("svh", 2, 0, 0, 2, 2.5),
        ("svh-qlvh", 2, 0, 0, 2, 5.5),
        ("tt", 5, 0, 5, 0, None),
        ("stp", 1, 0, 1, 0, None),
        ("stp-hc", 1, 1, 0, 0, None),
    ]
    assert rows[1].label == "Phòng Quản lý văn hóa" and rows[1].late_rate == 1.0
    assert rows[4].label == "Phòng Hành chính tư pháp" and rows[4].early_rate == 1.0
    assert [listed(seen, row.drill) for row in rows] == [
        ["A-02", "A-03"],
        ["A-02", "A-03"],
        ["A-03", "A-04", "A-05", "B-01", "B-02"],
        ["B-01"],
        ["B-01"],
    ]
    # February: A-01's s1 on time at tt, s2 early at svh-qlvh, s3 on time at svh, and
    # A-02's s1 early at tt; none late, so the most runs first, then by code.
    assert [figures(row) for row in breakdown(seen, FEBRUARY, EVERYTHING, BreakdownBy.UNIT)] == [
        ("tt", 2, 1, 1, 0, None),
        ("svh", 1, 0, 1, 0, None),
        ("svh-qlvh", 1, 1, 0, 0, None),
    ]


def test_breakdown_by_step_names_the_step_and_its_procedure(seen: Session) -> None:
    rows = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.STEP)
    assert [figures(row) for row in rows] == [
        (f"{P1}||s2", 2, 0, 0, 2, 5.5),
        (f"{P1}||s3", 2, 0, 0, 2, 2.5),
        (f"{P1}||s1", 3, 0, 3, 0, None),
        (f"{P2}|a|s1", 2, 0, 2, 0, None),
        (f"{P2}|a|s2", 1, 1, 0, 0, None),
        (f"{P2}|a|s3", 1, 0, 1, 0, None),
    ]
    assert (rows[0].label, rows[0].detail) == (
        "Thẩm định hồ sơ",
        f"{P1} — Cấp giấy phép kinh doanh karaoke",
    )
    assert (rows[4].label, rows[4].detail) == ("Thẩm định hồ sơ", f"{P2} — Chứng thực hợp đồng")
    assert [listed(seen, row.drill) for row in rows] == [
        ["A-02", "A-03"],
        ["A-02", "A-03"],
        ["A-03", "A-04", "A-05"],
        ["B-01", "B-02"],
        ["B-01"],
        ["B-01"],
    ]


def test_breakdown_by_officer_shows_both_ends(seen: Session) -> None:
    rows = breakdown(seen, MARCH, EVERYTHING, BreakdownBy.OFFICER)
    # Bình: A-02's and A-03's s2, late by 5 and 6 h; Cường: their s3, late by 4 and 1 h;
    # An: four s1 on time (A-05's s1 named nobody); Dũng: B-01's s2 early; Em: its s3.
    assert [figures(row) for row in rows] == [
        (BINH, 2, 0, 0, 2, 5.5),
        (CUONG, 2, 0, 0, 2, 2.5),
        (AN, 4, 0, 4, 0, None),
        (DUNG, 1, 1, 0, 0, None),
        (EM, 1, 0, 1, 0, None),
    ]
    assert [(row.label, row.detail) for row in rows] == [
        ("Trần Thị Bình", "Phòng Quản lý văn hóa"),
        ("Lê Văn Cường", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Nguyễn Văn An", "Trung tâm Phục vụ hành chính công"),
        ("Phạm Văn Dũng", "Phòng Hành chính tư pháp"),
        ("Lê Thị Em", "Sở Tư pháp"),
    ]
    assert [listed(seen, row.drill) for row in rows] == [
        ["A-02", "A-03"],
        ["A-02", "A-03"],
        ["A-03", "A-04", "B-01", "B-02"],
        ["B-01"],
        ["B-01"],
    ]


def test_a_run_level_drill_keeps_its_conditions_on_one_run(seen: Session) -> None:
    # A-02 has an early run (s1 at tt) and a late run at svh: "an early run at svh" is
    # none of its runs, so it is not listed.
    row = next(r for r in breakdown(seen, MARCH, EVERYTHING, BreakdownBy.UNIT) if r.key == "svh")
    assert listed(seen, dataclasses.replace(row.drill, run_verdict=Verdict.LATE)) == [
        "A-02",
        "A-03",
    ]
    assert listed(seen, dataclasses.replace(row.drill, run_verdict=Verdict.EARLY)) == []
    # Unit tt and officer Bình: both reported on, never on the same run.
    assert listed(seen, DossierFilter(unit="tt", officer=BINH)) == []
    assert listed(seen, DossierFilter(unit="svh-qlvh", officer=BINH)) == ["A-01", "A-02", "A-03",
                                                                           "A-04"]  # fmt: skip


# --- Weekly trend -----------------------------------------------------------------------


def test_weekly_trend_has_every_week_of_the_period(seen: Session) -> None:
    # March 2026 starts on a Sunday: its weeks begin on 23 Feb, 2, 9, 16, 23 and 30 March.
    # Received: week of 2 Mar A-03, B-01, B-02; of 9 Mar; of 16 Mar A-06.
    # Resolved: B-01 early (3 Mar) and A-02 late (6 Mar); A-03 on time (9 Mar).
    assert weekly_trend(seen, MARCH, EVERYTHING) == (
        TrendWeek(date(2026, 2, 23), 0, 0, 0, 0),
        TrendWeek(date(2026, 3, 2), 3, 1, 0, 1),
        TrendWeek(date(2026, 3, 9), 3, 0, 1, 0),
        TrendWeek(date(2026, 3, 16), 1, 0, 0, 0),
        TrendWeek(date(2026, 3, 23), 0, 0, 0, 0),
        TrendWeek(date(2026, 3, 30), 0, 0, 0, 0),
    )
    # February: A-01 received 13 Feb, resolved 25 Feb (early); A-02 received 26 Feb. Its
    # last week runs into March, clipped: A-02's resolution on 6 March is not there.
    assert weekly_trend(seen, FEBRUARY, EVERYTHING) == (
        TrendWeek(date(2026, 1, 26), 0, 0, 0, 0),
        TrendWeek(date(2026, 2, 2), 0, 0, 0, 0),
        TrendWeek(date(2026, 2, 9), 1, 0, 0, 0),
        TrendWeek(date(2026, 2, 16), 0, 0, 0, 0),
        TrendWeek(date(2026, 2, 23), 1, 1, 0, 0),
    )


def test_the_trend_counts_by_vietnamese_day(seen: Session) -> None:
    # A-03 was received at 08:00 on Monday 2 March in Vietnam, 01:00 UTC; B-01 too. A
    # period of that Monday alone sees them; the Sunday before sees nothing.
    monday = weekly_trend(seen, Period(date(2026, 3, 2), date(2026, 3, 2)), EVERYTHING)
    assert monday == (TrendWeek(date(2026, 3, 2), 2, 0, 0, 0),)
    sunday = weekly_trend(seen, Period(date(2026, 3, 1), date(2026, 3, 1)), EVERYTHING)
    assert sunday == (TrendWeek(date(2026, 2, 23), 0, 0, 0, 0),)


# --- The overdue list -------------------------------------------------------------------


def test_overdue_list_in_working_days_with_holder_and_apology(seen: Session) -> None:
    rows = overdue_dossiers(seen, EVERYTHING, NOW)
    # due Fri 13 Mar 08:00, 41 working hours before NOW = 5.125 days, held by Bình
    # at s2, apology sent; A-05: due Mon 16 Mar 08:00, 33 h = 4.125 days, waiting at s2
    # (not started: the document's unit, no officer).
    assert [(r.code, r.days_overdue, r.step, r.unit, r.officer, r.apology_sent) for r in rows] == [
        ("A-04", 5.125, "Thẩm định hồ sơ", "Phòng Quản lý văn hóa", "Trần Thị Bình", True),
        ("A-05", 4.125, "Thẩm định hồ sơ", "Phòng Quản lý văn hóa", "", False),
    ]
    first = rows[0]
    assert (first.procedure_code, first.procedure_name) == (P1, "Cấp giấy phép kinh doanh karaoke")
    assert (first.received_at, first.due_at) == (vn(2026, 3, 9, 8), vn(2026, 3, 13, 8))
    assert first.apology_due == vn(2026, 3, 18, 17)


def test_tet_is_not_working_time(seen: Session) -> None:
    # A-01, received Friday 13 Feb before Tết (16-20 Feb are holidays), is due Thursday
    # 26 Feb, not the 19th, and its result on Wednesday 25 Feb is early.
    (a01,) = list_dossiers(seen, headline_drill("early", FEBRUARY, NOW), now=NOW).rows
    assert (a01.code, a01.due_at, a01.verdict) == ("A-01", vn(2026, 2, 26, 8), Verdict.EARLY)


def test_days_overdue_grow_by_working_days_only(seen: Session) -> None:
    # A week on (Fri 27 Mar 09:00): five more working days for; the
    # weekend in between counts nothing.
    (a04, a05) = overdue_dossiers(seen, EVERYTHING, vn(2026, 3, 27, 9))
    assert (a04.days_overdue, a05.days_overdue) == (10.125, 9.125)
    (a04, a05) = overdue_dossiers(seen, EVERYTHING, vn(2026, 3, 22, 12))  # a Sunday
    # 7.5 h on Fri 13 + 40 h (16-20 Mar) = 47.5 h; A-05: 7.5 h on Mon 16 + 32 h.
    assert (a04.days_overdue, a05.days_overdue) == (47.5 / 8, 39.5 / 8)


def test_overdue_list_filters(seen: Session) -> None:
    def codes(**filters: object) -> list[str]:
        chosen = OverdueFilter(**filters)  # type: ignore[arg-type]
        return [row.code for row in overdue_dossiers(seen, EVERYTHING, NOW, chosen)]

    assert codes(min_days=5) == ["A-04"]
    assert codes(min_days=4.125) == ["A-04", "A-05"]
    assert codes(min_days=6) == []
    assert codes(apology=True) == ["A-04"]
    assert codes(apology=False) == ["A-05"]
    assert codes(procedure=P1) == ["A-04", "A-05"]
    assert codes(procedure=P2) == []
    # A-04 is in hand at svh-qlvh; A-05's s2 has not started, so no unit holds it yet.
    assert codes(unit="svh-qlvh") == ["A-04"]
    assert codes(unit="tt") == []
    assert [r.code for r in overdue_dossiers(seen, EVERYTHING, NOW, limit=1)] == ["A-04"]


# --- Scope ------------------------------------------------------------------------------


def test_a_unit_scope_sees_only_its_subtree_everywhere(seen: Session) -> None:
    svh = scope_of(seen, "svh")  # svh and svh-qlvh: P1's agency
    stp = scope_of(seen, "stp")  # stp and stp-hc: P2's agency
    mine = headline(seen, MARCH, svh, NOW)
    # Received: A-03 (post), A-04, A-05, A-06, A-07 (online); not B-01, B-02 (P2 never
    # passed through svh). Resolved: A-02 late, A-03 on time.
    assert (mine.received, mine.received_by_channel[Channel.COUNTER]) == (5, 0)
    assert (mine.resolved, mine.early, mine.on_time, mine.late) == (2, 0, 1, 1)
    assert (mine.in_progress, mine.overdue_now, mine.waiting_supplement) == (3, 2, 2)
    theirs = headline(seen, MARCH, stp, NOW)
    assert (theirs.received, theirs.resolved, theirs.early, theirs.in_progress) == (2, 1, 1, 0)

    assert [row.key for row in breakdown(seen, MARCH, svh, BreakdownBy.AGENCY)] == ["svh"]
    assert [row.key for row in breakdown(seen, MARCH, svh, BreakdownBy.PROCEDURE)] == [P1]
    # Run level: only the runs at svh's units (tt's runs of the same dossiers stay out).
    units = breakdown(seen, MARCH, svh, BreakdownBy.UNIT)
    assert [figures(row) for row in units] == [("svh", 2, 0, 0, 2, 2.5),
                                               ("svh-qlvh", 2, 0, 0, 2, 5.5)]  # fmt: skip
    steps = breakdown(seen, MARCH, svh, BreakdownBy.STEP)
    assert [row.key for row in steps] == [f"{P1}||s2", f"{P1}||s3"]
    officers = breakdown(seen, MARCH, stp, BreakdownBy.OFFICER)
    assert [figures(row) for row in officers] == [(DUNG, 1, 1, 0, 0, None),
                                                  (EM, 1, 0, 1, 0, None)]  # fmt: skip
    assert [w.received for w in weekly_trend(seen, MARCH, stp)] == [0, 2, 0, 0, 0, 0]
    assert [r.code for r in overdue_dossiers(seen, svh, NOW)] == ["A-04", "A-05"]
    assert overdue_dossiers(seen, stp, NOW) == ()

    # The drill-downs carry the scope: nothing outside comes back through them.
    assert listed(seen, headline_drill("received", MARCH, NOW, scope=stp)) == ["B-01", "B-02"]
    assert listed(seen, headline_drill("received_counter", MARCH, NOW, scope=svh)) == []
    assert listed(seen, units[0].drill) == ["A-02", "A-03"] and units[0].drill.scope == svh
    assert listed(seen, DossierFilter(procedure=P1, scope=stp)) == []
    # tt's runs are outside svh's scope even on svh's own dossiers.
    assert listed(seen, DossierFilter(unit="tt", scope=svh)) == []


def test_a_scope_with_a_unit_of_no_dossier_sees_nothing(seen: Session) -> None:
    empty = Scope(frozenset({-1}), frozenset({"nowhere"}))
    assert headline(seen, MARCH, empty, NOW).received == 0
    assert all(breakdown(seen, MARCH, empty, by) == () for by in BreakdownBy)
    assert overdue_dossiers(seen, empty, NOW) == ()
    assert list_dossiers(seen, DossierFilter(scope=empty), now=NOW).total == 0
