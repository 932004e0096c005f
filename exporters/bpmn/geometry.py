"""Geometry of the diagram (BPMNDI): where each shape sits and how each edge runs.

The participant holds the lanes stacked in `workflow_model.diagram.lanes` order, each as
tall as its steps need; each task sits at its saved or auto-laid-out position
(`workflow_model.diagram.step_positions`, spread horizontally by `SCALE_X` so gateways
fit between columns, kept inside its lane vertically), its gateways and events beside
it, and every flow is a right-angled edge (`waypoints`; a loop back runs below its steps).
Plain numbers only: the XML writer formats them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflow_model.diagram import Lane, step_positions
from workflow_model.document import FlowDocument, Position

from .model import ProcessModel

TASK_WIDTH, TASK_HEIGHT = 100.0, 80.0
GATEWAY_SIZE = 50.0
EVENT_SIZE = 36.0
GAP = 25.0
SCALE_X, SCALE_Y = 1.5, 1.0
LANE_PADDING = 30.0
LABEL_BAND = 30.0
ORIGIN = 40.0
LOOP_DROP = 20.0


@dataclass(frozen=True)
class Box:
    """A shape's bounds.

    >>> Box.around(50, 40, 100, 80)
    Box(x=0.0, y=0.0, width=100, height=80)
    """

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def around(cls, cx: float, cy: float, width: float, height: float) -> Box:
        """The box of that size centred on (`cx`, `cy`)."""
        return cls(cx - width / 2, cy - height / 2, width, height)

    @property
    def cx(self) -> float:
        """The x of the centre."""
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        """The y of the centre."""
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        """The x of the right side."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """The y of the bottom side."""
        return self.y + self.height

    def moved(self, dx: float, dy: float) -> Box:
        """The same box moved by (`dx`, `dy`)."""
        return Box(self.x + dx, self.y + dy, self.width, self.height)


@dataclass(frozen=True)
class Drawing:
    """Bounds of every node, lane (by lane key) and the participant."""

    nodes: dict[str, Box]
    lanes: dict[str, Box]
    participant: Box


def _rows(
    positions: Mapping[str, Position], swimlanes: list[Lane]
) -> tuple[dict[str, float], list[tuple[float, float]]]:
    """The centre y of each step and the (top, height) of each lane, lanes stacked."""
    centre_y: dict[str, float] = {}
    bands: list[tuple[float, float]] = []
    top = 0.0
    for lane in swimlanes:
        ys = [positions[key].y for key in lane.steps]
        low = min(ys, default=0.0)
        for key in lane.steps:
            centre_y[key] = (
                top + LANE_PADDING + TASK_HEIGHT / 2 + (positions[key].y - low) * SCALE_Y
            )
        height = 2 * LANE_PADDING + TASK_HEIGHT + (max(ys, default=low) - low) * SCALE_Y
        bands.append((top, height))
        top += height
    return centre_y, bands


def _step_boxes(cx: float, cy: float, roles: dict[str, str]) -> dict[str, Box]:
    """Bounds of a step's task and, beside it, its gateways and events (by node id)."""
    task = Box.around(cx, cy, TASK_WIDTH, TASK_HEIGHT)
    boxes, left, right = {roles["task"]: task}, task.x, task.right
    if "join" in roles:
        boxes[roles["join"]] = box = Box.around(
            left - GAP - GATEWAY_SIZE / 2, cy, GATEWAY_SIZE, GATEWAY_SIZE
        )
        left = box.x
    if "split" in roles:
        boxes[roles["split"]] = box = Box.around(
            right + GAP + GATEWAY_SIZE / 2, cy, GATEWAY_SIZE, GATEWAY_SIZE
        )
        right = box.right
    if "start" in roles:
        boxes[roles["start"]] = Box.around(left - GAP - EVENT_SIZE / 2, cy, EVENT_SIZE, EVENT_SIZE)
    if "end" in roles:
        boxes[roles["end"]] = Box.around(right + GAP + EVENT_SIZE / 2, cy, EVENT_SIZE, EVENT_SIZE)
    return boxes


def draw(doc: FlowDocument, model: ProcessModel) -> Drawing:
    """Place every node, lane and the participant; lanes are stacked bands holding their steps."""
    swimlanes = model.lanes
    positions = step_positions(doc)
    centre_y, bands = _rows(positions, swimlanes)
    min_x = min((positions[key].x for key in centre_y), default=0.0)
    boxes: dict[str, Box] = {}
    for key, roles in model.roles.items():
        ids = {role: node.id for role, node in roles.items()}
        boxes |= _step_boxes((positions[key].x - min_x) * SCALE_X, centre_y[key], ids)
    left = ORIGIN + LABEL_BAND + LANE_PADDING
    dx = left - min((box.x for box in boxes.values()), default=left)
    boxes = {node_id: box.moved(dx, ORIGIN) for node_id, box in boxes.items()}
    width = max((box.right for box in boxes.values()), default=left) + LANE_PADDING - ORIGIN
    height = sum(band[1] for band in bands) or TASK_HEIGHT + 2 * LANE_PADDING
    lane_boxes = {
        lane.key: Box(ORIGIN + LABEL_BAND, ORIGIN + top, width - LABEL_BAND, band_height)
        for lane, (top, band_height) in zip(swimlanes, bands, strict=True)
    }
    return Drawing(boxes, lane_boxes, Box(ORIGIN, ORIGIN, width, height))


def waypoints(a: Box, b: Box) -> list[tuple[float, float]]:
    """A right-angled path from shape `a` to shape `b`: rightwards, downwards or a loop.

    >>> waypoints(Box(0, 0, 10, 10), Box(20, 0, 10, 10))
    [(10, 5.0), (20, 5.0)]
    """
    if b.x >= a.right:
        middle = (a.right + b.x) / 2
        if a.cy == b.cy:
            return [(a.right, a.cy), (b.x, b.cy)]
        return [(a.right, a.cy), (middle, a.cy), (middle, b.cy), (b.x, b.cy)]
    if b.y >= a.bottom:
        middle = (a.bottom + b.y) / 2
        return [(a.cx, a.bottom), (a.cx, middle), (b.cx, middle), (b.cx, b.y)]
    below = max(a.bottom, b.bottom) + LOOP_DROP
    return [(a.cx, a.bottom), (a.cx, below), (b.cx, below), (b.cx, b.bottom)]
