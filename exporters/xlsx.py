"""The ``xlsx`` format: a workbook of internal-process tables (quy trình nội bộ).

One workbook holds every exported version: a ``Danh mục`` sheet listing the procedures
(each row links to its sheet), then one sheet per procedure case with the table that
provincial decisions print: ``Bước``, ``Nội dung công việc``, ``Đơn vị / người thực
hiện``, ``Thời gian``, and the total time (the critical path) against the legal time.

Sheet names come from the procedure code (and the case key): ``1.009646.H05-2.1``;
characters Excel forbids become ``_``, names are cut to 31 characters and made unique
(Excel compares them case-insensitively) with a `` (2)`` suffix.

Steps are numbered in flow order: a topological order of the transitions where steps
that could come in either order (parallel branches, alternatives) keep their document
order, and the steps of a loop stay together, from the step the flow enters it by. A
step's work lists, for a decision, where each branch leads (``– label → Bước 5``); its
unit is named with its agency, its officers one per line with title and phone. The
total is the critical path in working days (``Không xác định`` without one), then the
legal time in its own unit.

Every text cell is written as a string, never a formula, whatever its first character
(``=``, ``+``, ``-``, ``@``); those starting so also get Excel's quote prefix, so that
editing the cell later keeps it text. The output is byte-identical for the same input:
the workbook's created/modified times are the latest approval time of the exported
versions (or a constant), and the zip entries carry that same time.

The helpers `flow_order`, `number_vi`, `vietnam_date` and `export_stamp`
are shared with the OpenCPS exporter.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime

import networkx as nx
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from workflow_model.calendar import TIMEZONE
from workflow_model.document import FlowDocument, StepEntry
from workflow_model.document.durations import format_duration, format_hours_as_days
from workflow_model.enums import STANDARD_LEVELS
from workflow_model.flowgraph import FlowGraph, agency_of_units

from .base import ExportItem, ExportOptions
from .xlsx_cells import CellValue, clean_text, fit_to_a4, put_cell, save_workbook

CATALOGUE_SHEET = "Danh mục"
CATALOGUE_HEADERS = (
    "STT",
    "Mã thủ tục",
    "Tên thủ tục",
    "Trường hợp",
    "Cấp thực hiện",
    "Lĩnh vực",
    "Thời hạn giải quyết",
    "Phiên bản",
    "Ngày phê duyệt",
    "Quy trình",
)
CATALOGUE_WIDTHS = (6, 20, 55, 35, 14, 25, 20, 10, 15, 22)
CATALOGUE_HEADER_ROW = 3

PROCESS_HEADERS = ("Bước", "Nội dung công việc", "Đơn vị / người thực hiện", "Thời gian")
PROCESS_WIDTHS = (8, 62, 48, 20)
PROCESS_HEADER_ROW = 4
TOTAL_LABEL = "Tổng thời gian thực hiện"
LEGAL_LABEL = "Thời hạn giải quyết theo quy định"

FIXED_STAMP = datetime(2000, 1, 1)
"""Created/modified time of a workbook whose versions carry no approval time."""

MAX_SHEET_NAME = 31
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
_HEADER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def export_xlsx(items: Sequence[ExportItem], options: ExportOptions) -> bytes:
    """A workbook: the ``Danh mục`` sheet, then one internal-process sheet per item."""
    workbook = Workbook()
    catalogue = workbook.active
    assert catalogue is not None
    catalogue.title = CATALOGUE_SHEET
    taken = {CATALOGUE_SHEET.casefold(), "history"}  # Excel reserves "History"
    sheets: list[str] = []
    for item in items:
        name = sheet_name(item, taken)
        taken.add(name.casefold())
        sheets.append(name)
        _write_process(workbook.create_sheet(name), item)
    _write_catalogue(catalogue, items, sheets, options)
    return save_workbook(workbook, export_stamp(items))


def sheet_name(item: ExportItem, taken: set[str]) -> str:
    """A valid sheet name for `item`, unique against `taken` (case-folded names).

    >>> from exporters import ExportItem, VersionInfo
    >>> from workflow_model.demo_data import demo_flow
    >>> item = ExportItem(demo_flow("bacninh-1_009646_H05-1.json"), VersionInfo(3, "approved"))
    >>> sheet_name(item, {"danh mục"}), sheet_name(item, {"1.009646.h05-2.1"})
    ('1.009646.H05-2.1', '1.009646.H05-2.1 (2)')
    """
    base = f"{item.code}-{item.case_key}" if item.case_key else item.code
    base = clean_text(base).translate(_FORBIDDEN_IN_SHEET_NAMES).strip("'").strip()
    base = base or "Quy trình"
    name = base[:MAX_SHEET_NAME]
    counter = 1
    while name.casefold() in taken:
        counter += 1
        suffix = f" ({counter})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    return name


# -- Shared helpers ---------------------------------------------------------------------


def flow_order(doc: FlowDocument) -> list[StepEntry]:
    """The steps in flow order: topological, ties (and loops) in document order.

    Of steps sharing a key the first counts, as in `FlowGraph`.
    """
    graph = FlowGraph(doc)
    index = {key: position for position, key in enumerate(graph.steps)}
    condensed = nx.condensation(graph.graph)
    members = {
        node: _loop_order(graph.graph, data["members"], index)
        for node, data in condensed.nodes(data=True)
    }
    ordered = nx.lexicographical_topological_sort(
        condensed, key=lambda node: min(index[key] for key in members[node])
    )
    return [graph.steps[key] for node in ordered for key in members[node]]


def _loop_order(graph: nx.DiGraph[str], members: set[str], index: dict[str, int]) -> list[str]:
    """The steps of one strongly connected component (a loop) in the order they are reached.

    From the steps entered from outside the loop (or, failing that, the first in the
    document), follow the loop's transitions, the earliest step in the document first.
    """
    entries = sorted(
        (key for key in members if any(p not in members for p in graph.predecessors(key))),
        key=index.__getitem__,
    ) or [min(members, key=index.__getitem__)]
    frontier = [(index[key], key) for key in entries]
    heapq.heapify(frontier)
    seen = set(entries)
    order: list[str] = []
    while frontier:
        _, key = heapq.heappop(frontier)
        order.append(key)
        for successor in graph.successors(key):
            if successor in members and successor not in seen:
                seen.add(successor)
                heapq.heappush(frontier, (index[successor], successor))
    return order


def number_vi(value: float) -> str:
    """A number as Vietnamese text: a decimal comma, at most 4 decimals, no trailing zeros.

    >>> number_vi(0.5), number_vi(17), number_vi(1.25)
    ('0,5', '17', '1,25')
    """
    if not math.isfinite(value) or value < 0:
        value = 0.0
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def vietnam_date(moment: datetime | None) -> date | None:
    """The Vietnamese calendar date of `moment` (a naive one is taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).date()


def export_stamp(items: Sequence[ExportItem]) -> datetime:
    """The time an export carries: the latest approval (naive UTC, whole seconds)."""
    moments = [
        (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        for moment in (item.version.approved_at for item in items)
        if moment is not None
    ]
    if not moments:
        return FIXED_STAMP
    latest = max(moments).replace(tzinfo=None, microsecond=0)
    return max(latest, FIXED_STAMP)


def level_vi(level: str) -> str:
    """The name of an administrative level: ``Cấp tỉnh`` for ``province``."""
    return STANDARD_LEVELS.get(level, level)


# -- Sheets -----------------------------------------------------------------------------


def _write_catalogue(
    sheet: Worksheet, items: Sequence[ExportItem], sheets: Sequence[str], options: ExportOptions
) -> None:
    last_column = len(CATALOGUE_HEADERS)
    _title(sheet, 1, "DANH MỤC QUY TRÌNH NỘI BỘ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", last_column)
    _merged_line(sheet, 2, f"Ngày xuất: {options.today:%d/%m/%Y}", last_column)
    _header(sheet, CATALOGUE_HEADER_ROW, CATALOGUE_HEADERS, CATALOGUE_WIDTHS)
    for offset, (item, name) in enumerate(zip(items, sheets, strict=True), start=1):
        row = CATALOGUE_HEADER_ROW + offset
        procedure = item.document.procedure
        case = procedure.case
        approved = vietnam_date(item.version.approved_at)
        values: tuple[CellValue, ...] = (
            offset,
            procedure.code,
            procedure.name,
            f"{case.key}. {case.name}" if case else "",
            level_vi(procedure.level),
            procedure.field,
            format_duration(procedure.legal_time),
            item.version.number,
            approved,
            name,
        )
        for column, value in enumerate(values, start=1):
            cell = put_cell(sheet, row, column, value)
            cell.border = _BORDER
            cell.alignment = _CENTER if column in (1, 8, 9) else _WRAP
        if approved is not None:
            sheet.cell(row=row, column=9).number_format = "DD/MM/YYYY"
        link = sheet.cell(row=row, column=len(values))
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{_quoted(name)}!A1")
        link.font = Font(color="0563C1", underline="single")
    last_row = CATALOGUE_HEADER_ROW + len(items)
    sheet.auto_filter.ref = f"A{CATALOGUE_HEADER_ROW}:{get_column_letter(last_column)}{last_row}"
    sheet.freeze_panes = f"A{CATALOGUE_HEADER_ROW + 1}"
    _page_setup(sheet, CATALOGUE_HEADER_ROW)


def _write_process(sheet: Worksheet, item: ExportItem) -> None:
    doc = item.document
    procedure = doc.procedure
    columns = len(PROCESS_HEADERS)
    _title(sheet, 1, procedure.name, columns)
    _merged_line(
        sheet,
        2,
        f"Mã thủ tục: {procedure.code} · Cấp thực hiện: {level_vi(procedure.level)} · "
        f"Lĩnh vực: {procedure.field} · Phiên bản: {item.version.number}",
        columns,
    )
    case = procedure.case
    _merged_line(sheet, 3, f"Trường hợp {case.key}: {case.name}" if case else "", columns)
    _header(sheet, PROCESS_HEADER_ROW, PROCESS_HEADERS, PROCESS_WIDTHS)

    steps = flow_order(doc)
    numbers = {step.key: number for number, step in enumerate(steps, start=1)}
    people = _PeopleText(doc)
    row = PROCESS_HEADER_ROW
    for step in steps:
        row += 1
        values: tuple[CellValue, ...] = (
            numbers[step.key],
            _work(doc, step, numbers),
            people(step),
            format_duration(step.duration),
        )
        for column, value in enumerate(values, start=1):
            cell = put_cell(sheet, row, column, value)
            cell.border = _BORDER
            cell.alignment = _CENTER if column in (1, 4) else _WRAP

    path = FlowGraph(doc).critical_path
    total = format_hours_as_days(path.hours) if path is not None else "Không xác định"
    for label, value in (
        (TOTAL_LABEL, total),
        (LEGAL_LABEL, format_duration(procedure.legal_time)),
    ):
        row += 1
        put_cell(sheet, row, 1, label)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns - 1)
        put_cell(sheet, row, columns, value)
        for column in range(1, columns + 1):
            # Merged cells too: they draw the borders of their range.
            part = sheet.cell(row=row, column=column)
            part.border = _BORDER
            part.font = _BOLD
            part.alignment = _CENTER if column == columns else _WRAP
    sheet.freeze_panes = f"A{PROCESS_HEADER_ROW + 1}"
    _page_setup(sheet, PROCESS_HEADER_ROW)


def _work(doc: FlowDocument, step: StepEntry, numbers: dict[str, int]) -> str:
    """The step's name and description, and where each branch of a decision leads."""
    lines = [step.name]
    if step.description.strip():
        lines.append(step.description.strip())
    outgoing = [t for t in doc.transitions if t.source == step.key and t.target in numbers]
    if len(outgoing) > 1:
        for transition in outgoing:
            number = numbers[transition.target]
            label = transition.label.strip()
            lines.append(f"– {label} → Bước {number}" if label else f"– Chuyển Bước {number}")
    return "\n".join(lines)


class _PeopleText:
    """The ``Đơn vị / người thực hiện`` text of a step: unit (with agency) and officers."""

    def __init__(self, doc: FlowDocument) -> None:
        self.units = {unit.key: unit for unit in reversed(doc.units)}
        self.officers = {officer.key: officer for officer in reversed(doc.officers)}
        self.agencies = agency_of_units(doc)

    def __call__(self, step: StepEntry) -> str:
        lines: list[str] = []
        unit = self.units.get(step.unit or "")
        if unit is not None:
            agency = self.units.get(self.agencies.get(unit.key, unit.key))
            if agency is not None and agency.key != unit.key:
                lines.append(f"{unit.name}, {agency.name}")
            else:
                lines.append(unit.name)
        elif step.unit:
            lines.append(step.unit)
        for key in step.officers:
            officer = self.officers.get(key)
            if officer is None:
                continue
            line = officer.name
            if officer.title.strip():
                line += f" ({officer.title.strip()})"
            if officer.phone.strip():
                line += f" – ĐT: {officer.phone.strip()}"
            lines.append(line)
        return "\n".join(lines)


# -- Cells and layout -------------------------------------------------------------------


def _title(sheet: Worksheet, row: int, text: str, columns: int) -> None:
    cell = _merged_line(sheet, row, text, columns)
    cell.font = _TITLE
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _merged_line(sheet: Worksheet, row: int, text: str, columns: int) -> Cell:
    cell = put_cell(sheet, row, 1, text)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    # Merged cells are not auto-fitted: give long texts the lines they need.
    lines = sum(max(1, math.ceil(len(part) / 110)) for part in text.split("\n")) if text else 1
    sheet.row_dimensions[row].height = 18 * lines + 4
    return cell


def _header(sheet: Worksheet, row: int, headers: Sequence[str], widths: Sequence[int]) -> None:
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put_cell(sheet, row, column, text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _HEADER
        sheet.column_dimensions[get_column_letter(column)].width = width


def _page_setup(sheet: Worksheet, header_row: int) -> None:
    """A4 landscape, fitted to the page width, the header row repeated on every page."""
    fit_to_a4(sheet, "landscape", (header_row, header_row), 0.5)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
