"""The XML writer: the process model and its geometry as BPMN 2.0 ``definitions``.

``definitions`` (``exporter="sodo"``) holds one ``collaboration`` whose single
``participant`` is the procedure (named after it, its case appended), bound to one
executable ``process`` with a ``laneSet`` (one ``lane`` per agency), its flow nodes and
sequence flows, then the ``BPMNDiagram``. The ``sodo`` namespace (`SODO_NS`) carries what
BPMN has no place for: step keys, durations, officers, the procedure and the version.
Documentation is in Vietnamese: a task's unit, officers and duration in words, the
process's procedure, legal time and version, and how decisions read ``route``.

The XML is built with the standard library's ElementTree (lxml is a test dependency
only), with the namespace prefixes written literally, so no prefix is registered in
ElementTree's process-wide table (openpyxl's ``dc`` would otherwise be taken over).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from importlib import metadata

from workflow_model.document import (
    FlowDocument,
    OfficerEntry,
    StepEntry,
    canonical_number,
)
from workflow_model.document.durations import format_duration

from ..base import ExportItem, VersionInfo
from .geometry import Box, draw, waypoints
from .ids import Ids, id_token
from .model import ROUTE_VARIABLE, Flow, Node, build_model, shown

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
STATUS_VI = {
    "draft": "bản nháp",
    "submitted": "đã trình duyệt",
    "approved": "đã phê duyệt",
    "rejected": "bị từ chối",
    "superseded": "đã được thay thế",
    "retired": "đã bãi bỏ",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def write_definitions(item: ExportItem) -> ET.Element:
    """The ``definitions`` element of one version's export, not yet indented."""
    return Writer(item).definitions()


def xml_text(text: str) -> str:
    r"""`text` with the characters XML 1.0 cannot hold replaced by U+FFFD.

    >>> xml_text("a\x01b") == "a\ufffdb"
    True
    """
    return _NOT_XML.sub("\ufffd", text)


def _number(value: float) -> str:
    return str(canonical_number(value))


def _coordinate(value: float) -> str:
    return _number(round(value, 2))


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


class Writer:
    """Writes the ``definitions`` of one exported version."""

    def __init__(self, item: ExportItem) -> None:
        self.doc: FlowDocument = item.document
        self.version: VersionInfo = item.version
        self.ids = Ids()
        procedure = self.doc.procedure
        code = procedure.code + (f"_{procedure.case.key}" if procedure.case else "")
        token = id_token(code)
        self.root_ids = {
            kind: self.ids.take(f"{kind}_{token}")
            for kind in ("Definitions", "Collaboration", "Participant", "Process", "LaneSet")
        }
        self.model = build_model(self.doc, self.ids)
        self.steps = self.model.steps
        self.swimlanes = self.model.lanes
        self.lane_ids = self.model.lane_ids
        self.officers: dict[str, OfficerEntry] = {}
        for officer in self.doc.officers:
            self.officers.setdefault(officer.key, officer)
        self.unit_names: dict[str, str] = {}
        for unit in self.doc.units:
            self.unit_names.setdefault(unit.key, unit.name)

    @property
    def title(self) -> str:
        """The process's and participant's name: procedure, case, and a draft's mark."""
        procedure = self.doc.procedure
        name = shown(procedure.name, procedure.code)
        if procedure.case is not None and procedure.case.name.strip():
            name = f"{name} – {procedure.case.name}"
        return name + (DRAFT_SUFFIX if self.version.is_draft else "")

    def definitions(self) -> ET.Element:
        """The whole ``definitions``: collaboration, process, then diagram."""
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
        lines.append(f"Thời hạn giải quyết: {format_duration(procedure.legal_time)}")
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
            name = shown(lane.name, lane.key or NO_LANE_NAME)
            element = _element(lane_set, "bpmn:lane", id=self.lane_ids[lane.key], name=name)
            members = set(lane.steps)
            for node in self.model.nodes:
                if node.step in members:
                    _element(element, "bpmn:flowNodeRef", node.id)

    def _node(self, process: ET.Element, node: Node) -> None:
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
        lines.append(f"Thời gian: {format_duration(step.duration)}")
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

    def _sequence_flow(self, process: ET.Element, flow: Flow) -> None:
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
        drawing = draw(self.doc, self.model)
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

    def _shape(self, plane: ET.Element, element_id: str, box: Box, **extra: str) -> None:
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
