"""One reported event as it arrives (a JSON object), checked field by field: pure, no database.

`parse_item` turns a mapping shaped like the ingest API's items (``id, dossier,
procedure, case, kind, at, step, unit, officer, note, channel, check, new_due``) into an
`EventItem`, or raises `ChangeRefused(Refusal.INVALID_EVENT, field=...)` naming the first
field that is missing or wrong. What needs the database (does the procedure exist, is
the step in the pinned version) is the ingest's to check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..document.limits import KEY_PATTERN
from ..models.tracking import (
    CODE_LENGTH,
    EMAIL_LENGTH,
    EVENT_ID_LENGTH,
    NOTE_LENGTH,
    Channel,
    EventKind,
)
from ..refusals import ChangeRefused, Refusal

__all__ = ["CHECK_LENGTH", "FIELDS", "EventItem", "parse_item"]

FIELDS = frozenset(
    {"id", "dossier", "procedure", "case", "kind", "at", "step", "unit", "officer", "note"}
    | {"channel", "check", "new_due"}
)
"""The fields an item may carry; any other is refused, so a misspelt one is not lost."""

CHECK_LENGTH = 64
"""The longest check value a receipt may carry."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class EventItem:
    """An item whose fields are each well formed; `at` and `new_due` are aware datetimes."""

    id: str
    dossier: str
    kind: EventKind
    at: datetime
    procedure: str | None = None
    case: str | None = None
    step: str | None = None
    unit: str | None = None
    officer: str | None = None
    note: str = ""
    channel: Channel | None = None
    check: str | None = None
    new_due: datetime | None = None


def _refuse(field: str, problem: str) -> ChangeRefused:
    return ChangeRefused(Refusal.INVALID_EVENT, f"field {field!r}: {problem}", field=field)


def _text(
    item: Mapping[str, Any],
    field: str,
    limit: int,
    *,
    required: bool = False,
    lines: bool = False,
) -> str | None:
    value = item.get(field)
    if value is None or value == "":
        if required:
            raise _refuse(field, "missing")
        return None
    if not isinstance(value, str):
        raise _refuse(field, "not a string")
    control = (
        _CONTROL.search(value.replace("\n", "").replace("\t", ""))
        if lines
        else _CONTROL.search(value)
    )
    if len(value) > limit or control or (not lines and value != value.strip()):
        raise _refuse(field, f"longer than {limit} characters, or control characters or spaces")
    return value


def _key(item: Mapping[str, Any], field: str, *, required: bool = False) -> str | None:
    value = _text(item, field, 64, required=required)
    if value is not None and not _KEY.fullmatch(value):
        raise _refuse(field, "not a key (letters, digits, _ . -)")
    return value


def _moment(item: Mapping[str, Any], field: str, *, required: bool = False) -> datetime | None:
    value = _text(item, field, 64, required=required)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _refuse(field, "not an ISO 8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _refuse(field, "no UTC offset")
    return moment


def parse_item(item: object) -> EventItem:
    """Check one item's fields and return them typed; raise `ChangeRefused` on the first wrong.

    >>> event = parse_item({"id": "e1", "dossier": "H12-1", "procedure": "1.001",
    ...     "kind": "received", "at": "2026-03-09T08:00:00+07:00", "channel": "online",
    ...     "check": "482913"})
    >>> event.kind.value, event.at.isoformat()
    ('received', '2026-03-09T08:00:00+07:00')
    >>> parse_item({"id": "e2", "dossier": "H12-1", "kind": "paused",
    ...     "at": "2026-03-09T08:00:00"})
    Traceback (most recent call last):
    ...
    workflow_model.refusals.ChangeRefused: field 'at': no UTC offset
    """
    if not isinstance(item, Mapping):
        raise _refuse("item", "not an object")
    unknown = sorted(str(key) for key in item if key not in FIELDS)
    if unknown:
        raise _refuse(unknown[0], "not a field of an event")
    raw_id = item.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    event_id = _text({"id": raw_id}, "id", EVENT_ID_LENGTH, required=True)
    dossier = _text(item, "dossier", CODE_LENGTH, required=True)
    raw_kind = item.get("kind")
    try:
        kind = EventKind(str(raw_kind))
    except ValueError:
        raise _refuse("kind", "not a known kind of event") from None
    at = _moment(item, "at", required=True)
    assert event_id is not None and dossier is not None and at is not None
    received = kind is EventKind.RECEIVED
    channel = None
    raw_channel = item.get("channel")
    if received:
        try:
            channel = Channel(str(raw_channel))
        except ValueError:
            raise _refuse("channel", "not online, counter or post") from None
    elif raw_channel is not None:
        raise _refuse("channel", "only a received event has a channel")
    check = _text(item, "check", CHECK_LENGTH, required=received)
    if check is not None and not received:
        raise _refuse("check", "only a received event carries the check value")
    step = _key(item, "step", required=kind in (EventKind.STEP_STARTED, EventKind.STEP_COMPLETED))
    new_due = _moment(item, "new_due", required=kind is EventKind.APOLOGY_SENT)
    if new_due is not None and kind is not EventKind.APOLOGY_SENT:
        raise _refuse("new_due", "only an apology carries a new return date")
    return EventItem(
        id=event_id,
        dossier=dossier,
        kind=kind,
        at=at,
        procedure=_text(item, "procedure", CODE_LENGTH, required=received),
        case=_key(item, "case"),
        step=step,
        unit=_text(item, "unit", 64),
        officer=_text(item, "officer", EMAIL_LENGTH),
        note=_text(item, "note", NOTE_LENGTH, lines=True) or "",
        channel=channel,
        check=check,
        new_due=new_due,
    )
