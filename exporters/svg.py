"""The public diagram: one flow document drawn as a readable SVG, on the server.

The same geometry as the editor (`workflow_model.diagram.auto_layout`: swimlanes per
agency, steps left to right along the flow), but each box also says the step's time, its
unit and its officers, so the boxes are measured with those lines (`public_size`). The
picture is drawn at its natural size: text is 13 px and never scaled down, so a wide
flow scrolls inside its frame instead of shrinking. Every text goes through
ElementTree, which escapes it; nothing is styled by a stylesheet, so the file obeys a
Content-Security-Policy without ``unsafe-inline`` wherever it is shown.

`overlay` colours steps by state (`STATES`), for dossier tracking. What the document
holds is what is drawn: a caller that must hide an officer's contacts leaves them out of
the document first.

>>> from workflow_model.demo_data import demo_flow
>>> svg = render_svg(demo_flow("caobang-1_004944-1.json"))
>>> svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
True
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from workflow_model.diagram import (
    CHAR_WIDTH,
    LANE_LABEL,
    LANE_PADDING,
    LINE_HEIGHT,
    MARGIN,
    MIN_STEP_WIDTH,
    STEP_PADDING_X,
    STEP_PADDING_Y,
    TEXT_WIDTH,
    Size,
    auto_layout,
    lanes,
    wrap_label,
)
from workflow_model.document import FlowDocument, Position, StepEntry
from workflow_model.document.durations import format_duration, format_hours_as_days
from workflow_model.flowgraph import FlowGraph

SVG_NS = "http://www.w3.org/2000/svg"
FONT_SIZE = 13
"""Every text of the picture, in CSS px at its natural size: never under 12."""
TITLE_SIZE = 16
TITLE_LINE = TITLE_SIZE + 6
TITLE_CHAR = 9.0
"""A generous width of one title character, to wrap the title to the picture's width."""
LINE_CHARS = int(TEXT_WIDTH // CHAR_WIDTH)

# The few words of the picture itself, per language: an exporter runs without a request.
WORDS = {
    "vi": {
        "total": "Tổng thời gian theo đường găng: {path} / thời hạn giải quyết {legal}",
        "loop": "Quy trình có vòng lặp; thời hạn giải quyết {legal}",
        "desc": "Quy trình gồm {count} bước. Các bước theo thứ tự: {steps}.",
        "no_unit": "Chưa giao đơn vị",
    },
    "en": {
        "total": "Total along the critical path: {path} / legal time {legal}",
        "loop": "The process has a loop; legal time {legal}",
        "desc": "The process has {count} steps. In order: {steps}.",
        "no_unit": "No unit yet",
    },
}

# A step's line about the dossier components it checks: (one, several) per language.
CHECKS = {
    "vi": ("Kiểm tra {count} thành phần hồ sơ", "Kiểm tra {count} thành phần hồ sơ"),
    "en": ("Checks {count} dossier component", "Checks {count} dossier components"),
}


TEXT_COLOUR = "#212121"


class StateStyle(NamedTuple):
    """How a step in one tracking state is drawn: fill, border, dashed border, text colour."""

    fill: str
    stroke: str
    dashed: bool = False
    text: str = TEXT_COLOUR


# By tracking state (`workflow_model.tracking.StepState` values); None is a step without
# one. Each text colour keeps a contrast of at least 4.5:1 on its fill, faded ones too.
STATES: dict[str | None, StateStyle] = {
    None: StateStyle("#ffffff", "#37474f"),
    "early": StateStyle("#e8f5e9", "#2e7d32"),
    "on_time": StateStyle("#e3f2fd", "#1565c0"),
    "late": StateStyle("#ffebee", "#c62828"),
    "current": StateStyle("#fff3e0", "#e65100"),
    "overdue": StateStyle("#fce4ec", "#ad1457", dashed=True),
    "pending": StateStyle("#ffffff", "#78909c"),
    "skipped": StateStyle("#f5f5f5", "#bdbdbd", dashed=True, text="#5f6368"),
}
LANE_FILLS = ("#eef5fc", "#fdf6e9", "#eef8ef", "#f6effa", "#fbeef0", "#eef7f7")


@dataclass(frozen=True)
class Box:
    """A rectangle in picture units: its left, top, right and bottom."""

    x1: float
    y1: float
    x2: float
    y2: float


def _lines(doc: FlowDocument, step: StepEntry, locale: str) -> list[tuple[str, bool]]:
    """The lines of a step's box, each with whether it is the step's name (bold)."""
    return _step_lines(doc, locale)[step.key]


def _step_lines(doc: FlowDocument, locale: str) -> dict[str, list[tuple[str, bool]]]:
    """The lines of every step's box, by step key (the names looked up once)."""
    units = {unit.key: unit.name for unit in doc.units}
    officers = {officer.key: officer for officer in doc.officers}
    words = WORDS.get(locale, WORDS["vi"])
    found = {}
    for step in doc.steps:
        lines = [(line, True) for line in wrap_label(step.name, LINE_CHARS)]
        lines.append((format_duration(step.duration, locale), False))
        unit = units.get(step.unit or "", words["no_unit"])
        lines += [(line, False) for line in wrap_label(unit, LINE_CHARS)]
        for key in step.officers:
            if key in officers:
                lines += [(line, False) for line in wrap_label(officers[key].name, LINE_CHARS)]
        if step.documents:
            one, several = CHECKS.get(locale, CHECKS["vi"])
            checks = (one if len(step.documents) == 1 else several).format(
                count=len(step.documents)
            )
            lines += [(line, False) for line in wrap_label(checks, LINE_CHARS)]
        found[step.key] = lines
    return found


def _size(lines: list[tuple[str, bool]]) -> Size:
    widest = max(len(text) for text, _ in lines) * CHAR_WIDTH
    width = max(MIN_STEP_WIDTH, round(min(widest, TEXT_WIDTH)) + 2 * STEP_PADDING_X)
    return Size(width, len(lines) * LINE_HEIGHT + 2 * STEP_PADDING_Y)


def public_size(doc: FlowDocument, step: StepEntry, locale: str = "vi") -> Size:
    """The box of a step on the public diagram: all its lines, padded.

    >>> from workflow_model.demo_data import demo_flow
    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> public_size(doc, doc.steps[0]).height > 3 * LINE_HEIGHT
    True
    """
    return _size(_lines(doc, step, locale))


def layout(doc: FlowDocument, locale: str = "vi", top: float = 0) -> dict[str, Box]:
    """Each step's box on the public diagram, `top` lower than the layout puts it."""
    return _layout(doc, _step_lines(doc, locale), top)


def _layout(
    doc: FlowDocument,
    lines: Mapping[str, list[tuple[str, bool]]],
    top: float,
    graph: FlowGraph | None = None,
) -> dict[str, Box]:
    sizes = {key: _size(found) for key, found in lines.items()}
    positions: dict[str, Position] = auto_layout(
        doc, size_of=lambda step: sizes[step.key], graph=graph
    )
    boxes: dict[str, Box] = {}
    for step in doc.steps:
        size, at = sizes[step.key], positions[step.key]
        left, upper = at.x - size.width / 2, at.y - size.height / 2 + top
        boxes[step.key] = Box(left, upper, left + size.width, upper + size.height)
    return boxes


def lane_boxes(
    doc: FlowDocument, boxes: Mapping[str, Box], graph: FlowGraph | None = None
) -> list[tuple[str, Box]]:
    """Each swimlane's name and box: its steps, padded, with room for the name above."""
    found = []
    for lane in lanes(doc, graph):
        members = [boxes[key] for key in lane.steps if key in boxes]
        if not members:
            continue
        box = Box(
            min(b.x1 for b in members) - LANE_PADDING,
            min(b.y1 for b in members) - LANE_PADDING - LANE_LABEL,
            max(b.x2 for b in members) + LANE_PADDING,
            max(b.y2 for b in members) + LANE_PADDING,
        )
        found.append((lane.name, box))
    return found


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> None:
    element = ET.SubElement(
        parent,
        "text",
        {
            "x": _n(x),
            "y": _n(y),
            "font-size": str(FONT_SIZE),
            "font-family": "sans-serif",
            "fill": TEXT_COLOUR,
            **attrs,
        },
    )
    element.text = text


def _rect(parent: ET.Element, box: Box, **attrs: str) -> None:
    """`box` as a rectangle in `parent`, with its `attrs` (fill, stroke…)."""
    place = {"x": _n(box.x1), "y": _n(box.y1)}
    size = {"width": _n(box.x2 - box.x1), "height": _n(box.y2 - box.y1)}
    ET.SubElement(parent, "rect", {**place, **size, **attrs})


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _clip(box: Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box."""
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (box.x2 - box.x1) / 2 / abs(dx) if dx else math.inf,
        (box.y2 - box.y1) / 2 / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _title(doc: FlowDocument) -> str:
    procedure = doc.procedure
    case = f" — {procedure.case.name}" if procedure.case and procedure.case.name else ""
    return f"{procedure.code} · {procedure.name}{case}"


def _header(
    root: ET.Element, doc: FlowDocument, locale: str, lines: list[str], graph: FlowGraph
) -> None:
    """The title, wrapped to the picture, and the total time against the legal time."""
    words = WORDS.get(locale, WORDS["vi"])
    for row, line in enumerate(lines):
        _text(root, MARGIN / 2, (row + 1) * TITLE_LINE, line, **{"font-size": str(TITLE_SIZE)})
    legal = format_duration(doc.procedure.legal_time, locale)
    path = graph.critical_path
    if path is None:
        total = words["loop"].format(legal=legal)
    else:
        total = words["total"].format(path=format_hours_as_days(path.hours, locale), legal=legal)
    colour = "#c62828" if path is not None and path.exceeds_budget else TEXT_COLOUR
    _text(root, MARGIN / 2, len(lines) * TITLE_LINE + LINE_HEIGHT + 6, total, fill=colour)


def render_svg(
    doc: FlowDocument,
    *,
    locale: str = "vi",
    overlay: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    ids: str = "sodo",
) -> bytes:
    """The flow as an SVG picture at its natural size (UTF-8 bytes).

    `overlay` gives a tracking state (a key of `STATES`) to some steps; an unknown
    state is drawn as no state. `notes` adds a line to some steps' boxes (the time a
    dossier has used and has left at its current step). `ids` prefixes the picture's
    element ids (its title, its description and its arrow head): pictures inlined in one
    page need their own, or the second one's name (``aria-labelledby``) would be the first
    one's title.

    >>> from workflow_model.demo_data import demo_flow
    >>> b'aria-labelledby="case-2-title case-2-desc"' in render_svg(
    ...     demo_flow("caobang-1_004944-1.json"), ids="case-2")
    True
    """
    # The width comes from the layout; the title is wrapped to it, and the lanes go below.
    # Each box's lines are measured once, and the steps laid out once: the header only
    # moves them down. The flow's graph is built once for the layout, lanes and total.
    graph = FlowGraph(doc)
    lines = _step_lines(doc, locale)
    for key, note in (notes or {}).items():
        if key in lines:
            lines[key] = [*lines[key], *((line, True) for line in wrap_label(note, LINE_CHARS))]
    plain = _layout(doc, lines, 0, graph)
    width = max((b.x2 for b in plain.values()), default=MARGIN) + LANE_PADDING + MARGIN / 2
    title = _title(doc)
    title_lines = wrap_label(title, min(110, max(40, int((width - MARGIN) // TITLE_CHAR))))
    # The layout's own top margin leaves room for the lane names: the header goes above it.
    header = len(title_lines) * TITLE_LINE + 2 * LINE_HEIGHT
    boxes = {
        key: Box(box.x1, box.y1 + header, box.x2, box.y2 + header) for key, box in plain.items()
    }
    lane_list = lane_boxes(doc, boxes, graph)
    right = max((b.x2 for _, b in lane_list), default=width) + MARGIN / 2
    bottom = max((b.y2 for _, b in lane_list), default=header) + MARGIN / 2
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": _n(right),
            "height": _n(bottom),
            "viewBox": f"0 0 {_n(right)} {_n(bottom)}",
            "role": "img",
            "aria-labelledby": f"{ids}-title {ids}-desc",
        },
    )
    title_element = ET.SubElement(root, "title", {"id": f"{ids}-title"})
    desc = ET.SubElement(root, "desc", {"id": f"{ids}-desc"})
    words = WORDS.get(locale, WORDS["vi"])
    desc.text = words["desc"].format(
        count=len(doc.steps), steps="; ".join(step.name for step in doc.steps)
    )
    defs = ET.SubElement(root, "defs")
    marker = ET.SubElement(
        defs,
        "marker",
        {
            "id": f"{ids}-arrow",
            "viewBox": "0 0 10 10",
            "refX": "10",
            "refY": "5",
            "markerWidth": "8",
            "markerHeight": "8",
            "orient": "auto-start-reverse",
        },
    )
    ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": "#546e7a"})
    title_element.text = title
    _header(root, doc, locale, title_lines, graph)
    for index, (name, box) in enumerate(lane_list):
        group = ET.SubElement(root, "g", {"class": "sodo-lane"})
        _rect(group, box, rx="6", fill=LANE_FILLS[index % len(LANE_FILLS)], stroke="#b0bec5")
        _text(group, box.x1 + 10, box.y1 + LANE_LABEL - 4, name, **{"font-weight": "bold"})
    _edges(root, doc, boxes, f"url(#{ids}-arrow)")
    states = overlay or {}
    for step in doc.steps:
        _step(root, step, boxes[step.key], states.get(step.key), lines[step.key])
    out: list[str] = []
    _write(root, out)
    return "".join(out).encode("utf-8")


def _write(element: ET.Element, out: list[str]) -> None:
    """Append `element` as XML, one element a line.

    The bytes are those of ``ET.indent(root, space="")`` then ``ET.tostring``, written
    directly: ElementTree's own writer took half the time of drawing. Only what the
    picture holds is handled: elements with attributes and either children or text.
    Most values (numbers, colours) need no escaping, so each is searched once first.
    """
    tag = element.tag
    out.append(f"<{tag}")
    out += [
        f' {name}="{_attribute(value) if _ATTRIBUTE_SPECIAL(value) else value}"'
        for name, value in element.attrib.items()
    ]
    text = element.text
    if len(element):
        out.append(">\n")
        for child in element:
            _write(child, out)
            out.append("\n")
        out.append(f"</{tag}>")
    elif text:
        out.append(f">{_escape(text) if _TEXT_SPECIAL(text) else text}</{tag}>")
    else:
        out.append(" />")


_TEXT_SPECIAL = re.compile("[&<>]").search
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]').search


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return (
        _escape(value)
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


def _edges(root: ET.Element, doc: FlowDocument, boxes: Mapping[str, Box], arrow: str) -> None:
    group = ET.SubElement(root, "g", {"class": "sodo-transitions"})
    for link in doc.transitions:
        if link.source not in boxes or link.target not in boxes:
            continue
        source, target = boxes[link.source], boxes[link.target]
        centre_t = ((target.x1 + target.x2) / 2, (target.y1 + target.y2) / 2)
        centre_s = ((source.x1 + source.x2) / 2, (source.y1 + source.y2) / 2)
        x1, y1 = _clip(source, centre_t)
        x2, y2 = _clip(target, centre_s)
        ET.SubElement(
            group,
            "line",
            {
                "x1": _n(x1),
                "y1": _n(y1),
                "x2": _n(x2),
                "y2": _n(y2),
                "stroke": "#546e7a",
                "stroke-width": "1.5",
                "marker-end": arrow,
            },
        )
        if link.label:
            _text(
                group,
                (x1 + x2) / 2,
                (y1 + y2) / 2 - 4,
                link.label,
                **{"text-anchor": "middle", "paint-order": "stroke", "stroke": "#ffffff"},
            )


def _step(
    root: ET.Element,
    step: StepEntry,
    box: Box,
    state: str | None,
    lines: list[tuple[str, bool]],
) -> None:
    style = STATES.get(state, STATES[None])
    attrs = {"class": "sodo-step", "data-key": step.key}
    if state in STATES and state is not None:
        attrs["data-state"] = state
    group = ET.SubElement(root, "g", attrs)
    border = {"stroke-width": "2", **({"stroke-dasharray": "6 4"} if style.dashed else {})}
    _rect(group, box, rx="4", fill=style.fill, stroke=style.stroke, **border)
    middle = (box.x1 + box.x2) / 2
    for row, (line, strong) in enumerate(lines):
        extra = {"font-weight": "bold"} if strong else {}
        if style.text != TEXT_COLOUR:
            extra["fill"] = style.text
        y = box.y1 + STEP_PADDING_Y + (row + 1) * LINE_HEIGHT - 4
        _text(group, middle, y, line, **{"text-anchor": "middle", **extra})
