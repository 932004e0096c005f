"""A dossier's progress laid on its diagram: one state per step of the pinned document.

`step_states` says, for each step, whether it was done early, on time or late, is being
handled (within its time or overdue), is still ahead, or lies on a branch the dossier
did not take (drawn faded). The diagram (`exporters.svg.render_svg(overlay=...)`)
colours each state; `workflow_model.tracking.wording.STATE_WORDS` names it.

A pure function: no database, no clock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from ..document import FlowDocument
from ..flowgraph import FlowGraph, closure
from ..models.tracking import Verdict
from .progress import DossierProgress, StepRun

__all__ = ["StepState", "step_states"]


class StepState(enum.StrEnum):
    """How far a dossier got with one step; the values are the diagram's `data-state`."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    CURRENT = "current"
    OVERDUE = "overdue"
    """Being handled, and its allotted time has run out."""
    PENDING = "pending"
    """Not reached yet, and still reachable from where the dossier is."""
    SKIPPED = "skipped"
    """Not reached, and no longer reachable: a branch not taken."""


_DONE = {Verdict.EARLY: StepState.EARLY, Verdict.ON_TIME: StepState.ON_TIME}


def step_states(document: FlowDocument, progress: DossierProgress) -> dict[str, StepState]:
    """The state of every step of `document` for a dossier at `progress`.

    A step run more than once (sent back for rework) shows its last run; a step handed to
    and not yet started is overdue once the dossier's legal time is. A step not run
    is pending while a step being handled, or the last one finished, can still reach it;
    once the dossier is closed, or past it, it is a branch not taken.

    >>> from datetime import datetime
    >>> from workflow_model.calendar import TIMEZONE
    >>> from workflow_model.demo_data import demo_flow
    >>> from workflow_model.models.tracking import DossierStatus
    >>> at = datetime(2026, 3, 9, 8, tzinfo=TIMEZONE)
    >>> run = StepRun("s1", at, at, 4.0, 1.0, at, Verdict.EARLY)
    >>> progress = DossierProgress(DossierStatus.IN_PROGRESS, at, 40.0, at, 1.0, 39.0, 0.0,
    ...     None, None, None, None, None, ("s2",), (run,), at, at)
    >>> states = step_states(demo_flow("caobang-1_004944-1.json"), progress)
    >>> states["s1"].value, states["s2"].value, states["s7"].value
    ('early', 'current', 'pending')
    """
    graph = FlowGraph(document)
    last: dict[str, StepRun] = {}
    for run in progress.runs:
        last[run.key] = run
    states: dict[str, StepState] = {}
    for key, run in last.items():
        if key not in graph.steps:
            continue
        if run.finished_at is None:
            overdue = run.used_hours > run.allotted_hours
            states[key] = StepState.OVERDUE if overdue else StepState.CURRENT
        else:
            verdict = run.verdict or Verdict.LATE
            states[key] = _DONE.get(verdict, StepState.LATE)
    # A step handed to but not yet started has no run of its own: it is overdue when
    # the dossier's legal time has run out.
    waiting = StepState.OVERDUE if progress.left_hours < 0 else StepState.CURRENT
    for key in progress.current_steps:
        if key in graph.steps and key not in states:
            states[key] = waiting
    ahead = _ahead(graph, progress, states) if progress.closed_at is None else frozenset()
    for key in graph.steps:
        if key not in states:
            states[key] = StepState.PENDING if key in ahead else StepState.SKIPPED
    return states


def _ahead(
    graph: FlowGraph, progress: DossierProgress, states: dict[str, StepState]
) -> frozenset[str]:
    """Steps still reachable from where the dossier stands."""
    handled = [key for key, state in states.items() if state in _RUNNING]
    if not handled and progress.runs:
        handled = [progress.runs[-1].key] if progress.runs[-1].key in graph.steps else []
    origins: Iterable[str] = handled or graph.starts
    return frozenset(closure(origins, graph.graph.successors))


_RUNNING = frozenset({StepState.CURRENT, StepState.OVERDUE})
