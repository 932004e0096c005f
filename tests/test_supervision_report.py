"""The periodic report on SQLite and PostgreSQL: hand-computed figures, scope, reconciliation.

A fixed history of twelve dossiers on two procedures of two fields
(`support.report_history`), read
for March and April 2026, against figures worked out by hand; then, for random event
histories and random periods, the property that every line, subtotal and total
reconciles (carried over + new = resolved + withdrawn/refused + in progress) and that
the figures agree with an independent reading of the events themselves.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flow_samples import flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from support.report_history import NOW, TOURISM, ingest_history, tourism
from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn

from workflow_model.models import Dossier, DossierEvent, DossierStepRun, Unit
from workflow_model.supervision import (
    EVERYTHING,
    Counts,
    Period,
    PeriodicReport,
    UnitOutOfScope,
    UnknownUnit,
    periodic_report,
    scope_of_unit,
    units_in_scope,
)
from workflow_model.tracking import ItemOutcome, ingest_events

MARCH = Period.month_of(date(2026, 3, 1))
APRIL = Period.month_of(date(2026, 4, 1))


@pytest.fixture
def tracked(session: Session) -> Session:
    ingest_history(session)
    return session


def unit_id(session: Session, code: str) -> int:
    return session.execute(sa.select(Unit.id).where(Unit.code == code)).scalar_one()


def by_code(report: PeriodicReport) -> dict[str, Counts]:
    return {line.code: line.counts for line in report.lines}


def reconciles(counts: Counts) -> bool:
    return counts.received == counts.resolved + counts.withdrawn_refused + counts.in_progress


def test_march_by_hand(tracked: Session) -> None:
    report = periodic_report(tracked, MARCH, EVERYTHING, now=NOW)
    assert by_code(report) == {
        "1.000894": Counts(carried_over=1, new_online=4, new_direct=4, early=2, on_time=0,
                           late=1, withdrawn_refused=2, within_time=2, overdue=2),
        TOURISM: Counts(new_online=1, early=1),
    }  # fmt: skip
    assert [(f.name, [a.name for a in f.agencies]) for f in report.fields] == [
        ("Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Văn hóa", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ]
    assert report.total == Counts(1, 5, 4, 3, 0, 1, 2, 2, 2)
    assert report.total.received == 10 == report.total.resolved + 2 + report.total.in_progress
    assert report.unit_name == "" and report.period == MARCH


def test_a_dossier_in_progress_at_the_end_of_march_is_carried_over_into_april(
    tracked: Session,
) -> None:
    march = periodic_report(tracked, MARCH, EVERYTHING, now=NOW)
    april = periodic_report(tracked, APRIL, EVERYTHING, now=NOW)
    assert by_code(april) == {
        "1.000894": Counts(carried_over=4, new_direct=1, early=1, late=1, within_time=1,
                           overdue=2),
    }  # fmt: skip
    assert april.total.carried_over == march.total.in_progress == 4


def test_a_period_not_over_yet_judges_overdue_now(tracked: Session) -> None:
    # Judged on 3 April, D11 (received 2 April, due 8 April) is within time; judged
    # after April, it is overdue (D8 within time and D9 overdue either way).
    report = periodic_report(tracked, APRIL, EVERYTHING, now=vn(2026, 4, 3, 9))
    counts = by_code(report)["1.000894"]
    assert (counts.within_time, counts.overdue) == (2, 1)
    assert report.as_of == vn(2026, 4, 3, 9)


def test_subtotals_are_the_sums_of_their_lines(tracked: Session) -> None:
    report = periodic_report(tracked, MARCH, EVERYTHING, now=NOW)
    for field in report.fields:
        for agency in field.agencies:
            assert agency.counts == sum((line.counts for line in agency.lines), Counts())
        assert field.counts == sum((a.counts for a in field.agencies), Counts())
    assert report.total == sum((f.counts for f in report.fields), Counts())


def test_a_unit_narrows_to_its_subtree_and_a_scoped_reader_never_widens(
    tracked: Session,
) -> None:
    qlvh, svh, tt = (unit_id(tracked, code) for code in ("svh-qlvh", "svh", "tt"))
    # Only D2 passed through svh-qlvh; the agency svh implements both procedures.
    narrowed = periodic_report(tracked, MARCH, EVERYTHING, unit_id=qlvh, now=NOW)
    assert by_code(narrowed) == {"1.000894": Counts(new_direct=1, late=1)}
    assert narrowed.unit_name == "Phòng Quản lý văn hóa"
    whole = periodic_report(tracked, MARCH, EVERYTHING, now=NOW)
    assert periodic_report(tracked, MARCH, EVERYTHING, unit_id=svh, now=NOW).total == whole.total
    # A supervisor scoped to svh-qlvh sees D2 only, and cannot ask for svh or tt.
    scoped = scope_of_unit(tracked, qlvh)
    assert by_code(periodic_report(tracked, MARCH, scoped, now=NOW)) == by_code(narrowed)
    for outside in (svh, tt):
        with pytest.raises(UnitOutOfScope):
            periodic_report(tracked, MARCH, scoped, unit_id=outside, now=NOW)
    with pytest.raises(UnknownUnit):
        periodic_report(tracked, MARCH, EVERYTHING, unit_id=999_999, now=NOW)
    assert units_in_scope(tracked, scoped) == [(qlvh, "Phòng Quản lý văn hóa")]
    assert {name for _, name in units_in_scope(tracked, EVERYTHING)} >= {
        "Phòng Quản lý văn hóa",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Trung tâm Phục vụ hành chính công",
    }


def test_a_unit_without_any_dossier_gives_an_empty_report(tracked: Session) -> None:
    report = periodic_report(
        tracked, Period(date(2025, 1, 1), date(2025, 12, 31)), EVERYTHING, now=NOW
    )
    assert report.fields == () and report.total == Counts()


# --- the reconciliation property ----------------------------------------------------------

_examples = itertools.count()
START = vn(2026, 1, 5, 7)
LATEST = vn(2026, 12, 1, 8)


@st.composite
def dossier_history(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One dossier's valid history, in time order: steps, pauses, supplements, an ending."""
    at = START + timedelta(minutes=draw(st.integers(0, 400_000)))
    procedure = draw(st.sampled_from(["1.000894", TOURISM]))
    channel = draw(st.sampled_from(["online", "counter", "post"]))
    items = [item("e00", "received", at, procedure=procedure, channel=channel)]
    gaps = st.integers(min_value=0, max_value=6000)

    def add(kind: str, **fields: Any) -> None:
        nonlocal at
        at += timedelta(minutes=draw(gaps))
        items.append(item(f"e{len(items):02d}", kind, at, **fields))

    steps = iter(["s1", "s2", "s3"])
    for action in draw(st.lists(st.sampled_from(["step", "pause", "supplement"]), max_size=5)):
        if action == "step" and (key := next(steps, None)) is not None:
            if draw(st.booleans()):
                add("step_started", step=key, unit=draw(st.sampled_from(["svh-qlvh", "svh"])))
            add("step_completed", step=key)
        elif action == "pause":
            add("paused")
            if draw(st.booleans()):
                add("resumed")
        elif action == "supplement":
            add("supplement_requested")
            if draw(st.booleans()):
                add("supplement_received")
    if draw(st.booleans()):
        add("result_ready")
    ending = draw(st.sampled_from([None, "returned", "refused", "withdrawn"]))
    if ending is not None:
        add(ending)
    return items


@st.composite
def periods(draw: st.DrawFn) -> Period:
    first = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 330)))
    return Period(first, first + timedelta(days=draw(st.integers(0, 120))))


def _expected(histories: list[list[dict[str, Any]]], period: Period) -> dict[str, int]:
    """The period's figures read from the events, independently of the stored state."""
    start, end = period.starts_at, period.ends_at
    found = dict.fromkeys(("carried_over", "new", "resolved", "dropped", "in_progress"), 0)
    for events in histories:
        times = {e["kind"]: datetime.fromisoformat(e["at"]) for e in reversed(events)}
        received = times["received"]
        closing = next((e["kind"] for e in events if e["kind"] in ("refused", "withdrawn")), None)
        result = times.get("result_ready") or times.get("returned")
        if closing is not None and (result is None or result >= times[closing]):
            ended, kind = times[closing], "dropped"
        else:
            ended, kind = result, "resolved"
        if received >= end or (ended is not None and ended < start):
            continue
        found["carried_over" if received < start else "new"] += 1
        found[kind if ended is not None and ended < end else "in_progress"] += 1
    return found


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories=st.lists(dossier_history(), min_size=1, max_size=8),
    period=periods(),
    judged=st.integers(0, 400),
)
def test_every_line_subtotal_and_total_reconciles(
    session: Session, histories: list[list[dict[str, Any]]], period: Period, judged: int
) -> None:
    if not hasattr(session, "_report_ready"):
        people = author_and_approver(session)
        in_force(session, flow(), vn(2025, 12, 1), people)
        in_force(session, flow(tourism), vn(2025, 12, 1), people)
        session._report_ready = True  # type: ignore[attr-defined]
    # Each example starts from no dossier (Core deletes: the events are append-only for
    # the application, not for a test tidying up).
    for table in (DossierStepRun, DossierEvent, Dossier):
        session.execute(sa.delete(table))
    session.commit()
    batch = []
    for number, events in enumerate(histories):
        code = f"R{next(_examples)}-{number}"
        batch += [{**e, "dossier": code, "id": f"{code}-{e['id']}"} for e in events]
    results = ingest_events(session, SOURCE, batch, check_keys=KEYS, now=LATEST)
    assert {r.result for r in results} == {ItemOutcome.ACCEPTED}, results

    now = vn(2026, 1, 1, 8) + timedelta(days=judged)
    report = periodic_report(session, period, EVERYTHING, now=now)
    for field in report.fields:
        for agency in field.agencies:
            assert all(reconciles(line.counts) for line in agency.lines)
            assert agency.counts == sum((line.counts for line in agency.lines), Counts())
            assert reconciles(agency.counts)
        assert field.counts == sum((agency.counts for agency in field.agencies), Counts())
        assert reconciles(field.counts)
    assert report.total == sum((field.counts for field in report.fields), Counts())
    assert reconciles(report.total)
    total = report.total
    assert {
        "carried_over": total.carried_over,
        "new": total.new,
        "resolved": total.resolved,
        "dropped": total.withdrawn_refused,
        "in_progress": total.in_progress,
    } == _expected(histories, period)
