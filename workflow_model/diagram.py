"""The diagram of a flow: swimlanes by agency, and positions for steps that have none.

Pure functions over a flow document, shared by the graph editor and the exporters, so a
step created through a form, or a flow imported without a layout, is drawn in the same
sensible place everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import networkx as nx

from .document import FlowDocument, Position, StepEntry
from .flowgraph import FlowGraph, agency_of_units

MARGIN = 80
NO_AGENCY = ""

# A step's box is sized to its label, estimated here so that the server, which places the
# steps, and the canvas, which draws them (`admin.editor.elements`), agree on the sizes.
LABEL_FONT = 13
"""The size of a step's label, in diagram units (CSS pixels at zoom 1)."""
LANE_FONT = 14
CHAR_WIDTH = 8.0
"""A generous average width of a character at `LABEL_FONT`, so an estimate errs wide."""
LINE_HEIGHT = 17
TEXT_WIDTH = 184
"""The widest a step's label may be before it wraps."""
STEP_PADDING_X = 12
STEP_PADDING_Y = 10
MIN_STEP_WIDTH = 112
DETAIL_CHARS = 12
"""Room for the duration line under a step's name ("0,5 ngày", "12 giờ")."""
COLUMN_GAP = 64
"""Room between two columns for the arrows."""
EDGE_TEXT_WIDTH = 144
"""The widest a transition's label may be before it wraps."""
EDGE_LABEL_AIR = 18
"""Room on each side of a transition's label between two columns."""
MIN_COLUMN_PITCH = 200
"""The least distance between two columns' centres, so BPMN gateways fit between them."""
ROW_GAP = 28
LANE_PADDING = 14
"""The room between a lane's box and its steps; the canvas draws the same."""
LANE_LABEL = 22
"""The height of a lane's name, drawn above its box."""
GROWTH_AIR = 2 * LINE_HEIGHT
"""Air between two lanes for a step to grow into: a step keeps its centre when a longer
name adds lines, and a new step is named after it is placed, so the lanes leave room for
it to grow by two lines (one above, one below) on each side before they touch."""
LANE_GAP = 2 * LANE_PADDING + LANE_LABEL + GROWTH_AIR
"""From the last row of a lane to the first row of the next: both paddings, the next
lane's name, and the air to grow into, so two lanes never overlap."""


@dataclass(frozen=True)
class Size:
    """The width and height of a step's box, in diagram units."""

    width: int
    height: int


def wrap_label(text: str, chars: int) -> list[str]:
    """`text` cut into lines of at most `chars` characters at spaces, as a canvas wraps it.

    >>> wrap_label("Thẩm định hồ sơ và trình ký", 12)
    ['Thẩm định hồ', 'sơ và trình', 'ký']
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > chars:  # a word longer than a line breaks anywhere
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:chars])
            word = word[chars:]
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line or not lines:
        lines.append(line)
    return lines


def step_size(name: str) -> Size:
    """The box of a step named `name`: its wrapped name and the duration line, padded.

    >>> step_size("Kết thúc")
    Size(width=120, height=54)
    >>> step_size("Chuyên viên thẩm định hồ sơ, dự thảo văn bản trình lãnh đạo")
    Size(width=200, height=88)
    """
    lines = wrap_label(name, int(TEXT_WIDTH // CHAR_WIDTH))
    widest = max(DETAIL_CHARS, *(len(line) for line in lines)) * CHAR_WIDTH
    width = max(MIN_STEP_WIDTH, round(min(widest, TEXT_WIDTH)) + 2 * STEP_PADDING_X)
    return Size(width, (len(lines) + 1) * LINE_HEIGHT + 2 * STEP_PADDING_Y)


@dataclass(frozen=True)
class Lane:
    """A swimlane: the steps of one agency (the top unit above their units).

    `key` is the agency's unit key, or ``""`` for steps without a unit.
    """

    key: str
    name: str
    steps: tuple[str, ...]


def lanes(doc: FlowDocument, graph: FlowGraph | None = None) -> list[Lane]:
    """The swimlanes of the flow, in the order the process first reaches them.

    Steps whose unit is unknown or missing share the last lane, with key ``""``. A caller
    that already built `doc`'s `FlowGraph` passes it, so it is not built again.
    """
    graph = graph or FlowGraph(doc)
    return _lanes(doc, graph, _layers(graph))


def _lanes(doc: FlowDocument, graph: FlowGraph, layers: dict[str, int]) -> list[Lane]:
    agencies = agency_of_units(doc)
    names = {unit.key: unit.name for unit in doc.units}
    order = {key: index for index, key in enumerate(graph.steps)}
    members: dict[str, list[str]] = {}
    for key in sorted(graph.steps, key=lambda key: (layers[key], order[key])):
        agency = agencies.get(graph.steps[key].unit or "", NO_AGENCY)
        members.setdefault(agency, []).append(key)
    ordered = sorted(members, key=lambda agency: agency == NO_AGENCY)
    return [Lane(agency, names.get(agency, ""), tuple(members[agency])) for agency in ordered]


def _layers(graph: FlowGraph) -> dict[str, int]:
    """The column of each step: the longest chain of steps before it.

    Steps on a loop share the column of their loop, so a loop cannot stretch the layout.
    """
    condensed = nx.condensation(graph.graph)
    column: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        before = [column[p] + 1 for p in condensed.predecessors(component)]
        column[component] = max(before, default=0)
    mapping = condensed.graph["mapping"]
    return {key: column[mapping[key]] for key in graph.steps}


def auto_layout(
    doc: FlowDocument,
    placed: Collection[str] = (),
    size_of: Callable[[StepEntry], Size] | None = None,
    graph: FlowGraph | None = None,
) -> dict[str, Position]:
    """Positions for the steps: left to right along the flow, one horizontal band per lane.

    Columns follow the longest chain of steps before each step, each as wide as its widest
    step; within a lane, steps of the same column stack downwards, and each lane is as
    tall as its rows, so no two steps and no two lanes overlap. The steps `placed`, which
    keep a saved place, count for the columns but take no room and get no position, so
    a step dropped on a diagram that was never arranged moves none of the others.
    `size_of` measures a step's box (by default `step_size` of its name): a drawing that
    writes more in each box, such as the public diagram, lays out the same way. `graph`
    is `doc`'s `FlowGraph`, when the caller has built it already.

    >>> from workflow_model.demo_data import demo_flow
    >>> layout = auto_layout(demo_flow("caobang-1_004944-1.json"))
    >>> layout["s1"], layout["s2"], layout["s7"]
    (Position(x=184, y=116), Position(x=452, y=279), Position(x=1700, y=116))
    """
    graph = graph or FlowGraph(doc)
    layers = _layers(graph)
    measure = size_of or (lambda step: step_size(step.name))
    sizes = {step.key: measure(step) for step in doc.steps if step.key not in placed}
    centres = _column_centres(doc, layers, sizes)
    positions: dict[str, Position] = {}
    top = MARGIN
    for lane in _lanes(doc, graph, layers):
        keys = [key for key in lane.steps if key in sizes]
        tallest = max((sizes[key].height for key in keys), default=0)
        slots: dict[int, int] = {}
        for key in keys:
            slot = slots.get(layers[key], 0)
            slots[layers[key]] = slot + 1
            y = top + tallest / 2 + slot * (tallest + ROW_GAP)
            positions[key] = Position(centres[layers[key]], round(y))
        rows = max(slots.values(), default=1)
        top += rows * tallest + (rows - 1) * ROW_GAP + LANE_GAP
    return positions


def _column_centres(
    doc: FlowDocument, layers: dict[str, int], sizes: dict[str, Size]
) -> dict[int, int]:
    """The x of each column's centre.

    Each column is as wide as its widest step, and each gap as wide as the widest label
    of the transitions from that column to the next.
    """
    widths: dict[int, int] = {}
    for key, size in sizes.items():
        widths[layers[key]] = max(widths.get(layers[key], 0), size.width)
    gaps: dict[int, int] = {}
    for transition in doc.transitions:
        start = layers.get(transition.source)
        if start is None or layers.get(transition.target) != start + 1 or not transition.label:
            continue
        gaps[start] = max(gaps.get(start, 0), edge_label_width(transition.label))
    centres: dict[int, int] = {}
    left = MARGIN
    for column in range(max(widths, default=-1) + 1):
        width = widths.get(column, MIN_STEP_WIDTH)
        centres[column] = round(left + width / 2)
        gap = max(COLUMN_GAP, gaps.get(column, 0) + 2 * EDGE_LABEL_AIR)
        left += max(width + gap, MIN_COLUMN_PITCH)
    return centres


def edge_label_width(label: str) -> int:
    """The estimated width of a transition's label, wrapped as the canvas wraps it.

    >>> edge_label_width("Đạt"), edge_label_width("Hồ sơ chưa đầy đủ, chưa hợp lệ: bổ sung")
    (24, 144)
    """
    lines = wrap_label(label, int(EDGE_TEXT_WIDTH // CHAR_WIDTH))
    return round(min(max(len(line) for line in lines) * CHAR_WIDTH, EDGE_TEXT_WIDTH))


def step_positions(doc: FlowDocument) -> dict[str, Position]:
    """The saved position of each step, and the auto-layout's for steps without one.

    A step without a saved place never covers one with it: the auto-layout leaves the
    saved steps no room (so placing one moves none of the others), and a saved step may
    since have grown with its name or been joined by a transition that moves the others'
    columns. Such a step is pushed right, along its band, until it is clear.
    """
    missing = [step.key for step in doc.steps if step.key not in doc.layout]
    if not missing:
        return dict(doc.layout)
    computed = auto_layout(doc, placed=doc.layout.keys())
    positions = {step.key: doc.layout.get(step.key) or computed[step.key] for step in doc.steps}
    return _clear_of_saved(doc, positions, missing)


def _box(at: Position, size: Size) -> tuple[float, float, float, float]:
    return (
        at.x - size.width / 2,
        at.y - size.height / 2,
        at.x + size.width / 2,
        at.y + size.height / 2,
    )


def _clear_of_saved(
    doc: FlowDocument, positions: dict[str, Position], moving: list[str]
) -> dict[str, Position]:
    """`positions` with each of the `moving` steps, left to right, pushed clear of the rest.

    Only rightwards and along the step's own row, so a step stays in its lane; each push
    passes the box it met plus a column gap, so the loop ends.
    """
    sizes = {step.key: step_size(step.name) for step in doc.steps}
    fixed = [_box(positions[key], sizes[key]) for key in positions if key not in moving]
    for key in sorted(moving, key=lambda k: (positions[k].x, positions[k].y)):
        at = positions[key]
        while True:
            x1, y1, x2, y2 = _box(at, sizes[key])
            blocking = [b for b in fixed if x1 < b[2] and b[0] < x2 and y1 < b[3] and b[1] < y2]
            if not blocking:
                break
            right = max(b[2] for b in blocking)
            at = Position(round(right + COLUMN_GAP + sizes[key].width / 2), at.y)
        positions[key] = at
        fixed.append(_box(at, sizes[key]))
    return positions
