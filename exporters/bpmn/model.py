"""The process model: the BPMN flow nodes and sequence flows a flow document becomes.

Each step is a ``userTask``; a blank ``startEvent`` precedes each start step and an
``endEvent`` follows each end step; a step with two or more ways out is followed by a
splitting gateway (exclusive or parallel, after its ``split``), one with two or more ways
in is preceded by a joining gateway (after its ``join``). Transitions become sequence
flows, duplicates merged; the branches of a decision are numbered, branch 1 its default,
the others with a Python condition on the ``route`` variable (`route_condition`). Each
agency is a lane (`workflow_model.diagram.lanes`). Ids come from `Ids`, in document
order. Geometry and XML are left to the other modules.

>>> from workflow_model.demo_data import demo_flow
>>> model = build_model(demo_flow("caobang-1_004944-1.json"), Ids())
>>> [(node.tag, node.id) for node in model.nodes][:3]
[('startEvent', 'Start_s1'), ('userTask', 'Task_s1'), ('userTask', 'Task_s2')]
>>> [(flow.source, flow.target) for flow in model.flows][:2]
[('Start_s1', 'Task_s1'), ('Task_s1', 'Task_s2')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from workflow_model.diagram import Lane, lanes
from workflow_model.document import FlowDocument, StepEntry
from workflow_model.enums import Join, Split
from workflow_model.flowgraph import FlowGraph

from .ids import Ids, id_token

START_NAME = "Bắt đầu"
ROUTE_VARIABLE = "route"

_GATEWAYS = {False: "exclusiveGateway", True: "parallelGateway"}


def build_model(doc: FlowDocument, ids: Ids) -> ProcessModel:
    """The nodes and flows of `doc`'s process, their ids taken from `ids` in document order."""
    return _Builder(doc, ids).build()


def route_condition(index: int, label: str) -> str:
    """The Python condition of branch `index` (from 1) of a decision labelled `label`.

    >>> route_condition(2, "Không đủ điều kiện")
    "route in (2, 'Không đủ điều kiện')"
    >>> route_condition(3, " ")
    'route == 3'
    """
    if label.strip():
        return f"{ROUTE_VARIABLE} in ({index}, {label!r})"
    return f"{ROUTE_VARIABLE} == {index}"


@dataclass(frozen=True)
class Node:
    """A flow node: `tag` is the BPMN element, `role` its place around step `step`."""

    id: str
    tag: str
    name: str
    step: str
    role: str


@dataclass(frozen=True)
class Flow:
    """A sequence flow; `note` goes into its documentation."""

    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    note: str = ""


@dataclass(frozen=True)
class _Link:
    """A transition between two existing steps, duplicates merged."""

    source: str
    target: str
    label: str


@dataclass
class ProcessModel:
    """The flow nodes and sequence flows of the process, in document order.

    `steps` are the document's steps by key; `lanes` its swimlanes (one per agency, the
    steps without a known unit in a lane of their own), `lane_ids` their ids by lane key;
    `roles` maps each step key to its nodes by
    role (task, start, end, join, split); `defaults` maps each decision gateway to its
    default flow.
    """

    steps: Mapping[str, StepEntry] = field(default_factory=dict)
    lanes: list[Lane] = field(default_factory=list)
    lane_ids: dict[str, str] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    roles: dict[str, dict[str, Node]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def _links(doc: FlowDocument, steps: Mapping[str, StepEntry]) -> list[_Link]:
    """Transitions between known steps; of several between the same steps, one."""
    labels: dict[tuple[str, str], list[str]] = {}
    for t in doc.transitions:
        if t.source in steps and t.target in steps:
            found = labels.setdefault((t.source, t.target), [])
            if t.label.strip() and t.label not in found:
                found.append(t.label)
    return [_Link(s, t, " / ".join(found)) for (s, t), found in labels.items()]


class _Builder:
    """Turns the steps and transitions of a document into BPMN nodes and flows."""

    def __init__(self, doc: FlowDocument, ids: Ids) -> None:
        graph = FlowGraph(doc)
        self.steps = graph.steps
        self.starts, self.ends = set(graph.starts), set(graph.ends)
        self.links = _links(doc, self.steps)
        self.ids = ids
        # Lane ids are taken before any node's, so they keep their place in id order.
        swimlanes = lanes(doc)
        lane_ids = {
            lane.key: ids.take(f"Lane_{id_token(lane.key)}" if lane.key else "Lane_none")
            for lane in swimlanes
        }
        self.model = ProcessModel(steps=self.steps, lanes=swimlanes, lane_ids=lane_ids)

    def build(self) -> ProcessModel:
        for key in self.steps:
            self._nodes(key)
        for key in self.steps:
            self._inner_flows(key)
            self._branches(key)
        return self.model

    def _add(self, tag: str, role: str, key: str, name: str = "") -> None:
        prefix = role.capitalize()
        node = Node(self.ids.take(f"{prefix}_{id_token(key)}"), tag, name, key, role)
        self.model.nodes.append(node)
        self.model.roles.setdefault(key, {})[role] = node

    def _nodes(self, key: str) -> None:
        """The start event, joining gateway, task, splitting gateway and end event of a step."""
        step = self.steps[key]
        name = shown(step.name, key)
        incoming = sum(link.target == key for link in self.links) + (key in self.starts)
        outgoing = sum(link.source == key for link in self.links) + (key in self.ends)
        if key in self.starts:
            self._add("startEvent", "start", key, START_NAME)
        if incoming >= 2:
            self._add(_GATEWAYS[step.join is Join.ALL], "join", key)
        self._add("userTask", "task", key, name)
        if outgoing >= 2 and step.split is Split.PARALLEL:
            self._add("parallelGateway", "split", key)
        elif outgoing >= 2:
            self._add("exclusiveGateway", "split", key, f"Kết quả: {name}")
        if key in self.ends:
            self._add("endEvent", "end", key, f"Kết thúc: {name}")

    def _entry(self, key: str) -> Node:
        roles = self.model.roles[key]
        return roles.get("join", roles["task"])

    def _exit(self, key: str) -> Node:
        roles = self.model.roles[key]
        return roles.get("split", roles["task"])

    def _flow(self, prefix: str, source: Node, target: Node, **details: str) -> str:
        flow_id = self.ids.take(prefix)
        self.model.flows.append(Flow(flow_id, source.id, target.id, **details))
        return flow_id

    def _inner_flows(self, key: str) -> None:
        token, roles = id_token(key), self.model.roles[key]
        if "start" in roles:
            self._flow(f"Flow_start_{token}", roles["start"], self._entry(key))
        if "join" in roles:
            self._flow(f"Flow_join_{token}", roles["join"], roles["task"])
        if "split" in roles:
            self._flow(f"Flow_split_{token}", roles["task"], roles["split"])

    def _targets(self, key: str) -> list[tuple[str, Node, str, str]]:
        """(id prefix, target node, label, target name) of each way out of step `key`."""
        token = id_token(key)
        found = [
            (
                f"Flow_{token}_{id_token(link.target)}",
                self._entry(link.target),
                link.label,
                shown(self.steps[link.target].name, link.target),
            )
            for link in self.links
            if link.source == key
        ]
        end = self.model.roles[key].get("end")
        if end is not None:
            found.append((f"Flow_end_{token}", end, "", end.name))
        return found

    def _branches(self, key: str) -> None:
        """The flows out of a step: plain, or numbered branches of a decision."""
        source = self._exit(key)
        for index, (prefix, target, label, target_name) in enumerate(self._targets(key), 1):
            if source.tag != "exclusiveGateway":
                self._flow(prefix, source, target, note=label)
                continue
            name = label or f"Nhánh {index}: {target_name}"
            if index == 1:
                self.model.defaults[source.id] = self._flow(prefix, source, target, name=name)
            else:
                condition = route_condition(index, label)
                self._flow(prefix, source, target, name=name, condition=condition)


def shown(name: str, fallback: str) -> str:
    """`name` as it is, or `fallback` when it is blank (BPMN labels must not be).

    >>> shown("Tiếp nhận", "s1"), shown(" ", "s1")
    ('Tiếp nhận', 's1')
    """
    return name if name.strip() else fallback
