"""The budget box: how much of the legal time the critical path uses.

Said in working days, as the validators' findings say it, with the hours in the detail;
every duration goes through the one duration formatter (`admin.vocabulary`). A loop's
return transition is left out of the critical path (`FlowGraph.back_edges`), as the
decision reads the process: the box measures the path all the same, and names the loop's
steps under it.
"""

from __future__ import annotations

from typing import Any

from dash import html
from flask_babel import gettext as _

from workflow_model.document.durations import format_number
from workflow_model.enums import HOURS_PER_WORKING_DAY, TimeUnit
from workflow_model.flowgraph import FlowGraph

from ..vocabulary import duration_text, hours_as_days_text, language
from .state import EditorView


def budget_panel(view: EditorView) -> list[Any]:
    """The critical path against the legal time, as a bar and in words."""
    legal = view.document.procedure.legal_time
    path = view.report.critical_path
    if path is None:
        return [html.P(_("No path leads from the start to an end yet."), className="sodo-muted")]
    share = path.hours / path.budget_hours if path.budget_hours else 1.0
    state = "over" if path.exceeds_budget else "ok"
    return [
        html.Div(
            _(
                "Critical path: %(used)s / %(legal)s",
                used=format_number(path.hours / HOURS_PER_WORKING_DAY, language()),
                legal=hours_as_days_text(path.budget_hours),
            ),
            className="sodo-budget-text",
            id="budget-days",
        ),
        html.Div(
            html.Div(
                className=f"sodo-budget-fill sodo-budget-{state}",
                style={"width": f"{min(share, 1.0) * 100:.1f}%"},
            ),
            className="sodo-budget-bar",
            id="budget-bar",
            title=f"{share * 100:.0f}%",
            **{"data-state": state},
        ),
        html.Div(
            _(
                "%(used)s of %(legal)s (legal time: %(time)s)",
                used=duration_text((path.hours, TimeUnit.WORKING_HOUR)),
                legal=duration_text((path.budget_hours, TimeUnit.WORKING_HOUR)),
                time=duration_text(legal),
            ),
            className="sodo-budget-detail sodo-muted",
            id="budget-hours",
        ),
        *_loops(view),
    ]


def _loops(view: EditorView) -> list[Any]:
    """A line naming each loop's steps, whose return the critical path leaves out."""
    loops = FlowGraph(view.document).cyclic_components
    if not loops:
        return []
    names = {step.key: step.name for step in view.document.steps}
    steps = "; ".join(" → ".join(f"“{names[key]}”" for key in loop) for loop in loops)
    return [
        html.P(
            _("The critical path leaves out the return of a loop: %(steps)s.", steps=steps),
            className="sodo-budget-text sodo-budget-loop",
            id="budget-loop",
        )
    ]
