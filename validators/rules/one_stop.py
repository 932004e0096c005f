"""Rules of the one-stop mechanism (cơ chế một cửa): dossiers enter and leave at the desk."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import FlowContext
from ..findings import Severity
from ..registry import Issue, rule


def _at_one_stop(context: FlowContext, unit: str | None) -> bool | None:
    """True or False for a known unit; None when the unit is missing (other rules say so)."""
    if not unit or unit not in context.units:
        return None
    return context.units[unit].one_stop


@rule(
    "reception-not-at-one-stop",
    Severity.WARNING,
    "The start step's unit is not a one-stop unit.",
)
def reception_not_at_one_stop(context: FlowContext) -> Iterator[Issue]:
    """Dossiers are received at the one-stop desk (Bộ phận Một cửa)."""
    for key in context.flow.starts:
        unit = context.steps[key].unit
        if _at_one_stop(context, unit) is False:
            yield Issue(
                f"Bước tiếp nhận {context.step_name(key)} đặt tại {context.unit_name(unit or '')}, "
                "không phải bộ phận một cửa.",
                f"The reception step {context.step_name(key)} is at "
                f"{context.unit_name(unit or '')}, which is not a one-stop desk.",
                steps=(key,),
            )


@rule(
    "result-not-at-one-stop",
    Severity.WARNING,
    "An end step that returns the result is not at a one-stop unit.",
)
def result_not_at_one_stop(context: FlowContext) -> Iterator[Issue]:
    """Results (and returned dossiers) go back to the citizen through the one-stop desk."""
    for key in context.flow.ends:
        unit = context.steps[key].unit
        if _at_one_stop(context, unit) is False:
            yield Issue(
                f"Bước kết thúc {context.step_name(key)} đặt tại {context.unit_name(unit or '')}, "
                "không phải bộ phận một cửa trả kết quả.",
                f"The end step {context.step_name(key)} is at {context.unit_name(unit or '')}, "
                "not at a one-stop desk that returns results.",
                steps=(key,),
            )
