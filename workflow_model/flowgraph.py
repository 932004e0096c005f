"""The steps of a flow document as a networkx graph, and its critical path (đường găng).

Pure functions of a `FlowDocument`: no database, no Flask. The validators read their
structure from here, and the working calendar its critical path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from .document import FlowDocument, StepEntry
from .enums import StepKind

TOLERANCE_HOURS = 1e-9


def step_hours(step: StepEntry) -> float:
    """Return the working hours a step holds; a negative or non-finite duration counts 0.

    Such durations are reported by the `invalid-duration` rule; here they must not
    poison the sums.

    >>> from workflow_model.document import Duration
    >>> from workflow_model.models import StepKind, TimeUnit
    >>> half_day = Duration(0.5, TimeUnit.WORKING_DAY)
    >>> step_hours(StepEntry("s1", "Tiếp nhận", StepKind.START, "tt", half_day))
    4.0
    """
    hours = step.duration.hours
    return hours if math.isfinite(hours) and hours >= 0 else 0.0


@dataclass(frozen=True)
class CriticalPath:
    """The longest start → end path in working hours, against the legal time (budget)."""

    steps: tuple[str, ...]
    hours: float
    budget_hours: float

    @property
    def transitions(self) -> tuple[tuple[str, str], ...]:
        """The transitions along the path, as (from, to) step keys."""
        return tuple(zip(self.steps, self.steps[1:], strict=False))

    @property
    def exceeds_budget(self) -> bool:
        """True when the path takes longer than the legal time allows."""
        return self.hours > self.budget_hours + TOLERANCE_HOURS

    @property
    def under_budget(self) -> bool:
        """True when the path leaves part of the legal time to nobody."""
        return self.hours < self.budget_hours - TOLERANCE_HOURS


class FlowGraph:
    """The steps (nodes) and transitions (edges) of one flow document.

    Transitions that name a missing step are left out (the `unknown-step` rule reports
    them); of steps sharing a key, the first counts.

    A loop (a dossier sent back for correction) is read as the decision reads it: its
    back edges, the transitions that close a loop in a depth-first search from the start
    steps, are set aside for the critical path and the shares of time, and every step
    keeps its place. The `cycle` rule still reports the loop.

    >>> from workflow_model.demo_data import demo_flow
    >>> graph = FlowGraph(demo_flow("caobang-1_004944-1.json"))
    >>> graph.critical_path.steps, graph.critical_path.hours
    (('s1', 's2', 's3', 's4', 's5', 's6', 's7'), 40.0)
    """

    def __init__(self, doc: FlowDocument) -> None:
        self.doc = doc
        self.steps: dict[str, StepEntry] = {}
        for step in doc.steps:
            self.steps.setdefault(step.key, step)
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self.graph.add_nodes_from(self.steps)
        self.graph.add_edges_from(
            (t.source, t.target)
            for t in doc.transitions
            if t.source in self.steps and t.target in self.steps
        )
        self.starts: tuple[str, ...] = tuple(
            key for key, step in self.steps.items() if step.kind is StepKind.START
        )
        self.ends: tuple[str, ...] = tuple(
            key for key, step in self.steps.items() if step.kind is StepKind.END
        )

    @cached_property
    def cyclic_components(self) -> list[list[str]]:
        """Strongly connected components of two or more steps, each in document order."""
        order = {key: index for index, key in enumerate(self.steps)}
        components = [
            sorted(component, key=order.__getitem__)
            for component in nx.strongly_connected_components(self.graph)
            if len(component) > 1
        ]
        return sorted(components, key=lambda component: order[component[0]])

    @cached_property
    def cyclic_steps(self) -> frozenset[str]:
        """Steps on a cycle of two or more steps."""
        return frozenset(key for component in self.cyclic_components for key in component)

    @cached_property
    def reachable(self) -> frozenset[str]:
        """Steps that some path from a start step reaches, the starts included."""
        return frozenset(closure(self.starts, self.graph.successors))

    @cached_property
    def reaches_end(self) -> frozenset[str]:
        """Steps from which some path reaches an end step, the ends included."""
        return frozenset(closure(self.ends, self.graph.predecessors))

    @cached_property
    def back_edges(self) -> frozenset[tuple[str, str]]:
        """Transitions that close a loop, found by a depth-first search (self-loops included).

        The search starts from the start steps, then from each step it has not reached
        yet, all in document order, and follows each step's transitions in document
        order. A transition to a step still on the search's current path is a back edge.
        Restarting from unreached steps means a loop among steps no start reaches loses
        its closing transition too, so the graph without the back edges has no cycle at
        all. Iterative, in O(V + E): a 50,000-step chain does not hit the recursion limit.

        >>> import dataclasses
        >>> from workflow_model.demo_data import demo_flow
        >>> from workflow_model.document import TransitionEntry
        >>> doc = demo_flow("caobang-1_004944-1.json")
        >>> back = TransitionEntry("s4", "s2", "Cần bổ sung")
        >>> graph = FlowGraph(dataclasses.replace(doc, transitions=(*doc.transitions, back)))
        >>> sorted(graph.back_edges), graph.critical_path.hours
        ([('s4', 's2')], 40.0)
        """
        on_path, done = 1, 2
        state: dict[str, int] = {}
        back: set[tuple[str, str]] = set()
        for root in (*self.starts, *self.steps):
            if root in state:
                continue
            state[root] = on_path
            stack: list[tuple[str, Iterator[str]]] = [(root, iter(self.graph.successors(root)))]
            while stack:
                node, successors = stack[-1]
                for target in successors:
                    seen = state.get(target)
                    if seen is None:
                        state[target] = on_path
                        stack.append((target, iter(self.graph.successors(target))))
                        break
                    if seen == on_path:
                        back.add((node, target))
                else:
                    state[node] = done
                    stack.pop()
        return frozenset(back)

    @cached_property
    def forward_graph(self) -> nx.DiGraph[str]:
        """All steps and transitions except the `back_edges`: a graph without cycles."""
        back = self.back_edges
        forward: nx.DiGraph[str] = nx.DiGraph()
        forward.add_nodes_from(self.steps)
        forward.add_edges_from(edge for edge in self.graph.edges if edge not in back)
        return forward

    @cached_property
    def critical_path(self) -> CriticalPath | None:
        """The longest start → end path in working hours, or None when there is none.

        Computed on `forward_graph`: a loop's back edges take no part (a loop can neither
        hang nor inflate the sum), but the steps on the loop do, as the decision counts
        the process once through.
        """
        acyclic = self.forward_graph
        starts = frozenset(self.starts)
        best: dict[str, float] = {}
        previous: dict[str, str | None] = {}
        for key in nx.topological_sort(acyclic):
            hours = step_hours(self.steps[key])
            if key in starts:
                best[key], previous[key] = hours, None
            for source in acyclic.predecessors(key):
                if source in best and best[source] + hours > best.get(key, -1):
                    best[key], previous[key] = best[source] + hours, source
        finished = [key for key in self.ends if key in best]
        if not finished:
            return None
        last = max(finished, key=lambda key: best[key])
        path = [last]
        while (before := previous[path[-1]]) is not None:
            path.append(before)
        return CriticalPath(
            steps=tuple(reversed(path)),
            hours=best[last],
            budget_hours=self.doc.procedure.legal_time.hours,
        )

    @cached_property
    def time_by_unit(self) -> dict[str, float]:
        """Hours each unit holds on the critical path (steps without a unit under "")."""
        held: dict[str, float] = {}
        path = self.critical_path
        for key in path.steps if path else ():
            unit = self.steps[key].unit or ""
            held[unit] = held.get(unit, 0.0) + step_hours(self.steps[key])
        return held

    @cached_property
    def time_by_agency(self) -> dict[str, float]:
        """Hours each agency (the top unit above a step's unit) holds on the critical path.

        For an inter-level (liên thông) process this is each agency's share of the budget.
        """
        agencies = agency_of_units(self.doc)
        held: dict[str, float] = {}
        for unit, hours in self.time_by_unit.items():
            top = agencies.get(unit, unit)
            held[top] = held.get(top, 0.0) + hours
        return held


def agency_of_units(doc: FlowDocument) -> dict[str, str]:
    """Map each unit key to its agency: the top unit above it (itself when at the top).

    A loop in the unit tree stops at the unit where it would close.

    >>> from workflow_model.demo_data import demo_flow
    >>> agency_of_units(demo_flow("caobang-1_004944-1.json"))
    {'tt': 'tt', 'ubndxa': 'ubndxa', 'vhxh': 'ubndxa', 'vtxa': 'ubndxa'}
    """
    parents = {unit.key: unit.parent for unit in doc.units}
    agencies: dict[str, str] = {}
    for unit in parents:
        top, seen = unit, {unit}
        while (parent := parents.get(top)) is not None and parent not in seen:
            top = parent
            seen.add(parent)
        agencies[unit] = top
    return agencies


def closure(sources: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    """Return `sources` and every node reached from them by following `neighbours`.

    >>> sorted(closure(["a"], {"a": ["b"], "b": ["a", "c"], "c": []}.__getitem__))
    ['a', 'b', 'c']
    """
    found = set(sources)
    stack = list(found)
    while stack:
        for node in neighbours(stack.pop()):
            if node not in found:
                found.add(node)
                stack.append(node)
    return found
