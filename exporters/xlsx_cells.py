"""The cells, styles and saving the supervision workbooks share (one definition).

`put_cell` writes text that stays text: a value starting like a formula (``=``, ``+``,
``-``, ``@``) is stored as a string with Excel's quote prefix, never run, and the
control characters a workbook cannot hold are dropped. `save_workbook` gives the same
bytes for the same workbook and stamp (the properties and every zip entry dated
`stamp`). The flow versions' export (`xlsx.py`), the control slip, the overdue list and the
periodic report use them; the last three share the styles below too.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from typing import Literal, TypeAlias

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

__all__ = [
    "BOLD",
    "BORDER",
    "CENTER",
    "HEADER",
    "HEADER_FILL",
    "TITLE",
    "WRAP",
    "CellValue",
    "clean_text",
    "fit_to_a4",
    "put_cell",
    "restamp_zip",
    "save_workbook",
]

MAX_CELL_TEXT = 32_767
"""The most characters a cell holds (Excel's limit)."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""What a spreadsheet reads as the start of a formula."""
CellValue: TypeAlias = str | float | date | None
"""What a cell is given: a text, a number (ints too), a date, or nothing."""
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
"""A thin grey border on every side, for table cells."""
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
"""The light blue of heading rows."""
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
HEADER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def clean_text(text: str) -> str:
    """`text` without the control characters XML (and so a workbook) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n"))


def put_cell(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    """Write `value` at (`row`, `column`); a text stays a string, never a formula.

    Raises ValueError for a cell inside a merged range (only its first cell holds a value).
    """
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise ValueError(f"cell {cell.coordinate} is inside a merged range")
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = clean_text(value)[:MAX_CELL_TEXT]
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def save_workbook(workbook: Workbook, stamp: datetime) -> bytes:
    """The workbook's bytes, dated `stamp` (naive: UTC already; naive UTC in the file).

    The same workbook and stamp give the same bytes: `Workbook.save` would date the file
    now, so the writer is called directly and the zip entries are dated again.
    """
    aware = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
    moment = aware.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = "sodo"
    workbook.properties.lastModifiedBy = "sodo"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return restamp_zip(buffer.getvalue(), moment)


def restamp_zip(data: bytes, stamp: datetime) -> bytes:
    """The zip `data` with every entry dated `stamp`, in the same order and content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o100644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def fit_to_a4(
    sheet: Worksheet,
    orientation: Literal["portrait", "landscape"],
    title_rows: tuple[int, int],
    side_margin: float,
) -> None:
    """Print `sheet` on A4, fitted to the page width, with its title rows on every page.

    `orientation` is "portrait" or "landscape"; `title_rows` the first and last row
    repeated; `side_margin` the left and right margins in inches.
    """
    sheet.page_setup.orientation = orientation
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    properties = sheet.sheet_properties
    if properties.pageSetUpPr is None:  # openpyxl makes one with every sheet; None is allowed
        properties.pageSetUpPr = PageSetupProperties()
    properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    sheet.page_margins.left = sheet.page_margins.right = side_margin
