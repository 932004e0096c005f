"""Supervision (giám sát): dossiers handled early, on time and late, summarised for managers.

Read-only over the tracking tables (`workflow_model.tracking`): nothing here writes a
dossier. `period` is the reporting period, `scope` what a supervisor may see.
"""

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

__all__ = [
    "EVERYTHING",
    "MAX_PERIOD_DAYS",
    "Period",
    "PeriodError",
    "PeriodKind",
    "Scope",
    "dossier_clause",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
    "today_in_vietnam",
]
