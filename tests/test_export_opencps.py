"""The OpenCPS import zip: its layout, every XML file valid against OpenCPS's schema.

The schema is OpenCPS's own (`../shared/schemas/opencps/`, beside the project, never
copied into it). Without it the schema tests skip, or fail when `CI` or
`SODO_REQUIRE_SHARED_SCHEMAS` says it must be there.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import missing_part, sample_paths
from flow_samples import flow
from lxml import etree

from exporters import (
    FORMATS,
    ExportItem,
    ExportOptions,
    ExportRefused,
    VersionInfo,
    export,
    file_name,
)
from exporters.opencps import archive_name, process_number
from workflow_model.calendar import CalendarOverride, WorkingCalendar
from workflow_model.document import FlowDocument, load_document

SCHEMA_DIR = Path(__file__).resolve().parents[1].parent / "shared/schemas/opencps"
SCHEMA_FILE = SCHEMA_DIR / "opencps_import_schema.xsd"
TODAY = date(2026, 3, 2)
DAY_OFF = CalendarOverride(date(2026, 3, 13), False, "Nghỉ theo quyết định của UBND tỉnh")
SATURDAY_WORKED = CalendarOverride(date(2027, 6, 5), True, "Làm bù cho thứ Sáu 11/6/2027")
OPTIONS = ExportOptions(calendar=WorkingCalendar(overrides=[DAY_OFF, SATURDAY_WORKED]), today=TODAY)
ROOTS = {
    "processes": "ServiceProcess",
    "services": "ServiceInfo",
    "templates": "DossierTemplate",
}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def item(doc: FlowDocument, number: int = 3) -> ExportItem:
    approved = datetime(2026, 2, 27, 2, 15, tzinfo=UTC)
    return ExportItem(doc, VersionInfo(number, "approved", "Nguyễn Văn An", approved, approved))


def samples() -> list[ExportItem]:
    return [item(load_document(path.read_bytes())) for path in sample_paths()]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    required = "SODO_REQUIRE_SHARED_SCHEMAS"
    if not SCHEMA_FILE.is_file():
        if os.environ.get("CI", "") not in ("", "0"):
            pytest.fail(f"{SCHEMA_FILE} is missing, but CI requires it")
        missing_part(required, f"the OpenCPS schema {SCHEMA_FILE} is missing")
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), PARSER))


def unzip(content: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = archive.infolist()
        return infos, {info.filename: archive.read(info) for info in infos if not info.is_dir()}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def check_archive(
    items: Sequence[ExportItem], content: bytes, schema: etree.XMLSchema
) -> dict[str, bytes]:
    """The archive's layout and schema validity; its files by path below the top folder."""
    infos, files = unzip(content)
    top = archive_name(items).removesuffix(".zip")
    names = [info.filename for info in infos]
    assert all(name.startswith(f"{top}/") for name in names)
    kinds = [info.is_dir() for info in infos]
    assert kinds == sorted(kinds, reverse=True), "folder entries come first"
    folders = [name for name, folder in zip(names, kinds, strict=True) if folder]
    assert folders == [f"{top}/", f"{top}/processes/", f"{top}/services/", f"{top}/templates/"]
    assert names[len(folders) :] == sorted(files)

    inner = {name.removeprefix(f"{top}/"): data for name, data in files.items()}
    numbers = [process_number(one) for one in items]
    codes = {one.code for one in items}
    assert set(inner) == (
        {"Holiday.xml", "WorkingTime.xml"}
        | {f"processes/{number}.xml" for number in numbers}
        | {f"templates/{number}.xml" for number in numbers}
        | {f"services/{code}.xml" for code in codes}
    )
    for path, data in inner.items():
        document = parse(data)
        folder = path.split("/")[0]
        expected = ROOTS.get(folder) or path.removesuffix(".xml") + "List"
        assert document.tag == expected, path
        assert schema.validate(document), f"{path}: {schema.error_log}"
    return inner


@pytest.mark.parametrize("path", sample_paths(), ids=lambda path: path.stem)
def test_each_demo_flow_exports_a_valid_archive(path: Path, schema: etree.XMLSchema) -> None:
    one = item(load_document(path.read_bytes()))
    content = export("opencps", [one], OPTIONS)
    inner = check_archive([one], content, schema)

    number = process_number(one)
    process = parse(inner[f"processes/{number}.xml"])
    doc = one.document
    assert process.findtext("processNo") == number
    codes = [step.findtext("stepCode") for step in process.iter("ProcessStep")]
    assert sorted(codes) == sorted(step.key for step in doc.steps)
    actions = process.findall("actions/ProcessAction")
    assert [(a.findtext("preStepCode"), a.findtext("postStepCode")) for a in actions] == [
        (t.source, t.target) for t in doc.transitions
    ]
    assert all(a.findtext("actionName") for a in actions)
    for action, transition in zip(actions, doc.transitions, strict=True):
        if transition.label:
            assert action.findtext("actionName") == transition.label[:255]

    service = parse(inner[f"services/{one.code}.xml"])
    (option,) = service.findall("configs/ServiceConfig/processes/ProcessOption")
    assert option.findtext("processNo") == number
    assert option.findtext("templateNo") == number
    template = parse(inner[f"templates/{number}.xml"])
    assert template.findtext("templateNo") == number
    parts = [part.findtext("partNo") for part in template.iter("DossierPart")]
    for component in doc.procedure.dossier_components:
        assert component.key in parts


def test_all_demo_flows_in_one_archive(schema: etree.XMLSchema) -> None:
    items = samples()
    content = export("opencps", items, OPTIONS)
    assert archive_name(items) == "sodo-catalogue.zip"
    inner = check_archive(items, content, schema)
    # Two cases of 1.009646.H05: one service, two options, two processes.
    service = parse(inner["services/1.009646.H05.xml"])
    options = service.findall("configs/ServiceConfig/processes/ProcessOption")
    assert [o.findtext("processNo") for o in options] == ["1.009646.H05-2.1", "1.009646.H05-2.2"]
    assert [o.findtext("seqOrder") for o in options] == ["1", "2"]


def test_export_is_byte_identical() -> None:
    items = samples()
    assert export("opencps", items, OPTIONS) == export("opencps", items, OPTIONS)
    infos, _ = unzip(export("opencps", items[:1], OPTIONS))
    assert {info.date_time for info in infos} == {(2026, 2, 27, 2, 15, 0)}


def test_one_version_is_named_like_its_file() -> None:
    one = samples()[4]
    fmt = FORMATS["opencps"]
    assert archive_name([one]) == file_name(one, fmt) == "1.009646.H05-2.2-v3.zip"
    infos, _ = unzip(export("opencps", [one], OPTIONS))
    assert infos[0].filename == "1.009646.H05-2.2-v3/"


def test_steps_durations_and_statuses() -> None:
    one = item(flow())
    _, files = unzip(export("opencps", [one], OPTIONS))
    process = parse(files[f"1.000894-v3/processes/{process_number(one)}.xml"])
    assert process.findtext("durationUnit") == "0"
    assert process.findtext("durationCount") == "4"
    steps = {
        step.findtext("stepCode"): (
            step.findtext("durationCount"),
            step.findtext("dossierStatus"),
            step.findtext("sequenceNo"),
        )
        for step in process.iter("ProcessStep")
    }
    # s3 lasts 8 working hours: one working day in a process counted in days.
    assert steps == {
        "s1": ("0.5", "receiving", "1"),
        "s2": ("2", "processing", "2"),
        "s3": ("1", "processing", "2"),
        "s4": ("0.5", "done", "1"),
        "s5": ("0", "denied", "1"),
    }
    sequences = [
        (s.findtext("sequenceName"), s.findtext("durationCount"))
        for s in process.iter("ProcessSequence")
    ]
    assert sequences == [
        ("Trung tâm Phục vụ hành chính công", "1"),
        ("Sở Văn hóa, Thể thao và Du lịch", "3"),
    ]
    names = [a.findtext("actionName") for a in process.iter("ProcessAction")]
    assert names == ["Thẩm định hồ sơ", "Đủ điều kiện", "Không đủ điều kiện", "Trả kết quả"]


def test_a_process_in_hours() -> None:
    def hours(data: dict) -> None:
        data["procedure"]["legal_time"] = {"value": 32, "unit": "working_hour"}

    one = item(flow(hours))
    _, files = unzip(export("opencps", [one], OPTIONS))
    process = parse(files[f"1.000894-v3/processes/{process_number(one)}.xml"])
    assert process.findtext("durationUnit") == "1"
    assert process.findtext("durationCount") == "32"
    durations = [step.findtext("durationCount") for step in process.iter("ProcessStep")]
    assert durations == ["4", "16", "8", "4", "0"]


def test_holidays_include_overrides_and_tet_of_both_years(schema: etree.XMLSchema) -> None:
    _, files = unzip(export("opencps", samples()[:1], OPTIONS))
    (holiday_file,) = (data for name, data in files.items() if name.endswith("/Holiday.xml"))
    document = parse(holiday_file)
    assert schema.validate(document), schema.error_log
    holidays = {
        h.findtext("holidayDate"): (h.findtext("description"), h.findtext("holidayType"))
        for h in document.iter("Holiday")
    }
    assert holidays["13/03/2026"] == (DAY_OFF.description, "0")
    assert holidays["05/06/2027"] == (SATURDAY_WORKED.description, "1")
    assert holidays["22/08/2026"][1] == "1"  # Saturday worked by government decision
    assert holidays["17/02/2026"] == ("Tết Nguyên Đán", "0")
    for year in (2026, 2027):
        tet = [d for d, (text, _) in holidays.items() if d.endswith(str(year)) and "Tết" in text]
        assert len(tet) >= 4, year
    assert all(date_.endswith(("2026", "2027")) for date_ in holidays)
    assert "14/03/2026" not in holidays  # an ordinary Saturday is no holiday


def test_working_time_follows_the_office_sessions() -> None:
    _, files = unzip(export("opencps", samples()[:1], OPTIONS))
    (data,) = (data for name, data in files.items() if name.endswith("/WorkingTime.xml"))
    times = [
        (w.findtext("workTimeDay"), w.findtext("workTimeHours"))
        for w in parse(data).iter("WorkingTime")
    ]
    assert times == [(str(day), "07:30-11:30,13:30-17:30") for day in range(2, 7)]


def test_awkward_texts_stay_valid(schema: etree.XMLSchema) -> None:
    odd = "=1+2 <b>&amp;</b> \"quoted\" 'single' 🙂 Ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ ứ ừ ử ữ ự đ Đ\x07"

    def change(data: dict) -> None:
        data["procedure"]["name"] = odd + " " + "dài " * 200  # within the 1,000 characters
        data["steps"][1]["description"] = odd
        data["transitions"][0]["label"] = odd
        data["procedure"]["dossier_components"][0]["name"] = "x" * 300

    one = item(flow(change))
    _, files = unzip(export("opencps", [one], OPTIONS))
    for name, data in files.items():
        assert schema.validate(parse(data)), f"{name}: {schema.error_log}"
    process = parse(files[f"1.000894-v3/processes/{process_number(one)}.xml"])
    (action, *_) = process.iter("ProcessAction")
    assert action.findtext("actionName") == odd.replace("\x07", "")
    name = process.findtext("processName")
    assert len(name) <= 255
    assert name.startswith(odd.replace("\x07", ""))
    assert name.endswith("…")


def test_duplicate_process_numbers_are_refused() -> None:
    doc = flow()
    with pytest.raises(ExportRefused) as error:
        export("opencps", [item(doc, 1), item(doc, 2)], OPTIONS)
    assert error.value.code == "duplicate"


def test_drafts_are_refused() -> None:
    draft = ExportItem(flow(), VersionInfo(1, "draft"))
    with pytest.raises(ExportRefused) as error:
        export("opencps", [draft], ExportOptions(allow_draft=True))
    assert error.value.code == "not-approved"
