"""The public diagram as SVG: well-formed, readable, nothing overlapping, text escaped.

Every demo flow is drawn and read back with lxml (entities off): each text is at least
12 px at the picture's natural size, no two steps and no two lanes overlap, each step
says its name, time, unit and officers, and names with markup stay text.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import lxml.etree
import pytest
from conftest import sample_paths
from flow_samples import flow, step

from exporters.svg import STATES, SVG_NS, render_svg
from workflow_model.document import load_document
from workflow_model.document.durations import format_duration

NS = {"s": "http://www.w3.org/2000/svg"}
XSS = '<script>alert("x")</script> & "quoted"'


def parse(data: bytes) -> Any:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    return lxml.etree.fromstring(data, parser)


def rect_box(rect: Any) -> tuple[float, float, float, float]:
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def crossing(boxes: dict[str, tuple[float, ...]]) -> list[tuple[str, str]]:
    return [
        (a, b)
        for (a, p), (b, q) in itertools.combinations(boxes.items(), 2)
        if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]
    ]


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: Path(p).stem)
def test_every_demo_flow_is_readable_and_apart(path: Path) -> None:
    doc = load_document(path.read_bytes())
    root = parse(render_svg(doc))
    assert root.find("s:title", NS).text.startswith(doc.procedure.code)
    assert str(len(doc.steps)) in root.find("s:desc", NS).text
    sizes = [float(text.get("font-size")) for text in root.iter("{*}text")]
    assert sizes and min(sizes) >= 12
    steps = {
        g.get("data-key"): rect_box(g.find("s:rect", NS))
        for g in root.iter("{*}g")
        if g.get("class") == "sodo-step"
    }
    assert set(steps) == {s.key for s in doc.steps}
    assert not crossing(steps), "steps overlap"
    lanes = {
        f"lane{i}": rect_box(g.find("s:rect", NS))
        for i, g in enumerate(g for g in root.iter("{*}g") if g.get("class") == "sodo-lane")
    }
    assert not crossing(lanes), "lanes overlap"
    # The picture holds every box: nothing is cut at its edges.
    width, height = float(root.get("width")), float(root.get("height"))
    assert all(b[2] <= width and b[3] <= height for b in (*steps.values(), *lanes.values()))


def test_each_step_says_its_time_unit_and_officers() -> None:
    doc = flow()
    root = parse(render_svg(doc))
    units = {u.key: u.name for u in doc.units}
    officers = {o.key: o.name for o in doc.officers}
    for entry in doc.steps:
        (group,) = [g for g in root.iter("{*}g") if g.get("data-key") == entry.key]
        text = " ".join(t.text for t in group.iter("{*}text"))
        assert format_duration(entry.duration) in text
        assert " ".join(units[entry.unit].split()) in " ".join(text.split())
        for key in entry.officers:
            assert officers[key] in text


def box_text(root: Any, key: str) -> str:
    (group,) = [g for g in root.iter("{*}g") if g.get("data-key") == key]
    return " ".join(" ".join(t.text for t in group.iter("{*}text")).split())


@pytest.mark.parametrize(
    ("locale", "one", "two"),
    [
        ("vi", "Kiểm tra 1 thành phần hồ sơ", "Kiểm tra 2 thành phần hồ sơ"),
        ("en", "Checks 1 dossier component", "Checks 2 dossier components"),
    ],
)
def test_a_step_says_how_many_dossier_components_it_checks(locale: str, one: str, two: str) -> None:
    def two_components(data: dict[str, Any]) -> None:
        data["procedure"]["dossier_components"].append(
            {"key": "d2", "name": "Bản vẽ", "originals": 1, "copies": 0}
        )
        step(data, "s2")["documents"] = ["d1", "d2"]

    doc = flow(two_components)
    root = parse(render_svg(doc, locale=locale))
    checking = {entry.key: len(entry.documents) for entry in doc.steps}
    for key, count in checking.items():
        text = box_text(root, key)
        if count == 0:
            assert "thành phần" not in text and "component" not in text
        else:
            assert (one if count == 1 else two) in text, text
    assert checking["s2"] == 2 and 1 in checking.values()


def test_names_with_markup_stay_text() -> None:
    def marked(data: dict[str, Any]) -> None:
        step(data, "s2")["name"] = XSS
        data["procedure"]["name"] = XSS
        data["transitions"][0]["label"] = XSS

    data = render_svg(flow(marked))
    assert b"<script" not in data
    assert b"&lt;script&gt;" in data
    root = parse(data)
    texts = " ".join(t.text or "" for t in root.iter("{*}text"))
    assert "<script>" in texts and '"quoted"' in texts
    assert root.find("s:title", NS).text.endswith(XSS)


def test_the_total_is_said_against_the_legal_time_in_each_language() -> None:
    doc = flow()
    vi = " ".join(t.text for t in parse(render_svg(doc)).iter("{*}text"))
    en = " ".join(t.text for t in parse(render_svg(doc, locale="en")).iter("{*}text"))
    assert "Tổng thời gian theo đường găng" in vi and "thời hạn giải quyết" in vi
    assert "Total along the critical path" in en and "legal time" in en


def test_a_path_over_the_legal_time_is_said_in_red() -> None:
    def slow(data: dict[str, Any]) -> None:
        step(data, "s2")["duration"] = {"value": 400, "unit": "working_day"}

    root = parse(render_svg(flow(slow)))
    total = [t for t in root.iter("{*}text") if "đường găng" in (t.text or "")]
    assert total and total[0].get("fill") == "#c62828"


def test_an_overlay_colours_steps_by_state_and_ignores_unknown_states() -> None:
    doc = flow()
    root = parse(render_svg(doc, overlay={"s1": "early", "s2": "current", "s3": "no-such"}))
    groups = {g.get("data-key"): g for g in root.iter("{*}g") if g.get("class") == "sodo-step"}
    assert groups["s1"].get("data-state") == "early"
    assert groups["s2"].find("s:rect", NS).get("stroke") == STATES["current"][1]
    assert groups["s3"].get("data-state") is None
    assert groups["s3"].find("s:rect", NS).get("fill") == STATES[None][0]


def test_the_same_document_gives_the_same_bytes() -> None:
    assert render_svg(flow()) == render_svg(flow())


def test_pictures_inlined_in_one_page_keep_their_own_ids() -> None:
    first, second = (parse(render_svg(flow(), ids=prefix)) for prefix in ("case-1", "case-2"))
    for root, prefix in ((first, "case-1"), (second, "case-2")):
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        assert ids == {f"{prefix}-title", f"{prefix}-desc", f"{prefix}-arrow"}
        # The name and the arrows point inside the picture itself.
        assert set(root.get("aria-labelledby").split()) <= ids
        arrows = {line.get("marker-end") for line in root.iter("{*}line")}
        assert arrows == {f"url(#{prefix}-arrow)"}


def elementtree_bytes(data: bytes) -> bytes:
    """`data` read and written again by ElementTree (the namespace as a plain attribute)."""
    root = ET.fromstring(data)
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    attributes = {"xmlns": SVG_NS, **root.attrib}
    root.attrib.clear()
    root.attrib.update(attributes)
    return ET.tostring(root, encoding="utf-8")


def test_the_picture_is_written_as_elementtree_writes_it() -> None:
    """The picture's own writer gives ElementTree's bytes, markup and all."""

    def marked(data: dict[str, Any]) -> None:
        step(data, "s2")["name"] = XSS + " > 'single'"
        step(data, "s3")["name"] = "a > b"  # each special character on its own
        step(data, "s4")["name"] = "c & d"
        data["units"][0]["name"] = "e < f"
        data["procedure"]["name"] = XSS
        data["transitions"][0]["label"] = XSS

    documents = [load_document(path.read_bytes()) for path in sample_paths()]
    for doc in [*documents, flow(marked)]:
        for locale in ("vi", "en"):
            data = render_svg(doc, locale=locale, overlay={doc.steps[0].key: "late"})
            assert elementtree_bytes(data) == data, doc.procedure.code
