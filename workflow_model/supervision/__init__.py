"""Supervision (giám sát): dossiers handled early, on time and late, summarised for managers.

Read-only over the tracking tables (`workflow_model.tracking`): nothing here writes a
dossier. `period` is the reporting period, `scope` what a supervisor may see, `figures`
the dashboard's figures (headline, breakdowns, weekly trend, overdue list) with the
dossier-list filter behind each, `stats` the one percentile, `calibration` the configured
times against the actual ones, and `suggested_draft` the one writer here: a new draft
with suggested times, through the lifecycle and `flow_editing`; `report` the periodic
report on the handling of procedures.
"""

from .calibration import (
    CaseCalibration,
    StepCalibration,
    Thresholds,
    ThresholdsError,
    by_case,
    configured_vs_actual,
    suggested_duration,
)
from .figures import (
    HEADLINE_FIGURES,
    NO_AGENCY,
    BreakdownBy,
    BreakdownRow,
    Headline,
    OverdueFilter,
    OverdueRow,
    TrendWeek,
    UnknownFigure,
    breakdown,
    headline,
    headline_drill,
    overdue_dossiers,
    week_drill,
    weekly_trend,
)
from .period import MAX_PERIOD_DAYS, Period, PeriodError, PeriodKind, today_in_vietnam
from .report import (
    AgencyGroup,
    Counts,
    FieldGroup,
    PeriodicReport,
    ProcedureLine,
    ReportError,
    UnitOutOfScope,
    UnknownUnit,
    periodic_report,
    units_in_scope,
)
from .scope import (
    EVERYTHING,
    Scope,
    dossier_clause,
    run_clause,
    scope_of_unit,
    scope_of_user,
    subtree,
)
from .stats import percentile
from .suggested_draft import draft_with_suggested_times

__all__ = [
    "EVERYTHING",
    "HEADLINE_FIGURES",
    "MAX_PERIOD_DAYS",
    "NO_AGENCY",
    "AgencyGroup",
    "BreakdownBy",
    "BreakdownRow",
    "CaseCalibration",
    "Counts",
    "FieldGroup",
    "Headline",
    "OverdueFilter",
    "OverdueRow",
    "Period",
    "PeriodError",
    "PeriodKind",
    "PeriodicReport",
    "ProcedureLine",
    "ReportError",
    "Scope",
    "StepCalibration",
    "Thresholds",
    "ThresholdsError",
    "TrendWeek",
    "UnitOutOfScope",
    "UnknownFigure",
    "UnknownUnit",
    "breakdown",
    "by_case",
    "configured_vs_actual",
    "dossier_clause",
    "draft_with_suggested_times",
    "headline",
    "headline_drill",
    "overdue_dossiers",
    "percentile",
    "periodic_report",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
    "suggested_duration",
    "today_in_vietnam",
    "units_in_scope",
    "week_drill",
    "weekly_trend",
]
