"""Configured against actual (thời gian quy định so với thực tế): each step's time in reality.

For each step of each procedure case's version in force, `configured_vs_actual` sets the
step's configured duration against the step runs (`DossierStepRun`) of the dossiers
pinned to that version that finished in the period, in the supervisor's scope: the
median and the 90th percentile of the working hours they used, the late rate, and how
many dossiers and runs there were. Two kinds of step are flagged, with `Thresholds`
(settings of the app):

- chronically late (chậm kéo dài): the 90th percentile is above the configured time, or
  more than `Thresholds.late_rate` of the runs were late;
- slack (dư thời gian): the 90th percentile is under `Thresholds.slack_share` of the
  configured time, over at least `Thresholds.slack_min_dossiers` dossiers.

The suggested duration is the 90th percentile rounded to the nearest quarter in the
step's own unit (0.25 working day, or 0.25 working hour), never below 0.25. Nothing here
writes: `suggested_draft.draft_with_suggested_times` opens a draft with the suggestions.

Only the cases with a run in the period are listed (every step of them, a step without a
run showing no figure): a province has thousands of cases, most without a dossier in a
given month. The figures are grouped in SQL: on PostgreSQL the percentiles too
(``percentile_cont``); SQLite has none, so there the grouped runs' hours are read and
`stats.percentile`, the same definition, computes them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..document import Duration
from ..document.limits import MAX_DURATION
from ..enums import HOURS_PER_WORKING_DAY, TimeUnit, VersionStatus
from ..models import FlowVersion, Procedure, ProcedureCase, Step, utcnow
from ..models.tracking import Dossier, DossierStepRun, Verdict
from .period import Period
from .scope import Scope, run_clause
from .stats import percentile

__all__ = [
    "QUARTER",
    "CaseCalibration",
    "StepCalibration",
    "Thresholds",
    "ThresholdsError",
    "by_case",
    "configured_vs_actual",
    "suggested_duration",
]

QUARTER = 0.25
"""What a suggested duration is rounded to, in the step's own unit, and its least value."""


class ThresholdsError(ValueError):
    """Thresholds that make no sense: a share outside [0, 1], a count below 1."""


@dataclass(frozen=True)
class Thresholds:
    """When a step is flagged; the app reads them from its settings.

    `late_rate`: a step whose share of late runs is above it is chronically late
    (``SODO_LATE_RATE``); `slack_share`: a step whose 90th percentile is under this share
    of its configured time is slack (``SODO_SLACK_SHARE``), when at least
    `slack_min_dossiers` dossiers went through it (``SODO_SLACK_MIN_DOSSIERS``).
    """

    late_rate: float = 0.30
    slack_share: float = 0.25
    slack_min_dossiers: int = 30

    def __post_init__(self) -> None:
        for name in ("late_rate", "slack_share"):
            value: object = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThresholdsError(f"{name} must be a number from 0 to 1, not {value!r}")
        count: object = self.slack_min_dossiers
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ThresholdsError(f"slack_min_dossiers must be a whole number ≥ 1, not {count!r}")


@dataclass(frozen=True)
class StepCalibration:
    """One step of a version in force, configured against what its runs used.

    Hours are working hours. `median_hours`, `p90_hours` and `late_rate` are None when
    no run of the step finished in the period; `late_rate` is the share of those runs
    judged late (0.25 is 25 %). `suggested` is the 90th percentile rounded to a quarter
    of the step's unit (None without runs).
    """

    procedure_id: int
    procedure_code: str
    procedure_name: str
    case_id: int
    case_key: str
    case_name: str
    version_id: int
    version_number: int
    step_key: str
    step_name: str
    configured: Duration
    configured_hours: float
    median_hours: float | None
    p90_hours: float | None
    late_rate: float | None
    dossiers: int
    runs: int
    late_runs: int
    chronically_late: bool
    slack: bool
    suggested: Duration | None

    @property
    def flagged(self) -> bool:
        """True when the step is chronically late or slack."""
        return self.chronically_late or self.slack

    @property
    def changes_time(self) -> bool:
        """True when the step is flagged and its suggested duration differs from its own."""
        return self.flagged and self.suggested is not None and self.suggested != self.configured


@dataclass(frozen=True)
class CaseCalibration:
    """The steps of one procedure case's version in force, in the version's order."""

    steps: tuple[StepCalibration, ...]

    @property
    def first(self) -> StepCalibration:
        """The case's first step, which names the procedure, case and version."""
        return self.steps[0]

    @property
    def flagged(self) -> bool:
        """True when one of its steps is flagged."""
        return any(step.flagged for step in self.steps)

    @property
    def suggestions(self) -> dict[str, Duration]:
        """The suggested duration of each flagged step whose time it would change, by key."""
        return {
            step.step_key: step.suggested
            for step in self.steps
            if step.changes_time and step.suggested is not None
        }


def suggested_duration(hours: float, unit: TimeUnit) -> Duration:
    """`hours` working hours in `unit`, rounded to the nearest quarter, never below 0.25.

    Halves round up, so the same hours always give the same suggestion.

    >>> suggested_duration(13.1, TimeUnit.WORKING_DAY)  # 1.6375 days
    Duration(value=1.75, unit=<TimeUnit.WORKING_DAY: 'working_day'>)
    >>> [suggested_duration(h, TimeUnit.WORKING_HOUR).value for h in (2.12, 2.125, 0)]
    [2.0, 2.25, 0.25]
    """
    value = hours / HOURS_PER_WORKING_DAY if unit is TimeUnit.WORKING_DAY else hours
    quarters = math.floor(value / QUARTER + 0.5)
    return Duration(min(max(quarters * QUARTER, QUARTER), float(MAX_DURATION)), unit)


def _in_force_versions(now: datetime) -> sa.Select[tuple[int]]:
    """The id of each case's version in force at `now`, as `lifecycle.version_in_force`."""
    ranked = (
        sa.select(
            FlowVersion.id.label("version_id"),
            sa.func.row_number()
            .over(
                partition_by=FlowVersion.case_id,
                order_by=(FlowVersion.effective_from.desc(), FlowVersion.number.desc()),
            )
            .label("rank"),
        )
        .where(
            FlowVersion.status == VersionStatus.APPROVED,
            FlowVersion.effective_from <= now,
        )
        .subquery()
    )
    return sa.select(ranked.c.version_id).where(ranked.c.rank == 1)


@dataclass(frozen=True)
class _Figures:
    runs: int
    dossiers: int
    late_runs: int
    median: float
    p90: float


def _run_conditions(
    period: Period, scope: Scope, now: datetime, case_id: int | None
) -> list[sa.ColumnElement[bool]]:
    conditions = [
        Dossier.version_id.in_(_in_force_versions(now)),
        DossierStepRun.finished_at >= period.starts_at,
        DossierStepRun.finished_at < period.ends_at,
        run_clause(scope),
    ]
    if case_id is not None:
        conditions.append(Dossier.case_id == case_id)
    return conditions


def _figures(
    session: Session, conditions: Sequence[sa.ColumnElement[bool]]
) -> dict[tuple[int, str], _Figures]:
    """The figures of each (version, step key) with runs, grouped in SQL."""
    group = (Dossier.version_id, DossierStepRun.step_key)
    late = sa.func.sum(sa.case((DossierStepRun.verdict == Verdict.LATE, 1), else_=0))
    counts = [sa.func.count(), sa.func.count(sa.distinct(Dossier.id)), late]
    joined = sa.select(*group).join(Dossier, Dossier.id == DossierStepRun.dossier_id)
    if session.get_bind().dialect.name == "postgresql":
        quantiles = sa.func.percentile_cont(postgresql.array([0.5, 0.9])).within_group(
            DossierStepRun.used_hours
        )
        rows = session.execute(
            joined.add_columns(*counts, quantiles).where(*conditions).group_by(*group)
        )
        return {
            (version_id, key): _Figures(runs, dossiers, int(late_runs), *map(float, q))
            for version_id, key, runs, dossiers, late_runs, q in rows
        }
    # SQLite has no percentile_cont: its groups' hours, sorted there, computed here.
    hours: dict[tuple[int, str], list[float]] = defaultdict(list)
    for version_id, key, used in session.execute(
        joined.add_columns(DossierStepRun.used_hours)
        .where(*conditions)
        .order_by(*group, DossierStepRun.used_hours)
    ):
        hours[(version_id, key)].append(used)
    found = {}
    for version_id, key, runs, dossiers, late_runs in session.execute(
        joined.add_columns(*counts).where(*conditions).group_by(*group)
    ):
        values = hours[(version_id, key)]
        found[(version_id, key)] = _Figures(
            runs, dossiers, int(late_runs), percentile(values, 0.5), percentile(values, 0.9)
        )
    return found


def _calibrate(row: Any, figures: _Figures | None, thresholds: Thresholds) -> StepCalibration:
    configured = Duration(row.duration_value, TimeUnit(row.duration_unit))
    hours = configured.hours
    named = {
        "procedure_id": row.procedure_id,
        "procedure_code": row.procedure_code,
        "procedure_name": row.procedure_name,
        "case_id": row.case_id,
        "case_key": row.case_key,
        "case_name": row.case_name,
        "version_id": row.version_id,
        "version_number": row.version_number,
        "step_key": row.step_key,
        "step_name": row.step_name,
        "configured": configured,
        "configured_hours": hours,
    }
    if figures is None:
        return StepCalibration(
            **named, median_hours=None, p90_hours=None, late_rate=None, dossiers=0, runs=0,
            late_runs=0, chronically_late=False, slack=False, suggested=None,
        )  # fmt: skip
    late_rate = figures.late_runs / figures.runs
    return StepCalibration(
        **named,
        median_hours=figures.median,
        p90_hours=figures.p90,
        late_rate=late_rate,
        dossiers=figures.dossiers,
        runs=figures.runs,
        late_runs=figures.late_runs,
        chronically_late=figures.p90 > hours or late_rate > thresholds.late_rate,
        slack=(
            figures.p90 < thresholds.slack_share * hours
            and figures.dossiers >= thresholds.slack_min_dossiers
        ),
        suggested=suggested_duration(figures.p90, configured.unit),
    )


_STEP_COLUMNS = (
    Procedure.id.label("procedure_id"),
    Procedure.code.label("procedure_code"),
    Procedure.name.label("procedure_name"),
    ProcedureCase.id.label("case_id"),
    ProcedureCase.key.label("case_key"),
    ProcedureCase.name.label("case_name"),
    FlowVersion.id.label("version_id"),
    FlowVersion.number.label("version_number"),
    Step.key.label("step_key"),
    Step.name.label("step_name"),
    Step.duration_value,
    Step.duration_unit,
)


def configured_vs_actual(
    session: Session,
    period: Period,
    scope: Scope,
    thresholds: Thresholds,
    *,
    case_id: int | None = None,
    now: datetime | None = None,
) -> tuple[StepCalibration, ...]:
    """Each step of each version in force (at `now`) against its runs finished in `period`.

    Only the runs in `scope` count (`run_clause`), and only those of dossiers pinned to
    the version in force: a dossier received under an older version was judged against
    other times. A case is listed when one of its steps has a run; `case_id` keeps one
    case. Rows come by procedure code, case and the steps' order in the version.
    """
    moment = now or utcnow()
    figures = _figures(session, _run_conditions(period, scope, moment, case_id))
    versions = sorted({version_id for version_id, _key in figures})
    if not versions:
        return ()
    steps = session.execute(
        sa.select(*_STEP_COLUMNS)
        .join(FlowVersion, Step.version_id == FlowVersion.id)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Step.version_id.in_(versions))
        .order_by(Procedure.code, ProcedureCase.position, ProcedureCase.key, Step.position)
    )
    return tuple(
        _calibrate(row, figures.get((row.version_id, row.step_key)), thresholds) for row in steps
    )


def by_case(rows: Iterable[StepCalibration]) -> tuple[CaseCalibration, ...]:
    """The rows grouped by procedure case, the cases with a flagged step first.

    Within each half the cases keep the order they came in (procedure code, then case).
    """
    cases: dict[int, list[StepCalibration]] = {}
    for row in rows:
        cases.setdefault(row.case_id, []).append(row)
    grouped = [CaseCalibration(tuple(steps)) for steps in cases.values()]
    return tuple(sorted(grouped, key=lambda case: not case.flagged))
