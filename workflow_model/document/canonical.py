"""Canonical JSON of a flow document, and its SHA-256."""

from __future__ import annotations

import enum
import hashlib
import json
import math
from dataclasses import fields
from typing import Any

from .types import (
    FORMAT,
    DossierComponentEntry,
    Duration,
    Fee,
    FlowDocument,
    OfficerEntry,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)


def canonical_number(value: int | float) -> int | float:
    """Return `value` as an int when it is integral, so 2 and 2.0 dump alike.

    >>> canonical_number(2.0), canonical_number(0.5)
    (2, 0.5)
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number here")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _duration(duration: Duration) -> dict[str, Any]:
    return {"value": canonical_number(duration.value), "unit": duration.unit.value}


def _fee(fee: Fee) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": fee.name,
        "amount": canonical_number(fee.amount),
        "currency": fee.currency,
    }
    # Left out when empty, like a procedure's case: documents written before fees had
    # notes keep their bytes, so their SHA-256 (approved snapshots, submissions) holds.
    if fee.note:
        data["note"] = fee.note
    return data


def _component(component: DossierComponentEntry) -> dict[str, Any]:
    return {
        "key": component.key,
        "name": component.name,
        "originals": component.originals,
        "copies": component.copies,
        "form": component.form,
    }


def _procedure(procedure: ProcedureEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "level": procedure.level,
        "field": procedure.field,
        "legal_time": _duration(procedure.legal_time),
        "result": procedure.result,
        "legal_basis": list(procedure.legal_basis),
        "fees": [_fee(fee) for fee in procedure.fees],
        "dossier_components": [_component(c) for c in procedure.dossier_components],
    }
    if procedure.case is not None:
        data["case"] = {"key": procedure.case.key, "name": procedure.case.name}
    return data


def _unit(unit: UnitEntry) -> dict[str, Any]:
    return {
        "key": unit.key,
        "name": unit.name,
        "level": unit.level,
        "one_stop": unit.one_stop,
        "parent": unit.parent,
    }


def _officer(officer: OfficerEntry) -> dict[str, Any]:
    return {
        "key": officer.key,
        "name": officer.name,
        "title": officer.title,
        "phone": officer.phone,
        "email": officer.email,
        "unit": officer.unit,
    }


def _plain(value: object) -> Any:
    """A field's value as JSON data: enums by value, tuples as lists, durations as objects."""
    if isinstance(value, Duration):
        return _duration(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _step(step: StepEntry) -> dict[str, Any]:
    # Every field of StepEntry under its own name: a field added there is written here.
    return {field.name: _plain(getattr(step, field.name)) for field in fields(step)}


def _transition(transition: TransitionEntry) -> dict[str, Any]:
    return {"from": transition.source, "to": transition.target, "label": transition.label}


def document_to_dict(doc: FlowDocument) -> dict[str, Any]:
    """Return the plain JSON data of `doc`, with every field written out explicitly.

    Optional fields are written with their values (``split``, ``join``, ``documents``),
    so two documents that differ only in what they left implicit dump alike.
    """
    data: dict[str, Any] = {
        "format": FORMAT,
        "procedure": _procedure(doc.procedure),
        "units": [_unit(u) for u in doc.units],
        "officers": [_officer(o) for o in doc.officers],
        "steps": [_step(s) for s in doc.steps],
        "transitions": [_transition(t) for t in doc.transitions],
        "layout": {
            key: {"x": canonical_number(p.x), "y": canonical_number(p.y)}
            for key, p in doc.layout.items()
        },
    }
    if doc.source is not None:
        data["source"] = _canonical_json_value(doc.source)
    return data


def _canonical_json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json_value(v) for v in value]
    if isinstance(value, float):
        return canonical_number(value)
    return value


def dump_document(doc: FlowDocument) -> bytes:
    """Return the canonical JSON of `doc`: sorted keys, no insignificant white space, UTF-8.

    Vietnamese text is written as is, not as ASCII escapes, so the bytes (and so the
    SHA-256) are the same on every database and machine.
    """
    return json.dumps(
        document_to_dict(doc),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def document_hash(doc: FlowDocument) -> str:
    """Return the SHA-256 (hex) of the canonical JSON of `doc`."""
    return hashlib.sha256(dump_document(doc)).hexdigest()
