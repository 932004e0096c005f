"""The periodic report as a workbook (báo cáo tình hình, kết quả giải quyết TTHC).

After the form annexed to Circular 01/2020/TT-VPCP: a title with the period and the
unit, two header rows (number, name, procedure code, then the figures under merged
group headings: received: carried over, new online, new direct or by post; resolved:
early, on time, late; withdrawn or refused; in progress: within time, overdue; each
group with its total), then the fields (I, II, …)
with their agencies (1, 2, …) and procedures (1.1, 1.2, …), each field and agency with
its subtotal, and a grand total. A4 landscape, fitted to the page width.

A pure function over a `PeriodicReport` (`workflow_model.supervision.report`): no
session, no request. Numbers are numbers; every text cell is a string, never a formula
(a name starting with ``=`` stays text, as in `control_slip`), and the same report
gives the same bytes. `REPORT_WORDS` is the one table of the report's headings, which
the admin page shows too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow_model.document.durations import language_of
from workflow_model.supervision.report import Counts, PeriodicReport

from .control_slip import slip_time
from .xlsx_cells import (
    BOLD,
    BORDER,
    CENTER,
    HEADER,
    HEADER_FILL,
    TITLE,
    WRAP,
    fit_to_a4,
    put_cell,
    save_workbook,
)

__all__ = [
    "COLUMNS",
    "GROUPS",
    "REPORT_WORDS",
    "periodic_report_xlsx",
    "report_filename",
    "roman",
]

REPORT_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "sheet": "Báo cáo",
        "title": "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "period": "Kỳ báo cáo: từ ngày {first} đến ngày {last}",
        "unit": "Đơn vị: {unit}",
        "everything": "Toàn tỉnh",
        "as_of": "Số liệu tính đến {moment}",
        "number": "STT",
        "name": "Lĩnh vực, cơ quan, thủ tục hành chính",
        "code": "Mã thủ tục",
        "received": "Số hồ sơ tiếp nhận",
        "resolved": "Số hồ sơ đã giải quyết",
        "withdrawn_refused": "Số hồ sơ rút, từ chối",
        "in_progress": "Số hồ sơ đang giải quyết",
        "total": "Tổng số",
        "carried_over": "Kỳ trước chuyển qua",
        "new_online": "Mới tiếp nhận trực tuyến",
        "new_direct": "Mới tiếp nhận trực tiếp, bưu chính",
        "early": "Trước hạn",
        "on_time": "Đúng hạn",
        "late": "Quá hạn",
        "within_time": "Trong hạn",
        "overdue": "Quá hạn",
        "grand_total": "Tổng cộng",
        "no_field": "Chưa xác định lĩnh vực",
        "no_agency": "Chưa xác định cơ quan thực hiện",
        "empty": "Không có hồ sơ nào trong kỳ báo cáo.",
        "note": (
            "Đang giải quyết: hồ sơ tiếp nhận trước khi hết kỳ, chưa giải quyết xong và chưa "
            "rút, từ chối khi hết kỳ; quá hạn khi hạn giải quyết đã qua. Tổng số tiếp nhận = "
            "đã giải quyết + rút, từ chối + đang giải quyết."
        ),
    },
    "en": {
        "sheet": "Report",
        "title": "REPORT ON THE HANDLING OF ADMINISTRATIVE PROCEDURES",
        "period": "Period: from {first} to {last}",
        "unit": "Unit: {unit}",
        "everything": "The whole province",
        "as_of": "Figures as of {moment}",
        "number": "No.",
        "name": "Field, agency, procedure",
        "code": "Procedure code",
        "received": "Dossiers received",
        "resolved": "Dossiers resolved",
        "withdrawn_refused": "Withdrawn or refused",
        "in_progress": "Dossiers in progress",
        "total": "Total",
        "carried_over": "Carried over",
        "new_online": "New online",
        "new_direct": "New at the counter or by post",
        "early": "Early",
        "on_time": "On time",
        "late": "Late",
        "within_time": "Within time",
        "overdue": "Overdue",
        "grand_total": "Total",
        "no_field": "No field given",
        "no_agency": "No agency given",
        "empty": "No dossier in the period.",
        "note": (
            "In progress: received before the period's end, neither resolved nor withdrawn or "
            "refused by then; overdue when its due date had passed. Received = resolved + "
            "withdrawn or refused + in progress."
        ),
    },
}
"""The report's headings and lines, by language."""

_Figure = Callable[[Counts], int]

GROUPS: tuple[tuple[str, tuple[tuple[str, _Figure], ...]], ...] = (
    (
        "received",
        (
            ("total", lambda c: c.received),
            ("carried_over", lambda c: c.carried_over),
            ("new_online", lambda c: c.new_online),
            ("new_direct", lambda c: c.new_direct),
        ),
    ),
    (
        "resolved",
        (
            ("total", lambda c: c.resolved),
            ("early", lambda c: c.early),
            ("on_time", lambda c: c.on_time),
            ("late", lambda c: c.late),
        ),
    ),
    ("withdrawn_refused", (("withdrawn_refused", lambda c: c.withdrawn_refused),)),
    (
        "in_progress",
        (
            ("total", lambda c: c.in_progress),
            ("within_time", lambda c: c.within_time),
            ("overdue", lambda c: c.overdue),
        ),
    ),
)
"""The figure columns: each group's heading key and its (heading key, figure) columns."""

COLUMNS: tuple[_Figure, ...] = tuple(figure for _, columns in GROUPS for _, figure in columns)
"""The figure of each number column, left to right."""

_FIRST_FIGURE = 4
_WIDTHS = (7, 46, 12)
_FIGURE_WIDTH = 11
_ITALICBOLD = Font(bold=True, italic=True)
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """`number` (from 1) in Roman numerals, as the form numbers its fields.

    >>> roman(4), roman(14), roman(39)
    ('IV', 'XIV', 'XXXIX')
    """
    found = ""
    for value, letters in _ROMAN:
        while number >= value:
            found += letters
            number -= value
    return found


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def report_filename(report: PeriodicReport) -> str:
    """A file name for `report`: ``bao-cao-tthc-2026-04-01-2026-06-30.xlsx``."""
    return f"bao-cao-tthc-{report.period.first.isoformat()}-{report.period.last.isoformat()}.xlsx"


def _line(sheet: Worksheet, row: int, text: str, last: int, font: Font | None = None) -> None:
    cell = put_cell(sheet, row, 1, text)
    cell.alignment = HEADER if font is not None else Alignment(wrap_text=True)
    if font is not None:
        cell.font = font
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)


def _headings(sheet: Worksheet, row: int, words: dict[str, str]) -> None:
    """Two heading rows: the groups merged across their columns, then each column."""
    for column, key in ((1, "number"), (2, "name"), (3, "code")):
        put_cell(sheet, row, column, words[key])
        sheet.merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column)
    column = _FIRST_FIGURE
    for group, columns in GROUPS:
        put_cell(sheet, row, column, words[group])
        if len(columns) == 1:
            sheet.merge_cells(
                start_row=row, start_column=column, end_row=row + 1, end_column=column
            )
        else:
            right = column + len(columns) - 1
            sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=right)
            for offset, (key, _) in enumerate(columns):
                put_cell(sheet, row + 1, column + offset, words[key])
        column += len(columns)
    for heading_row in (row, row + 1):
        for number in range(1, column):
            cell = sheet.cell(row=heading_row, column=number)
            cell.font, cell.fill, cell.border, cell.alignment = (
                BOLD,
                HEADER_FILL,
                BORDER,
                HEADER,
            )
        sheet.row_dimensions[heading_row].height = 45


def _figures(
    sheet: Worksheet,
    row: int,
    texts: tuple[str, str, str],
    counts: Counts,
    font: Font | None,
) -> None:
    for column, text in enumerate(texts, start=1):
        cell = put_cell(sheet, row, column, text)
        cell.border = BORDER
        cell.alignment = WRAP if column == 2 else CENTER
        if font is not None:
            cell.font = font
    for offset, figure in enumerate(COLUMNS):
        cell = sheet.cell(row=row, column=_FIRST_FIGURE + offset, value=figure(counts))
        cell.border = BORDER
        cell.alignment = CENTER
        cell.number_format = "#,##0"
        if font is not None:
            cell.font = font


def periodic_report_xlsx(report: PeriodicReport, locale: str = "vi") -> bytes:
    """The workbook of `report` in `locale` (Vietnamese by default): one A4 landscape sheet.

    Rows 1 to 4 are the title, the period, the unit and the moment of the figures; the
    two heading rows follow, then the table; its last row is the grand total.
    """
    language = language_of(locale)
    words = REPORT_WORDS.get(language, REPORT_WORDS["vi"])
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = words["sheet"]
    last = _FIRST_FIGURE + len(COLUMNS) - 1
    period = report.period
    _line(sheet, 1, words["title"], last, TITLE)
    _line(sheet, 2, words["period"].format(first=_day(period.first), last=_day(period.last)), last)
    _line(sheet, 3, words["unit"].format(unit=report.unit_name or words["everything"]), last)
    _line(sheet, 4, words["as_of"].format(moment=slip_time(report.as_of)), last)
    header_row = 6
    _headings(sheet, header_row, words)
    row = header_row + 1
    for field_number, field in enumerate(report.fields, start=1):
        row += 1
        name = field.name or words["no_field"]
        _figures(sheet, row, (roman(field_number), name, ""), field.counts, BOLD)
        for agency_number, agency in enumerate(field.agencies, start=1):
            row += 1
            name = agency.name or words["no_agency"]
            _figures(sheet, row, (str(agency_number), name, ""), agency.counts, _ITALICBOLD)
            for line_number, line in enumerate(agency.lines, start=1):
                row += 1
                number = f"{agency_number}.{line_number}"
                _figures(sheet, row, (number, line.name, line.code), line.counts, None)
    if not report.fields:
        row += 1
        _line(sheet, row, words["empty"], last)
    row += 1
    _figures(sheet, row, ("", words["grand_total"], ""), report.total, BOLD)
    row += 2
    _line(sheet, row, words["note"], last)
    sheet.row_dimensions[row].height = 36
    for column, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in range(_FIRST_FIGURE, last + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _FIGURE_WIDTH
    _page_setup(sheet, header_row)
    return save_workbook(workbook, report.as_of)


def _page_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, fitted to the page width, the two heading rows on every page."""
    fit_to_a4(sheet, "landscape", (header_row, header_row + 1), 0.4)
    sheet.freeze_panes = f"{get_column_letter(_FIRST_FIGURE)}{header_row + 2}"
