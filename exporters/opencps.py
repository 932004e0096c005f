"""The ``opencps`` format: the zip that OpenCPS v2 imports (``dossiers/import/files``).

The importer unzips the file and reads the folder named like the zip (its file name
without ``.zip``), so the zip holds exactly one top-level folder, whose name
`archive_name` gives: for one version the stem of `file_name` (``1.009646.H05-2.1-v3``),
for several ``sodo-catalogue`` — the names the CLI and the export page give the zip.
A zip renamed after download no longer imports. The importer makes folders one level at
a time and never a file's parents, so folder entries come first, parents before
children; then the files, sorted by path. Every entry carries the same time (the latest
approval) and permissions, so two exports of the same versions are byte-identical.

Inside the folder:

- ``processes/<processNo>.xml`` (``ServiceProcess``) per version. ``processNo`` is the
  code and the case key (``1.009646.H05-2.1``), without the version: OpenCPS replaces a
  process's steps and actions in place on re-import. Its unit is the legal time's
  (``durationUnit`` 0 = working days, 1 = working hours); steps are in flow order, their
  ``stepCode`` is the step key, their duration in the process's unit. Each agency (the
  top unit above the steps' units, a swimlane of the diagram) is a ``ProcessSequence``
  with the time it holds on the critical path, and a step's ``sequenceNo`` and
  ``groupName`` are its agency's. An end step is ``done`` when the critical path ends
  there, ``denied`` otherwise; the start step is ``receiving``, the others
  ``processing``. Each transition is a ``ProcessAction`` named by its label, or by the
  step it leads to.
- ``templates/<processNo>.xml`` (``DossierTemplate``): the dossier components as input
  parts (``partType`` 1, ``partNo`` the component key), the result as an output part
  (``partType`` 2); a template with neither gets one optional placeholder part, since
  the schema requires a part.
- ``services/<code>.xml`` (``ServiceInfo``) per procedure code, with one
  ``ServiceConfig`` for the agency in charge (the first agency the process reaches that
  is not a one-stop unit; its unit key as code) and one ``ProcessOption`` per exported
  case, pointing at its process and template by number.
- ``Holiday.xml``: weekdays off (``holidayType`` 0) and weekend days worked (1) of the
  working calendar, overrides included, for `ExportOptions.today`'s year and the next.
- ``WorkingTime.xml``: the office sessions of Monday to Friday (``workTimeDay`` 2–6).

The schema makes almost every element required, so fields we know nothing about are
written empty (strings), 0 or false; roles, which are OpenCPS job positions, and file
templates get one entry with an empty code, which the importer skips. Texts longer than
the schema allows are cut with "…"; control characters XML cannot carry are dropped.

Refusals (`ExportRefused`): ``duplicate`` when two versions would share a process
number (two versions of one case, or codes equal once made safe for file names), and
``no-transition`` for a flow without transitions (the schema requires an action).
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from workflow_model.calendar import WorkingCalendar
from workflow_model.diagram import lanes
from workflow_model.document import Duration, FlowDocument
from workflow_model.document.durations import format_duration
from workflow_model.enums import HOURS_PER_WORKING_DAY, StepKind, TimeUnit
from workflow_model.flowgraph import FlowGraph, agency_of_units, step_hours

from .base import ExportItem, ExportOptions, ExportRefused, file_stem
from .xlsx import export_stamp, flow_order, number_vi, vietnam_date

CATALOGUE_NAME = "sodo-catalogue"
"""The top folder (and zip stem) of an export of several versions."""

DAYS, HOURS = 0, 1
"""`ServiceProcess.durationUnit`: working days or working hours."""

SERVICE_LEVEL = 2
"""`ServiceConfig.serviceLevel` written: level 2 (information and forms online)."""

INPUT_PART, OUTPUT_PART = 1, 2
HOLIDAY_OFF, HOLIDAY_WORKED = 0, 1

_UNSAFE = re.compile(r"[^0-9A-Za-z._-]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def archive_name(items: Sequence[ExportItem]) -> str:
    """The zip file name the export must be saved under for OpenCPS to import it.

    One version: `file_name` (``<code>[-<case>]-v<N>.zip``); several: ``sodo-catalogue.zip``.
    """
    return f"{folder_name(items)}.zip"


def folder_name(items: Sequence[ExportItem]) -> str:
    """The zip's top-level folder: `archive_name` without ``.zip``."""
    if len(items) != 1:
        return CATALOGUE_NAME
    return file_stem(items[0])


def process_number(item: ExportItem) -> str:
    """The process (and template) number: code and case key, safe as a file name.

    >>> from exporters import ExportItem, VersionInfo
    >>> from workflow_model.demo_data import demo_flow
    >>> doc = demo_flow("bacninh-1_009646_H05-1.json")
    >>> process_number(ExportItem(doc, VersionInfo(3, "approved")))
    '1.009646.H05-2.1'
    """
    return _safe(f"{item.code}-{item.case_key}" if item.case_key else item.code)


def export_opencps(items: Sequence[ExportItem], options: ExportOptions) -> bytes:
    """The OpenCPS import zip of `items` (see the module's docstring for the layout)."""
    numbers = [process_number(item) for item in items]
    _refuse_duplicates(items, numbers)
    files: dict[str, bytes] = {}
    services: dict[str, list[tuple[ExportItem, str]]] = {}
    for item, number in zip(items, numbers, strict=True):
        files[f"processes/{number}.xml"] = _xml(_process(item, number))
        files[f"templates/{number}.xml"] = _xml(_template(item, number))
        services.setdefault(item.code, []).append((item, number))
    service_files: dict[str, str] = {}
    for code, group in services.items():
        path = f"services/{_safe(code)}.xml"
        if path in service_files:
            raise ExportRefused(
                "duplicate",
                f"procedures {service_files[path]!r} and {code!r} would share the file {path}",
            )
        service_files[path] = code
        files[path] = _xml(_service(code, group))
    holidays = _holidays(options.calendar, options.today.year)
    if holidays is not None:
        files["Holiday.xml"] = _xml(holidays)
    files["WorkingTime.xml"] = _xml(_working_time(options.calendar))
    return _zip(folder_name(items), files, export_stamp(items))


def _refuse_duplicates(items: Sequence[ExportItem], numbers: Sequence[str]) -> None:
    seen: dict[str, ExportItem] = {}
    for item, number in zip(items, numbers, strict=True):
        other = seen.setdefault(number, item)
        if other is not item:
            raise ExportRefused(
                "duplicate",
                f"{other.code} v{other.version.number} and {item.code} "
                f"v{item.version.number} are both process {number}: OpenCPS holds one "
                "version of a process; export them in separate files",
            )


# -- Processes ----------------------------------------------------------------------------


def _process(item: ExportItem, number: str) -> ET.Element:
    doc = item.document
    if not doc.transitions:
        # The schema requires at least one ProcessAction.
        raise ExportRefused("no-transition", f"{number} has no transition to export")
    procedure = doc.procedure
    unit = HOURS if procedure.legal_time.unit is TimeUnit.WORKING_HOUR else DAYS
    graph = FlowGraph(doc)
    path = graph.critical_path
    swimlanes = lanes(doc)
    agencies = agency_of_units(doc)
    lane_of = {key: index for index, lane in enumerate(swimlanes, start=1) for key in lane.steps}
    lane_names = {index: _lane_name(lane.name) for index, lane in enumerate(swimlanes, start=1)}
    held = graph.time_by_agency
    done = path.steps[-1] if path is not None else None
    units = {u.key: u for u in reversed(doc.units)}
    officers = {o.key: o for o in reversed(doc.officers)}

    root = ET.Element("ServiceProcess")
    _leaf(root, "processNo", number)
    _leaf(root, "processName", _title(doc))
    approved = vietnam_date(item.version.approved_at)
    description = f"Quy trình nội bộ phiên bản {item.version.number}"
    if approved is not None:
        description += f", phê duyệt ngày {approved:%d/%m/%Y}"
    _leaf(root, "description", description)
    _leaf(root, "durationCount", _count(_duration_hours(procedure.legal_time), unit))
    _leaf(root, "durationUnit", unit)
    _leaf(root, "generatePassword", False)
    for tag in ("serverNo", "serverName", "dossierNoPattern", "dossierGroupPattern"):
        _leaf(root, tag, "")
    _leaf(root, "dueDatePattern", "")
    _leaf(root, "counter", 0)
    _roles(root, "ProcessRole")

    steps = ET.SubElement(root, "steps")
    for step in flow_order(doc):
        element = ET.SubElement(steps, "ProcessStep")
        _leaf(element, "stepCode", step.key)
        _leaf(element, "stepName", step.name)
        sequence = lane_of.get(step.key, 0)
        _leaf(element, "sequenceNo", str(sequence))
        _leaf(element, "groupName", lane_names.get(sequence, ""))
        _leaf(element, "dossierStatus", _status(step.kind, step.key == done))
        _leaf(element, "dossierSubStatus", "")
        _leaf(element, "durationCount", _count(step_hours(step), unit))
        _leaf(element, "instructionNote", step.description)
        unit_entry = units.get(step.unit or "")
        names = [officers[key].name for key in step.officers if key in officers]
        brief = "; ".join(
            part for part in (unit_entry.name if unit_entry else "", ", ".join(names)) if part
        )
        _leaf(element, "briefNote", brief)
        _leaf(element, "roleAsStep", "")
        _leaf(element, "checkInput", 0)
        _roles(element, "StepRole")

    actions = ET.SubElement(root, "actions")
    steps_by_key = {step.key: step for step in reversed(doc.steps)}
    codes: set[str] = set()
    for transition in doc.transitions:
        code = _unique(f"{transition.source}-{transition.target}", codes)
        target = steps_by_key.get(transition.target)
        name = transition.label.strip() or (target.name if target else "") or "Chuyển bước"
        element = ET.SubElement(actions, "ProcessAction")
        _leaf(element, "actionCode", code)
        _leaf(element, "actionName", name)
        _leaf(element, "preStepCode", transition.source)
        _leaf(element, "postStepCode", transition.target)
        _leaf(element, "autoEvent", "")
        _leaf(element, "preCondition", "")
        _leaf(element, "allowAssignUser", 0)
        _leaf(element, "assignUserId", 0)
        _leaf(element, "assignUserName", "")
        _leaf(element, "requestPayment", 0)
        for tag in ("paymentFee", "createDossierFiles", "returnDossierFiles"):
            _leaf(element, tag, "")
        _leaf(element, "eSignature", False)
        for tag in ("signatureType", "createDossiers"):
            _leaf(element, tag, "")
        _leaf(element, "configNote", transition.label)
        _leaf(element, "postAction", "", limit=20000)

    sequences = ET.SubElement(root, "sequences")
    for index, lane in enumerate(swimlanes, start=1):
        element = ET.SubElement(sequences, "ProcessSequence")
        _leaf(element, "sequenceNo", str(index))
        _leaf(element, "sequenceName", lane_names[index])
        _leaf(element, "sequenceRole", "")
        hours = held.get(lane.key, 0.0) if lane.key else _unassigned_hours(graph, agencies)
        _leaf(element, "durationCount", _count(hours, unit))
    return root


def _lane_name(name: str) -> str:
    return name or "Chưa xác định đơn vị"


def _unassigned_hours(graph: FlowGraph, agencies: dict[str, str]) -> float:
    """Hours on the critical path of steps whose unit is missing or unknown."""
    return sum(hours for unit, hours in graph.time_by_unit.items() if unit not in agencies)


def _status(kind: StepKind, ends_critical_path: bool) -> str:
    if kind is StepKind.START:
        return "receiving"
    if kind is StepKind.END:
        return "done" if ends_critical_path else "denied"
    return "processing"


def _roles(parent: ET.Element, tag: str) -> None:
    """The one role entry the schema requires, with an empty code the importer skips."""
    role = ET.SubElement(ET.SubElement(parent, "roles"), tag)
    _leaf(role, "roleCode", "")
    _leaf(role, "roleName", "")
    _leaf(role, "moderator", False)
    _leaf(role, "condition", "")


# -- Templates ----------------------------------------------------------------------------


def _template(item: ExportItem, number: str) -> ET.Element:
    procedure = item.document.procedure
    root = ET.Element("DossierTemplate")
    _leaf(root, "templateNo", number)
    _leaf(root, "templateName", _title(item.document))
    _leaf(root, "description", f"Thành phần hồ sơ của thủ tục {procedure.code}")
    _leaf(root, "newFormScript", "", limit=65535)
    parts = ET.SubElement(root, "parts")
    used: set[str] = set()
    for component in procedure.dossier_components:
        tip = _copies(component.originals, component.copies)
        if component.form.strip():
            tip += f"; mẫu: {component.form.strip()}"
        _part(parts, _unique(_safe(component.key), used), component.name, tip, INPUT_PART, True)
    if procedure.result.strip():
        name = procedure.result.strip()
        _part(parts, _unique("KETQUA", used), name, "Kết quả giải quyết", OUTPUT_PART, False)
    if not len(parts):
        tip = "Chưa khai báo thành phần hồ sơ"
        _part(parts, "TP1", "Hồ sơ theo quy định của thủ tục", tip, INPUT_PART, False)
    return root


def _part(parent: ET.Element, number: str, name: str, tip: str, kind: int, required: bool) -> None:
    part = ET.SubElement(parent, "DossierPart")
    _leaf(part, "partNo", number)
    _leaf(part, "partName", name)
    # A cut name is given whole in the tip, as far as it fits.
    _leaf(part, "partTip", tip if len(_clean(name)) <= 255 else f"{name} ({tip})")
    _leaf(part, "partType", kind)
    _leaf(part, "multiple", False)
    _leaf(part, "required", required)
    _leaf(part, "esign", False)
    _leaf(part, "fileTemplateNo", "")
    _leaf(part, "deliverableType", "")
    _leaf(part, "deliverableAction", 0)
    _leaf(part, "eForm", False)
    _leaf(part, "sampleData", "")
    _leaf(part, "fileMark", 0)


def _copies(originals: int, copies: int) -> str:
    return f"{originals} bản chính, {copies} bản sao"


# -- Services -----------------------------------------------------------------------------


def _service(code: str, group: Sequence[tuple[ExportItem, str]]) -> ET.Element:
    group = sorted(group, key=lambda pair: pair[0].case_key)
    first = group[0][0].document
    procedure = first.procedure
    agency_key, agency_name = _agency(first)
    root = ET.Element("ServiceInfo")
    _leaf(root, "serviceCode", code)
    _leaf(root, "serviceName", procedure.name, limit=1000)
    _leaf(root, "processText", "")
    _leaf(root, "methodText", "", limit=1000)
    _leaf(root, "dossierText", _per_case(group, _dossier_text), limit=1000)
    _leaf(root, "conditionText", "", limit=1000)
    _leaf(root, "durationText", _per_case(group, _legal_text), limit=1000)
    _leaf(root, "applicantText", "", limit=1000)
    _leaf(root, "resultText", _per_case(group, _result_text), limit=1000)
    _leaf(root, "regularText", "\n".join(procedure.legal_basis), limit=1000)
    _leaf(root, "feeText", _per_case(group, _fee_text), limit=1000)
    _leaf(root, "administrationCode", agency_key)
    _leaf(root, "administrationName", agency_name)
    _leaf(root, "domainCode", "")
    _leaf(root, "domainName", procedure.field)

    template = ET.SubElement(ET.SubElement(root, "fileTemplates"), "fileTemplate")
    for tag in ("filename", "fileTemplateNo", "templateName", "eFormNoPattern", "eFormNamePattern"):
        _leaf(template, tag, "")

    config = ET.SubElement(ET.SubElement(root, "configs"), "ServiceConfig")
    _leaf(config, "govAgencyCode", agency_key)
    _leaf(config, "govAgencyName", agency_name)
    _leaf(config, "serviceInstruction", "")
    _leaf(config, "serviceLevel", SERVICE_LEVEL)
    _leaf(config, "serviceUrl", "")
    _leaf(config, "forCitizen", True)
    _leaf(config, "forBusiness", True)
    _leaf(config, "postalService", False)
    _leaf(config, "registration", False)
    processes = ET.SubElement(config, "processes")
    for order, (item, number) in enumerate(group, start=1):
        case = item.document.procedure.case
        option = ET.SubElement(processes, "ProcessOption")
        _leaf(option, "optionCode", number)
        _leaf(option, "optionName", f"{case.key}. {case.name}" if case else procedure.name)
        _leaf(option, "seqOrder", order)
        _leaf(option, "sampleCount", 0)
        for tag in ("autoSelect", "instructionNote", "submissionNote"):
            _leaf(option, tag, "")
        _leaf(option, "templateNo", number)
        _leaf(option, "templateName", _title(item.document))
        _leaf(option, "processNo", number)
        _leaf(option, "processName", _title(item.document))
        _leaf(option, "registerBookCode", "")
    return root


def _agency(doc: FlowDocument) -> tuple[str, str]:
    """The agency in charge (cơ quan thực hiện): its unit key and name.

    The first agency the process reaches that is not a one-stop unit (the one-stop
    centre only receives and returns); failing that, the first agency reached.
    """
    units = {unit.key: unit for unit in reversed(doc.units)}
    reached = [units[lane.key] for lane in lanes(doc) if lane.key in units]
    if not reached:
        return "", ""
    chosen = next((unit for unit in reached if not unit.one_stop), reached[0])
    return chosen.key, chosen.name


def _per_case(group: Sequence[tuple[ExportItem, str]], text: Callable[[FlowDocument], str]) -> str:
    """`text` of the procedure, or of each case when the cases differ."""
    values = [(item.case_key, text(item.document).strip()) for item, _ in group]
    if len({value for _, value in values}) <= 1:
        return values[0][1]
    return "\n".join(f"Trường hợp {key}: {value}" for key, value in values if value)


def _legal_text(doc: FlowDocument) -> str:
    return format_duration(doc.procedure.legal_time)


def _result_text(doc: FlowDocument) -> str:
    return doc.procedure.result


def _dossier_text(doc: FlowDocument) -> str:
    return "\n".join(
        f"{index}. {component.name} ({_copies(component.originals, component.copies)})"
        for index, component in enumerate(doc.procedure.dossier_components, start=1)
    )


def _fee_text(doc: FlowDocument) -> str:
    fees = []
    for fee in doc.procedure.fees:
        amount = fee.amount if math.isfinite(fee.amount) else 0
        shown = f"{amount:,.0f}".replace(",", ".") if amount == int(amount) else number_vi(amount)
        note = f" ({fee.note})" if fee.note else ""
        fees.append(f"{fee.name}: {shown} {fee.currency}{note}")
    return "\n".join(fees)


# -- Calendar -----------------------------------------------------------------------------


def _holidays(calendar: WorkingCalendar, year: int) -> ET.Element | None:
    """Weekdays off and weekend days worked of `year` and the next, or None if there are none."""
    root = ET.Element("HolidayList")
    day, end = date(year, 1, 1), date(year + 2, 1, 1)
    while day < end:
        weekday = day.weekday() < 5
        working = calendar.is_working_day(day)
        if weekday != working:
            kind = HOLIDAY_OFF if weekday else HOLIDAY_WORKED
            default = "Ngày nghỉ" if weekday else "Ngày làm việc bù"
            holiday = ET.SubElement(root, "Holiday")
            _leaf(holiday, "holidayDate", f"{day:%d/%m/%Y}")
            _leaf(holiday, "description", calendar.holiday_name(day) or default, limit=10000)
            _leaf(holiday, "holidayType", kind)
        day += timedelta(days=1)
    return root if len(root) else None


def _working_time(calendar: WorkingCalendar) -> ET.Element:
    """Monday (2) to Friday (6), each with the office sessions: ``07:30-11:30,13:30-17:30``."""
    hours = ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in calendar.sessions)
    root = ET.Element("WorkingTimeList")
    for day in range(2, 7):
        element = ET.SubElement(root, "WorkingTime")
        _leaf(element, "workTimeDay", day)
        _leaf(element, "workTimeHours", hours)
    return root


# -- Writing ------------------------------------------------------------------------------


def _title(doc: FlowDocument) -> str:
    """The procedure's name, with the case's when it has one."""
    procedure = doc.procedure
    case = procedure.case
    return f"{procedure.name} – Trường hợp {case.key}: {case.name}" if case else procedure.name


def _duration_hours(duration: Duration) -> float:
    hours = duration.hours
    return hours if math.isfinite(hours) and hours >= 0 else 0.0


def _count(hours: float, unit: int) -> str:
    """Hours in the process's unit, with a decimal point: ``0.25``, ``17``."""
    value = hours if unit == HOURS else hours / HOURS_PER_WORKING_DAY
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text) or "_"


def _unique(base: str, used: set[str]) -> str:
    name, counter = base, 1
    while name in used:
        counter += 1
        name = f"{base}_{counter}"
    used.add(name)
    return name


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _leaf(parent: ET.Element, tag: str, value: str | int | bool, *, limit: int = 255) -> ET.Element:
    """A child element holding `value`; a text is cut to `limit` characters."""
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, int):
        element.text = str(value)
    else:
        text = _clean(value)
        element.text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return element


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _zip(folder: str, files: dict[str, bytes], stamp: datetime) -> bytes:
    """One top folder; folder entries first (parents first), then files, all sorted."""
    folders = {f"{folder}/"}
    for path in files:
        parts = path.split("/")[:-1]
        folders.update(f"{folder}/{'/'.join(parts[: depth + 1])}/" for depth in range(len(parts)))
    moment = stamp.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(folders):
            info = zipfile.ZipInfo(name, date_time=moment)
            info.create_system = 3
            info.external_attr = (0o40755 << 16) | 0x10
            archive.writestr(info, b"")
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=moment)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()
