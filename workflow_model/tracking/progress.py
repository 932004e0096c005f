"""The state of a dossier: a pure function of its pinned document, its events and the calendar.

`derive` replays the events in time order (ties: `received` first, then by the source's
event id, so arrival order never matters) and returns a `DossierProgress`: the status,
the current steps, each step run with its allotted and used working hours and its
verdict, and the dossier's due date and verdict. Time the clock is stopped (between
`paused` and `resumed`, and between `supplement_requested` and `supplement_received`)
is counted neither as used nor against a deadline: it moves the deadlines on.

The verdicts follow the control slip (phiếu kiểm soát quá trình giải quyết hồ sơ):
early when the work finishes on a day before the day its allotted time runs out, on time
when it finishes on that day no later than that moment, late when it finishes after it.
An apology slip's new return date is shown as `apology_due`; it never changes a verdict.

Nothing here reads a database or a clock; `progress_at` carries a state derived up to
its last event forward to any later moment, which is what a lookup shows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..calendar import TIMEZONE, WorkingCalendar
from ..document import FlowDocument
from ..enums import StepKind
from ..flowgraph import step_hours
from ..models.tracking import CLOSING_KINDS, DossierStatus, EventKind, Verdict

__all__ = ["DossierProgress", "EventFact", "StepRun", "derive", "judge", "progress_at"]

_STOPPERS = {
    EventKind.PAUSED: ("paused", True),
    EventKind.RESUMED: ("paused", False),
    EventKind.SUPPLEMENT_REQUESTED: ("supplement", True),
    EventKind.SUPPLEMENT_RECEIVED: ("supplement", False),
}
_FINISHING = (EventKind.RESULT_READY, EventKind.REFUSED, EventKind.RETURNED)


@dataclass(frozen=True)
class EventFact:
    """One event as the state function sees it; `order` breaks ties between equal times."""

    kind: EventKind
    at: datetime
    order: str = ""
    step: str | None = None
    unit: str | None = None
    officer: str | None = None
    new_due: datetime | None = None
    note: str = ""

    def sort_key(self) -> tuple[datetime, int, str]:
        """Time, then `received` before anything else at the same moment, then `order`."""
        return (self.at, 0 if self.kind is EventKind.RECEIVED else 1, self.order)


@dataclass(frozen=True)
class StepRun:
    """One run of a step: when it started and finished, against its allotted time.

    `deadline_at` is when the allotted working hours run out, moved on by the time the
    clock stood still; `verdict` is None while the step runs.
    """

    key: str
    started_at: datetime
    finished_at: datetime | None
    allotted_hours: float
    used_hours: float
    deadline_at: datetime
    verdict: Verdict | None
    unit: str | None = None
    officer: str | None = None


@dataclass(frozen=True)
class DossierProgress:
    """Everything derived about one dossier, measured up to `as_of`.

    `used_hours` and `left_hours` are working hours of the legal time (`legal_hours`),
    without the `stopped_hours`; `clock_stopped_since` is set while the dossier waits
    for a supplement or is paused. `finished_at` is when the result was ready (or the
    dossier refused, or returned without a result-ready event), which `verdict` judges
    against `due_at`.
    """

    status: DossierStatus
    received_at: datetime
    legal_hours: float
    due_at: datetime
    used_hours: float
    left_hours: float
    stopped_hours: float
    clock_stopped_since: datetime | None
    finished_at: datetime | None
    verdict: Verdict | None
    closed_at: datetime | None
    apology_due: datetime | None
    current_steps: tuple[str, ...]
    runs: tuple[StepRun, ...]
    last_event_at: datetime
    as_of: datetime


def judge(finished: datetime, deadline: datetime) -> Verdict:
    """The control slip's verdict for work finished at `finished` that was due at `deadline`.

    Days are Vietnamese calendar days.

    >>> from datetime import timedelta
    >>> due = datetime(2026, 3, 10, 16, 0, tzinfo=TIMEZONE)
    >>> [judge(due + timedelta(hours=h), due).value for h in (-24, -8, 0, 1)]
    ['early', 'on_time', 'on_time', 'late']
    """
    if finished > deadline:
        return Verdict.LATE
    if finished.astimezone(TIMEZONE).date() < deadline.astimezone(TIMEZONE).date():
        return Verdict.EARLY
    return Verdict.ON_TIME


class _Clock:
    """Working-hour arithmetic with the intervals the clock stood still taken out."""

    def __init__(
        self, calendar: WorkingCalendar, stops: Sequence[tuple[datetime, datetime]]
    ) -> None:
        self.calendar = calendar
        self.stops = stops

    def stopped(self, a: datetime, b: datetime) -> float:
        total = 0.0
        for start, end in self.stops:
            low, high = max(a, start), min(b, end)
            if low < high:
                total += self.calendar.working_hours_between(low, high)
        return total

    def used(self, a: datetime, b: datetime) -> float:
        if b <= a:
            return 0.0
        return self.calendar.working_hours_between(a, b) - self.stopped(a, b)

    def deadline(self, start: datetime, hours: float) -> datetime:
        moment, remaining = start, hours
        for stop_start, stop_end in self.stops:
            if stop_end <= moment:
                continue
            if stop_start > moment:
                available = self.calendar.working_hours_between(moment, stop_start)
                if available >= remaining:
                    break
                remaining -= available
            moment = stop_end
        return self.calendar.add_working_hours(moment, remaining)


def _clip(
    stops: Sequence[tuple[datetime, datetime]], until: datetime
) -> list[tuple[datetime, datetime]]:
    return [(start, min(end, until)) for start, end in stops if start <= until]


def _finite(hours: float) -> float:
    return hours if math.isfinite(hours) and hours >= 0 else 0.0


def derive(
    document: FlowDocument,
    events: Sequence[EventFact],
    calendar: WorkingCalendar,
    *,
    as_of: datetime | None = None,
) -> DossierProgress:
    """Replay `events` against `document` and return the dossier's progress.

    Open intervals (a running step, a pause not yet resumed) are measured up to `as_of`,
    by default the last event's time, which is what is stored; `progress_at` moves
    such a state on to a later moment. Raises ValueError without a `received` event.
    """
    ordered = sorted(events, key=EventFact.sort_key)
    received = next((e for e in ordered if e.kind is EventKind.RECEIVED), None)
    if received is None:
        raise ValueError("a dossier's events start with 'received'")
    last_event_at = max(e.at for e in ordered)
    closed = next((e for e in ordered if e.kind in CLOSING_KINDS), None)
    horizon = as_of if as_of is not None and as_of > last_event_at else last_event_at
    if closed is not None:
        horizon = closed.at
    steps = {step.key: step for step in document.steps}

    stops: list[tuple[datetime, datetime]] = []
    holding = {"paused": False, "supplement": False}
    stopped_since: datetime | None = None
    runs: list[dict[str, object]] = []
    open_runs: dict[str, dict[str, object]] = {}
    handed_over_at = received.at
    result_ready: datetime | None = None
    apology_due: datetime | None = None
    for event in ordered:
        if closed is not None and event.sort_key() > closed.sort_key():
            break
        if event.kind in _STOPPERS:
            name, hold = _STOPPERS[event.kind]
            was_stopped = any(holding.values())
            holding[name] = hold
            if not was_stopped and any(holding.values()):
                stopped_since = event.at
            elif was_stopped and not any(holding.values()) and stopped_since is not None:
                stops.append((stopped_since, event.at))
                stopped_since = None
        elif event.kind is EventKind.STEP_STARTED and event.step is not None:
            if event.step not in open_runs:
                run: dict[str, object] = {"key": event.step, "start": event.at, "end": None}
                runs.append(run)
                open_runs[event.step] = run
            _note_people(open_runs[event.step], event)
        elif event.kind is EventKind.STEP_COMPLETED and event.step is not None:
            started = open_runs.pop(event.step, None)
            if started is None:
                # Completed without a reported start: it started at the last handover.
                started = {"key": event.step, "start": handed_over_at}
                runs.append(started)
            run = started
            run["end"] = event.at
            _note_people(run, event)
            handed_over_at = event.at
        elif event.kind is EventKind.RESULT_READY and result_ready is None:
            result_ready = event.at
        elif event.kind is EventKind.APOLOGY_SENT and event.new_due is not None:
            apology_due = event.new_due
    if stopped_since is not None:
        stops.append((stopped_since, max(horizon, stopped_since)))
    clock = _Clock(calendar, stops)

    step_runs = []
    for run in runs:
        key = str(run["key"])
        start = run["start"]
        end = run.get("end")
        assert isinstance(start, datetime)
        assert end is None or isinstance(end, datetime)
        allotted = step_hours(steps[key]) if key in steps else 0.0
        # A finished step's deadline stays as it was when it finished.
        run_clock = clock if end is None else _Clock(calendar, _clip(stops, end))
        deadline = run_clock.deadline(start, allotted)
        step_runs.append(
            StepRun(
                key=key,
                started_at=start,
                finished_at=end,
                allotted_hours=allotted,
                used_hours=run_clock.used(start, end if end is not None else horizon),
                deadline_at=deadline,
                verdict=judge(end, deadline) if end is not None else None,
                unit=run.get("unit"),  # type: ignore[arg-type]
                officer=run.get("officer"),  # type: ignore[arg-type]
            )
        )

    finished_at = result_ready
    if finished_at is None and closed is not None and closed.kind in _FINISHING:
        finished_at = closed.at
    legal = _finite(document.procedure.legal_time.hours)
    measured_to = finished_at if finished_at is not None else horizon
    # Once the dossier is finished, its due date and hours stay as they were then.
    whole = _Clock(calendar, _clip(stops, measured_to))
    due_at = whole.deadline(received.at, legal)
    used = whole.used(received.at, measured_to)
    status = _status(closed, holding, result_ready)
    return DossierProgress(
        status=status,
        received_at=received.at,
        legal_hours=legal,
        due_at=due_at,
        used_hours=used,
        left_hours=legal - used,
        stopped_hours=whole.stopped(received.at, measured_to),
        clock_stopped_since=stopped_since if closed is None else None,
        finished_at=finished_at,
        verdict=judge(finished_at, due_at) if finished_at is not None else None,
        closed_at=closed.at if closed is not None else None,
        apology_due=apology_due,
        current_steps=_current(document, status, step_runs),
        runs=tuple(step_runs),
        last_event_at=last_event_at,
        as_of=horizon if closed is None else max(horizon, last_event_at),
    )


def _note_people(run: dict[str, object], event: EventFact) -> None:
    if event.unit:
        run["unit"] = event.unit
    if event.officer:
        run["officer"] = event.officer


def _status(
    closed: EventFact | None, holding: dict[str, bool], result_ready: datetime | None
) -> DossierStatus:
    if closed is not None:
        return DossierStatus(closed.kind.value)
    if holding["supplement"]:
        return DossierStatus.WAITING_SUPPLEMENT
    if holding["paused"]:
        return DossierStatus.PAUSED
    if result_ready is not None:
        return DossierStatus.RESULT_READY
    return DossierStatus.IN_PROGRESS


def _current(
    document: FlowDocument, status: DossierStatus, runs: Sequence[StepRun]
) -> tuple[str, ...]:
    # The steps running; with none, where the last handover leads (every branch of a
    # choice, since which one is taken is not known yet), or the start before any step.
    if status not in (
        DossierStatus.IN_PROGRESS,
        DossierStatus.PAUSED,
        DossierStatus.WAITING_SUPPLEMENT,
    ):
        return ()
    running = tuple(dict.fromkeys(run.key for run in runs if run.finished_at is None))
    if running:
        return running
    if not runs:
        return tuple(s.key for s in document.steps if s.kind is StepKind.START)
    last = max(runs, key=lambda run: run.finished_at or run.started_at).key
    return tuple(t.target for t in document.transitions if t.source == last)


def progress_at(
    progress: DossierProgress, now: datetime, calendar: WorkingCalendar
) -> DossierProgress:
    """`progress` (derived up to its `as_of`) carried on to `now`, as `derive` would give it.

    A closed dossier, or a `now` not after `as_of`, is returned unchanged. While the clock
    stands still the deadlines still ahead move on by the working hours passed; otherwise
    the running steps and the dossier use them.
    """
    if progress.closed_at is not None or now <= progress.as_of:
        return progress
    passed = calendar.working_hours_between(progress.as_of, now)
    stopped = progress.clock_stopped_since is not None
    runs = []
    for run in progress.runs:
        if run.finished_at is not None:
            runs.append(run)
        elif stopped:
            # A deadline not reached before the clock stopped waits with it.
            moved = run.deadline_at
            if progress.clock_stopped_since is not None and moved > progress.clock_stopped_since:
                moved = calendar.add_working_hours(moved, passed)
            runs.append(dataclasses.replace(run, deadline_at=moved))
        else:
            runs.append(dataclasses.replace(run, used_hours=run.used_hours + passed))
    if progress.finished_at is not None:
        used, due, stopped_hours = progress.used_hours, progress.due_at, progress.stopped_hours
    elif stopped:
        used = progress.used_hours
        due = progress.due_at
        if progress.clock_stopped_since is not None and due > progress.clock_stopped_since:
            due = calendar.add_working_hours(due, passed)
        stopped_hours = progress.stopped_hours + passed
    else:
        used = progress.used_hours + passed
        due, stopped_hours = progress.due_at, progress.stopped_hours
    return dataclasses.replace(
        progress,
        used_hours=used,
        left_hours=progress.legal_hours - used,
        due_at=due,
        stopped_hours=stopped_hours,
        runs=tuple(runs),
        as_of=now,
    )
