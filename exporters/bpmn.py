"""The ``bpmn`` format: one version's process as BPMN 2.0 XML, with lanes and a diagram.

The file is UTF-8 XML that BPMN modelers open (bpmn.io, Camunda Modeler), that the
BPMN 2.0 XSD accepts, that ``bpmnlint:recommended`` passes for a valid flow, and that
SpiffWorkflow runs. How a flow document maps to BPMN:

* ``definitions`` (``exporter="sodo"``) holds one ``collaboration`` whose single
  ``participant`` is the procedure (named after it, its case appended), bound to one
  executable ``process``. The ``sodo`` namespace (`SODO_NS`) carries what BPMN has no
  place for: step keys, durations, officers, the procedure and the version.
* Each agency (the top unit above a step's unit, `workflow_model.diagram.lanes`) is a
  ``lane``; steps without a known unit share the lane "—". Gateways and events sit in the
  lane of the step they belong to.
* Each step is a ``userTask`` named after it. Its ``documentation`` gives the unit, the
  officers (name, title, phone, email) and the duration in words ("Thời gian: 0,5 ngày
  làm việc"); its ``extensionElements`` give ``sodo:step``, ``sodo:duration`` (value
  and ``working_day``/``working_hour``), ``sodo:unit`` and ``sodo:officer``.
* A blank ``startEvent`` ("Bắt đầu") precedes each start step; an ``endEvent``
  ("Kết thúc: <step>") follows each end step, so several end steps end separately.
* A step with two or more outgoing transitions is followed by a gateway: an
  ``exclusiveGateway`` named "Kết quả: <step>" for an exclusive split, a
  ``parallelGateway`` for a parallel one. A step with two or more incoming transitions
  is preceded by a joining gateway: ``exclusiveGateway`` for join "any",
  ``parallelGateway`` for join "all". The start and end events count as transitions
  here, so even a draft where something leads back into the start step stays explicit.
* A transition is a ``sequenceFlow``. Out of an exclusive gateway it is named by its
  label ("Nhánh <n>: <target>" when it has none); elsewhere a label goes into the flow's
  ``documentation`` (a name there is what bpmnlint calls a superfluous label).
  Duplicate transitions between the same two steps become one flow, labels joined.
* Decisions: the branches of an exclusive gateway are numbered 1, 2, … in document
  order. Branch 1 is the gateway's ``default`` flow; branch n ≥ 2 has the Python
  condition ``route in (n, '<label>')`` (``route == n`` without a label), the
  expression language of SpiffWorkflow and the one ``definitions`` declares. So the
  task before a decision sets the variable ``route`` to the number or the label of
  the branch taken (SpiffWorkflow stops on an unset ``route``), and a ``route``
  matching no other branch takes branch 1. The process documentation says so too.
* Ids are stable: they derive from the procedure code and step, unit and transition
  keys (`id_token`: a key cut down to NCName characters, with a hash of the key when
  characters had to go), in document order; a clash gets ``_2``, ``_3``… No time or
  random number is written, so exporting the same version twice gives the same bytes.
* The diagram (BPMNDI) draws the participant, lanes stacked in `lanes` order (each as
  tall as its steps need), each task at its saved or auto-laid-out position
  (`step_positions`, horizontally spread so gateways fit between columns, vertically
  kept inside its lane), gateways and events beside their task, and every flow as a
  right-angled edge (a loop back runs below its steps).
* A draft preview says so: " (bản nháp)" after the process and participant names,
  ``sodo:draft="true"`` on ``definitions`` and ``process``, and a note first in the
  process documentation. A draft may loop or dangle; the XML stays valid.

The XML is built with the standard library's ElementTree (lxml is a test dependency
only), with the namespace prefixes written literally, so no prefix is registered in
ElementTree's process-wide table (openpyxl's ``dc`` would otherwise be taken over).

>>> # export_bpmn([item], ExportOptions()) -> b"<?xml version='1.0' encoding='UTF-8'?>..."
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata

from workflow_model.diagram import Lane, lanes, step_positions
from workflow_model.document import (
    Duration,
    FlowDocument,
    OfficerEntry,
    Position,
    StepEntry,
    canonical_number,
)
from workflow_model.enums import Join, Split, TimeUnit
from workflow_model.flowgraph import FlowGraph

from .base import ExportItem, ExportOptions, VersionInfo

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SODO_NS = "https://sodo.example/schema/bpmn"
TARGET_NAMESPACE = "https://sodo.example/bpmn"
PYTHON_EXPRESSIONS = "https://docs.python.org/3/reference/expressions.html"
NAMESPACES = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}
NAMESPACES |= {"xsi": XSI_NS, "sodo": SODO_NS}

DRAFT_SUFFIX = " (bản nháp)"
NO_LANE_NAME = "—"
START_NAME = "Bắt đầu"
ROUTE_VARIABLE = "route"
STATUS_VI = {
    "draft": "bản nháp",
    "submitted": "đã trình duyệt",
    "approved": "đã phê duyệt",
    "rejected": "bị từ chối",
    "superseded": "đã được thay thế",
    "retired": "đã bãi bỏ",
}

TASK_WIDTH, TASK_HEIGHT = 100.0, 80.0
GATEWAY_SIZE = 50.0
EVENT_SIZE = 36.0
GAP = 25.0
SCALE_X, SCALE_Y = 1.5, 1.0
LANE_PADDING = 30.0
LABEL_BAND = 30.0
ORIGIN = 40.0
LOOP_DROP = 20.0

_GATEWAYS = {False: "exclusiveGateway", True: "parallelGateway"}
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def export_bpmn(items: Sequence[ExportItem], options: ExportOptions) -> bytes:
    """One version's process as BPMN 2.0 XML (UTF-8, with an XML declaration)."""
    (item,) = items
    root = _Writer(item).definitions()
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


# Ids and text -------------------------------------------------------------------------


def id_token(key: str) -> str:
    """A key as part of an XML id: NCName characters only, plus a hash if any were lost.

    >>> id_token("s1"), id_token("1.009642.H05"), id_token("bước 1")
    ('s1', '1.009642.H05', 'b__c_1_00888f94')
    """
    safe = _NOT_NCNAME.sub("_", key)
    if safe == key and key:
        return key
    return f"{safe}_{hashlib.sha256(key.encode()).hexdigest()[:8]}"


class _Ids:
    """Ids given out in document order; an id already given gets ``_2``, ``_3`` and so on."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, base: str) -> str:
        candidate, count = base, 1
        while candidate in self.taken:
            count += 1
            candidate = f"{base}_{count}"
        self.taken.add(candidate)
        return candidate


def xml_text(text: str) -> str:
    r"""`text` with the characters XML 1.0 cannot hold replaced by U+FFFD.

    >>> xml_text("a\x01b") == "a\ufffdb"
    True
    """
    return _NOT_XML.sub("\ufffd", text)


def _number(value: float) -> str:
    return str(canonical_number(value))


def duration_vi(duration: Duration) -> str:
    """A duration in Vietnamese words, in its own unit, with a decimal comma.

    >>> duration_vi(Duration(0.5, TimeUnit.WORKING_DAY))
    '0,5 ngày làm việc'
    >>> duration_vi(Duration(4, TimeUnit.WORKING_HOUR))
    '4 giờ làm việc'
    """
    word = "ngày làm việc" if duration.unit is TimeUnit.WORKING_DAY else "giờ làm việc"
    return f"{_number(duration.value).replace('.', ',')} {word}"


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


# The process as nodes and flows -------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """A flow node: `tag` is the BPMN element, `role` its place around step `step`."""

    id: str
    tag: str
    name: str
    step: str
    role: str


@dataclass(frozen=True)
class _Flow:
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
class _Model:
    """The flow nodes and sequence flows of the process, in document order.

    `roles` maps each step key to its nodes by role (task, start, end, join, split);
    `defaults` maps each decision gateway to its default flow.
    """

    nodes: list[_Node] = field(default_factory=list)
    flows: list[_Flow] = field(default_factory=list)
    roles: dict[str, dict[str, _Node]] = field(default_factory=dict)
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

    def __init__(self, doc: FlowDocument, ids: _Ids) -> None:
        graph = FlowGraph(doc)
        self.steps = graph.steps
        self.starts, self.ends = set(graph.starts), set(graph.ends)
        self.links = _links(doc, self.steps)
        self.ids = ids
        self.model = _Model()

    def build(self) -> _Model:
        for key in self.steps:
            self._nodes(key)
        for key in self.steps:
            self._inner_flows(key)
            self._branches(key)
        return self.model

    def _add(self, tag: str, role: str, key: str, name: str = "") -> None:
        prefix = role.capitalize()
        node = _Node(self.ids.take(f"{prefix}_{id_token(key)}"), tag, name, key, role)
        self.model.nodes.append(node)
        self.model.roles.setdefault(key, {})[role] = node

    def _nodes(self, key: str) -> None:
        """The start event, joining gateway, task, splitting gateway and end event of a step."""
        step = self.steps[key]
        name = _shown(step.name, key)
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

    def _entry(self, key: str) -> _Node:
        roles = self.model.roles[key]
        return roles.get("join", roles["task"])

    def _exit(self, key: str) -> _Node:
        roles = self.model.roles[key]
        return roles.get("split", roles["task"])

    def _flow(self, prefix: str, source: _Node, target: _Node, **details: str) -> str:
        flow_id = self.ids.take(prefix)
        self.model.flows.append(_Flow(flow_id, source.id, target.id, **details))
        return flow_id

    def _inner_flows(self, key: str) -> None:
        token, roles = id_token(key), self.model.roles[key]
        if "start" in roles:
            self._flow(f"Flow_start_{token}", roles["start"], self._entry(key))
        if "join" in roles:
            self._flow(f"Flow_join_{token}", roles["join"], roles["task"])
        if "split" in roles:
            self._flow(f"Flow_split_{token}", roles["task"], roles["split"])

    def _targets(self, key: str) -> list[tuple[str, _Node, str, str]]:
        """(id prefix, target node, label, target name) of each way out of step `key`."""
        token = id_token(key)
        found = [
            (
                f"Flow_{token}_{id_token(link.target)}",
                self._entry(link.target),
                link.label,
                _shown(self.steps[link.target].name, link.target),
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


# The diagram ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    """A shape's bounds."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def around(cls, cx: float, cy: float, width: float, height: float) -> _Box:
        return cls(cx - width / 2, cy - height / 2, width, height)

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def moved(self, dx: float, dy: float) -> _Box:
        return _Box(self.x + dx, self.y + dy, self.width, self.height)


@dataclass(frozen=True)
class _Drawing:
    """Bounds of every node, lane (by lane key) and the participant."""

    nodes: dict[str, _Box]
    lanes: dict[str, _Box]
    participant: _Box


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


def _step_boxes(cx: float, cy: float, roles: dict[str, str]) -> dict[str, _Box]:
    """Bounds of a step's task and, beside it, its gateways and events (by node id)."""
    task = _Box.around(cx, cy, TASK_WIDTH, TASK_HEIGHT)
    boxes, left, right = {roles["task"]: task}, task.x, task.right
    if "join" in roles:
        boxes[roles["join"]] = box = _Box.around(
            left - GAP - GATEWAY_SIZE / 2, cy, GATEWAY_SIZE, GATEWAY_SIZE
        )
        left = box.x
    if "split" in roles:
        boxes[roles["split"]] = box = _Box.around(
            right + GAP + GATEWAY_SIZE / 2, cy, GATEWAY_SIZE, GATEWAY_SIZE
        )
        right = box.right
    if "start" in roles:
        boxes[roles["start"]] = _Box.around(left - GAP - EVENT_SIZE / 2, cy, EVENT_SIZE, EVENT_SIZE)
    if "end" in roles:
        boxes[roles["end"]] = _Box.around(right + GAP + EVENT_SIZE / 2, cy, EVENT_SIZE, EVENT_SIZE)
    return boxes


def _draw(doc: FlowDocument, model: _Model, swimlanes: list[Lane]) -> _Drawing:
    """Place every node, lane and the participant; lanes are stacked bands holding their steps."""
    positions = step_positions(doc)
    centre_y, bands = _rows(positions, swimlanes)
    min_x = min((positions[key].x for key in centre_y), default=0.0)
    boxes: dict[str, _Box] = {}
    for key, roles in model.roles.items():
        ids = {role: node.id for role, node in roles.items()}
        boxes |= _step_boxes((positions[key].x - min_x) * SCALE_X, centre_y[key], ids)
    left = ORIGIN + LABEL_BAND + LANE_PADDING
    dx = left - min((box.x for box in boxes.values()), default=left)
    boxes = {node_id: box.moved(dx, ORIGIN) for node_id, box in boxes.items()}
    width = max((box.right for box in boxes.values()), default=left) + LANE_PADDING - ORIGIN
    height = sum(band[1] for band in bands) or TASK_HEIGHT + 2 * LANE_PADDING
    lane_boxes = {
        lane.key: _Box(ORIGIN + LABEL_BAND, ORIGIN + top, width - LABEL_BAND, band_height)
        for lane, (top, band_height) in zip(swimlanes, bands, strict=True)
    }
    return _Drawing(boxes, lane_boxes, _Box(ORIGIN, ORIGIN, width, height))


def waypoints(a: _Box, b: _Box) -> list[tuple[float, float]]:
    """A right-angled path from shape `a` to shape `b`: rightwards, downwards or a loop.

    >>> waypoints(_Box(0, 0, 10, 10), _Box(20, 0, 10, 10))
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


def _coordinate(value: float) -> str:
    return _number(round(value, 2))


# XML --------------------------------------------------------------------------------


def _element(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    """A child element with `text` and the non-empty `attributes`, cleaned for XML."""
    element = ET.SubElement(parent, tag)
    for name, value in attributes.items():
        if value:
            element.set(name, xml_text(value))
    if text:
        element.text = xml_text(text)
    return element


def _time(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


class _Writer:
    """Writes the ``definitions`` of one exported version."""

    def __init__(self, item: ExportItem) -> None:
        self.doc: FlowDocument = item.document
        self.version: VersionInfo = item.version
        self.ids = _Ids()
        procedure = self.doc.procedure
        code = procedure.code + (f"_{procedure.case.key}" if procedure.case else "")
        token = id_token(code)
        self.root_ids = {
            kind: self.ids.take(f"{kind}_{token}")
            for kind in ("Definitions", "Collaboration", "Participant", "Process", "LaneSet")
        }
        self.swimlanes = lanes(self.doc)
        self.lane_ids = {
            lane.key: self.ids.take(f"Lane_{id_token(lane.key)}" if lane.key else "Lane_none")
            for lane in self.swimlanes
        }
        builder = _Builder(self.doc, self.ids)
        self.steps = builder.steps
        self.model = builder.build()
        self.officers: dict[str, OfficerEntry] = {}
        for officer in self.doc.officers:
            self.officers.setdefault(officer.key, officer)
        self.unit_names: dict[str, str] = {}
        for unit in self.doc.units:
            self.unit_names.setdefault(unit.key, unit.name)

    @property
    def title(self) -> str:
        procedure = self.doc.procedure
        name = _shown(procedure.name, procedure.code)
        if procedure.case is not None and procedure.case.name.strip():
            name = f"{name} – {procedure.case.name}"
        return name + (DRAFT_SUFFIX if self.version.is_draft else "")

    def definitions(self) -> ET.Element:
        root = ET.Element("bpmn:definitions")
        for prefix, uri in NAMESPACES.items():
            root.set(f"xmlns:{prefix}", uri)
        attributes = {
            "id": self.root_ids["Definitions"],
            "name": f"{self.doc.procedure.code} v{self.version.number}",
            "targetNamespace": TARGET_NAMESPACE,
            "expressionLanguage": PYTHON_EXPRESSIONS,
            "exporter": "sodo",
            "exporterVersion": _exporter_version(),
        }
        for name, value in attributes.items():
            root.set(name, xml_text(value))
        if self.version.is_draft:
            root.set("sodo:draft", "true")
        self._collaboration(root)
        self._process(root)
        self._diagram(root)
        return root

    def _collaboration(self, root: ET.Element) -> None:
        collaboration = _element(root, "bpmn:collaboration", id=self.root_ids["Collaboration"])
        _element(
            collaboration,
            "bpmn:participant",
            id=self.root_ids["Participant"],
            name=self.title,
            processRef=self.root_ids["Process"],
        )

    def _process(self, root: ET.Element) -> None:
        process = _element(
            root,
            "bpmn:process",
            id=self.root_ids["Process"],
            name=self.title,
            isExecutable="true",
        )
        process.set("sodo:draft", "true" if self.version.is_draft else "false")
        _element(process, "bpmn:documentation", self._process_documentation())
        self._process_extensions(_element(process, "bpmn:extensionElements"))
        self._lane_set(process)
        for node in self.model.nodes:
            self._node(process, node)
        for flow in self.model.flows:
            self._sequence_flow(process, flow)

    def _process_documentation(self) -> str:
        procedure, version = self.doc.procedure, self.version
        lines = []
        if version.is_draft:
            lines.append("BẢN NHÁP: chỉ để xem trước, chưa được phê duyệt, không dùng để vận hành.")
        lines.append(f"Thủ tục: {procedure.code} – {procedure.name}")
        if procedure.case is not None:
            lines.append(f"Trường hợp: {procedure.case.name}")
        lines.append(f"Thời hạn giải quyết: {duration_vi(procedure.legal_time)}")
        if procedure.result:
            lines.append(f"Kết quả: {procedure.result}")
        lines.append(
            f"Phiên bản {version.number} ({STATUS_VI.get(version.status, version.status)})"
        )
        lines.append(
            f"Tại mỗi cổng quyết định, bước trước cổng đặt biến {ROUTE_VARIABLE} bằng số thứ tự "
            "(1, 2, …) hoặc nhãn của nhánh được chọn; nhánh 1 là nhánh mặc định."
        )
        return "\n".join(lines)

    def _process_extensions(self, extensions: ET.Element) -> None:
        procedure, version = self.doc.procedure, self.version
        case = procedure.case
        _element(
            extensions,
            "sodo:procedure",
            code=procedure.code,
            case=case.key if case else "",
            caseName=case.name if case else "",
        )
        legal = procedure.legal_time
        _element(extensions, "sodo:legalTime", value=_number(legal.value), unit=legal.unit.value)
        _element(
            extensions,
            "sodo:version",
            number=str(version.number),
            status=version.status,
            draft="true" if version.is_draft else "false",
            approvedBy=version.approved_by or "",
            approvedAt=_time(version.approved_at),
            effectiveFrom=_time(version.effective_from),
            snapshotSha256=version.snapshot_sha256 or "",
        )

    def _lane_set(self, process: ET.Element) -> None:
        if not self.swimlanes:
            return
        lane_set = _element(process, "bpmn:laneSet", id=self.root_ids["LaneSet"])
        for lane in self.swimlanes:
            name = _shown(lane.name, lane.key or NO_LANE_NAME)
            element = _element(lane_set, "bpmn:lane", id=self.lane_ids[lane.key], name=name)
            members = set(lane.steps)
            for node in self.model.nodes:
                if node.step in members:
                    _element(element, "bpmn:flowNodeRef", node.id)

    def _node(self, process: ET.Element, node: _Node) -> None:
        attributes = {"id": node.id}
        if node.name:
            attributes["name"] = node.name
        if node.role in ("join", "split"):
            attributes["gatewayDirection"] = "Converging" if node.role == "join" else "Diverging"
        if node.id in self.model.defaults:
            attributes["default"] = self.model.defaults[node.id]
        element = _element(process, f"bpmn:{node.tag}", **attributes)
        if node.role == "task":
            step = self.steps[node.step]
            _element(element, "bpmn:documentation", self._task_documentation(step))
            self._task_extensions(_element(element, "bpmn:extensionElements"), step)
        for flow in self.model.flows:
            if flow.target == node.id:
                _element(element, "bpmn:incoming", flow.id)
        for flow in self.model.flows:
            if flow.source == node.id:
                _element(element, "bpmn:outgoing", flow.id)

    def _task_documentation(self, step: StepEntry) -> str:
        unit = self.unit_names.get(step.unit or "", step.unit or NO_LANE_NAME)
        lines = [f"Đơn vị: {unit}"]
        for key in step.officers:
            officer = self.officers.get(key)
            lines.append(f"Cán bộ: {_officer_words(officer) if officer else key}")
        lines.append(f"Thời gian: {duration_vi(step.duration)}")
        components = {c.key: c.name for c in self.doc.procedure.dossier_components}
        if step.documents:
            names = "; ".join(components.get(key, key) for key in step.documents)
            lines.append(f"Thành phần hồ sơ: {names}")
        if step.description.strip():
            lines.append(step.description)
        return "\n".join(lines)

    def _task_extensions(self, extensions: ET.Element, step: StepEntry) -> None:
        _element(extensions, "sodo:step", key=step.key, kind=step.kind.value)
        duration = step.duration
        _element(
            extensions, "sodo:duration", value=_number(duration.value), unit=duration.unit.value
        )
        if step.unit:
            _element(
                extensions, "sodo:unit", key=step.unit, name=self.unit_names.get(step.unit, "")
            )
        for key in step.officers:
            officer = self.officers.get(key)
            details = {}
            if officer is not None:
                details = {"name": officer.name, "title": officer.title}
                details |= {"phone": officer.phone, "email": officer.email}
            _element(extensions, "sodo:officer", key=key, **details)

    def _sequence_flow(self, process: ET.Element, flow: _Flow) -> None:
        attributes = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        if flow.name:
            attributes["name"] = flow.name
        element = _element(process, "bpmn:sequenceFlow", **attributes)
        if flow.note:
            _element(element, "bpmn:documentation", flow.note)
        if flow.condition:
            condition = _element(element, "bpmn:conditionExpression", flow.condition)
            condition.set("xsi:type", "bpmn:tFormalExpression")

    def _diagram(self, root: ET.Element) -> None:
        drawing = _draw(self.doc, self.model, self.swimlanes)
        diagram = _element(root, "bpmndi:BPMNDiagram", id=self.ids.take("Diagram_1"))
        plane = _element(
            diagram,
            "bpmndi:BPMNPlane",
            id=self.ids.take("Plane_1"),
            bpmnElement=self.root_ids["Collaboration"],
        )
        self._shape(plane, self.root_ids["Participant"], drawing.participant, isHorizontal="true")
        for lane in self.swimlanes:
            self._shape(
                plane, self.lane_ids[lane.key], drawing.lanes[lane.key], isHorizontal="true"
            )
        for node in self.model.nodes:
            marker = {"isMarkerVisible": "true"} if node.tag == "exclusiveGateway" else {}
            self._shape(plane, node.id, drawing.nodes[node.id], **marker)
        for flow in self.model.flows:
            edge = _element(
                plane, "bpmndi:BPMNEdge", id=self.ids.take(f"{flow.id}_di"), bpmnElement=flow.id
            )
            for x, y in waypoints(drawing.nodes[flow.source], drawing.nodes[flow.target]):
                _element(edge, "di:waypoint", x=_coordinate(x), y=_coordinate(y))

    def _shape(self, plane: ET.Element, element_id: str, box: _Box, **extra: str) -> None:
        shape = _element(
            plane,
            "bpmndi:BPMNShape",
            id=self.ids.take(f"{element_id}_di"),
            bpmnElement=element_id,
            **extra,
        )
        _element(
            shape,
            "dc:Bounds",
            x=_coordinate(box.x),
            y=_coordinate(box.y),
            width=_coordinate(box.width),
            height=_coordinate(box.height),
        )


def _shown(name: str, fallback: str) -> str:
    """`name` as it is, or `fallback` when it is blank (BPMN labels must not be)."""
    return name if name.strip() else fallback


def _officer_words(officer: OfficerEntry) -> str:
    parts = [officer.name, officer.title]
    if officer.phone:
        parts.append(f"điện thoại {officer.phone}")
    if officer.email:
        parts.append(f"email {officer.email}")
    return ", ".join(part for part in parts if part)


def _exporter_version() -> str:
    try:
        return metadata.version("sodo")
    except metadata.PackageNotFoundError:
        return "0"
