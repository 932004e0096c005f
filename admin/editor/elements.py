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
from workflow_model.diagram import (
    EDGE_TEXT_WIDTH,
    LABEL_FONT,
    LANE_FONT,
    LANE_LABEL,
    LANE_PADDING,
    LINE_HEIGHT,
    STEP_PADDING_X,
    Lane,
    lanes,
    step_positions,
    step_size,
)
from workflow_model.document import FlowDocument, Position, StepEntry
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
    # The box is sized to the label, as `workflow_model.diagram` sized it to place the steps.
    size = step_size(step.name)
    return {
        "width": size.width,
        "height": size.height,
        "text_width": size.width - 2 * STEP_PADDING_X,
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
    elements += _lane_titles(doc, swimlanes, positions)
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


def title_id(lane: str) -> str:
    """The element id of a lane's name."""
    return f"title:{lane}"


def _lane_titles(
    doc: FlowDocument, swimlanes: list[Lane], positions: dict[str, Position]
) -> list[dict[str, Any]]:
    """Each lane's name, at the top left of its steps and inside its box.

    A compound node's own label can only sit centred above it, far off screen on a wide
    lane; this small node, a child of the lane, carries the name where a reader starts.
    """
    names = {step.key: step.name for step in doc.steps}
    titles: list[dict[str, Any]] = []
    for lane in swimlanes:
        if not lane.steps:
            continue
        boxes = [(positions[key], step_size(names[key])) for key in lane.steps]
        left = min(at.x - size.width / 2 for at, size in boxes)
        top = min(at.y - size.height / 2 for at, size in boxes)
        titles.append(
            {
                "data": {
                    "id": title_id(lane.key),
                    "label": lane.name or lane.key,
                    "lane_title": 1,
                    "parent": lane_id(lane.key),
                },
                "position": {"x": round(left), "y": round(top - LANE_LABEL / 2)},
                "selectable": False,
                "grabbable": False,
            }
        )
    return titles


BASE_STYLE: list[dict[str, Any]] = [
    {
        "selector": "node",
        "style": {
            "shape": "rectangle",
            "label": "data(label)",
            "text-wrap": "wrap",
            "text-valign": "center",
            "text-halign": "center",
            "font-size": LABEL_FONT,
            "line-height": LINE_HEIGHT / LABEL_FONT,
            "font-family": "system-ui, sans-serif",
            "color": "#212529",
            "background-color": "#ffffff",
            "border-width": 1.5,
            "border-color": "#546e7a",
        },
    },
    {
        # Steps only: a lane's box has no size of its own, and a mapping to data it lacks
        # would make Cytoscape complain.
        "selector": "node[text_width]",
        "style": {
            "width": "data(width)",
            "height": "data(height)",
            "text-max-width": "data(text_width)",
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
            "label": "",
            "padding": LANE_PADDING,
        },
    },
    {
        "selector": "node[?lane_title]",
        "style": {
            "width": 1,
            "height": LANE_LABEL,
            "background-opacity": 0,
            "border-width": 0,
            "events": "no",
            "label": "data(label)",
            "text-valign": "center",
            "text-halign": "right",
            "text-wrap": "ellipsis",
            "text-max-width": 600,
            "font-weight": "bold",
            "font-size": LANE_FONT,
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
            "font-size": LABEL_FONT,
            "text-wrap": "wrap",
            "text-max-width": EDGE_TEXT_WIDTH,
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
        "style": {"background-opacity": 0, "border-width": 0, "padding": 0},
    },
    {"selector": "node[?lane_title]", "style": {"label": ""}},
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
