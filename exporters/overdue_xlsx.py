"""The overdue list of the supervision dashboard as a workbook (danh sách hồ sơ quá hạn).

One sheet: a title, then one row per overdue dossier (code, procedure, received, due,
working days overdue, the step, unit and officer holding it, whether an apology slip
(phiếu xin lỗi và hẹn lại ngày trả kết quả) was sent and its new date). A pure function
over plain rows (`workflow_model.supervision.figures.OverdueRow`, named for the type
checker only, so the queries are not loaded): no session, no request, and not one of
the `FORMATS`. Like `control_slip.py`, whose cell and saving helpers (`xlsx_cells`) it shares, every
text cell is a string, never a formula (a name that starts with ``=`` stays text), and
the same rows give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workflow_model.document.durations import language_of

from .control_slip import slip_time
from .xlsx_cells import BOLD, BORDER, HEADER, HEADER_FILL, TITLE, WRAP, put_cell, save_workbook

if TYPE_CHECKING:  # plain frozen rows; the exporter never loads the figures' queries
    from workflow_model.supervision.figures import OverdueRow

__all__ = ["OVERDUE_WORDS", "overdue_filename", "overdue_xlsx"]


OVERDUE_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "sheet": "Hồ sơ quá hạn",
        "title": "DANH SÁCH HỒ SƠ QUÁ HẠN",
        "number": "STT",
        "code": "Mã hồ sơ",
        "procedure": "Thủ tục hành chính",
        "received": "Thời gian tiếp nhận",
        "due": "Thời gian hẹn trả kết quả",
        "days": "Số ngày làm việc quá hạn",
        "step": "Bước đang xử lý",
        "unit": "Đơn vị đang giữ",
        "officer": "Cán bộ đang giữ",
        "apology": "Đã gửi phiếu xin lỗi",
        "apology_due": "Hẹn lại ngày trả",
        "yes": "Có",
        "no": "Không",
        "none": "Không có hồ sơ quá hạn.",
        "count": "Số hồ sơ",
    },
    "en": {
        "sheet": "Overdue dossiers",
        "title": "OVERDUE DOSSIERS",
        "number": "No.",
        "code": "Dossier code",
        "procedure": "Procedure",
        "received": "Received",
        "due": "Result due",
        "days": "Working days overdue",
        "step": "Step in hand",
        "unit": "Unit holding it",
        "officer": "Officer holding it",
        "apology": "Apology slip sent",
        "apology_due": "New return date",
        "yes": "Yes",
        "no": "No",
        "none": "No overdue dossier.",
        "count": "Dossiers",
    },
}
"""The workbook's words, by language."""

_HEADINGS = (
    "number",
    "code",
    "procedure",
    "received",
    "due",
    "days",
    "step",
    "unit",
    "officer",
    "apology",
    "apology_due",
)
_WIDTHS = (6, 18, 36, 17, 17, 12, 26, 28, 26, 12, 17)
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""The file's date when the list is empty (so an empty list gives the same bytes too)."""


def overdue_filename(day: str) -> str:
    """The download's name for the list as of the ISO `day`: ``ho-so-qua-han-2026-03-20.xlsx``.

    >>> overdue_filename("2026-03-20")
    'ho-so-qua-han-2026-03-20.xlsx'
    """
    safe = "".join(ch for ch in day if ch.isdigit() or ch == "-")[:10]
    return f"ho-so-qua-han-{safe}.xlsx"


def _values(row: OverdueRow, words: dict[str, str]) -> list[str]:
    return [
        row.code,
        f"{row.procedure_code} — {row.procedure_name}",
        slip_time(row.received_at),
        slip_time(row.due_at),
        row.step,
        row.unit,
        row.officer,
        words["yes"] if row.apology_sent else words["no"],
        slip_time(row.apology_due),
    ]


def overdue_xlsx(rows: Sequence[OverdueRow], locale: str = "vi") -> bytes:
    """The workbook of the overdue `rows` in `locale` (Vietnamese by default).

    Row 1 is the title, row 2 the count, row 4 the table's headings, then one row per
    dossier in the order given.
    """
    language = language_of(locale)
    words = OVERDUE_WORDS.get(language, OVERDUE_WORDS["vi"])
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = words["sheet"]
    title = put_cell(sheet, 1, 1, words["title"])
    title.font = TITLE
    put_cell(sheet, 2, 1, f"{words['count']}: {len(rows)}")
    header_row = 4
    for column, (key, width) in enumerate(zip(_HEADINGS, _WIDTHS, strict=True), start=1):
        cell = put_cell(sheet, header_row, column, words[key])
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, HEADER
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, start=1):
        line = header_row + number
        # The number and the days overdue are numbers, so a spreadsheet sorts and sums them.
        sheet.cell(row=line, column=1, value=number)
        sheet.cell(row=line, column=6, value=round(row.days_overdue, 1)).number_format = "0.0"
        texts = _values(row, words)
        for column, value in zip((2, 3, 4, 5, 7, 8, 9, 10, 11), texts, strict=True):
            put_cell(sheet, line, column, value)
        for column in range(1, len(_HEADINGS) + 1):
            framed = sheet.cell(row=line, column=column)
            framed.border, framed.alignment = BORDER, WRAP
    if not rows:
        put_cell(sheet, header_row + 1, 1, words["none"])
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{header_row}:{header_row}"
    stamp = max((row.received_at for row in rows), default=_EPOCH)
    return save_workbook(workbook, stamp)
