"""The BPMN export: valid against the BPMN 2.0 XSD, clean under bpmnlint, run by SpiffWorkflow.

bpmnlint runs from ``tests/node`` (``npm ci --prefix tests/node``); without it the lint
tests skip, unless ``SODO_REQUIRE_BPMNLINT=1`` or ``CI`` is set, when they fail.
"""

from __future__ import annotations

import functools
import itertools
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
import SpiffWorkflow
from conftest import FLOWS_DIR, sample_paths
from flow_samples import flow, step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState
from support.node_tools import NODE_MODULES, node_tool, node_tool_missing

from exporters import ExportItem, ExportOptions, VersionInfo, export
from exporters.bpmn import export_bpmn
from workflow_model.diagram import lanes
from workflow_model.document import FlowDocument, dump_document, load_document
from workflow_model.document.limits import KEY_RE, MAX_KEY_LENGTH
from workflow_model.flowgraph import FlowGraph

ROOT = Path(__file__).resolve().parents[1]
BPMNLINT = NODE_MODULES / ".bin" / "bpmnlint"
XSD = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "sodo": "https://sodo.example/schema/bpmn",
}
SODO_DRAFT = "{https://sodo.example/schema/bpmn}draft"
FLOW_NODES = ("startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway")
DIACRITICS = (
    "Ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ ứ ừ ử ữ ự ý ỳ ỷ ỹ ỵ đ Đ "
    "à á ả ã ạ ầ ấ ẩ ẫ ậ è é ẻ ẽ ẹ ì í ỉ ĩ ị ò ó ỏ õ ọ ù ú ủ ũ ụ Ư ư Ơ ơ Â â Ê ê Ô ô Ă ă"
)
ODD = f"<Hồ sơ> & \"trả\" 'lại' 📄✅ {DIACRITICS}"


# Documents ------------------------------------------------------------------------------


def _odd_names(data: dict[str, Any]) -> None:
    """Names with markup characters, quotes, emoji and every diacritic; awkward keys."""
    data["procedure"]["name"] = f"Thủ tục {ODD}"
    data["units"][1]["name"] = f"Sở {ODD}"
    data["officers"][1]["name"] = f"Cán bộ {ODD}"
    # Keys the loader accepts (limits.KEY_PATTERN) but an XML id cannot hold as they are.
    renames = {"s2": "bước-2", "s3": "bưởc.3", "s5": "đ_5"}
    for old, new in renames.items():
        step(data, old)["key"] = new
    for transition in data["transitions"]:
        transition["from"] = renames.get(transition["from"], transition["from"])
        transition["to"] = renames.get(transition["to"], transition["to"])
    data["layout"] = {}
    for index, item in enumerate(data["steps"]):
        item["name"] = f"{item['name']} {ODD} #{index}"
        item["description"] = f"Ghi chú {ODD}\nDòng 2"
    data["transitions"][1]["label"] = f"Đủ {ODD}"
    data["transitions"][2]["label"] = f"Không đủ {ODD}"


def _parallel(data: dict[str, Any]) -> None:
    """s2 hands the dossier to s3 and s5 at once; s4 waits for both."""
    step(data, "s2")["split"] = "parallel"
    step(data, "s5")["kind"] = "task"
    step(data, "s4")["join"] = "all"
    data["transitions"] = [
        {"from": "s1", "to": "s2", "label": ""},
        {"from": "s2", "to": "s3", "label": ""},
        {"from": "s2", "to": "s5", "label": ""},
        {"from": "s3", "to": "s4", "label": ""},
        {"from": "s5", "to": "s4", "label": ""},
    ]


def _tangled(data: dict[str, Any]) -> None:
    """A draft's worst: a loop, a self-loop, a duplicate, a way back to the start, no unit."""
    data["transitions"] += [
        {"from": "s3", "to": "s2", "label": "Bổ sung"},
        {"from": "s3", "to": "s3", "label": ""},
        {"from": "s2", "to": "s3", "label": "Trùng"},
        {"from": "s4", "to": "s1", "label": "Làm lại"},
        {"from": "s3", "to": "nowhere", "label": ""},
    ]
    step(data, "s3")["unit"] = None
    step(data, "s2")["join"] = "all"


def _spread_layout(data: dict[str, Any]) -> None:
    """Saved positions that ignore the lanes: negative, mixed and far apart."""
    data["layout"] = {
        "s1": {"x": -300, "y": 500},
        "s2": {"x": 10, "y": -250},
        "s3": {"x": 700, "y": 90},
        "s4": {"x": 1400, "y": -40},
        "s5": {"x": 1000, "y": 900},
    }


SPECIAL: dict[str, Callable[[dict[str, Any]], object] | None] = {
    "sample": None,
    "odd-names": _odd_names,
    "parallel": _parallel,
    "spread-layout": _spread_layout,
}
CLEAN = [path.stem for path in sample_paths()] + list(SPECIAL)


def _document(name: str) -> FlowDocument:
    if name in SPECIAL:
        return flow(SPECIAL[name])
    return load_document((FLOWS_DIR / f"{name}.json").read_bytes())


def _item(doc: FlowDocument, status: str = "approved") -> ExportItem:
    return ExportItem(doc, VersionInfo(number=3, status=status))


def _export(doc: FlowDocument, status: str = "approved") -> bytes:
    return export_bpmn([_item(doc, status)], ExportOptions(allow_draft=True))


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _all(root: etree._Element, path: str) -> list[etree._Element]:
    return root.findall(path, NS)


# Tools ------------------------------------------------------------------------------------


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return _schema()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bpmn")
    files = {}
    for name in CLEAN:
        files[name] = folder / f"{name}.bpmn"
        files[name].write_bytes(_export(_document(name)))
    return files


@pytest.fixture(scope="module")
def lint_output(exported: dict[str, Path]) -> str:
    """bpmnlint over every exported file at once, from the root (where .bpmnlintrc is)."""
    if shutil.which("node") is None:
        node_tool_missing("SODO_REQUIRE_BPMNLINT", "node is not installed")
    node_tool(BPMNLINT, "SODO_REQUIRE_BPMNLINT")
    result = subprocess.run(
        [str(BPMNLINT), "--max-warnings=0", *map(str, exported.values())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output
    return output


def _assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    root = _parse(data)
    assert schema.validate(root), "\n".join(str(error) for error in schema.error_log)


def _spiff(data: bytes) -> BpmnWorkflow:
    parser = BpmnParser()
    parser.add_bpmn_str(data)
    (process_id,) = parser.get_process_ids()
    return BpmnWorkflow(parser.get_spec(process_id))


def _step_keys(data: bytes) -> dict[str, str]:
    """The step key of each user task, from its ``sodo:step`` extension."""
    return {
        task.get("id"): task.find("bpmn:extensionElements/sodo:step", NS).get("key")
        for task in _all(_parse(data), ".//bpmn:userTask")
    }


def _run(data: bytes, route: Callable[[str], object] = lambda key: 1) -> list[str]:
    """Complete every ready user task (setting `route`) until the end; the step keys done."""
    workflow, keys = _spiff(data), _step_keys(data)
    done: list[str] = []
    workflow.do_engine_steps()
    for _ in range(200):
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        for task in ready:
            key = keys[task.task_spec.bpmn_id]
            task.data["route"] = route(key)
            done.append(key)
            task.run()
        workflow.do_engine_steps()
    assert workflow.is_completed(), done
    return done


# 1. The XSD ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLEAN)
def test_export_is_valid_against_the_bpmn_xsd(name: str, schema: etree.XMLSchema) -> None:
    _assert_valid(schema, _export(_document(name)))


def test_a_tangled_draft_still_gives_valid_xml(schema: etree.XMLSchema) -> None:
    doc = flow(_tangled)
    assert FlowGraph(doc).cyclic_steps
    data = _export(doc, "draft")
    _assert_valid(schema, data)
    _spiff(data)  # SpiffWorkflow reads it too
    root = _parse(data)
    flows = [f.get("id") for f in _all(root, ".//bpmn:sequenceFlow")]
    assert len(flows) == len(set(flows))
    assert "Flow_s2_s3" in flows and "Flow_s2_s3_2" not in flows  # the duplicate is merged


def test_flows_without_steps_or_start_give_valid_xml(schema: etree.XMLSchema) -> None:
    def no_start(data: dict[str, Any]) -> None:
        step(data, "s1")["kind"] = "task"

    def no_steps(data: dict[str, Any]) -> None:
        data["steps"], data["transitions"], data["layout"] = [], [], {}

    for change in (no_start, no_steps):
        _assert_valid(schema, _export(flow(change), "draft"))


steps_strategy = st.lists(
    st.tuples(
        st.sampled_from(["start", "task", "end"]),
        st.sampled_from(["exclusive", "parallel"]),
        st.sampled_from(["any", "all"]),
        st.one_of(st.none(), st.sampled_from(["tt", "svh", "svh-qlvh", "ghost"])),
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=steps_strategy,
    # Any label the loader accepts: no NUL (PostgreSQL cannot store one).
    edges=st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(0, 6),
            st.text(st.characters(exclude_characters="\x00"), max_size=4),
        )
    ),
    # Any key the loader accepts, Vietnamese letters and dots included.
    keys=st.lists(
        st.from_regex(KEY_RE, fullmatch=True).filter(lambda key: len(key) <= MAX_KEY_LENGTH),
        min_size=7,
        max_size=7,
        unique=True,
    ),
)
def test_any_document_gives_valid_xml_with_unique_ids(
    steps: list[tuple[str, str, str, str | None]],
    edges: list[tuple[int, int, str]],
    keys: list[str],
) -> None:
    def change(data: dict[str, Any]) -> None:
        template = data["steps"][1]
        data["steps"] = [
            {**template, "key": keys[i], "kind": kind, "split": split, "join": join, "unit": unit}
            for i, (kind, split, join, unit) in enumerate(steps)
        ]
        data["transitions"] = [
            {"from": keys[a], "to": keys[b], "label": label} for a, b, label in edges
        ]
        data["layout"] = {}

    data = _export(flow(change), "draft")
    root = _parse(data)
    assert _schema().validate(root), str(_schema().error_log)
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    _assert_drawn(root)


# 2. bpmnlint -----------------------------------------------------------------------------


def test_bpmnlint_passes_every_export(lint_output: str) -> None:
    assert "problem" not in lint_output, lint_output


@pytest.mark.parametrize("name", CLEAN)
def test_bpmnlint_reports_nothing_on(
    name: str, lint_output: str, exported: dict[str, Path]
) -> None:
    assert str(exported[name]) not in lint_output, lint_output


def test_bpmnlint_uses_the_recommended_rules() -> None:
    assert '"bpmnlint:recommended"' in (ROOT / ".bpmnlintrc").read_text(encoding="utf-8")


# 3. SpiffWorkflow --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in CLEAN if n != "parallel"])
def test_spiffworkflow_runs_the_first_branches_from_start_to_end(name: str) -> None:
    doc = _document(name)
    done = _run(_export(doc))
    graph = FlowGraph(doc)
    assert done[0] in graph.starts and done[-1] in graph.ends
    for source, target in itertools.pairwise(done):
        assert graph.graph.has_edge(source, target), (source, target)
    first = {}
    for transition in doc.transitions:
        first.setdefault(transition.source, transition.target)
    assert all(first[a] == b for a, b in itertools.pairwise(done))


@pytest.mark.parametrize("route", [2, "Không đủ điều kiện"])
def test_a_decision_follows_route_by_number_or_label(route: object) -> None:
    done = _run(_export(flow()), lambda key: route if key == "s2" else 1)
    assert done == ["s1", "s2", "s5"]


def test_parallel_branches_run_together_and_join() -> None:
    data = _export(flow(_parallel))
    done = _run(data)
    assert done[:2] == ["s1", "s2"] and sorted(done[2:4]) == ["s3", "s5"] and done[4:] == ["s4"]
    root = _parse(data)
    assert root.find(".//bpmn:parallelGateway[@id='Split_s2']", NS) is not None
    assert root.find(".//bpmn:parallelGateway[@id='Join_s4']", NS) is not None


def test_user_tasks_carry_their_lane() -> None:
    data = _export(flow())
    parser = BpmnParser()
    parser.add_bpmn_str(data)
    spec = parser.get_spec(parser.get_process_ids()[0])
    assert spec.task_specs["Task_s2"].lane == "Sở Văn hóa, Thể thao và Du lịch"


# 4. Stable ids, text round-trip -------------------------------------------------------


@pytest.mark.parametrize("name", CLEAN)
def test_two_exports_are_byte_identical(name: str) -> None:
    doc = _document(name)
    again = load_document(dump_document(doc))
    assert _export(doc) == _export(doc) == _export(again)


def test_export_goes_through_the_format_registry() -> None:
    item = _item(flow())
    assert export("bpmn", [item]) == export_bpmn([item], ExportOptions())


def test_ids_come_from_the_keys() -> None:
    root = _parse(_export(flow(_odd_names)))
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert {"Process_1.000894", "Task_s1", "Start_s1", "End_s4", "Lane_svh"} <= ids
    tasks = {i for i in ids if i.startswith("Task_") and not i.endswith("_di")}
    odd = tasks - {"Task_s1", "Task_s4"}
    assert len(odd) == 3 and all(len(i.rsplit("_", 1)[-1]) == 8 for i in odd)


@pytest.mark.parametrize("name", CLEAN)
def test_vietnamese_names_round_trip(name: str) -> None:
    doc = _document(name)
    data = _export(doc)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = SafeET.fromstring(data)
    bpmn = "{" + NS["bpmn"] + "}"
    names = {task.get("id"): task.get("name") for task in root.iter(f"{bpmn}userTask")}
    assert sorted(names.values()) == sorted(s.name for s in doc.steps)
    assert [lane.get("name") for lane in root.iter(f"{bpmn}lane")] == [
        lane.name or "—" for lane in lanes(doc)
    ]
    (participant,) = root.iter(f"{bpmn}participant")
    case = doc.procedure.case
    title = doc.procedure.name + (f" – {case.name}" if case else "")
    assert participant.get("name") == title
    labels = {t.label for t in doc.transitions if t.label}
    named = {f.get("name") for f in root.iter(f"{bpmn}sequenceFlow") if f.get("name")}
    assert labels <= named


def test_odd_characters_survive_raw_in_utf8() -> None:
    data = _export(flow(_odd_names))
    assert DIACRITICS.encode() in data and "📄✅".encode() in data
    assert b"&lt;H\xe1\xbb\x93 s\xc6\xa1&gt; &amp;" in data
    root = SafeET.fromstring(data)
    tasks = list(root.iter("{" + NS["bpmn"] + "}userTask"))
    assert tasks[0].get("name") == f"Tiếp nhận hồ sơ {ODD} #0"
    documentation = tasks[0].find("{" + NS["bpmn"] + "}documentation").text
    assert f"Ghi chú {ODD}\nDòng 2" in documentation


def test_characters_xml_cannot_hold_are_replaced(schema: etree.XMLSchema) -> None:
    def control(data: dict[str, Any]) -> None:
        data["steps"][0]["name"] = "Tiếp\x01nhận\x1f"

    data = _export(flow(control))
    _assert_valid(schema, data)
    assert "Tiếp\ufffdnhận\ufffd".encode() in data


# 5. Draft mark, lanes, diagram --------------------------------------------------------


def test_a_draft_preview_is_marked() -> None:
    root = _parse(_export(flow(), "draft"))
    process = root.find("bpmn:process", NS)
    assert process.get("name").endswith(" (bản nháp)")
    assert root.find(".//bpmn:participant", NS).get("name").endswith(" (bản nháp)")
    assert root.get(SODO_DRAFT) == process.get(SODO_DRAFT) == "true"
    assert process.find("bpmn:documentation", NS).text.startswith("BẢN NHÁP")
    assert process.find(".//sodo:version", NS).get("draft") == "true"


def test_an_approved_version_is_not_marked() -> None:
    root = _parse(_export(flow(), "approved"))
    process = root.find("bpmn:process", NS)
    assert process.get("name") == "Cấp giấy phép kinh doanh karaoke"
    assert root.get(SODO_DRAFT) is None and process.get(SODO_DRAFT) == "false"
    assert "NHÁP" not in process.find("bpmn:documentation", NS).text


def test_tasks_document_unit_officers_and_duration() -> None:
    root = _parse(_export(flow()))
    task = root.find(".//bpmn:userTask[@id='Task_s1']", NS)
    text = task.find("bpmn:documentation", NS).text
    assert "Đơn vị: Trung tâm Phục vụ hành chính công" in text
    assert "Nguyễn Văn An, Chuyên viên, điện thoại 0912 345 678, email an.nv@" in text
    assert "Thời gian: 0,5 ngày làm việc" in text
    duration = task.find(".//sodo:duration", NS)
    assert (duration.get("value"), duration.get("unit")) == ("0.5", "working_day")
    assert task.find(".//sodo:step", NS).get("key") == "s1"


def test_decisions_have_a_default_and_python_conditions() -> None:
    root = _parse(_export(flow()))
    gateway = root.find(".//bpmn:exclusiveGateway[@id='Split_s2']", NS)
    assert gateway.get("name") == "Kết quả: Thẩm định hồ sơ"
    assert gateway.get("default") == "Flow_s2_s3"
    refused = root.find(".//bpmn:sequenceFlow[@id='Flow_s2_s5']", NS)
    condition = refused.find("bpmn:conditionExpression", NS).text
    assert condition == "route in (2, 'Không đủ điều kiện')"
    assert root.find(".//bpmn:sequenceFlow[@id='Flow_s2_s3']/bpmn:conditionExpression", NS) is None


def test_several_incoming_transitions_meet_in_a_gateway() -> None:
    doc = load_document((FLOWS_DIR / "bacninh-1_009642_H05-1.json").read_bytes())
    root = _parse(_export(doc))
    join = root.find(".//bpmn:exclusiveGateway[@id='Join_s13']", NS)
    assert len(join.findall("bpmn:incoming", NS)) == 3
    assert [e.get("id") for e in _all(root, ".//bpmn:endEvent")] == ["End_s12", "End_s13"]


def _bounds(plane: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in plane.findall("bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        x, y = float(b.get("x")), float(b.get("y"))
        width, height = float(b.get("width")), float(b.get("height"))
        found[shape.get("bpmnElement")] = (x, y, x + width, y + height)
    return found


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    left, top, right, bottom = inner
    return outer[0] <= left and outer[1] <= top and right <= outer[2] and bottom <= outer[3]


def _assert_drawn(root: Any) -> None:
    """Every flow node in one lane, shapes for all, lanes holding their nodes, edges for all."""
    process = root.find("bpmn:process", NS)
    nodes = [e.get("id") for tag in FLOW_NODES for e in process.findall(f"bpmn:{tag}", NS)]
    refs = [ref.text for ref in process.findall(".//bpmn:lane/bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(nodes)
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    bounds = _bounds(plane)
    assert set(nodes) <= set(bounds)
    participant = bounds[root.find(".//bpmn:participant", NS).get("id")]
    for lane in process.findall(".//bpmn:lane", NS):
        assert _inside(bounds[lane.get("id")], participant)
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert _inside(bounds[ref.text], bounds[lane.get("id")]), ref.text
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    for flow_element in process.findall("bpmn:sequenceFlow", NS):
        assert len(edges[flow_element.get("id")].findall("di:waypoint", NS)) >= 2


@pytest.mark.parametrize("name", CLEAN)
def test_lanes_and_diagram_cover_every_element(name: str) -> None:
    root = _parse(_export(_document(name)))
    _assert_drawn(root)
    tasks = _all(root, ".//bpmn:userTask")
    assert len(tasks) == len(_document(name).steps)


def test_a_tangled_draft_is_drawn_completely() -> None:
    _assert_drawn(_parse(_export(flow(_tangled), "draft")))
