"""The supervision figures (số liệu giám sát): headline, breakdowns, weekly trend, overdue list.

Definitions (one place; the dashboard and its drill-downs use these and nothing else):

- **Received** in a period: dossiers whose `received_at` falls in it, by channel.
- **Resolved** (đã giải quyết) in a period: dossiers whose result was ready in it
  (`finished_at` in the period, a verdict, not refused: a refusal resolves nothing),
  split by the dossier's verdict into early, on time and late (`resolved = early +
  on_time + late`). A dossier received in March and resolved in April counts as received
  in March and resolved in April.
- **In progress** now: open dossiers, neither finished (result ready) nor closed
  (refused, withdrawn, returned); paused ones and those waiting for a supplement too.
- **Overdue now**: open, unfinished and past their due date at `now`, where a dossier
  whose clock stands still is overdue only if its due date came before the stop
  (`tracking.listing.overdue_condition`, the running part of the list's "late").
- **Waiting for a supplement** now: status `WAITING_SUPPLEMENT`.

Breakdowns: `AGENCY` and `PROCEDURE` count resolved dossiers (by the procedure's
implementing agency, `Procedure.lead_unit`, with a `NO_AGENCY` row for procedures
without one; by procedure), and a dossier's overrun is its used working hours minus its
legal hours. `UNIT`, `STEP` and `OFFICER` count step runs (`DossierStepRun`) finished in
the period, judged by the run's own verdict; a run's overrun is `used_hours -
allotted_hours`. Runs reported without a unit (or an officer) have no `UNIT` (or
`OFFICER`) row. The median overrun is over the late ones only.

Scope: every dossier-level query is narrowed by `dossier_clause(scope)`, every run-level
one by `run_clause(scope)`, in SQL. Every figure is grouped in SQL (GROUP BY), a few
queries per function whatever the number of dossiers; the median is `percentile_cont`
on PostgreSQL, and on SQLite the late rows' overruns are fetched and `stats.percentile`
interpolates the same way. Days are Vietnamese days (Vietnam keeps UTC+7 all year).

Each row and figure carries the `DossierFilter` that lists exactly its dossiers
(`breakdown` rows' `drill`, `headline_drill`): for run-level rows, the dossiers having
such a run.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar_store import working_calendar
from ..models import Officer, Procedure, ProcedureCase, Unit
from ..models.tracking import (
    Channel,
    Dossier,
    DossierEvent,
    DossierStatus,
    DossierStepRun,
    EventKind,
    Verdict,
)
from ..tracking.listing import (
    NO_AGENCY,
    OPEN_STATUSES,
    DossierFilter,
    overdue_condition,
    resolved_condition,
    unit_names,
)
from ..tracking.state import DocumentCache
from .period import Period
from .scope import EVERYTHING, Scope, dossier_clause, run_clause
from .stats import percentile

__all__ = [
    "HEADLINE_FIGURES",
    "NO_AGENCY",
    "BreakdownBy",
    "BreakdownRow",
    "Headline",
    "OverdueFilter",
    "OverdueRow",
    "TrendWeek",
    "UnknownFigure",
    "breakdown",
    "headline",
    "headline_drill",
    "overdue_dossiers",
    "week_drill",
    "weekly_trend",
]

_VERDICTS = (Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE)


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Headline:
    """The headline figures over a period, inside a scope, as of a moment (see the module)."""

    received: int
    received_by_channel: dict[Channel, int]
    resolved: int
    early: int
    on_time: int
    late: int
    in_progress: int
    overdue_now: int
    waiting_supplement: int

    @property
    def early_rate(self) -> float:
        """Early share of the resolved (0 to 1; 0 when none resolved)."""
        return _rate(self.early, self.resolved)

    @property
    def on_time_rate(self) -> float:
        """On-time share of the resolved (0 to 1; 0 when none resolved)."""
        return _rate(self.on_time, self.resolved)

    @property
    def late_rate(self) -> float:
        """Late share of the resolved (0 to 1; 0 when none resolved)."""
        return _rate(self.late, self.resolved)


class BreakdownBy(enum.StrEnum):
    """What a breakdown groups by: dossier level (agency, procedure) or step runs."""

    AGENCY = "agency"
    UNIT = "unit"
    PROCEDURE = "procedure"
    STEP = "step"
    OFFICER = "officer"


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown: what it counts, how it went, and the dossiers behind it.

    `key` is a unit code (`NO_AGENCY` for procedures without an agency), a procedure code,
    ``PROC_CODE|case_key|step_key`` or an officer's email; `label` the name to show (""
    for `NO_AGENCY`, which the page words); `detail` a step's procedure (``code — name``)
    or an officer's unit name, else "". `median_overrun_hours` is the median of the late
    ones' working hours over their allotted time, None when none was late.
    """

    key: str
    label: str
    detail: str
    total: int
    early: int
    on_time: int
    late: int
    late_rate: float
    early_rate: float
    median_overrun_hours: float | None
    drill: DossierFilter

    @property
    def on_time_rate(self) -> float:
        """On-time share of the total (0 to 1)."""
        return _rate(self.on_time, self.total)


@dataclass(frozen=True)
class TrendWeek:
    """One ISO week (from its Monday): dossiers received, and resolved by verdict."""

    monday: date
    received: int
    early: int
    on_time: int
    late: int

    @property
    def resolved(self) -> int:
        """Resolved in the week: early + on time + late."""
        return self.early + self.on_time + self.late

    def days_in(self, period: Period) -> Period:
        """The days of this week that `period` holds, which its figures count.

        >>> TrendWeek(date(2026, 3, 30), 0, 0, 0, 0).days_in(Period.month_of(date(2026, 3, 1)))
        Period(first=datetime.date(2026, 3, 30), last=datetime.date(2026, 3, 31))
        """
        return Period(max(self.monday, period.first), min(self.monday + timedelta(6), period.last))


@dataclass(frozen=True)
class OverdueRow:
    """An overdue dossier: how many working days past due, who holds it, any apology.

    `step` names the step(s) holding it (from its pinned document), `unit` the unit holding
    it (the directory's name), `officer` the officer's name (else email, "" if none);
    `apology_sent` is True once an apology slip (phiếu xin lỗi) was reported, whose new
    date, if given, is `apology_due`.
    """

    dossier_id: int
    code: str
    procedure_code: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    days_overdue: float
    step: str
    unit: str
    officer: str
    apology_sent: bool
    apology_due: datetime | None = None


@dataclass(frozen=True)
class OverdueFilter:
    """What the overdue list is narrowed to; empty narrows nothing.

    `procedure` a procedure code; `unit` the code of a unit holding the dossier now (a
    step run in hand); `min_days` working days overdue at least; `apology` True or False
    keeps the dossiers with or without an apology slip sent.
    """

    procedure: str = ""
    unit: str = ""
    min_days: float = 0
    apology: bool | None = None


class UnknownFigure(ValueError):
    """A headline figure's name that `headline_drill` does not know."""


HEADLINE_FIGURES = (
    "received",
    "received_online",
    "received_counter",
    "received_post",
    "resolved",
    "early",
    "on_time",
    "late",
    "in_progress",
    "overdue_now",
    "waiting_supplement",
)
"""The headline figures `headline_drill` lists the dossiers of."""


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _in_period(column: Any, period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(column >= period.starts_at, column < period.ends_at)


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _resolved_in(period: Period, scope: Scope) -> list[sa.ColumnElement[bool]]:
    return [resolved_condition(), _in_period(Dossier.finished_at, period), dossier_clause(scope)]


def headline(session: Session, period: Period, scope: Scope, now: datetime) -> Headline:
    """The headline figures over `period` inside `scope`, the open ones as of `now`.

    Three grouped queries: received by channel, resolved by verdict, open now.
    """
    by_channel = {channel: 0 for channel in Channel}
    for channel, count in session.execute(
        sa.select(Dossier.channel, sa.func.count())
        .where(_in_period(Dossier.received_at, period), dossier_clause(scope))
        .group_by(Dossier.channel)
    ):
        by_channel[Channel(channel)] = count
    by_verdict = {verdict: 0 for verdict in Verdict}
    for verdict, count in session.execute(
        sa.select(Dossier.verdict, sa.func.count())
        .where(*_resolved_in(period, scope))
        .group_by(Dossier.verdict)
    ):
        by_verdict[Verdict(str(verdict))] = count
    open_now, overdue, waiting = session.execute(
        sa.select(
            sa.func.count(),
            _count_if(overdue_condition(now)),
            _count_if(Dossier.status == DossierStatus.WAITING_SUPPLEMENT),
        ).where(
            Dossier.status.in_(sorted(OPEN_STATUSES)),
            Dossier.finished_at.is_(None),
            dossier_clause(scope),
        )
    ).one()
    return Headline(
        received=sum(by_channel.values()),
        received_by_channel=by_channel,
        resolved=sum(by_verdict.values()),
        early=by_verdict[Verdict.EARLY],
        on_time=by_verdict[Verdict.ON_TIME],
        late=by_verdict[Verdict.LATE],
        in_progress=int(open_now),
        overdue_now=int(overdue),
        waiting_supplement=int(waiting),
    )


def _resolved_filter(period: Period, scope: Scope) -> DossierFilter:
    return DossierFilter(finished_from=period.first, finished_to=period.last, scope=scope)


def _run_filter(period: Period, scope: Scope) -> DossierFilter:
    return DossierFilter(run_finished_from=period.first, run_finished_to=period.last, scope=scope)


def headline_drill(
    figure: str, period: Period, now: datetime, *, scope: Scope = EVERYTHING
) -> DossierFilter:
    """The dossier-list filter listing exactly the dossiers behind a headline `figure`.

    `figure` is one of `HEADLINE_FIGURES` (else `UnknownFigure`). The figures "as of now"
    (in progress, overdue, waiting) are measured by the list at its own moment, so pass
    the same `now` to `list_dossiers`.
    """
    del now  # the list measures "now" itself; kept so every figure is asked alike
    received = DossierFilter(received_from=period.first, received_to=period.last, scope=scope)
    if figure == "received":
        return received
    if figure.startswith("received_") and figure[len("received_") :] in set(Channel):
        return replace(received, channel=Channel(figure[len("received_") :]))
    if figure == "resolved":
        return _resolved_filter(period, scope)
    if figure in set(Verdict):
        return replace(_resolved_filter(period, scope), verdict=Verdict(figure))
    if figure == "in_progress":
        return DossierFilter(open_now=True, scope=scope)
    if figure == "overdue_now":
        return DossierFilter(overdue_now=True, scope=scope)
    if figure == "waiting_supplement":
        return DossierFilter(status=DossierStatus.WAITING_SUPPLEMENT, scope=scope)
    raise UnknownFigure(
        f"unknown headline figure {figure!r} (one of {', '.join(HEADLINE_FIGURES)})"
    )


def week_drill(
    week: TrendWeek, figure: str, period: Period, now: datetime, *, scope: Scope = EVERYTHING
) -> DossierFilter:
    """The dossiers behind one week's `figure` of the trend: received, or resolved by verdict.

    The headline's filter over the week's days within `period`, so a week cut by the
    period's edge lists what its row counts.
    """
    return headline_drill(figure, week.days_in(period), now, scope=scope)


# --- Breakdowns -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How one breakdown is asked: its grouping columns, base query, verdict and overrun."""

    keys: tuple[Any, ...]
    query: sa.Select[Any]
    verdict: Any
    overrun: Any


def _plan(period: Period, scope: Scope, by: BreakdownBy) -> _Plan:
    if by in (BreakdownBy.AGENCY, BreakdownBy.PROCEDURE):
        base = (
            sa.select()
            .select_from(Dossier)
            .join(ProcedureCase, Dossier.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(*_resolved_in(period, scope))
        )
        if by is BreakdownBy.AGENCY:
            base = base.outerjoin(Unit, Procedure.lead_unit_id == Unit.id)
            keys: tuple[Any, ...] = (Unit.code, Unit.name)
        else:
            keys = (Procedure.code, Procedure.name)
        return _Plan(keys, base, Dossier.verdict, Dossier.used_hours - Dossier.legal_hours)
    runs = (
        sa.select()
        .select_from(DossierStepRun)
        .where(
            _in_period(DossierStepRun.finished_at, period),
            DossierStepRun.verdict.is_not(None),
            run_clause(scope),
        )
    )
    if by is BreakdownBy.UNIT:
        keys = (DossierStepRun.unit_code,)
        runs = runs.where(DossierStepRun.unit_code.is_not(None))
    elif by is BreakdownBy.OFFICER:
        keys = (DossierStepRun.officer_email,)
        runs = runs.where(DossierStepRun.officer_email.is_not(None))
    else:
        # Grouped by the dossier's case, named after grouping (one small query), so each
        # run joins only its dossier.
        keys = (Dossier.case_id, DossierStepRun.step_key)
        runs = runs.join(Dossier, DossierStepRun.dossier_id == Dossier.id)
    overrun = DossierStepRun.used_hours - DossierStepRun.allotted_hours
    return _Plan(keys, runs, DossierStepRun.verdict, overrun)


def _median_column(plan: _Plan) -> Any:
    """PostgreSQL: the late ones' median overrun, in the counting query itself.

    `percentile_cont` skips NULLs, so the overrun of a run not late is left NULL.
    """
    late_overrun = sa.case((plan.verdict == Verdict.LATE, plan.overrun))
    return sa.func.percentile_cont(0.5).within_group(late_overrun)


def _sqlite_medians(session: Session, plan: _Plan) -> dict[tuple[Any, ...], float | None]:
    """SQLite: the late rows' overruns fetched by group and interpolated in Python."""
    values: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    late = plan.verdict == Verdict.LATE
    for row in session.execute(plan.query.add_columns(*plan.keys, plan.overrun).where(late)):
        values[tuple(row[:-1])].append(float(row[-1]))
    return {key: percentile(found, 0.5) for key, found in values.items()}


def breakdown(
    session: Session, period: Period, scope: Scope, by: BreakdownBy
) -> tuple[BreakdownRow, ...]:
    """The figures of `period` inside `scope` grouped `by` (see the module for what counts).

    Sorted by late rate, then total, both descending, then key; the page sorts other ways.
    """
    plan = _plan(period, scope, by)
    postgres = _postgres(session)
    extra = [_median_column(plan) if postgres else sa.null()]
    # The newest pinned version of a step's runs names the step.
    extra.append(sa.func.max(Dossier.version_id) if by is BreakdownBy.STEP else sa.null())
    counts = session.execute(
        plan.query.add_columns(
            *plan.keys,
            sa.func.count(),
            *(_count_if(plan.verdict == verdict) for verdict in _VERDICTS),
            *extra,
        ).group_by(*plan.keys)
    ).all()
    width = len(plan.keys)
    groups = [
        (tuple(row[:width]), tuple(int(n) for n in row[width : width + 4]), row[-2], row[-1])
        for row in counts
    ]
    if postgres:
        medians = {key: None if m is None else float(m) for key, _, m, _ in groups}
    else:
        medians = _sqlite_medians(session, plan)
    names = _Names(session, by, {key: newest for key, _, _, newest in groups})
    rows = []
    for key, (total, early, on_time, late), _, _ in groups:
        ident, label, detail, drill = names.describe(key, period, scope)
        rows.append(
            BreakdownRow(
                key=ident,
                label=label,
                detail=detail,
                total=total,
                early=early,
                on_time=on_time,
                late=late,
                late_rate=_rate(late, total),
                early_rate=_rate(early, total),
                median_overrun_hours=medians.get(key),
                drill=drill,
            )
        )
    return tuple(sorted(rows, key=lambda row: (-row.late_rate, -row.total, row.key)))


class _Names:
    """The names of a breakdown's groups, read in one or two queries for all of them.

    `groups` maps each group's key to the newest pinned version of its runs (steps only).
    """

    def __init__(
        self, session: Session, by: BreakdownBy, groups: dict[tuple[Any, ...], Any]
    ) -> None:
        self.by = by
        self.units: dict[str, str] = {}
        self.officers: dict[str, tuple[str, str]] = {}
        self.cases: dict[int, tuple[str, str, str]] = {}
        self.steps: dict[tuple[int, str], str] = {}
        if by is BreakdownBy.UNIT:
            self.units = unit_names(session, (key[0] for key in groups))
        elif by is BreakdownBy.OFFICER:
            emails = sorted({key[0] for key in groups})
            if emails:
                for email, name, unit in session.execute(
                    sa.select(Officer.email, Officer.full_name, Unit.name)
                    .join(Unit, Officer.unit_id == Unit.id)
                    .where(Officer.email.in_(emails))
                ):
                    self.officers[str(email)] = (name, unit)
        elif by is BreakdownBy.STEP and groups:
            case_ids = sorted({key[0] for key in groups})
            for case_id, code, name, case in session.execute(
                sa.select(ProcedureCase.id, Procedure.code, Procedure.name, ProcedureCase.key)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(ProcedureCase.id.in_(case_ids))
            ):
                self.cases[case_id] = (code, name, case)
            documents = DocumentCache(session).documents(set(groups.values()))
            for (case_id, step_key), version_id in groups.items():
                named = {step.key: step.name for step in documents[version_id].steps}
                self.steps[(case_id, step_key)] = named.get(step_key, step_key)

    def describe(
        self, key: tuple[Any, ...], period: Period, scope: Scope
    ) -> tuple[str, str, str, DossierFilter]:
        """The row's key, label, detail and drill-down filter."""
        resolved, ran = _resolved_filter(period, scope), _run_filter(period, scope)
        if self.by is BreakdownBy.AGENCY:
            code, name = key
            agency = code or NO_AGENCY
            return agency, name or "", "", replace(resolved, agency=agency)
        if self.by is BreakdownBy.PROCEDURE:
            code, name = key
            return code, name, "", replace(resolved, procedure=code)
        if self.by is BreakdownBy.UNIT:
            (code,) = key
            return code, self.units.get(code, code), "", replace(ran, unit=code)
        if self.by is BreakdownBy.OFFICER:
            (email,) = key
            name, unit = self.officers.get(email, (email, ""))
            return email, name, unit, replace(ran, officer=email)
        case_id, step = key
        code, name, case = self.cases[case_id]
        drill = replace(ran, procedure=code, case=case, step=step)
        label = self.steps.get((case_id, step), step)
        return f"{code}|{case}|{step}", label, f"{code} — {name}", drill


# --- Weekly trend -----------------------------------------------------------------------


def _vn_day(session: Session, column: Any) -> Any:
    """The Vietnamese calendar day of a stored UTC time, in SQL."""
    if _postgres(session):
        return sa.cast(sa.func.timezone("Asia/Ho_Chi_Minh", column), sa.Date)
    # SQLite stores UTC text; Vietnam keeps UTC+7 all year (no summer time).
    return sa.func.date(column, "+7 hours")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def weekly_trend(session: Session, period: Period, scope: Scope) -> tuple[TrendWeek, ...]:
    """Every ISO week (by its Monday) overlapping `period`, zeros included, oldest first.

    Received counts by `received_at`, resolved by `finished_at` (and verdict), both only
    within the period: the first and last weeks may be partial. Two grouped queries, by
    Vietnamese day, folded into weeks.
    """
    first_monday = period.first - timedelta(days=period.first.weekday())
    mondays = []
    monday = first_monday
    while monday <= period.last:
        mondays.append(monday)
        monday += timedelta(days=7)
    figures = {m: dict.fromkeys(("received", *_VERDICTS), 0) for m in mondays}

    def week(day: Any) -> date:
        found = _as_date(day)
        return found - timedelta(days=found.weekday())

    day = _vn_day(session, Dossier.received_at)
    for received_day, count in session.execute(
        sa.select(day, sa.func.count())
        .where(_in_period(Dossier.received_at, period), dossier_clause(scope))
        .group_by(day)
    ):
        figures[week(received_day)]["received"] += count
    day = _vn_day(session, Dossier.finished_at)
    for finished_day, verdict, count in session.execute(
        sa.select(day, Dossier.verdict, sa.func.count())
        .where(*_resolved_in(period, scope))
        .group_by(day, Dossier.verdict)
    ):
        figures[week(finished_day)][Verdict(str(verdict))] += count
    return tuple(
        TrendWeek(
            monday=m,
            received=figures[m]["received"],
            early=figures[m][Verdict.EARLY],
            on_time=figures[m][Verdict.ON_TIME],
            late=figures[m][Verdict.LATE],
        )
        for m in mondays
    )


# --- The overdue list -------------------------------------------------------------------


def overdue_dossiers(
    session: Session,
    scope: Scope,
    now: datetime,
    filters: OverdueFilter = OverdueFilter(),
    limit: int | None = 500,
) -> tuple[OverdueRow, ...]:
    """The dossiers overdue at `now` inside `scope`, most overdue first, at most `limit`.

    Days overdue are working days (the working calendar's hours from the due date to
    `now`, over its hours per day). A dossier whose clock stopped after its due date stays
    overdue and its days go on counting. Since the working time to `now` only shrinks as
    the due date moves later, the order by due date is the order by days overdue, so
    `limit` and `min_days` are applied in the same pass.
    """
    apology = (
        sa.select(DossierEvent.id)
        .where(DossierEvent.dossier_id == Dossier.id, DossierEvent.kind == EventKind.APOLOGY_SENT)
        .exists()
    )
    query = (
        sa.select(
            Dossier.id,
            Dossier.code,
            Procedure.code,
            Procedure.name,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.version_id,
            Dossier.current_steps,
            Dossier.apology_due,
            apology,
        )
        .join(ProcedureCase, Dossier.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(overdue_condition(now), dossier_clause(scope))
        .order_by(Dossier.due_at, Dossier.id)
    )
    if filters.procedure:
        query = query.where(Procedure.code == filters.procedure)
    if filters.unit:
        held = sa.select(DossierStepRun.dossier_id).where(
            DossierStepRun.unit_code == filters.unit, DossierStepRun.finished_at.is_(None)
        )
        query = query.where(Dossier.id.in_(held))
    if filters.apology is not None:
        query = query.where(apology if filters.apology else ~apology)
    if limit is not None:
        query = query.limit(limit)
    calendar = working_calendar(session)
    found = []
    for row in session.execute(query):
        days = calendar.working_hours_between(row.due_at, now) / calendar.hours_per_day
        if days < filters.min_days:
            break  # every later one is due later, so fewer days overdue
        found.append((row, days))
    return _overdue_rows(session, found)


def _overdue_rows(session: Session, found: Sequence[tuple[Any, float]]) -> tuple[OverdueRow, ...]:
    """The rows with the steps in hand named: one query for the runs, one per directory."""
    if not found:
        return ()
    ids = [row[0] for row, _ in found]
    in_hand: dict[int, dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
    for dossier_id, step, unit, officer in session.execute(
        sa.select(
            DossierStepRun.dossier_id,
            DossierStepRun.step_key,
            DossierStepRun.unit_code,
            DossierStepRun.officer_email,
        )
        .where(DossierStepRun.dossier_id.in_(ids), DossierStepRun.finished_at.is_(None))
        .order_by(DossierStepRun.dossier_id, DossierStepRun.position)
    ):
        in_hand[dossier_id][step] = (unit, officer)
    documents = DocumentCache(session).documents({row.version_id for row, _ in found})
    units = unit_names(
        session, (u for held in in_hand.values() for u, _ in held.values() if u is not None)
    )
    emails = sorted({o for held in in_hand.values() for _, o in held.values() if o is not None})
    officers = (
        dict(
            session.execute(
                sa.select(Officer.email, Officer.full_name).where(Officer.email.in_(emails))
            ).all()
        )
        if emails
        else {}
    )
    rows = []
    for row, days in found:
        document = documents[row.version_id]
        steps = {step.key: step for step in document.steps}
        doc_units = {unit.key: unit.name for unit in document.units}
        step_names, unit_list, officer_list = [], [], []
        for key in row.current_steps or ():
            entry = steps.get(key)
            step_names.append(entry.name if entry is not None else key)
            unit_code, email = in_hand.get(row.id, {}).get(key, (None, None))
            if unit_code:
                unit_list.append(units.get(unit_code, unit_code))
            elif entry is not None and entry.unit:
                unit_list.append(doc_units.get(entry.unit, ""))
            if email:
                officer_list.append(officers.get(email) or email)
        rows.append(
            OverdueRow(
                dossier_id=row.id,
                code=row.code,
                procedure_code=row[2],
                procedure_name=row[3],
                received_at=row.received_at,
                due_at=row.due_at,
                days_overdue=days,
                step=", ".join(step_names),
                unit=", ".join(dict.fromkeys(u for u in unit_list if u)),
                officer=", ".join(dict.fromkeys(officer_list)),
                apology_sent=bool(row[9]),
                apology_due=row.apology_due,
            )
        )
    return tuple(rows)
