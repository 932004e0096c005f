"""A dossier's progress laid on its diagram: each step's state, drawn in its colours."""

from __future__ import annotations

from datetime import datetime

import lxml.etree
from flow_samples import flow
from hypothesis import given, settings
from hypothesis import strategies as st
from support.tracking import vn

from exporters.svg import STATES, render_svg
from workflow_model.calendar import WorkingCalendar
from workflow_model.models import EventKind
from workflow_model.tracking import EventFact, StepState, derive, progress_at, step_states
from workflow_model.tracking.wording import STATE_WORDS, label, working_time

CALENDAR = WorkingCalendar()
DOC = flow()  # s1 0.5 d → s2 2 d → (s3 8 h → s4 end) | s5 end
K = EventKind
S = StepState


def fact(kind: EventKind, at: datetime, step: str | None = None) -> EventFact:
    return EventFact(kind, at, order=f"{at.isoformat()}-{kind.value}", step=step)


RECEIVED = fact(K.RECEIVED, vn(2026, 3, 9, 7, 30))
S1_DONE = fact(K.STEP_COMPLETED, vn(2026, 3, 9, 9, 0), "s1")


def states(*events: EventFact, as_of: datetime | None = None) -> dict[str, StepState]:
    progress = derive(DOC, [RECEIVED, *events], CALENDAR)
    if as_of is not None:
        progress = progress_at(progress, as_of, CALENDAR)
    return step_states(DOC, progress)


def test_a_new_dossier_is_at_its_first_step_and_everything_else_is_ahead() -> None:
    assert states() == {"s1": S.CURRENT, "s2": S.PENDING, "s3": S.PENDING, "s4": S.PENDING,
                        "s5": S.PENDING}  # fmt: skip


def test_a_handover_judges_the_step_and_both_branches_stay_ahead_until_one_starts() -> None:
    after_handover = states(S1_DONE)
    assert after_handover["s1"] is S.ON_TIME  # finished the day its half day ran out
    assert after_handover["s2"] is S.CURRENT
    assert {after_handover[key] for key in ("s3", "s4", "s5")} == {S.PENDING}


def test_the_branch_not_taken_is_faded_once_the_other_one_starts() -> None:
    taken = states(
        S1_DONE,
        fact(K.STEP_COMPLETED, vn(2026, 3, 10, 16, 0), "s2"),
        fact(K.STEP_STARTED, vn(2026, 3, 10, 16, 30), "s3"),
    )
    assert taken["s2"] is S.EARLY  # its two days ran out on 11 March at 09:00
    assert taken["s3"] is S.CURRENT
    assert taken["s4"] is S.PENDING
    assert taken["s5"] is S.SKIPPED


def test_a_step_past_its_time_is_overdue_while_handled_and_late_once_handed_over() -> None:
    two_weeks_later = vn(2026, 3, 23, 9, 0)
    started = fact(K.STEP_STARTED, vn(2026, 3, 9, 9, 30), "s2")
    assert states(S1_DONE, started, as_of=vn(2026, 3, 10, 9, 0))["s2"] is S.CURRENT
    assert states(S1_DONE, started, as_of=two_weeks_later)["s2"] is S.OVERDUE
    # Handed to and never started: overdue once the dossier's four days are gone.
    assert states(S1_DONE, as_of=vn(2026, 3, 12, 9, 0))["s2"] is S.CURRENT
    assert states(S1_DONE, as_of=two_weeks_later)["s2"] is S.OVERDUE
    handed = states(S1_DONE, fact(K.STEP_COMPLETED, two_weeks_later, "s2"))
    assert handed["s2"] is S.LATE


def test_a_closed_dossier_leaves_no_step_ahead() -> None:
    closed = states(S1_DONE, fact(K.REFUSED, vn(2026, 3, 9, 10, 0)))
    assert closed["s1"] is S.ON_TIME
    assert {closed[key] for key in ("s2", "s3", "s4", "s5")} == {S.SKIPPED}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["s1", "s2", "s3", "s4", "s5"]), max_size=6),
       st.lists(st.integers(min_value=1, max_value=600), min_size=6, max_size=6))  # fmt: skip
def test_every_step_gets_exactly_one_known_state(keys: list[str], gaps: list[int]) -> None:
    moment, events = RECEIVED.at, []
    for key, minutes in zip(keys, gaps, strict=False):
        moment = CALENDAR.add_working_hours(moment, minutes / 60)
        events.append(fact(K.STEP_COMPLETED, moment, key))
    found = states(*events)
    assert set(found) == {step.key for step in DOC.steps}
    assert all(state.value in STATES for state in found.values())
    # Finished steps are judged; nothing is both done and ahead.
    for key in keys:
        assert found[key] in {S.EARLY, S.ON_TIME, S.LATE, S.CURRENT, S.OVERDUE}


def test_the_diagram_draws_each_state_in_its_own_style_with_a_note_on_the_current_step() -> None:
    taken = states(
        S1_DONE,
        fact(K.STEP_COMPLETED, vn(2026, 3, 10, 16, 0), "s2"),
        fact(K.STEP_STARTED, vn(2026, 3, 10, 16, 30), "s3"),
    )
    note = "Đã dùng 1 giờ, còn 7 giờ"
    root = lxml.etree.fromstring(render_svg(DOC, overlay=taken, notes={"s3": note}))
    groups = {g.get("data-key"): g for g in root.iter("{*}g") if g.get("class") == "sodo-step"}
    for key, state in taken.items():
        rect = groups[key].find("{*}rect")
        assert groups[key].get("data-state") == state.value
        assert (rect.get("fill"), rect.get("stroke")) == STATES[state.value][:2]
    assert groups["s5"].find("{*}rect").get("stroke-dasharray")
    assert note in " ".join(" ".join(groups["s3"].itertext()).split())
    assert len({STATES[state.value][:2] for state in StepState}) == len(StepState)


def test_each_state_and_time_is_worded_in_both_languages() -> None:
    for state in StepState:
        assert label(STATE_WORDS, state, "vi") != label(STATE_WORDS, state, "en")
    assert (working_time(3.25, "vi"), working_time(12, "en")) == ("3,2 giờ", "1.5 days")
