"""Demo dossiers: plausible histories for the demo procedures, sent through the ingest service.

`generate_dossiers` is pure: for each dossier it picks a procedure case, a reception
moment in the office hours of the last `DEMO_DAYS` days, and walks the case's flow from
its start step, choosing one outgoing transition at each branch (mostly the first, the
usual path; sometimes another, which may end in a refusal). Each step takes its
allotted working hours times a pace drawn per dossier and per step, so most dossiers
finish early or on time and some late; some wait for a supplement or are paused on
the way, a few are withdrawn, most end with the result ready and, later, collected.
Everything that would happen after `now` is cut off, so recent dossiers are still in
progress, waiting for a supplement, paused, or waiting for the result to be collected.
A late dossier often gets an apology slip with a new return date before its due date.

`load_demo_dossiers` reads the demo's versions in force, generates, and sends the
events to `ingest_events` under the source `DEMO_SOURCE`, like any processing software;
nothing is written around the service. Random draws come from a `random.Random` seeded
per dossier, so the same seed gives the same dossiers and check values.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar import TIMEZONE, WorkingCalendar
from ..calendar_store import working_calendar
from ..document import FlowDocument, StepEntry
from ..enums import StepKind
from ..flowgraph import step_hours
from ..lifecycle import version_document
from ..models import (
    DEFAULT_CASE_KEY,
    FlowVersion,
    Procedure,
    ProcedureCase,
    VersionStatus,
    utcnow,
)
from ..models.tracking import Channel, Dossier, EventKind
from .checks import CheckKeys
from .ingest import ItemOutcome, ingest_events
from .progress import EventFact, derive

__all__ = [
    "BATCH_EVENTS",
    "DEMO_DAYS",
    "DEMO_DOSSIERS",
    "DEMO_SEED",
    "DEMO_SOURCE",
    "DemoCase",
    "DemoDossier",
    "DemoDossiers",
    "demo_cases",
    "generate_dossiers",
    "load_demo_dossiers",
]

DEMO_SOURCE = "demo"
"""The source system the demo's events come from, as a processing software's name."""
DEMO_DOSSIERS = 2000
"""How many dossiers `sodo demo` loads."""
DEMO_DAYS = 90
"""The dossiers are received over this many last days."""
DEMO_SEED = 15
"""The default seed: the same dossiers at every load (relative to its `now`)."""
BATCH_EVENTS = 500
"""Events sent to the service at a time (whole dossiers: a batch may go a little over)."""

_CHANNELS = ((Channel.ONLINE, 55), (Channel.COUNTER, 35), (Channel.POST, 10))
# The pace of a dossier: a share of its steps' allotted time, drawn once per dossier
# (how busy the desk was), then varied per step.
_PACES = ((0.45, 0.8, 45), (0.8, 1.0, 40), (1.0, 1.5, 15))
_OTHER_BRANCH = 0.025
"""How often a branch takes another transition than the document's first (usual) one."""
_SUPPLEMENT = 0.18
_PAUSE = 0.08
_WITHDRAW = 0.02
_ON_APPOINTMENT = 0.35
"""The share of results handed over on the appointment day rather than when ready."""
_APOLOGY = 0.7
"""The share of late dossiers whose agency sends an apology slip before the due date."""
_SUPPLEMENT_DAYS = (1, 2, 3, 5, 8, 12, 20, 30)
_PAUSE_DAYS = (2, 3, 5, 10, 15, 20, 30)
_COLLECT_DAYS = (0, 0, 0, 1, 1, 2, 3, 5, 10)
"""Working days between the result ready and its collection (often the same day)."""


@dataclass(frozen=True)
class DemoCase:
    """A procedure case with the version in force over the demo's days, and its document.

    `case` is None for a procedure with one case (the items then leave it out); `since`
    is when the version came into force: no dossier is received before it.
    """

    procedure: str
    case: str | None
    document: FlowDocument
    since: datetime


@dataclass(frozen=True)
class DemoDossier:
    """One generated dossier: its code, its receipt's check value and its event items.

    `open` is true when it is still being handled at `now` (a step is running).
    """

    code: str
    check: str
    events: tuple[dict[str, str], ...]
    open: bool


@dataclass
class DemoDossiers:
    """What `load_demo_dossiers` did; `sample` is one open dossier's (code, check value)."""

    loaded: int = 0
    events: int = 0
    already: int = 0
    """Demo dossiers already present, in which case nothing was loaded."""
    rejected: list[str] = field(default_factory=list)
    """Refused events, each as "id: detail" (none unless the generator has a bug)."""
    sample: tuple[str, str] | None = None


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    # Each choice ends with its weight.
    return rng.choices(choices, weights=[choice[-1] for choice in choices])[0]


def _facts(items: Sequence[dict[str, Any]]) -> list[EventFact]:
    return [
        EventFact(EventKind(item["kind"]), item["at"], item["id"], item.get("step"))
        for item in items
    ]


def _minutes(hours: float) -> float:
    # Whole minutes: the times shown stay readable, and adding them stays exact.
    return round(hours * 60) / 60


class _Story:
    """One dossier's events as they happen, with ids in the order they were told."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.items: list[dict[str, Any]] = []

    def tell(self, kind: EventKind, at: datetime, **fields: Any) -> None:
        item: dict[str, Any] = {"id": f"{self.code}-{len(self.items) + 1:03d}"}
        item |= {"dossier": self.code, "kind": kind.value, "at": at}
        item |= {name: value for name, value in fields.items() if value is not None}
        self.items.append(item)


class _Walker:
    """Walks one case's flow for one dossier, telling each event of its story."""

    def __init__(
        self, case: DemoCase, calendar: WorkingCalendar, rng: random.Random, story: _Story
    ) -> None:
        self.case, self.calendar, self.rng, self.story = case, calendar, rng, story
        doc = case.document
        self.steps = {step.key: step for step in doc.steps}
        self.emails = {officer.key: officer.email for officer in doc.officers}
        self.outgoing: dict[str, list[str]] = {}
        for transition in doc.transitions:
            self.outgoing.setdefault(transition.source, []).append(transition.target)
        self.labels = {(t.source, t.target): t.label for t in doc.transitions}
        self.main_end = self._usual_end()

    def _usual_end(self) -> str | None:
        # The end reached by always taking the first transition: the result's end; the
        # other ends are where a dossier is turned down.
        start = next((s for s in self.case.document.steps if s.kind is StepKind.START), None)
        key, seen = (start.key if start else None), set()
        while key is not None and key not in seen:
            seen.add(key)
            targets = self.outgoing.get(key)
            if not targets:
                return key
            key = targets[0]
        return None

    def later(self, at: datetime, hours: float) -> datetime:
        return self.calendar.add_working_hours(at, _minutes(hours))

    def people(self, step: StepEntry) -> dict[str, str | None]:
        officer = step.officers[0] if step.officers else None
        return {"unit": step.unit, "officer": self.emails.get(officer) if officer else None}

    def walk(self, received: datetime) -> None:
        """Tell the dossier's story from its reception to its closing, whatever `now` is."""
        rng, doc = self.rng, self.case.document
        pace = rng.uniform(*_weighted(rng, _PACES)[:2])
        tasks = [s.key for s in doc.steps if s.kind is StepKind.TASK]
        # At most one supplement request, pause and withdrawal, each at some task.
        stop_at = {
            name: rng.choice(tasks) if tasks and rng.random() < chance else None
            for name, chance in (
                ("supplement", _SUPPLEMENT),
                ("pause", _PAUSE),
                ("withdraw", _WITHDRAW),
            )
        }
        start = next((s for s in doc.steps if s.kind is StepKind.START), None)
        at, step, came_from = received, start, None
        visited: set[str] = set()
        while step is not None and step.key not in visited:
            visited.add(step.key)
            cap = None
            if step.key == self.main_end:
                at, cap = self._appointment(at)
            self.story.tell(EventKind.STEP_STARTED, at, step=step.key, **self.people(step))
            allotted = step_hours(step)
            work = 0.0 if allotted == 0 else max(0.25, allotted * pace * rng.uniform(0.6, 1.3))
            work = work if cap is None else min(work, cap)
            done = 0.0
            if step.key == stop_at["withdraw"]:
                at = self.later(at, work * rng.uniform(0.1, 0.9))
                self.story.tell(EventKind.WITHDRAWN, at, note="Công dân rút hồ sơ.")
                return
            for name, days, ask, answer in (
                (
                    "supplement",
                    _SUPPLEMENT_DAYS,
                    (EventKind.SUPPLEMENT_REQUESTED, "Yêu cầu bổ sung giấy tờ còn thiếu."),
                    (EventKind.SUPPLEMENT_RECEIVED, "Công dân đã nộp bổ sung."),
                ),
                (
                    "pause",
                    _PAUSE_DAYS,
                    (EventKind.PAUSED, "Tạm dừng: chờ ý kiến của cơ quan liên quan."),
                    (EventKind.RESUMED, "Tiếp tục xử lý."),
                ),
            ):
                if step.key != stop_at[name]:
                    continue
                part = work * rng.uniform(0.1, 0.6) - done
                at, done = self.later(at, max(part, 0.0)), done + max(part, 0.0)
                self.story.tell(ask[0], at, note=ask[1], **self.people(step))
                at = self.later(at, rng.choice(days) * 8 + rng.uniform(-3, 3))
                self.story.tell(answer[0], at, note=answer[1], **self.people(step))
            at = self.later(at, work - done)
            self.story.tell(EventKind.STEP_COMPLETED, at, step=step.key, **self.people(step))
            targets = self.outgoing.get(step.key, [])
            if not targets:
                self._finish(step, at, came_from)
                return
            index = 0
            if len(targets) > 1 and rng.random() < _OTHER_BRANCH:
                index = rng.randrange(1, len(targets))
            came_from = (step.key, targets[index])
            step = self.steps.get(targets[index])

    def _appointment(self, ready: datetime) -> tuple[datetime, float | None]:
        """When the desk starts handing the result over, and within how many hours.

        Many desks give a result ready early on the day printed on the receipt (the
        due date) rather than at once: such a dossier is done on time, not early.
        """
        if self.rng.random() >= _ON_APPOINTMENT:
            return ready, None
        due = derive(self.case.document, _facts(self.story.items), self.calendar).due_at.astimezone(
            TIMEZONE
        )
        day = datetime.combine(due.date(), time(0), TIMEZONE)
        hours = self.calendar.working_hours_between(day, due)
        if ready >= day or hours < 1:
            return ready, None
        start = self.rng.uniform(0.0, hours - 0.5)
        return self.later(day, start), hours - start - 0.25

    def _finish(self, end: StepEntry, at: datetime, came_from: tuple[str, str] | None) -> None:
        if end.key != self.main_end:
            label = self.labels.get(came_from, "") if came_from else ""
            self.story.tell(EventKind.REFUSED, at, note=label or "Từ chối giải quyết hồ sơ.")
            return
        self.story.tell(EventKind.RESULT_READY, at, **self.people(end))
        collected = self.later(at, self.rng.choice(_COLLECT_DAYS) * 8 + self.rng.uniform(0, 3))
        self.story.tell(EventKind.RETURNED, collected, **self.people(end))


def _apologise(
    case: DemoCase, story: _Story, calendar: WorkingCalendar, rng: random.Random
) -> None:
    """Add an apology slip before the due date to a dossier whose result will be late."""
    progress = derive(case.document, _facts(story.items), calendar)
    finished = progress.finished_at
    if finished is None or finished <= progress.due_at or rng.random() >= _APOLOGY:
        return
    # The slip goes out while the step that overruns is being handled, before the due date.
    before = [item["at"] for item in story.items if item["at"] <= progress.due_at]
    at = min(calendar.add_working_hours(max(before), 0.5), progress.due_at)
    new_due = calendar.add_working_hours(finished, rng.choice((0, 4, 8, 16)))
    story.tell(
        EventKind.APOLOGY_SENT,
        at,
        new_due=new_due,
        note="Phiếu xin lỗi và hẹn lại ngày trả kết quả.",
    )


def _window(case: DemoCase, now: datetime, days: int) -> tuple[datetime, datetime]:
    # A minute after the version came into force, so that flooring to the minute keeps
    # every reception under it.
    start = max(now - timedelta(days=days), case.since + timedelta(minutes=1))
    return start, now


class _Receptions:
    """Picks reception moments uniformly over the office hours between `start` and `end`.

    The office hours are tabled once per day, so a pick walks no calendar: drawing
    thousands of dossiers over 90 days stays quick.
    """

    def __init__(self, calendar: WorkingCalendar, start: datetime, end: datetime) -> None:
        self.calendar = calendar
        self.anchors: list[datetime] = []
        self.totals: list[float] = []
        total, moment = 0.0, start
        while moment < end:
            following = datetime.combine(
                moment.astimezone(TIMEZONE).date() + timedelta(days=1), time(0), TIMEZONE
            )
            hours = calendar.working_hours_between(moment, min(following, end))
            if hours > 0:
                self.anchors.append(moment)
                total += hours
                self.totals.append(total)
            moment = following
        self.total = total

    def pick(self, rng: random.Random) -> datetime:
        """A moment in office hours, each working minute as likely as any other."""
        wanted = rng.uniform(0, self.total)
        index = min(bisect.bisect_left(self.totals, wanted), len(self.totals) - 1)
        before = self.totals[index - 1] if index else 0.0
        return self.calendar.add_working_hours(self.anchors[index], wanted - before)


def generate_dossiers(
    cases: Sequence[DemoCase],
    count: int,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    seed: int = DEMO_SEED,
    days: int = DEMO_DAYS,
) -> list[DemoDossier]:
    """Generate `count` dossiers of `cases`, received over the `days` before `now`.

    Pure and deterministic: the same arguments give the same dossiers. Every event
    time is in office hours and none is after `now`; items are shaped like the ingest
    API's, with `at` and `new_due` as ISO 8601 strings.

    >>> from workflow_model.demo_data import demo_flow
    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> now = datetime(2026, 6, 1, 9, 0, tzinfo=TIMEZONE)
    >>> case = DemoCase("1.004944", None, doc, now - timedelta(days=120))
    >>> dossiers = generate_dossiers([case], 3, now=now, calendar=WorkingCalendar())
    >>> [(d.code, len(d.check)) for d in dossiers]
    [('DEMO-260515-0001', 6), ('DEMO-260508-0002', 6), ('DEMO-260422-0003', 6)]
    >>> [item["kind"] for item in dossiers[0].events][:3]
    ['received', 'step_started', 'step_completed']
    """
    usable = [c for c in cases if _window(c, now, days)[0] < now]
    if count > 0 and not usable:
        raise ValueError(f"no case had a version in force during the {days} days before {now}")
    dossiers = []
    receptions: dict[tuple[datetime, datetime], _Receptions] = {}
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        case = rng.choice(usable)
        start, end = _window(case, now, days)
        if (start, end) not in receptions:
            receptions[(start, end)] = _Receptions(calendar, start, end)
        received = receptions[(start, end)].pick(rng).replace(second=0, microsecond=0)
        if received < start:
            received += timedelta(minutes=1)
        code = f"DEMO-{received.astimezone(TIMEZONE):%y%m%d}-{index + 1:04d}"
        check = f"{rng.randrange(1_000_000):06d}"
        story = _Story(code)
        story.tell(
            EventKind.RECEIVED,
            received,
            procedure=case.procedure,
            case=case.case,
            channel=_weighted(rng, _CHANNELS)[0].value,
            check=check,
        )
        _Walker(case, calendar, rng, story).walk(received)
        _apologise(case, story, calendar, rng)
        happened = [item for item in story.items if item["at"] <= now]
        last = max(happened, key=lambda item: (item["at"], item["id"]))
        dossiers.append(
            DemoDossier(
                code,
                check,
                tuple(_as_json(item) for item in happened),
                # Handled now, some steps done: what a lookup shows best.
                last["kind"] == EventKind.STEP_STARTED.value and len(happened) > 4,
            )
        )
    return dossiers


def _as_json(item: dict[str, Any]) -> dict[str, str]:
    return {
        name: value.astimezone(TIMEZONE).isoformat() if isinstance(value, datetime) else value
        for name, value in item.items()
    }


def demo_cases(session: Session, since: datetime, now: datetime) -> list[DemoCase]:
    """The procedure cases whose version in force at `now` was already in force at `since`.

    A case whose version came later, or changed since, is left out: its dossiers would
    be pinned to another version than the one the generator walks.
    """
    rows = session.execute(
        sa.select(Procedure.code, ProcedureCase.key, FlowVersion)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(FlowVersion.status == VersionStatus.APPROVED, FlowVersion.effective_from <= now)
        .order_by(Procedure.code, ProcedureCase.key, FlowVersion.effective_from)
    ).all()
    latest: dict[tuple[str, str], FlowVersion] = {}
    for code, key, version in rows:
        latest[(code, key)] = version
    cases = []
    for (code, key), version in sorted(latest.items()):
        effective = version.effective_from
        if effective is None or effective > since:
            continue
        case = None if key == DEFAULT_CASE_KEY else key
        cases.append(DemoCase(code, case, version_document(session, version), effective))
    return cases


def load_demo_dossiers(
    session: Session,
    *,
    check_keys: CheckKeys,
    count: int = DEMO_DOSSIERS,
    now: datetime | None = None,
    seed: int = DEMO_SEED,
) -> DemoDossiers:
    """Generate the demo dossiers and send them through `ingest_events`, once.

    Does nothing (but count them) when the database holds demo dossiers already, so a
    second load adds none. Events go in batches of about `BATCH_EVENTS`, each dossier
    whole in one batch; each batch commits. `sample` is the code and check value of a
    dossier still being handled, for trying the lookup page.
    """
    already = session.execute(
        sa.select(sa.func.count()).select_from(Dossier).where(Dossier.source == DEMO_SOURCE)
    ).scalar_one()
    if already:
        return DemoDossiers(already=already)
    moment = now or utcnow()
    cases = demo_cases(session, moment - timedelta(days=DEMO_DAYS), moment)
    result = DemoDossiers()
    if not cases or count <= 0:
        return result
    calendar = working_calendar(session)
    dossiers = generate_dossiers(cases, count, now=moment, calendar=calendar, seed=seed)
    batch: list[dict[str, str]] = []
    for position, dossier in enumerate(dossiers):
        batch.extend(dossier.events)
        if len(batch) >= BATCH_EVENTS or position == len(dossiers) - 1:
            _send(session, batch, check_keys, moment, calendar, result)
            batch = []
    result.loaded = session.execute(
        sa.select(sa.func.count()).select_from(Dossier).where(Dossier.source == DEMO_SOURCE)
    ).scalar_one()
    sample = next((d for d in dossiers if d.open), dossiers[0] if dossiers else None)
    if sample is not None:
        result.sample = (sample.code, sample.check)
    return result


def _send(
    session: Session,
    batch: list[dict[str, str]],
    keys: CheckKeys,
    now: datetime,
    calendar: WorkingCalendar,
    result: DemoDossiers,
) -> None:
    answers = ingest_events(
        session, DEMO_SOURCE, batch, check_keys=keys, now=now, calendar=calendar
    )
    result.events += sum(1 for a in answers if a.result is ItemOutcome.ACCEPTED)
    result.rejected += [f"{a.id}: {a.detail}" for a in answers if a.result is ItemOutcome.REJECTED]
