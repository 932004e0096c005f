"""Exporters: pure functions from flow documents to the bytes of each export format.

`FORMATS` is the registry: a name, a media type, a file extension and the function.
Every exporter takes the versions to export (`ExportItem`: a document and its
`VersionInfo`) and `ExportOptions`, and returns bytes; none touches a database or a
request. `export` checks what a format accepts (approved versions only, but for a
draft preview in JSON and BPMN) before calling it.

>>> sorted(FORMATS)
['bpmn', 'json', 'opencps', 'xlsx']
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import (
    ExportItem,
    ExportOptions,
    ExportRefused,
    Format,
    VersionInfo,
    check_items,
    file_name,
    file_names,
)
from .bpmn import export_bpmn
from .json_export import export_json
from .opencps import export_opencps
from .xlsx import export_xlsx

FORMATS: dict[str, Format] = {
    "json": Format(
        "json",
        "application/json",
        "json",
        export_json,
        draft_preview=True,
        description="sodo.flow/1 document with its version",
    ),
    "bpmn": Format(
        "bpmn",
        "application/xml",
        "bpmn",
        export_bpmn,
        draft_preview=True,
        description="BPMN 2.0 process with lanes and diagram",
    ),
    "xlsx": Format(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        export_xlsx,
        many=True,
        description="workbook of internal-process tables",
    ),
    "opencps": Format(
        "opencps",
        "application/zip",
        "zip",
        export_opencps,
        many=True,
        description="OpenCPS v2 import zip",
    ),
}


def get_format(name: str) -> Format:
    """The format called `name`, or `ExportRefused` (``unknown-format``) listing them all."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportRefused(
            "unknown-format", f"unknown format {name!r}; formats: {', '.join(FORMATS)}"
        ) from None


def export(name: str, items: Sequence[ExportItem], options: ExportOptions | None = None) -> bytes:
    """Export `items` in the format `name`, after checking the format accepts them."""
    fmt = get_format(name)
    chosen = options or ExportOptions()
    check_items(fmt, items, chosen)
    return fmt.export(items, chosen)


__all__ = [
    "FORMATS",
    "ExportItem",
    "ExportOptions",
    "ExportRefused",
    "Format",
    "VersionInfo",
    "export",
    "file_name",
    "file_names",
    "get_format",
]
