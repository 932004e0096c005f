"""The overdue list's workbook as a pure function: rows in, bytes out, no database.

Vietnamese survives, a name that starts like a formula stays text, numbers are numbers,
the same rows give the same bytes, English headings on request, an empty list says so.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl

from exporters.overdue_xlsx import overdue_filename, overdue_xlsx
from workflow_model.supervision.figures import OverdueRow

FORMULA = '=HYPERLINK("http://x.example","Bấm")'


def row(code: str, **changes: object) -> OverdueRow:
    values: dict[str, object] = {
        "dossier_id": 1,
        "code": code,
        "procedure_code": "1.000894",
        "procedure_name": "Cấp giấy phép tổ chức lễ hội",
        "received_at": datetime(2026, 3, 9, 1, tzinfo=UTC),
        "due_at": datetime(2026, 3, 13, 10, tzinfo=UTC),
        "days_overdue": 4.25,
        "step": "Thẩm định hồ sơ",
        "unit": "Phòng Quản lý văn hóa",
        "officer": "Trần Thị Bình",
        "apology_sent": False,
        "apology_due": None,
        **changes,
    }
    return OverdueRow(**values)  # type: ignore[arg-type]


def sheet_of(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return sheet


def test_each_row_is_a_line_with_vietnamese_intact_and_formulas_as_text() -> None:
    rows = [
        row("H-002"),
        row("H-003", unit=FORMULA, officer="@SUM(A1)", apology_sent=True,
            apology_due=datetime(2026, 3, 20, 1, tzinfo=UTC)),
    ]  # fmt: skip
    sheet = sheet_of(overdue_xlsx(rows, "vi"))
    assert sheet.title == "Hồ sơ quá hạn"
    assert sheet["A1"].value == "DANH SÁCH HỒ SƠ QUÁ HẠN" and sheet["A2"].value == "Số hồ sơ: 2"
    assert sheet["A4"].value == "STT" and sheet["F4"].value == "Số ngày làm việc quá hạn"
    lines = list(sheet.iter_rows(min_row=5, values_only=True))
    assert lines[0] == (1, "H-002", "1.000894 — Cấp giấy phép tổ chức lễ hội", "08:00 09/03/2026",
                        "17:00 13/03/2026", 4.2, "Thẩm định hồ sơ", "Phòng Quản lý văn hóa",
                        "Trần Thị Bình", "Không", None)  # fmt: skip
    assert lines[1][9:] == ("Có", "08:00 20/03/2026")
    for cell in (sheet["H6"], sheet["I6"]):
        assert cell.data_type == "s" and cell.value in (FORMULA, "@SUM(A1)")
        assert cell.quotePrefix


def test_the_same_rows_give_the_same_bytes_and_english_on_request() -> None:
    rows = [row("H-002")]
    assert overdue_xlsx(rows, "vi") == overdue_xlsx(rows, "vi")
    english = sheet_of(overdue_xlsx(rows, "en"))
    assert english["A1"].value == "OVERDUE DOSSIERS" and english["J5"].value == "No"
    empty = sheet_of(overdue_xlsx([], "vi"))
    assert empty["A5"].value == "Không có hồ sơ quá hạn." and empty["A2"].value == "Số hồ sơ: 0"


def test_the_file_name_keeps_only_the_day() -> None:
    assert overdue_filename("2026-03-20") == "ho-so-qua-han-2026-03-20.xlsx"
    assert overdue_filename('2026-03-20"; x=<b>') == "ho-so-qua-han-2026-03-20.xlsx"
