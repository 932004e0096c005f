"""Supervision (giám sát): dossiers handled early, on time and late, summarised for managers.

Read-only over the tracking tables (`workflow_model.tracking`): nothing here writes a
dossier. `period` is the reporting period, `scope` what a supervisor may see,
`stats` the one percentile, `calibration` the configured times against the actual ones,
and `suggested_draft` the one writer here: a new draft with suggested times, through
the lifecycle and `flow_editing`.
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
    "MAX_PERIOD_DAYS",
    "CaseCalibration",
    "Period",
    "PeriodError",
    "PeriodKind",
    "Scope",
    "StepCalibration",
    "Thresholds",
    "ThresholdsError",
    "by_case",
    "configured_vs_actual",
    "dossier_clause",
    "draft_with_suggested_times",
    "percentile",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
    "suggested_duration",
    "today_in_vietnam",
]
