"""The ``json`` format: the canonical ``sodo.flow/1`` document and its version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from workflow_model.document import dump_document

from .base import ExportItem, ExportOptions


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(items: Sequence[ExportItem], options: ExportOptions) -> bytes:
    """The document of one version as canonical JSON, with a ``version`` block added.

    The document's keys are those of ``sodo.flow/1`` (the project's JSON Schema allows
    the ``version`` block); Vietnamese text is written as is, in UTF-8.
    """
    (item,) = items
    data = json.loads(dump_document(item.document))
    version = item.version
    data["version"] = {
        "number": version.number,
        "status": version.status,
        "approved_by": version.approved_by,
        "approved_at": _time(version.approved_at),
        "effective_from": _time(version.effective_from),
        "snapshot_sha256": version.snapshot_sha256,
        "draft": version.is_draft,
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")
