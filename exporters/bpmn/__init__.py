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

Three modules, one idea each: `model` (the flow nodes and sequence flows a document
becomes), `geometry` (the diagram's bounds and waypoints) and `writer` (the XML);
`ids` gives out the stable ids all three use.

>>> from exporters import ExportItem, ExportOptions, VersionInfo
>>> from workflow_model.demo_data import demo_flow
>>> item = ExportItem(demo_flow("caobang-1_004944-1.json"), VersionInfo(1, "draft"))
>>> xml = export_bpmn([item], ExportOptions(allow_draft=True))
>>> xml.splitlines()[0]
b"<?xml version='1.0' encoding='UTF-8'?>"
>>> xml == export_bpmn([item], ExportOptions(allow_draft=True))
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..base import ExportItem, ExportOptions
from .geometry import Box, waypoints
from .ids import id_token
from .model import ROUTE_VARIABLE, route_condition
from .writer import NAMESPACES, SODO_NS, write_definitions, xml_text


def export_bpmn(items: Sequence[ExportItem], options: ExportOptions) -> bytes:
    """One version's process as BPMN 2.0 XML (UTF-8, with an XML declaration)."""
    (item,) = items
    root = write_definitions(item)
    ET.indent(root, space="  ")
    xml: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return xml + b"\n"


__all__ = [
    "NAMESPACES",
    "ROUTE_VARIABLE",
    "SODO_NS",
    "Box",
    "export_bpmn",
    "id_token",
    "route_condition",
    "waypoints",
    "xml_text",
]
