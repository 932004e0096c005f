"""Supervision (giám sát): dossiers handled early, on time and late, summarised for managers.

Read-only over the tracking tables (`workflow_model.tracking`): nothing here writes a
dossier. `period` is the reporting period, `scope` what a supervisor may see, `figures`
the dashboard's figures (headline, breakdowns, weekly trend, overdue list) with the
dossier-list filter behind each, `stats` the one percentile, `calibration` the configured
times against the actual ones, and `suggested_draft` the one writer here: a new draft
with suggested times, through the lifecycle and `flow_editing`.
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
    weekly_trend,
)
from .period import MAX_PERIOD_DAYS, Period, PeriodError, PeriodKind, today_in_vietnam
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
    "BreakdownBy",
    "BreakdownRow",
    "CaseCalibration",
    "Headline",
    "OverdueFilter",
    "OverdueRow",
    "Period",
    "PeriodError",
    "PeriodKind",
    "Scope",
    "StepCalibration",
    "Thresholds",
    "ThresholdsError",
    "TrendWeek",
    "UnknownFigure",
    "breakdown",
    "by_case",
    "configured_vs_actual",
    "dossier_clause",
    "draft_with_suggested_times",
    "headline",
    "headline_drill",
    "overdue_dossiers",
    "percentile",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
    "suggested_duration",
    "today_in_vietnam",
    "weekly_trend",
]
