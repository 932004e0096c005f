"""The control slip of one dossier as a workbook (phiếu kiểm soát quá trình giải quyết hồ sơ).

Form 02 of Circular 01/2018/TT-VPCP, as the data allow it: a header with the agency
that received the dossier, the dossier's code and its procedure, then one row per
handover (who gave the dossier, unit and officer; who took it; when; the step; its
allotted and used working time; its verdict, early, on time or late; the note), and the
result handed to the applicant last. The form's signatures are not there: the rows are
what the processing software reported, judged by `sodo`, and the sheet says so.

A pure function over a `ControlSlip` (`workflow_model.tracking.control_slip`): no
session, no request. Statuses and verdicts are worded by
`workflow_model.tracking.wording`, the slip's own headings by `SLIP_WORDS`. It is not one
of the `FORMATS` (those export flow versions), and `import exporters` does not load it.
Every text cell is a string, never a formula, and the same slip gives the same bytes
(`xlsx_cells`, shared with the supervision workbooks).
"""

from __future__ import annotations

import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflow_model.calendar import TIMEZONE
from workflow_model.document.durations import language_of
from workflow_model.tracking.records import ControlSlip, Handover, Party
from workflow_model.tracking.wording import STATUS_WORDS, VERDICT_WORDS, label, working_time

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

__all__ = ["SLIP_WORDS", "control_slip_xlsx", "slip_filename", "slip_time"]

SLIP_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "code": "Mã hồ sơ",
        "procedure": "Thủ tục hành chính",
        "case": "Trường hợp",
        "received": "Thời gian tiếp nhận",
        "due": "Thời gian hẹn trả kết quả",
        "apology": "Hẹn lại ngày trả kết quả (phiếu xin lỗi)",
        "status": "Tình trạng",
        "verdict": "Kết quả giải quyết hồ sơ",
        "number": "STT",
        "giving": "Bên giao (cơ quan, người giao)",
        "receiving": "Bên nhận (cơ quan, người nhận)",
        "step": "Bước",
        "at": "Thời gian giao, nhận hồ sơ",
        "allotted": "Thời gian quy định",
        "used": "Thời gian đã dùng",
        "result": "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)",
        "note": "Ghi chú",
        "applicant": "Tổ chức, cá nhân nộp hồ sơ",
        "not_yet": "Chưa có bên nhận",
        "return": "Trả kết quả",
        "none": "Chưa có lần giao, nhận hồ sơ nào.",
        "footer": (
            "Các dòng trên ghi lại việc giao, nhận hồ sơ do phần mềm một cửa báo về; kết quả "
            "trước hạn, đúng hạn, quá hạn được tính theo thời gian quy định của từng bước, "
            "không tính thời gian tạm dừng và chờ bổ sung hồ sơ. Phiếu không thay chữ ký "
            "của bên giao và bên nhận."
        ),
    },
    "en": {
        "title": "CONTROL SLIP OF THE DOSSIER'S HANDLING",
        "code": "Dossier code",
        "procedure": "Procedure",
        "case": "Case",
        "received": "Received",
        "due": "Result due",
        "apology": "New return date (apology slip)",
        "status": "Status",
        "verdict": "Outcome",
        "number": "No.",
        "giving": "Handed over by (unit, officer)",
        "receiving": "Taken by (unit, officer)",
        "step": "Step",
        "at": "Handover time",
        "allotted": "Allotted time",
        "used": "Time used",
        "result": "Outcome (early/on time/late)",
        "note": "Note",
        "applicant": "The applicant",
        "not_yet": "Not taken yet",
        "return": "Result returned",
        "none": "No handover yet.",
        "footer": (
            "The rows above record the handovers the one-stop software reported; early, on "
            "time and late are judged against each step's allotted working time, leaving out "
            "pauses and waits for a supplement. The slip does not replace the signatures of "
            "the officers who gave and took the dossier."
        ),
    },
}
"""The slip's own headings, by language (statuses and verdicts come from `wording`)."""

_HEADINGS = ("number", "giving", "receiving", "step", "at", "allotted", "used", "result", "note")
_WIDTHS = (6, 30, 30, 24, 18, 13, 13, 16, 26)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def slip_filename(code: str, extension: str = "xlsx") -> str:
    """A file name for the slip of dossier `code`: only ASCII letters, digits, ``. _ -``.

    >>> slip_filename('H12/2026 "Hồ sơ" <b>')
    'phieu-kiem-soat-H12_2026_H_s_b.xlsx'
    """
    safe = _UNSAFE_NAME.sub("_", code).strip("._-") or "ho-so"
    return f"phieu-kiem-soat-{safe[:80]}.{extension}"


def slip_time(moment: datetime | None) -> str:
    """A moment as the slip writes it, in Vietnam's time: ``09:30 10/03/2026``.

    >>> from datetime import UTC
    >>> slip_time(datetime(2026, 3, 10, 2, 30, tzinfo=UTC))
    '09:30 10/03/2026'
    """
    if moment is None:
        return ""
    return moment.astimezone(TIMEZONE).strftime("%H:%M %d/%m/%Y")


def _party(party: Party | None, words: dict[str, str]) -> str:
    if party is None:
        return words["not_yet"]
    return f"{party.unit}\n{party.officer}" if party.officer else party.unit


def _row(handover: Handover, words: dict[str, str], locale: str) -> tuple[str, ...]:
    receiving = words["applicant"] if handover.to_applicant else _party(handover.receiving, words)
    step = words["return"] if handover.to_applicant else handover.step_name
    verdict = label(VERDICT_WORDS, handover.verdict, locale) if handover.verdict else ""
    return (
        str(handover.number),
        _party(handover.giving, words),
        receiving,
        step,
        slip_time(handover.at),
        working_time(handover.allotted_hours, locale),
        working_time(handover.used_hours, locale),
        verdict,
        handover.note,
    )


def _line(sheet: Worksheet, row: int, text: str, *, font: Font | None = None) -> None:
    cell = put_cell(sheet, row, 1, text)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if font is not None:
        cell.font = font
        cell.alignment = HEADER
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_HEADINGS))


def control_slip_xlsx(slip: ControlSlip, locale: str = "vi") -> bytes:
    """The workbook of `slip` in `locale` (Vietnamese by default): one A4 sheet.

    Row 1 is the agency, row 2 the title, then the header lines; the table's heading row
    is the first row whose first cell says ``STT`` (``No.``).
    """
    language = language_of(locale)
    words = SLIP_WORDS.get(language, SLIP_WORDS["vi"])
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = words["code"][:31]
    _line(sheet, 1, slip.agency.upper(), font=BOLD)
    _line(sheet, 2, words["title"], font=TITLE)
    sheet.row_dimensions[2].height = 24
    procedure = f"{slip.procedure_code} — {slip.procedure_name}"
    lines = [
        f"{words['code']}: {slip.code}",
        f"{words['procedure']}: {procedure}",
        *([f"{words['case']}: {slip.case_key}"] if slip.case_key else []),
        f"{words['received']}: {slip_time(slip.received_at)}",
        f"{words['due']}: {slip_time(slip.due_at)}",
        *([f"{words['apology']}: {slip_time(slip.apology_due)}"] if slip.apology_due else []),
        f"{words['status']}: {label(STATUS_WORDS, slip.status, language)}",
        *(
            [f"{words['verdict']}: {label(VERDICT_WORDS, slip.verdict, language)}"]
            if slip.verdict
            else []
        ),
    ]
    row = 3
    for text in lines:
        _line(sheet, row, text)
        row += 1
    row += 1
    header_row = row
    for column, (key, width) in enumerate(zip(_HEADINGS, _WIDTHS, strict=True), start=1):
        cell = put_cell(sheet, row, column, words[key])
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, HEADER
        sheet.column_dimensions[get_column_letter(column)].width = width
    for handover in slip.handovers:
        row += 1
        for column, value in enumerate(_row(handover, words, language), start=1):
            cell = put_cell(sheet, row, column, value)
            cell.border = BORDER
            cell.alignment = CENTER if column in (1, 5, 6, 7, 8) else WRAP
    if not slip.handovers:
        row += 1
        _line(sheet, row, words["none"])
    row += 2
    _line(sheet, row, words["footer"])
    sheet.row_dimensions[row].height = 48
    _page_setup(sheet, header_row)
    stamp = slip.handovers[-1].at if slip.handovers else slip.received_at
    return save_workbook(workbook, stamp)


def _page_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 portrait, fitted to the page width, the table's heading repeated on every page."""
    fit_to_a4(sheet, "portrait", (header_row, header_row), 0.5)
