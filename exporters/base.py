"""What every exporter takes: flow documents with their version, and a few options.

Plain data only: the web layer and the CLI read versions from the database and hand
them over; exporters never see a session or a request.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from workflow_model.calendar import WorkingCalendar
from workflow_model.document import FlowDocument


class ExportRefused(ValueError):
    """An export that cannot be made, with a `code` the UI and CLI turn into words.

    Codes: ``not-approved`` (a draft without ``allow_draft``, or a format that has no
    draft preview), ``unknown-format``, ``one-only`` (a single-file format given several
    versions), ``empty`` (nothing to export), ``duplicate`` (two versions of one case in
    an OpenCPS zip), ``no-transition`` (OpenCPS needs at least one action).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class VersionInfo:
    """The version an exported document comes from (phiên bản quy trình)."""

    number: int
    status: str
    approved_by: str | None = None
    approved_at: datetime | None = None
    effective_from: datetime | None = None
    snapshot_sha256: str | None = None

    @property
    def is_draft(self) -> bool:
        """True unless the version was approved (in force, superseded or retired since)."""
        return self.status not in ("approved", "superseded", "retired")


@dataclass(frozen=True)
class ExportItem:
    """One procedure case's flow to export: its document and its version."""

    document: FlowDocument
    version: VersionInfo

    @property
    def code(self) -> str:
        """The procedure's code, e.g. ``1.009642.000.00.00.H05``."""
        return self.document.procedure.code

    @property
    def case_key(self) -> str:
        """The case's key, or ``""`` for a procedure without cases."""
        case = self.document.procedure.case
        return case.key if case is not None else ""


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by every format.

    `allow_draft` lets a draft through as a preview (JSON and BPMN only), marked as such.
    `calendar` and `today` feed the formats that carry the working calendar (OpenCPS).
    """

    allow_draft: bool = False
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    today: date = field(default_factory=date.today)


Exporter = Callable[[Sequence[ExportItem], ExportOptions], bytes]


@dataclass(frozen=True)
class Format:
    """An export format: its name, media type, file extension and exporter.

    `many` says whether one file may hold several procedures (a workbook, a zip); a
    single-file format exports one version per file. `draft_preview` says whether a
    draft may be exported with ``allow_draft``.
    """

    name: str
    media_type: str
    extension: str
    export: Exporter
    many: bool = False
    draft_preview: bool = False
    description: str = ""


def check_items(fmt: Format, items: Sequence[ExportItem], options: ExportOptions) -> None:
    """Refuse what `fmt` cannot export: drafts (unless previewed) and too many items."""
    if not items:
        raise ExportRefused("empty", "nothing to export")
    if len(items) > 1 and not fmt.many:
        raise ExportRefused("one-only", f"{fmt.name} holds one version per file")
    for item in items:
        if item.version.is_draft and not (options.allow_draft and fmt.draft_preview):
            raise ExportRefused(
                "not-approved",
                f"{item.code} v{item.version.number} is {item.version.status}: only approved "
                f"versions export" + (" (--allow-draft previews it)" if fmt.draft_preview else ""),
            )


def file_name(item: ExportItem, fmt: Format) -> str:
    """The file name of one version's export: ``<code>[-<case>]-v<N>.<ext>``.

    >>> from exporters import FORMATS
    >>> from workflow_model.demo_data import demo_flow
    >>> item = ExportItem(demo_flow("bacninh-1_009646_H05-1.json"), VersionInfo(2, "approved"))
    >>> file_name(item, FORMATS["bpmn"])
    '1.009646.H05-2.1-v2.bpmn'
    """
    return f"{file_stem(item)}.{fmt.extension}"


def file_stem(item: ExportItem) -> str:
    """`file_name` without its extension: ``<code>[-<case>]-v<N>``, safe in any file system."""
    case = f"-{item.case_key}" if item.case_key else ""
    safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in f"{item.code}{case}")
    return f"{safe}-v{item.version.number}"


def file_names(items: Sequence[ExportItem], fmt: Format) -> list[str]:
    """The file names of several versions exported side by side: `file_name`, made unique.

    `file_name` keeps a code's letters, digits and ``. - _`` and turns the rest into
    ``_``, so ``COL/1``, ``COL_1`` and ``COL 1`` would all be ``COL_1-v1.json``; names
    that differ only in case clash too (Windows and macOS fold case). Each name of a
    clash gets ``-`` and the start of the SHA-256 of its own version's code, case and
    number, so a name depends on its version and on the clash, never on the order. Two
    items of the same version keep the same name.

    >>> from exporters import FORMATS
    >>> from workflow_model.demo_data import demo_flow
    >>> from dataclasses import replace
    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> items = [
    ...     ExportItem(replace(doc, procedure=replace(doc.procedure, code=code)),
    ...                VersionInfo(1, "approved"))
    ...     for code in ("COL/1", "COL_1", "other")
    ... ]
    >>> file_names(items, FORMATS["json"])
    ['COL_1-v1-d6ec89be.json', 'COL_1-v1-a35f696b.json', 'other-v1.json']
    """
    plain = [file_name(item, fmt) for item in items]
    names = list(plain)
    for width in (8, 16, 64):
        counts = Counter(name.casefold() for name in names)
        if all(count == 1 for count in counts.values()):
            break
        names = [
            _suffixed(first, item, fmt, width) if counts[name.casefold()] > 1 else name
            for item, first, name in zip(items, plain, names, strict=True)
        ]
    return names


def _suffixed(name: str, item: ExportItem, fmt: Format, width: int) -> str:
    identity = f"{item.code}\n{item.case_key}\n{item.version.number}".encode()
    digest = hashlib.sha256(identity).hexdigest()[:width]
    stem = name.removesuffix(f".{fmt.extension}")
    return f"{stem}-{digest}.{fmt.extension}"
