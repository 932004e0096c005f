"""The diagram of a flow: swimlanes by agency, and positions for steps that have none.

Pure functions over a flow document, shared by the graph editor and the exporters, so a
step created through a form, or a flow imported without a layout, is drawn in the same
sensible place everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .document import FlowDocument, Position
from .flowgraph import FlowGraph, agency_of_units

COLUMN_WIDTH = 240
ROW_HEIGHT = 120
LANE_GAP = 60
MARGIN = 80
NO_AGENCY = ""


@dataclass(frozen=True)
class Lane:
    """A swimlane: the steps of one agency (the top unit above their units).

    `key` is the agency's unit key, or ``""`` for steps without a unit.
    """

    key: str
    name: str
    steps: tuple[str, ...]


def lanes(doc: FlowDocument) -> list[Lane]:
    """The swimlanes of the flow, in the order the process first reaches them.

    Steps whose unit is unknown or missing share the last lane, with key ``""``.
    """
    graph = FlowGraph(doc)
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


def auto_layout(doc: FlowDocument) -> dict[str, Position]:
    """Positions for every step: left to right along the flow, one horizontal band per lane.

    Columns follow the longest chain of steps before each step; within a lane, steps of
    the same column stack downwards.

    >>> from workflow_model.demo_data import demo_flow
    >>> layout = auto_layout(demo_flow("caobang-1_004944-1.json"))
    >>> layout["s1"], layout["s2"], layout["s7"]
    (Position(x=80, y=140), Position(x=320, y=320), Position(x=1520, y=140))
    """
    graph = FlowGraph(doc)
    layers = _layers(graph)
    positions: dict[str, Position] = {}
    top = MARGIN
    for lane in _lanes(doc, graph, layers):
        slots: dict[int, int] = {}
        for key in lane.steps:
            slot = slots.get(layers[key], 0)
            slots[layers[key]] = slot + 1
            positions[key] = Position(
                MARGIN + layers[key] * COLUMN_WIDTH, top + ROW_HEIGHT // 2 + slot * ROW_HEIGHT
            )
        top += max(slots.values(), default=1) * ROW_HEIGHT + LANE_GAP
    return positions


def step_positions(doc: FlowDocument) -> dict[str, Position]:
    """The saved position of each step, and the auto-layout's for steps without one."""
    missing = [step.key for step in doc.steps if step.key not in doc.layout]
    if not missing:
        return dict(doc.layout)
    computed = auto_layout(doc)
    return {step.key: doc.layout.get(step.key) or computed[step.key] for step in doc.steps}
