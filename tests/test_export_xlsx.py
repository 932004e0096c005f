"""The workbook of internal-process tables, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from conftest import sample_paths
from flow_samples import flow, step
from openpyxl.worksheet.worksheet import Worksheet

from exporters import ExportItem, ExportOptions, VersionInfo, export
from exporters.xlsx import (
    CATALOGUE_HEADER_ROW,
    CATALOGUE_HEADERS,
    CATALOGUE_SHEET,
    LEGAL_LABEL,
    PROCESS_HEADER_ROW,
    PROCESS_HEADERS,
    TOTAL_LABEL,
    flow_order,
)
from workflow_model.document import FlowDocument, load_document

APPROVED = datetime(2026, 2, 27, 20, 15, tzinfo=UTC)  # 28/02/2026 in Vietnam
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # sắc, huyền, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
# Every Vietnamese vowel with every tone, in both cases, and đ Đ (NFC, as typed).
DIACRITICS = (
    " ".join(
        unicodedata.normalize("NFC", vowel + tone)
        for vowel in VOWELS + VOWELS.upper()
        for tone in TONES
    )
    + " đ Đ Ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ ứ ừ ử ữ ự ý ỳ ỷ ỹ ỵ"
)
AWKWARD = f"<b>Tom & \"Jerry\"</b> 'o' 🙂🇻🇳 {DIACRITICS}"
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def item(doc: FlowDocument, number: int = 3) -> ExportItem:
    return ExportItem(doc, VersionInfo(number, "approved", "Trần Thị Bình", APPROVED, APPROVED))


def samples() -> list[ExportItem]:
    return [item(load_document(path.read_bytes())) for path in sample_paths()]


def workbook(items: list[ExportItem]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(export("xlsx", items, ExportOptions())))


def table(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The rows of the process table below the header, the total rows included."""
    return [
        tuple(row)
        for row in sheet.iter_rows(min_row=PROCESS_HEADER_ROW + 1, max_col=4, values_only=True)
    ]


def catalogue_rows(book: openpyxl.Workbook) -> list[tuple[Any, ...]]:
    sheet = book[CATALOGUE_SHEET]
    return list(sheet.iter_rows(min_row=CATALOGUE_HEADER_ROW + 1, values_only=True))


def test_catalogue_lists_every_procedure() -> None:
    items = samples()
    book = workbook(items)
    assert book.sheetnames[0] == CATALOGUE_SHEET
    assert len(book.sheetnames) == len(items) + 1
    sheet = book[CATALOGUE_SHEET]
    header = next(sheet.iter_rows(min_row=CATALOGUE_HEADER_ROW, max_row=CATALOGUE_HEADER_ROW))
    assert tuple(cell.value for cell in header) == CATALOGUE_HEADERS
    assert all(cell.font.b for cell in header)
    rows = catalogue_rows(book)
    assert len(rows) == len(items)
    for number, (row, one) in enumerate(zip(rows, items, strict=True), start=1):
        procedure = one.document.procedure
        stt, code, name, case, level, field, legal, version, approved, sheet_name = row
        assert (stt, code, name, field, version) == (
            number,
            procedure.code,
            procedure.name,
            procedure.field,
            3,
        )
        assert case == (f"{procedure.case.key}. {procedure.case.name}" if procedure.case else None)
        assert level in ("Cấp tỉnh", "Cấp xã")
        assert legal.endswith(("ngày làm việc", "giờ làm việc"))
        assert approved == datetime(2026, 2, 28)
        assert sheet_name in book.sheetnames
        link = sheet.cell(row=CATALOGUE_HEADER_ROW + number, column=len(CATALOGUE_HEADERS))
        assert link.hyperlink.location == f"'{sheet_name}'!A1"
    by_code = {row[1]: row for row in rows}
    assert by_code["1.009642.H05"][6] == "17 ngày làm việc"
    assert by_code["1.012994"][6] == "168 giờ làm việc"
    assert sheet.cell(row=CATALOGUE_HEADER_ROW + 1, column=9).number_format == "DD/MM/YYYY"
    assert [row[9] for row in rows if row[1] == "1.009646.H05"] == [
        "1.009646.H05-2.1",
        "1.009646.H05-2.2",
    ]


def test_each_sheet_has_the_steps_in_flow_order() -> None:
    items = samples()
    book = workbook(items)
    for one, sheet_name in zip(items, book.sheetnames[1:], strict=True):
        sheet = book[sheet_name]
        doc = one.document
        assert sheet["A1"].value == doc.procedure.name
        header = [cell.value for cell in sheet[PROCESS_HEADER_ROW]]
        assert tuple(header) == PROCESS_HEADERS
        rows = table(sheet)
        steps, totals = rows[: len(doc.steps)], rows[len(doc.steps) :]
        assert [row[0] for row in steps] == list(range(1, len(doc.steps) + 1))
        names = [row[1].split("\n")[0] for row in steps]
        assert sorted(names) == sorted(s.name for s in doc.steps)
        position = {s.key: names.index(s.name) for s in doc.steps}
        for transition in doc.transitions:
            assert position[transition.source] < position[transition.target], transition
        assert [row[0] for row in totals] == [TOTAL_LABEL, LEGAL_LABEL]
        assert all(re.fullmatch(r"\d+(,\d+)? (ngày|giờ) làm việc", row[3]) for row in rows)


def test_demo_table_contents() -> None:
    one = item(load_document(sample_paths()[4].read_bytes()))  # 1.009646.H05, case 2.2
    sheet = workbook([one])["1.009646.H05-2.2"]
    assert sheet["A3"].value.startswith("Trường hợp 2.2: Điều chỉnh dự án đầu tư theo bản án")
    rows = table(sheet)
    first = rows[0]
    assert first[0] == 1
    assert first[1].startswith("Tiếp nhận")
    assert first[2].startswith("Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh\n")
    assert "– ĐT: 0222" in first[2]
    assert first[3] == "0,5 ngày làm việc"
    assert rows[-2] == (TOTAL_LABEL, None, None, "12 ngày làm việc")
    assert rows[-1] == (LEGAL_LABEL, None, None, "12 ngày làm việc")


def test_units_officers_durations_and_total() -> None:
    def change(data: dict) -> None:
        step(data, "s2")["duration"] = {"value": 2.25, "unit": "working_day"}
        step(data, "s2")["description"] = "Kiểm tra tính hợp lệ"
        step(data, "s3")["officers"] = ["o3", "o2"]

    sheet = workbook([item(flow(change))])["1.000894"]
    assert table(sheet) == [
        (
            1,
            "Tiếp nhận hồ sơ",
            "Trung tâm Phục vụ hành chính công\nNguyễn Văn An (Chuyên viên) – ĐT: 0912 345 678",
            "0,5 ngày làm việc",
        ),
        (
            2,
            "Thẩm định hồ sơ\nKiểm tra tính hợp lệ\n"
            "– Đủ điều kiện → Bước 3\n– Không đủ điều kiện → Bước 5",
            "Phòng Quản lý văn hóa, Sở Văn hóa, Thể thao và Du lịch\n"
            "Trần Thị Bình (Chuyên viên) – ĐT: 0222.3810.111",
            "2,25 ngày làm việc",
        ),
        (
            3,
            "Lãnh đạo Sở ký",
            "Sở Văn hóa, Thể thao và Du lịch\n"
            "Lê Văn Cường (Phó Giám đốc Sở) – ĐT: +84 222 3810 222\n"
            "Trần Thị Bình (Chuyên viên) – ĐT: 0222.3810.111",
            "8 giờ làm việc",
        ),
        (
            4,
            "Trả kết quả",
            "Trung tâm Phục vụ hành chính công\nNguyễn Văn An (Chuyên viên) – ĐT: 0912 345 678",
            "0,5 ngày làm việc",
        ),
        (
            5,
            "Trả lại hồ sơ",
            "Trung tâm Phục vụ hành chính công\nNguyễn Văn An (Chuyên viên) – ĐT: 0912 345 678",
            "0 ngày làm việc",
        ),
        (TOTAL_LABEL, None, None, "4,25 ngày làm việc"),
        (LEGAL_LABEL, None, None, "4 ngày làm việc"),
    ]
    assert sheet["B5"].alignment.wrap_text
    assert sheet["A4"].font.b
    assert sheet["A4"].border.bottom.style == "thin"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_parallel_and_alternative_steps_keep_document_order() -> None:
    def reorder(data: dict) -> None:
        keys = ["s4", "s5", "s3", "s2", "s1"]
        data["steps"] = [step(data, key) for key in keys]

    assert [s.key for s in flow_order(flow(reorder))] == ["s1", "s2", "s5", "s3", "s4"]

    def loop(data: dict) -> None:
        reorder(data)
        data["transitions"].append({"from": "s3", "to": "s2", "label": "Bổ sung"})

    # A loop is entered where the flow enters it, whatever the document order.
    assert [s.key for s in flow_order(flow(loop))] == ["s1", "s2", "s3", "s4", "s5"]
    sheet = workbook([item(flow(loop))])["1.000894"]
    assert [row[1].split("\n")[0] for row in table(sheet)[:5]] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định hồ sơ",
        "Lãnh đạo Sở ký",
        "Trả kết quả",
        "Trả lại hồ sơ",
    ]


def test_a_process_in_hours_totals_in_days() -> None:
    def hours(data: dict) -> None:
        data["procedure"]["legal_time"] = {"value": 36, "unit": "working_hour"}
        for entry in data["steps"]:
            duration = entry["duration"]
            factor = 8 if duration["unit"] == "working_day" else 1
            entry["duration"] = {"value": duration["value"] * factor, "unit": "working_hour"}

    rows = table(workbook([item(flow(hours))])["1.000894"])
    assert [row[3] for row in rows] == [
        "4 giờ làm việc",
        "16 giờ làm việc",
        "8 giờ làm việc",
        "4 giờ làm việc",
        "0 giờ làm việc",
        "4 ngày làm việc",
        "36 giờ làm việc",
    ]


def test_print_setup() -> None:
    book = workbook(samples()[:2])
    for sheet in book.worksheets:
        header_row = CATALOGUE_HEADER_ROW if sheet.title == CATALOGUE_SHEET else PROCESS_HEADER_ROW
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(sheet.page_setup.fitToWidth) == 1
        assert int(sheet.page_setup.fitToHeight) == 0
        assert sheet.print_title_rows == f"${header_row}:${header_row}"


def test_awkward_texts_round_trip_as_strings() -> None:
    texts = {
        "name": '=HYPERLINK("http://evil.example","Bấm") ' + AWKWARD,
        "s1": "+cmd|' /C calc'!A0 " + DIACRITICS,
        "s2": "-2+3 " + AWKWARD,
        "s3": "@SUM(1,2)",
        "description": "=1+1",
    }

    def change(data: dict) -> None:
        data["procedure"]["name"] = texts["name"]
        data["procedure"]["field"] = "=A1"
        step(data, "s1")["name"] = texts["s1"]
        step(data, "s2")["name"] = texts["s2"]
        step(data, "s3")["name"] = texts["s3"]
        step(data, "s4")["description"] = texts["description"]
        data["officers"][0]["phone"] = "=0912 345 678"

    content = export("xlsx", [item(flow(change))], ExportOptions())
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["1.000894"]
    assert sheet["A1"].value == texts["name"]
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].quotePrefix
    rows = table(sheet)
    assert [row[1].split("\n")[0] for row in rows[:3]] == [texts["s1"], texts["s2"], texts["s3"]]
    assert rows[3][1] == "Trả kết quả\n=1+1"
    assert rows[0][2].endswith("– ĐT: =0912 345 678")
    catalogue = book[CATALOGUE_SHEET]
    row = CATALOGUE_HEADER_ROW + 1
    assert catalogue.cell(row=row, column=3).value == texts["name"]
    assert catalogue.cell(row=row, column=6).value == "=A1"
    for cell in (*sheet["A"], *sheet["B"], *catalogue[row]):
        if isinstance(cell.value, str):
            assert cell.data_type == "s", cell.coordinate
    # No formula anywhere in the file.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_sheet_names_are_valid_and_unique() -> None:
    def code(value: str) -> FlowDocument:
        # The loader and the forms refuse such codes now, but rows stored before that
        # rule still reach the exporter, which must give Excel a valid name anyway.
        doc = flow()
        return dataclasses.replace(doc, procedure=dataclasses.replace(doc.procedure, code=value))

    long_code = "1.000894.H05/" + "x" * 40
    items = [
        item(code("a[b]:c*d?e/f\\g")),
        item(code(long_code)),
        item(code(long_code), 4),
        item(code("ABC")),
        item(code("abc")),
        item(code("Danh mục")),
        item(code("'quoted'")),
    ]
    names = workbook(items).sheetnames[1:]
    assert len(names) == len(items)
    assert len({name.casefold() for name in [CATALOGUE_SHEET, *names]}) == len(items) + 1
    for name in names:
        assert 0 < len(name) <= 31
        assert not FORBIDDEN_IN_SHEET_NAMES.search(name)
        assert not name.startswith("'") and not name.endswith("'")
    assert names[0] == "a_b__c_d_e_f_g"
    assert names[1] == long_code.replace("/", "_")[:31]
    assert names[2].endswith(" (2)") and len(names[2]) == 31
    assert names[3:6] == ["ABC", "abc (2)", "Danh mục (2)"]


def test_export_is_byte_identical_and_dated_by_approval() -> None:
    items = samples()
    first = export("xlsx", items, ExportOptions())
    assert first == export("xlsx", items, ExportOptions())
    properties = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert properties.created == properties.modified == datetime(2026, 2, 27, 20, 15)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 2, 27, 20, 15, 0)}


@pytest.mark.parametrize("approved", [None, datetime(2025, 1, 1, 10, tzinfo=UTC)])
def test_versions_without_or_with_other_approval_times(approved: datetime | None) -> None:
    one = ExportItem(flow(), VersionInfo(1, "approved", None, approved))
    content = export("xlsx", [one], ExportOptions())
    assert content == export("xlsx", [one], ExportOptions())
    rows = catalogue_rows(openpyxl.load_workbook(io.BytesIO(content)))
    assert rows[0][8] == (datetime(2025, 1, 1) if approved else None)
