"""The staff's dossier list: filters, newest first, one page at a time, with counts.

`list_dossiers` reads only the dossiers' stored state (never their events): one query
for the counts by status, one for the page's rows with their procedure, one for the
steps being handled by the page's dossiers, and one for the names of their units, so
a page costs the same with 200,000 dossiers as with 20.

A dossier is "at" a unit, for the unit filter, when a step run of it was reported with
that unit's code: the units it passed through and the one holding it now. With
`DossierFilter.unit_now` only a step still in hand counts. A step handed over to but not
yet started has no run, so it does not place its dossier at its unit until it starts.

A dossier is late when it was judged late (`Verdict.LATE`), or when it is still open,
unfinished and past its due date now; a dossier whose clock stands still (waiting for a
supplement, paused) is past due only if its due date came before the clock stopped,
since the stop moves the due date on (`progress_at`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar import TIMEZONE
from ..calendar_store import working_calendar
from ..models import Procedure, ProcedureCase, Unit, utcnow
from ..models.tracking import Channel, Dossier, DossierStatus, DossierStepRun, Verdict
from .progress import progress_at
from .state import DocumentCache, stored_progress

__all__ = [
    "PAGE_SIZE",
    "CurrentStep",
    "DossierFilter",
    "DossierPage",
    "DossierRow",
    "list_dossiers",
    "unit_names",
]

PAGE_SIZE = 50
"""Dossiers per page of the list."""


@dataclass(frozen=True)
class DossierFilter:
    """What the list is narrowed to; every field left empty narrows nothing.

    `procedure` is a procedure code and `case` one of its case keys (None: every case);
    `unit` a unit code (see the module's note on what "at a unit" means); `received_from`
    and `received_to` are Vietnamese calendar days, both included.
    """

    procedure: str = ""
    case: str | None = None
    unit: str = ""
    unit_now: bool = False
    status: DossierStatus | None = None
    late: bool = False
    received_from: date | None = None
    received_to: date | None = None


@dataclass(frozen=True)
class CurrentStep:
    """A step a dossier is at: its key and name in the pinned document, and who holds it."""

    key: str
    name: str
    unit: str
    officer: str | None


@dataclass(frozen=True)
class DossierRow:
    """One dossier of the list, its due date and hours carried on to now."""

    id: int
    source: str
    code: str
    procedure_code: str
    procedure_name: str
    case_key: str
    status: DossierStatus
    channel: Channel
    received_at: datetime
    due_at: datetime
    left_hours: float
    verdict: Verdict | None
    late: bool
    apology_due: datetime | None
    current: tuple[CurrentStep, ...]


@dataclass(frozen=True)
class DossierPage:
    """One page of the list, how many dossiers match in all, and how many per status."""

    rows: tuple[DossierRow, ...]
    page: int
    page_size: int
    total: int
    by_status: dict[DossierStatus, int]

    @property
    def pages(self) -> int:
        """How many pages the matching dossiers fill (at least one)."""
        return max(1, math.ceil(self.total / self.page_size))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=TIMEZONE)


def late_condition(now: datetime) -> sa.ColumnElement[bool]:
    """The SQL condition "late at `now`" (see the module's note)."""
    running = sa.and_(
        Dossier.finished_at.is_(None),
        Dossier.closed_at.is_(None),
        Dossier.due_at < now,
        sa.or_(
            Dossier.clock_stopped_since.is_(None),
            Dossier.due_at <= Dossier.clock_stopped_since,
        ),
    )
    return sa.or_(Dossier.verdict == Verdict.LATE, running)


def _conditions(filters: DossierFilter, now: datetime) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if filters.procedure:
        cases = (
            sa.select(ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == filters.procedure)
        )
        if filters.case is not None:
            cases = cases.where(ProcedureCase.key == filters.case)
        found.append(Dossier.case_id.in_(cases))
    if filters.unit:
        held = sa.select(DossierStepRun.dossier_id).where(DossierStepRun.unit_code == filters.unit)
        if filters.unit_now:
            held = held.where(DossierStepRun.finished_at.is_(None))
        found.append(Dossier.id.in_(held))
    if filters.status is not None:
        found.append(Dossier.status == filters.status)
    if filters.late:
        found.append(late_condition(now))
    if filters.received_from is not None:
        found.append(Dossier.received_at >= _day_start(filters.received_from))
    if filters.received_to is not None:
        found.append(Dossier.received_at < _day_start(filters.received_to + timedelta(days=1)))
    return found


def list_dossiers(
    session: Session,
    filters: DossierFilter | None = None,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> DossierPage:
    """The dossiers matching `filters`, newest reception first, page `page` (from 1).

    A page past the last is empty; the counts are those of every matching dossier.
    """
    filters = filters or DossierFilter()
    now = now or utcnow()
    page = max(1, page)
    conditions = _conditions(filters, now)
    counted = session.execute(
        sa.select(Dossier.status, sa.func.count()).where(*conditions).group_by(Dossier.status)
    ).all()
    by_status = {DossierStatus(status): count for status, count in counted}
    total = sum(by_status.values())
    found = session.execute(
        sa.select(Dossier, Procedure.code, Procedure.name, ProcedureCase.key)
        .join(ProcedureCase, Dossier.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(*conditions)
        .order_by(Dossier.received_at.desc(), Dossier.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    rows = _rows(session, found, now) if found else ()
    return DossierPage(rows, page, page_size, total, by_status)


def _rows(
    session: Session, found: Sequence[sa.Row[Dossier, str, str, str]], now: datetime
) -> tuple[DossierRow, ...]:
    dossiers = [row[0] for row in found]
    ids = [dossier.id for dossier in dossiers]
    in_hand: dict[int, dict[str, DossierStepRun]] = {}
    for run in session.execute(
        sa.select(DossierStepRun)
        .where(DossierStepRun.dossier_id.in_(ids), DossierStepRun.finished_at.is_(None))
        .order_by(DossierStepRun.dossier_id, DossierStepRun.position)
    ).scalars():
        in_hand.setdefault(run.dossier_id, {})[run.step_key] = run
    documents = DocumentCache(session).documents({d.version_id for d in dossiers})
    codes = {run.unit_code for runs in in_hand.values() for run in runs.values() if run.unit_code}
    names = unit_names(session, codes)
    calendar = working_calendar(session)
    rows = []
    for dossier, procedure_code, procedure_name, case_key in found:
        progress = stored_progress(dossier)
        if dossier.closed_at is None and now > progress.as_of:
            progress = progress_at(progress, now, calendar)
        document = documents[dossier.version_id]
        steps = {step.key: step for step in document.steps}
        doc_units = {unit.key: unit.name for unit in document.units}
        current = []
        for key in progress.current_steps:
            step = steps.get(key)
            held = in_hand.get(dossier.id, {}).get(key)
            if held is not None and held.unit_code:
                unit = names.get(held.unit_code, held.unit_code)
            else:
                unit = doc_units.get(step.unit, "") if step is not None and step.unit else ""
            name = step.name if step is not None else key
            officer = held.officer_email if held is not None else None
            current.append(CurrentStep(key, name, unit, officer))
        late = progress.verdict is Verdict.LATE or (
            progress.finished_at is None and progress.closed_at is None and progress.due_at < now
        )
        rows.append(
            DossierRow(
                id=dossier.id,
                source=dossier.source,
                code=dossier.code,
                procedure_code=procedure_code,
                procedure_name=procedure_name,
                case_key=case_key,
                status=dossier.status,
                channel=dossier.channel,
                received_at=dossier.received_at,
                due_at=progress.due_at,
                left_hours=progress.left_hours,
                verdict=dossier.verdict,
                late=late,
                apology_due=dossier.apology_due,
                current=tuple(current),
            )
        )
    return tuple(rows)


def unit_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The directory's name of each unit code in `codes` that it knows, in one query."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Unit.code, Unit.name).where(Unit.code.in_(wanted))).all())
