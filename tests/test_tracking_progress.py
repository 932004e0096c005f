"""The pure state function of a dossier: verdicts at their boundaries, stopped clocks, order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from flow_samples import flow
from hypothesis import given, settings
from hypothesis import strategies as st
from support.tracking import vn

from workflow_model.calendar import WorkingCalendar
from workflow_model.models import DossierStatus, EventKind, Verdict
from workflow_model.tracking import EventFact, derive, judge, progress_at

CALENDAR = WorkingCalendar()
DOC = flow()  # s1 0.5 d → s2 2 d → s3 8 h → s4 0.5 d; legal time 4 working days

K = EventKind


def fact(kind: EventKind, at: datetime, step: str | None = None, **extra: object) -> EventFact:
    return EventFact(kind, at, order=f"{at.isoformat()}-{kind.value}", step=step, **extra)  # type: ignore[arg-type]


def run_of(events: list[EventFact], key: str, as_of: datetime | None = None):  # type: ignore[no-untyped-def]
    progress = derive(DOC, events, CALENDAR, as_of=as_of)
    return next(run for run in progress.runs if run.key == key)


def s2_from(start: datetime, finish: datetime):  # type: ignore[no-untyped-def]
    return run_of(
        [
            fact(K.RECEIVED, start - timedelta(minutes=1)),
            fact(K.STEP_STARTED, start, "s2"),
            fact(K.STEP_COMPLETED, finish, "s2"),
        ],
        "s2",
    )


# Tết 2027: Thursday 4 to Wednesday 10 February are off. A 2-day step started Wednesday
# 3 February 09:30 has 6 hours that day, 8 on Thursday 11, and its last 2 on Friday 12:
# its time runs out at 09:30 on 12 February.
TET_DEADLINE = vn(2027, 2, 12, 9, 30)


@pytest.mark.parametrize(
    ("finish", "verdict"),
    [
        (vn(2027, 2, 3, 17, 0), Verdict.EARLY),
        (vn(2027, 2, 11, 17, 30), Verdict.EARLY),
        (vn(2027, 2, 12, 7, 30), Verdict.ON_TIME),
        (vn(2027, 2, 12, 9, 30), Verdict.ON_TIME),
        (vn(2027, 2, 12, 9, 31), Verdict.LATE),
        (vn(2027, 2, 15, 8, 0), Verdict.LATE),
    ],
)
def test_verdicts_across_tet_2027(finish: datetime, verdict: Verdict) -> None:
    run = s2_from(vn(2027, 2, 3, 9, 30), finish)
    assert run.deadline_at == TET_DEADLINE
    assert run.allotted_hours == 16
    assert run.verdict is verdict


@pytest.mark.parametrize(
    ("finish", "verdict"),
    [
        (vn(2026, 8, 21, 17, 30), Verdict.EARLY),
        (vn(2026, 8, 22, 8, 0), Verdict.ON_TIME),
        (vn(2026, 8, 22, 11, 30), Verdict.ON_TIME),
        (vn(2026, 8, 22, 11, 30, 1), Verdict.LATE),
        (vn(2026, 8, 24, 7, 30), Verdict.LATE),
    ],
)
def test_verdicts_on_the_swapped_saturday(finish: datetime, verdict: Verdict) -> None:
    # Saturday 22 August 2026 is worked (in exchange for Monday 31 August): an 8-hour
    # step started Friday 21 at 13:30 runs out at 11:30 that Saturday.
    events = [
        fact(K.RECEIVED, vn(2026, 8, 21, 13, 0)),
        fact(K.STEP_STARTED, vn(2026, 8, 21, 13, 30), "s3"),
        fact(K.STEP_COMPLETED, finish, "s3"),
    ]
    run = run_of(events, "s3")
    assert run.deadline_at == vn(2026, 8, 22, 11, 30)
    assert run.verdict is verdict


def test_the_dossier_due_date_skips_the_day_off_given_for_the_swapped_saturday() -> None:
    # 32 working hours from Thursday 27 August 07:30: Thu, Fri, then Tue 1 and Wed 2
    # September are Quốc khánh and Monday 31 is the day off for the Saturday: Thu 3, Fri 4.
    progress = derive(DOC, [fact(K.RECEIVED, vn(2026, 8, 27, 7, 30))], CALENDAR)
    assert progress.due_at == vn(2026, 9, 4, 17, 30)
    assert progress.status is DossierStatus.IN_PROGRESS
    assert progress.current_steps == ("s1",)


# A dossier received Wednesday 3 February 2027 at 09:30 has 32 working hours: 6 that day,
# none from Thursday 4 to Wednesday 10 (Tết) nor on the weekend, 8 each on Thursday 11,
# Friday 12 and Monday 15, and its last 2 on Tuesday 16: due at 09:30 that day.
TET_DUE = vn(2027, 2, 16, 9, 30)


@pytest.mark.parametrize(
    ("ready", "verdict"),
    [
        (vn(2027, 2, 15, 17, 30), Verdict.EARLY),
        (vn(2027, 2, 16, 7, 30), Verdict.ON_TIME),
        (TET_DUE, Verdict.ON_TIME),
        (vn(2027, 2, 16, 9, 31), Verdict.LATE),
    ],
)
def test_the_dossier_due_date_across_tet_2027_is_right_to_the_minute(
    ready: datetime, verdict: Verdict
) -> None:
    received = fact(K.RECEIVED, vn(2027, 2, 3, 9, 30))
    assert derive(DOC, [received], CALENDAR).due_at == TET_DUE
    progress = derive(DOC, [received, fact(K.RESULT_READY, ready)], CALENDAR)
    assert progress.due_at == TET_DUE
    assert progress.verdict is verdict


def test_a_supplement_wait_over_tet_moves_the_due_date_by_its_working_hours_only() -> None:
    # Received Monday 1 February 2027 07:30 (due Thursday 11 at 17:30 across Tết); the
    # wait from Tuesday 2 07:30 to Thursday 11 13:30 stops 8 + 8 + 4 working hours, Tết
    # itself stopping nothing: the due date moves on 20 hours, to Tuesday 16 at 11:30.
    received = fact(K.RECEIVED, vn(2027, 2, 1, 7, 30))
    assert derive(DOC, [received], CALENDAR).due_at == vn(2027, 2, 11, 17, 30)
    events = [
        received,
        fact(K.SUPPLEMENT_REQUESTED, vn(2027, 2, 2, 7, 30)),
        fact(K.SUPPLEMENT_RECEIVED, vn(2027, 2, 11, 13, 30)),
    ]
    progress = derive(DOC, events, CALENDAR)
    assert progress.stopped_hours == 20
    assert progress.used_hours == 8
    assert progress.due_at == vn(2027, 2, 16, 11, 30)
    assert progress.status is DossierStatus.IN_PROGRESS


def test_a_step_finishing_on_a_later_day_than_its_start_is_judged_by_its_deadline_day() -> None:
    start = vn(2026, 3, 9, 7, 30)  # Monday; 2 days run out Tuesday 17:30
    assert s2_from(start, vn(2026, 3, 9, 17, 30)).verdict is Verdict.EARLY
    assert s2_from(start, vn(2026, 3, 10, 17, 30)).verdict is Verdict.ON_TIME
    assert s2_from(start, vn(2026, 3, 10, 18, 0)).verdict is Verdict.LATE


@pytest.mark.parametrize(
    ("stop", "go"),
    [(K.PAUSED, K.RESUMED), (K.SUPPLEMENT_REQUESTED, K.SUPPLEMENT_RECEIVED)],
)
def test_stopped_time_is_not_used_and_moves_the_deadlines(stop: EventKind, go: EventKind) -> None:
    events = [
        fact(K.RECEIVED, vn(2026, 3, 9, 7, 30)),
        fact(K.STEP_STARTED, vn(2026, 3, 9, 7, 30), "s2"),
        fact(stop, vn(2026, 3, 10, 7, 30)),
        fact(go, vn(2026, 3, 12, 7, 30)),
        fact(K.STEP_COMPLETED, vn(2026, 3, 12, 12, 0), "s2"),
    ]
    progress = derive(DOC, events, CALENDAR)
    run = progress.runs[0]
    assert run.used_hours == 8 + 4
    assert run.deadline_at == vn(2026, 3, 12, 17, 30)  # not Tuesday 17:30
    assert run.verdict is Verdict.ON_TIME
    assert progress.stopped_hours == 16
    assert progress.due_at == vn(2026, 3, 16, 17, 30)  # Thursday 12 + the two days stopped
    assert progress.used_hours == 12
    assert progress.left_hours == 32 - 12


def test_waiting_for_a_supplement_is_a_status_and_stops_the_clock_until_it_comes() -> None:
    events = [
        fact(K.RECEIVED, vn(2026, 3, 9, 7, 30)),
        fact(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 9, 9, 30)),
    ]
    waiting = derive(DOC, events, CALENDAR, as_of=vn(2026, 3, 20, 9, 0))
    assert waiting.status is DossierStatus.WAITING_SUPPLEMENT
    assert waiting.used_hours == 2
    assert waiting.clock_stopped_since == vn(2026, 3, 9, 9, 30)
    assert waiting.due_at > vn(2026, 3, 20, 9, 0)


def test_an_apology_shows_a_new_return_date_and_the_verdict_stays_late() -> None:
    events = [
        fact(K.RECEIVED, vn(2026, 3, 9, 7, 30)),
        fact(K.APOLOGY_SENT, vn(2026, 3, 12, 16, 0), new_due=vn(2026, 3, 18, 17, 0)),
        fact(K.RESULT_READY, vn(2026, 3, 17, 9, 0)),
    ]
    progress = derive(DOC, events, CALENDAR)
    assert progress.due_at == vn(2026, 3, 12, 17, 30)
    assert progress.apology_due == vn(2026, 3, 18, 17, 0)
    assert progress.finished_at == vn(2026, 3, 17, 9, 0)
    assert progress.verdict is Verdict.LATE
    assert progress.status is DossierStatus.RESULT_READY
    assert progress.current_steps == ()


@pytest.mark.parametrize(
    ("kind", "status", "judged"),
    [
        (K.REFUSED, DossierStatus.REFUSED, True),
        (K.WITHDRAWN, DossierStatus.WITHDRAWN, False),
        (K.RETURNED, DossierStatus.RETURNED, True),
    ],
)
def test_a_closing_event_closes(kind: EventKind, status: DossierStatus, judged: bool) -> None:
    events = [fact(K.RECEIVED, vn(2026, 3, 9, 7, 30)), fact(kind, vn(2026, 3, 10, 8, 0))]
    progress = derive(DOC, events, CALENDAR, as_of=vn(2026, 4, 1, 8, 0))
    assert progress.status is status
    assert progress.closed_at == vn(2026, 3, 10, 8, 0)
    assert (progress.verdict is Verdict.EARLY) is judged
    assert progress.used_hours == 8.5
    assert progress.current_steps == ()


def test_after_a_handover_the_current_steps_are_where_it_leads() -> None:
    events = [
        fact(K.RECEIVED, vn(2026, 3, 9, 7, 30)),
        fact(K.STEP_COMPLETED, vn(2026, 3, 9, 9, 0), "s1"),
        fact(K.STEP_COMPLETED, vn(2026, 3, 10, 9, 0), "s2"),
    ]
    progress = derive(DOC, events, CALENDAR)
    assert [run.started_at for run in progress.runs] == [
        vn(2026, 3, 9, 7, 30),
        vn(2026, 3, 9, 9, 0),
    ]
    assert progress.current_steps == ("s3", "s5")


def test_without_a_reception_there_is_no_state() -> None:
    with pytest.raises(ValueError, match="received"):
        derive(DOC, [fact(K.PAUSED, vn(2026, 3, 9, 7, 30))], CALENDAR)


def test_judge_compares_vietnamese_days() -> None:
    deadline = vn(2026, 3, 10, 8, 0)
    # 23:30 UTC on the 9th is 06:30 on the 10th in Viet Nam: the same day, so on time.
    assert judge(vn(2026, 3, 10, 6, 30), deadline) is Verdict.ON_TIME
    assert judge(vn(2026, 3, 9, 23, 59), deadline) is Verdict.EARLY


# A random history: the process walked step by step, with pauses, supplement waits, an
# apology and an end, at random gaps (zero included, so ties are broken by the id).
_PLAN = st.lists(
    st.tuples(
        st.sampled_from(["step", "pause", "supplement", "apology"]),
        st.integers(min_value=0, max_value=3000),
    ),
    max_size=8,
)


@st.composite
def histories(draw: st.DrawFn) -> list[EventFact]:
    """A time-ordered valid history of one dossier."""
    at = vn(2026, 1, 5, 7, 0) + timedelta(minutes=draw(st.integers(0, 300_000)))
    events = [EventFact(K.RECEIVED, at, "e00")]
    steps = iter(["s1", "s2", "s3", "s4"])

    def add(kind: EventKind, gap: int, **extra: object) -> None:
        nonlocal at
        at += timedelta(minutes=gap)
        events.append(EventFact(kind, at, f"e{len(events):02d}", **extra))  # type: ignore[arg-type]

    for action, gap in draw(_PLAN):
        if action == "step":
            key = next(steps, None)
            if key is None:
                continue
            if draw(st.booleans()):
                add(K.STEP_STARTED, gap, step=key, unit="u", officer="a@b.vn")
            add(K.STEP_COMPLETED, draw(st.integers(0, 3000)), step=key)
        elif action == "pause":
            add(K.PAUSED, gap)
            add(K.RESUMED, draw(st.integers(0, 3000)))
        elif action == "supplement":
            add(K.SUPPLEMENT_REQUESTED, gap)
            if draw(st.booleans()):
                add(K.SUPPLEMENT_RECEIVED, draw(st.integers(0, 3000)))
        else:
            add(K.APOLOGY_SENT, gap, new_due=at + timedelta(days=7))
    end = draw(st.sampled_from([None, K.RESULT_READY, K.RETURNED, K.REFUSED, K.WITHDRAWN]))
    if end is not None:
        add(end, draw(st.integers(0, 3000)))
    return events


@settings(max_examples=60, deadline=None)
@given(history=histories(), seed=st.integers(0, 2**32))
def test_the_order_events_are_given_in_does_not_matter(history: list[EventFact], seed: int) -> None:
    shuffled = list(history)
    random.Random(seed).shuffle(shuffled)
    assert derive(DOC, shuffled, CALENDAR) == derive(DOC, history, CALENDAR)


@settings(max_examples=60, deadline=None)
@given(history=histories(), later=st.integers(0, 20_000))
def test_a_stored_state_carried_on_to_now_is_the_state_derived_at_now(
    history: list[EventFact], later: int
) -> None:
    stored = derive(DOC, history, CALENDAR)
    now = stored.as_of + timedelta(minutes=later)
    carried = progress_at(stored, now, CALENDAR)
    fresh = derive(DOC, history, CALENDAR, as_of=now)
    assert carried.due_at == fresh.due_at
    assert carried.used_hours == pytest.approx(fresh.used_hours, abs=1e-6)
    assert carried.stopped_hours == pytest.approx(fresh.stopped_hours, abs=1e-6)
    assert [r.deadline_at for r in carried.runs] == [r.deadline_at for r in fresh.runs]
    assert [r.used_hours for r in carried.runs] == pytest.approx(
        [r.used_hours for r in fresh.runs], abs=1e-6
    )
