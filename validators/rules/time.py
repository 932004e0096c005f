"""Rules on time: valid durations, and the critical path against the legal time."""

from __future__ import annotations

import math
from collections.abc import Iterator

from workflow_model.document import Duration
from workflow_model.enums import HOURS_PER_WORKING_DAY, TimeUnit

from ..context import FlowContext
from ..findings import Severity
from ..registry import Issue, rule


def _valid(duration: Duration) -> bool:
    # Checked, not trusted: a document built in code (not loaded) may hold anything here.
    value: object = duration.value
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
        and isinstance(duration.unit, TimeUnit)
    )


def days_vi(hours: float) -> str:
    """Working hours as a Vietnamese text in days, with a decimal comma.

    >>> days_vi(12)
    '1,5 ngày làm việc'
    """
    return f"{hours / HOURS_PER_WORKING_DAY:g}".replace(".", ",") + " ngày làm việc"


def days_en(hours: float) -> str:
    """Working hours as an English text in days.

    >>> days_en(12)
    '1.5 working days'
    """
    return f"{hours / HOURS_PER_WORKING_DAY:g} working days"


@rule("invalid-duration", Severity.ERROR, "A negative or non-finite duration or legal time.")
def invalid_duration(context: FlowContext) -> Iterator[Issue]:
    """Durations are numbers ≥ 0 of working days or hours."""
    if not _valid(context.doc.procedure.legal_time):
        yield Issue(
            "Thời hạn giải quyết của thủ tục không hợp lệ: "
            f"{context.doc.procedure.legal_time.value}.",
            "The legal time of the procedure is not valid: "
            f"{context.doc.procedure.legal_time.value}.",
        )
    for step in context.doc.steps:
        if not _valid(step.duration):
            yield Issue(
                f"Thời gian của bước {context.step_name(step.key)} không hợp lệ: "
                f"{step.duration.value}.",
                f"The duration of the step {context.step_name(step.key)} is not valid: "
                f"{step.duration.value}.",
                steps=(step.key,),
            )


def _budget_applies(context: FlowContext) -> bool:
    return _valid(context.doc.procedure.legal_time)


@rule(
    "time-budget-exceeded",
    Severity.ERROR,
    "The longest start → end path exceeds the legal time.",
)
def time_budget_exceeded(context: FlowContext) -> Iterator[Issue]:
    """The critical path (đường găng) must fit in the legal time limit."""
    path = context.flow.critical_path
    if path is None or not _budget_applies(context) or not path.exceeds_budget:
        return
    yield Issue(
        f"Đường dài nhất từ tiếp nhận đến kết thúc mất {days_vi(path.hours)} "
        f"({path.hours:g} giờ), vượt thời hạn giải quyết {days_vi(path.budget_hours)}: "
        f"{context.step_names(path.steps)}.",
        f"The longest path from reception to end takes {days_en(path.hours)} "
        f"({path.hours:g} hours), more than the legal time of {days_en(path.budget_hours)}: "
        f"{context.step_names(path.steps)}.",
        steps=path.steps,
        transitions=path.transitions,
    )


@rule(
    "time-budget-unallocated",
    Severity.WARNING,
    "The longest path is shorter than the legal time: nobody holds the rest.",
)
def time_budget_unallocated(context: FlowContext) -> Iterator[Issue]:
    """The process should say who holds every hour of the legal time."""
    path = context.flow.critical_path
    if path is None or not _budget_applies(context) or not path.under_budget:
        return
    rest = path.budget_hours - path.hours
    yield Issue(
        f"Đường dài nhất chỉ mất {days_vi(path.hours)} trên thời hạn "
        f"{days_vi(path.budget_hours)}: {days_vi(rest)} chưa giao cho bước nào.",
        f"The longest path takes only {days_en(path.hours)} of the legal "
        f"{days_en(path.budget_hours)}: {days_en(rest)} are not given to any step.",
        steps=path.steps,
        transitions=path.transitions,
    )
