"""The diagram as Cytoscape sees it: elements and the stylesheet.

dash-cytoscape drops `classes` after a drag, add or remove, so everything that styles an
element (its kind, its lane, its findings, the critical path) lives in its `data`, and the
stylesheet uses data selectors.

A step's element id includes its lane: Cytoscape cannot move a node to another parent in
place, so a step whose unit moves to another agency comes back as a new element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from validators import Report, Severity
from workflow_model.diagram import Lane, lanes, step_positions
from workflow_model.document import FlowDocument, StepEntry
from workflow_model.flow_editing import transition_id
from workflow_model.models import TimeUnit

from .. import vocabulary

LANE_COLOURS = (
    "#e3f2fd",
    "#fff3e0",
    "#e8f5e9",
    "#f3e5f5",
    "#fffde7",
    "#e0f7fa",
    "#fce4ec",
    "#ede7f6",
)
NO_LANE_COLOUR = "#eceff1"
STEP_WIDTH = 170
STEP_HEIGHT = 64
"""The size of a step's box on the canvas, in model units."""


@dataclass(frozen=True)
class Diagram:
    """The elements of a version's diagram, and its lanes for the legend."""

    elements: list[dict[str, Any]]
    lanes: list[dict[str, str]]


def duration_text(value: float, unit: TimeUnit) -> str:
    """A step's duration on its node: "0,5 ngày", "4 giờ" (in the UI's language)."""
    return vocabulary.duration_text((value, unit), short=True)


def node_id(lane: str, key: str) -> str:
    """The element id of the step `key` drawn in lane `lane`."""
    return f"n:{lane}:{key}"


def lane_id(lane: str) -> str:
    """The element id of a lane's box."""
    return f"lane:{lane}"


def _marks(report: Report) -> dict[str, str]:
    """Element key → ``error`` or ``warning``, the worst finding naming it."""
    marks: dict[str, str] = {}
    for finding in report.findings:
        if finding.severity is Severity.INFO:
            continue
        names = list(finding.steps) + [transition_id(a, b) for a, b in finding.transitions]
        for name in names:
            if marks.get(name) != Severity.ERROR.value:
                marks[name] = finding.severity.value
    return marks


def _step_data(step: StepEntry, lane: str, marks: dict[str, str], critical: set[str]) -> dict:
    return {
        "id": node_id(lane, step.key),
        "key": step.key,
        "name": step.name,
        "label": f"{step.name}\n{duration_text(step.duration.value, step.duration.unit)}",
        "kind": step.kind.value,
        "lane": lane,
        "parent": lane_id(lane),
        "severity": marks.get(step.key, ""),
        "critical": 1 if step.key in critical else 0,
    }


def diagram(doc: FlowDocument, report: Report, *, editable: bool) -> Diagram:
    """The Cytoscape elements of `doc`, marked with the findings of `report`.

    Lanes come first, so a step's lane exists when Cytoscape adds the step.
    """
    marks = _marks(report)
    path = report.critical_path
    critical_steps = set(path.steps) if path else set()
    critical_links = {transition_id(a, b) for a, b in path.transitions} if path else set()
    positions = step_positions(doc)
    swimlanes: list[Lane] = lanes(doc)
    lane_of: dict[str, str] = {}
    elements: list[dict[str, Any]] = []
    legend: list[dict[str, str]] = []
    for index, lane in enumerate(swimlanes):
        colour = LANE_COLOURS[index % len(LANE_COLOURS)] if lane.key else NO_LANE_COLOUR
        name = lane.name or lane.key
        elements.append(
            {
                "data": {"id": lane_id(lane.key), "label": name, "lane_box": 1, "colour": colour},
                "selectable": False,
                "grabbable": False,
            }
        )
        legend.append({"key": lane.key, "name": name, "colour": colour})
        lane_of.update(dict.fromkeys(lane.steps, lane.key))
    for step in doc.steps:
        lane = lane_of.get(step.key, "")
        position = positions[step.key]
        elements.append(
            {
                "data": _step_data(step, lane, marks, critical_steps),
                "position": {"x": position.x, "y": position.y},
                "grabbable": editable,
            }
        )
    for transition in doc.transitions:
        if transition.source not in lane_of or transition.target not in lane_of:
            continue
        key = transition_id(transition.source, transition.target)
        source = node_id(lane_of[transition.source], transition.source)
        target = node_id(lane_of[transition.target], transition.target)
        elements.append(
            {
                "data": {
                    "id": f"e:{source}>{target}",
                    "key": key,
                    "source": source,
                    "target": target,
                    "label": transition.label,
                    "severity": marks.get(key, ""),
                    "critical": 1 if key in critical_links else 0,
                }
            }
        )
    return Diagram(elements, legend)


BASE_STYLE: list[dict[str, Any]] = [
    {
        "selector": "node",
        "style": {
            "shape": "rectangle",
            "width": STEP_WIDTH,
            "height": STEP_HEIGHT,
            "label": "data(label)",
            "text-wrap": "wrap",
            "text-max-width": 160,
            "text-valign": "center",
            "text-halign": "center",
            "font-size": 12,
            "font-family": "system-ui, sans-serif",
            "color": "#212529",
            "background-color": "#ffffff",
            "border-width": 1.5,
            "border-color": "#546e7a",
        },
    },
    {
        "selector": 'node[kind = "start"]',
        "style": {"shape": "round-rectangle", "border-width": 4, "border-color": "#2e7d32"},
    },
    {
        "selector": 'node[kind = "end"]',
        "style": {
            "shape": "round-rectangle",
            "border-width": 6,
            "border-style": "double",
            "border-color": "#37474f",
        },
    },
    {
        "selector": "node[?lane_box]",
        "style": {
            "shape": "round-rectangle",
            "background-color": "data(colour)",
            "background-opacity": 0.6,
            "border-width": 1,
            "border-color": "#b0bec5",
            "label": "data(label)",
            "text-valign": "top",
            "text-halign": "center",
            "font-weight": "bold",
            "font-size": 13,
            "text-max-width": 600,
            "padding": 28,
        },
    },
    {
        "selector": "edge",
        "style": {
            "curve-style": "bezier",
            "target-arrow-shape": "triangle",
            "width": 2,
            "line-color": "#78909c",
            "target-arrow-color": "#78909c",
            "label": "data(label)",
            "font-size": 11,
            "text-wrap": "wrap",
            "text-max-width": 140,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.9,
            "text-background-padding": 2,
        },
    },
    {
        "selector": 'node[severity = "warning"]',
        "style": {"border-color": "#f0a000", "border-width": 4, "border-style": "solid"},
    },
    {
        "selector": 'node[severity = "error"]',
        "style": {"border-color": "#d32f2f", "border-width": 5, "border-style": "solid"},
    },
    {
        "selector": 'edge[severity = "warning"]',
        "style": {"line-color": "#f0a000", "target-arrow-color": "#f0a000", "width": 3},
    },
    {
        "selector": 'edge[severity = "error"]',
        "style": {"line-color": "#d32f2f", "target-arrow-color": "#d32f2f", "width": 4},
    },
    {
        "selector": "node:selected",
        "style": {"overlay-color": "#1565c0", "overlay-opacity": 0.18, "overlay-padding": 6},
    },
    {
        "selector": "edge:selected",
        "style": {"overlay-color": "#1565c0", "overlay-opacity": 0.25, "overlay-padding": 4},
    },
]
HIDDEN_LANES: list[dict[str, Any]] = [
    {
        "selector": "node[?lane_box]",
        "style": {"background-opacity": 0, "border-width": 0, "label": "", "padding": 0},
    }
]
CRITICAL_PATH: list[dict[str, Any]] = [
    {"selector": "node[?critical]", "style": {"background-color": "#ffe0b2"}},
    {
        "selector": "edge[?critical]",
        "style": {"line-color": "#ef6c00", "target-arrow-color": "#ef6c00", "width": 5},
    },
]
CONNECT_SOURCE = {"border-style": "dashed", "border-color": "#1565c0", "border-width": 5}


def stylesheet(
    *, show_lanes: bool = True, show_critical: bool = False, source: str | None = None
) -> list[dict[str, Any]]:
    """The stylesheet for the toggles in force, and the step chosen as a connection's source."""
    rules = list(BASE_STYLE)
    if not show_lanes:
        rules += HIDDEN_LANES
    if show_critical:
        rules += CRITICAL_PATH
    if source:
        rules.append({"selector": f'node[key = "{_quoted(source)}"]', "style": CONNECT_SOURCE})
    return rules


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
