"""Supervision (giám sát): dossiers handled early, on time and late, summarised for managers.

Read-only over the tracking tables (`workflow_model.tracking`): nothing here writes a
dossier. `period` is the reporting period, `scope` what a supervisor may see, `report` the
periodic report on the handling of procedures.
"""

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

__all__ = [
    "EVERYTHING",
    "MAX_PERIOD_DAYS",
    "AgencyGroup",
    "Counts",
    "FieldGroup",
    "Period",
    "PeriodError",
    "PeriodKind",
    "PeriodicReport",
    "ProcedureLine",
    "ReportError",
    "Scope",
    "UnitOutOfScope",
    "UnknownUnit",
    "dossier_clause",
    "periodic_report",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
    "today_in_vietnam",
    "units_in_scope",
]
