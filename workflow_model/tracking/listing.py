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
unfinished and past its due date now (overdue now, `overdue_condition`); a dossier whose
clock stands still (waiting for a supplement, paused) is past due only if its due date
came before the clock stopped, since the stop moves the due date on (`progress_at`).

The filter also lists the dossiers behind each supervision figure
(`workflow_model.supervision.figures`): resolved in some days (`finished_from`/`_to`: its
result was ready then; a refusal resolves nothing), by verdict and channel, open now,
overdue now, by the procedure's implementing agency, and by a step run (`step`,
`officer`, `run_verdict`, `run_finished_from`/`_to`, with `unit`): every run condition
applies to the same run, which must be in the filter's `scope`. `to_query` and
`from_query` are the filter as the list's URL parameters (`/dossiers/?…`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar import TIMEZONE
from ..calendar_store import working_calendar
from ..models import Procedure, ProcedureCase, Unit, utcnow
from ..models.tracking import Channel, Dossier, DossierStatus, DossierStepRun, Verdict
from .progress import progress_at
from .state import DocumentCache, stored_progress

if TYPE_CHECKING:
    from ..supervision.scope import Scope

__all__ = [
    "NO_AGENCY",
    "OPEN_STATUSES",
    "PAGE_SIZE",
    "CurrentStep",
    "DossierFilter",
    "DossierPage",
    "DossierRow",
    "FilterError",
    "late_condition",
    "list_dossiers",
    "overdue_condition",
    "resolved_condition",
    "unit_names",
]

PAGE_SIZE = 50
"""Dossiers per page of the list."""


NO_AGENCY = "-"
"""`DossierFilter.agency` for the dossiers of procedures without an implementing agency."""

OPEN_STATUSES = frozenset(
    {DossierStatus.IN_PROGRESS, DossierStatus.PAUSED, DossierStatus.WAITING_SUPPLEMENT}
)
"""The statuses of a dossier still open: neither finished nor closed."""

_TEXT_LIMIT = 64
"""The longest code, case or step key the URL form takes."""
_EMAIL_LIMIT = 254
"""The longest officer email the URL form takes."""
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"", "0", "false", "off", "no"})


class FilterError(ValueError):
    """A dossier-list URL parameter that cannot be read; says which and why.

    `parameter` and `value` are there for a page to word the refusal in its own language
    (the message is English, for logs and tests).
    """

    def __init__(self, parameter: str, value: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.value = value


def _everything() -> Scope:
    # Imported here: the supervision package imports this module (its figures drill down
    # to this list), so this module may not import it while it loads.
    from ..supervision.scope import EVERYTHING

    return EVERYTHING


@dataclass(frozen=True)
class DossierFilter:
    """What the list is narrowed to; every field left empty narrows nothing.

    `procedure` is a procedure code and `case` one of its case keys (None: every case);
    `unit` a unit code (see the module's note on what "at a unit" means); `received_from`
    and `received_to` are Vietnamese calendar days, both included.

    For the supervision figures: `finished_from`/`finished_to` (days, both included) keep
    the dossiers resolved then (result ready; refused dossiers are never resolved);
    `verdict` the dossier's verdict; `channel` its reception channel; `open_now` those
    neither finished nor closed; `overdue_now` those open, unfinished and past due now;
    `agency` the unit code of the procedure's implementing agency (`NO_AGENCY`: none).
    A step run condition (`step` a step key, `officer` an email, `run_verdict`,
    `run_finished_from`/`run_finished_to`, together with `unit`/`unit_now`) keeps the
    dossiers having ONE run meeting all of them, inside `scope`. `scope` (a supervisor's
    units, everything by default) is applied to every dossier and is never read from a URL.
    """

    procedure: str = ""
    case: str | None = None
    unit: str = ""
    unit_now: bool = False
    status: DossierStatus | None = None
    late: bool = False
    received_from: date | None = None
    received_to: date | None = None
    finished_from: date | None = None
    finished_to: date | None = None
    verdict: Verdict | None = None
    channel: Channel | None = None
    step: str = ""
    officer: str = ""
    run_verdict: Verdict | None = None
    run_finished_from: date | None = None
    run_finished_to: date | None = None
    open_now: bool = False
    overdue_now: bool = False
    agency: str = ""
    scope: Scope = field(default_factory=_everything)

    def to_query(self) -> dict[str, str]:
        """The filter as URL parameters: only the fields set, `scope` never.

        `DossierFilter.from_query(f.to_query())` gives `f` back (with everything's scope).
        """
        found: dict[str, str] = {}
        for item in fields(self):
            if item.name == "scope":
                continue
            value = getattr(self, item.name)
            if value is None or value is False or value == "":
                continue
            if value is True:
                found[item.name] = "1"
            elif isinstance(value, date):
                found[item.name] = value.isoformat()
            else:
                found[item.name] = str(value)
        return found

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DossierFilter:
        """The filter the URL parameters `query` describe; raises `FilterError` on a bad one.

        Parameters it does not know (``page``) are left to the caller; an empty value is
        the same as none. Text is trimmed; codes longer than 64 characters (an email 254),
        unknown statuses, verdicts or channels, days not in ISO form (``2026-03-09``) and
        flags other than 1/0, true/false, on/off, yes/no are refused.
        """
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name == "scope" or item.name not in query:
                continue
            text = str(query[item.name]).strip()
            if not text:
                continue
            values[item.name] = _read(item.name, text)
        return cls(**values)


_ENUMS: dict[str, type[DossierStatus] | type[Verdict] | type[Channel]] = {
    "status": DossierStatus,
    "verdict": Verdict,
    "run_verdict": Verdict,
    "channel": Channel,
}
_DAYS = frozenset(
    {
        "received_from",
        "received_to",
        "finished_from",
        "finished_to",
        "run_finished_from",
        "run_finished_to",
    }
)
_FLAGS = frozenset({"unit_now", "late", "open_now", "overdue_now"})


def _read(name: str, text: str) -> object:
    """One URL parameter's value, checked (`text` is trimmed and not empty)."""
    if name in _ENUMS:
        kind = _ENUMS[name]
        known = [member.value for member in kind]
        if text not in known:
            raise FilterError(name, text, f"unknown value {text!r} (one of {', '.join(known)})")
        return kind(text)
    if name in _DAYS:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise FilterError(name, text, f"{text!r} is not a day such as 2026-03-09") from None
    if name in _FLAGS:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise FilterError(name, text, f"{text!r} is not a flag (1 or 0)")
    limit = _EMAIL_LIMIT if name == "officer" else _TEXT_LIMIT
    if len(text) > limit:
        raise FilterError(name, text, f"longer than {limit} characters")
    return text


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


def overdue_condition(now: datetime) -> sa.ColumnElement[bool]:
    """The SQL condition "open, unfinished and past its due date at `now`".

    A dossier whose clock stands still is past due only if its due date came before the
    clock stopped (see the module's note).
    """
    return sa.and_(
        Dossier.finished_at.is_(None),
        Dossier.closed_at.is_(None),
        Dossier.due_at < now,
        sa.or_(
            Dossier.clock_stopped_since.is_(None),
            Dossier.due_at <= Dossier.clock_stopped_since,
        ),
    )


def late_condition(now: datetime) -> sa.ColumnElement[bool]:
    """The SQL condition "late at `now`" (see the module's note)."""
    return sa.or_(Dossier.verdict == Verdict.LATE, overdue_condition(now))


def resolved_condition() -> sa.ColumnElement[bool]:
    """The SQL condition "resolved": finished with a result (a refusal is not resolved)."""
    return sa.and_(
        Dossier.finished_at.is_not(None),
        Dossier.verdict.is_not(None),
        Dossier.status != DossierStatus.REFUSED,
    )


def _between(column: Any, first: date | None, last: date | None) -> list[sa.ColumnElement[bool]]:
    """`column` within the Vietnamese days `first` to `last`, both included (None: open)."""
    found: list[sa.ColumnElement[bool]] = []
    if first is not None:
        found.append(column >= _day_start(first))
    if last is not None:
        found.append(column < _day_start(last + timedelta(days=1)))
    return found


def _run_conditions(filters: DossierFilter) -> list[sa.ColumnElement[bool]]:
    """The conditions on one step run, or none when the filter names no run condition."""
    found: list[sa.ColumnElement[bool]] = []
    if filters.unit:
        found.append(DossierStepRun.unit_code == filters.unit)
        if filters.unit_now:
            found.append(DossierStepRun.finished_at.is_(None))
    if filters.step:
        found.append(DossierStepRun.step_key == filters.step)
    if filters.officer:
        found.append(DossierStepRun.officer_email == filters.officer)
    if filters.run_verdict is not None:
        found.append(DossierStepRun.verdict == filters.run_verdict)
    found += _between(
        DossierStepRun.finished_at, filters.run_finished_from, filters.run_finished_to
    )
    return found


def _conditions(filters: DossierFilter, now: datetime) -> list[sa.ColumnElement[bool]]:
    from ..supervision.scope import dossier_clause, run_clause

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
    if filters.agency:
        led = sa.select(ProcedureCase.id).join(
            Procedure, ProcedureCase.procedure_id == Procedure.id
        )
        if filters.agency == NO_AGENCY:
            led = led.where(Procedure.lead_unit_id.is_(None))
        else:
            led = led.join(Unit, Procedure.lead_unit_id == Unit.id).where(
                Unit.code == filters.agency
            )
        found.append(Dossier.case_id.in_(led))
    on_run = _run_conditions(filters)
    if on_run:
        # Every condition on the same run: "a late run at this unit in March", not "a
        # run at this unit, and a late run somewhere, and a run in March".
        held = sa.select(DossierStepRun.dossier_id).where(*on_run, run_clause(filters.scope))
        found.append(Dossier.id.in_(held))
    if filters.status is not None:
        found.append(Dossier.status == filters.status)
    if filters.late:
        found.append(late_condition(now))
    if filters.overdue_now:
        found.append(overdue_condition(now))
    if filters.open_now:
        found.append(Dossier.status.in_(sorted(OPEN_STATUSES)))
        found.append(Dossier.finished_at.is_(None))
    if filters.verdict is not None:
        found.append(Dossier.verdict == filters.verdict)
    if filters.channel is not None:
        found.append(Dossier.channel == filters.channel)
    found += _between(Dossier.received_at, filters.received_from, filters.received_to)
    if filters.finished_from is not None or filters.finished_to is not None:
        found.append(resolved_condition())
        found += _between(Dossier.finished_at, filters.finished_from, filters.finished_to)
    if not filters.scope.everything:
        found.append(dossier_clause(filters.scope))
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
