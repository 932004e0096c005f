"""What stops a flow document from being stored: duplicate keys, keys naming nothing."""

from __future__ import annotations

from collections.abc import Iterable

from ..document import (
    FlowDocument,
    UnitEntry,
)


def _duplicates(path: str, keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    errors = []
    for index, key in enumerate(keys):
        if key in seen:
            errors.append(f"{path}[{index}].key: duplicate key {key!r}")
        seen.add(key)
    return errors


def unit_order(doc: FlowDocument) -> tuple[list[UnitEntry], list[str]]:
    """Units with every parent before its children, or the errors that prevent it."""
    by_key = {unit.key: unit for unit in doc.units}
    ordered: list[UnitEntry] = []
    placed: set[str] = set()
    errors: list[str] = []
    for index, unit in enumerate(doc.units):
        chain: list[UnitEntry] = []
        current: UnitEntry | None = unit
        while current is not None and current.key not in placed:
            if current in chain:
                errors.append(f"units[{index}].parent: the units' parents form a cycle")
                break
            chain.append(current)
            current = by_key.get(current.parent) if current.parent is not None else None
        else:
            for entry in reversed(chain):
                placed.add(entry.key)
                ordered.append(entry)
            continue
        break
    return ordered, errors


def reference_errors(doc: FlowDocument) -> list[str]:
    """Return what stops `doc` from being stored: duplicate keys and keys that name nothing.

    The validators report the same problems as findings; storing needs them fixed, since
    the database keeps every reference as a foreign key.
    """
    proc = doc.procedure
    errors = _duplicates("units", (u.key for u in doc.units))
    errors += _duplicates("officers", (o.key for o in doc.officers))
    errors += _duplicates("steps", (s.key for s in doc.steps))
    errors += _duplicates("procedure.dossier_components", (c.key for c in proc.dossier_components))
    units = {u.key for u in doc.units}
    officers = {o.key for o in doc.officers}
    steps = {s.key for s in doc.steps}
    components = {c.key for c in proc.dossier_components}
    for i, unit in enumerate(doc.units):
        if unit.parent is not None and unit.parent not in units:
            errors.append(f"units[{i}].parent: unknown unit {unit.parent!r}")
    emails: dict[str, int] = {}
    for i, officer in enumerate(doc.officers):
        if officer.unit not in units:
            errors.append(f"officers[{i}].unit: unknown unit {officer.unit!r}")
        if officer.email and officer.email in emails:
            first = emails[officer.email]
            errors.append(f"officers[{i}].email: {officer.email!r} is already officers[{first}]'s")
        emails.setdefault(officer.email, i)
    for i, step in enumerate(doc.steps):
        if step.unit is not None and step.unit not in units:
            errors.append(f"steps[{i}].unit: unknown unit {step.unit!r}")
        for j, key in enumerate(step.officers):
            if key not in officers:
                errors.append(f"steps[{i}].officers[{j}]: unknown officer {key!r}")
            elif key in step.officers[:j]:
                errors.append(f"steps[{i}].officers[{j}]: officer {key!r} is listed twice")
        for j, key in enumerate(step.documents):
            if key not in components:
                errors.append(f"steps[{i}].documents[{j}]: unknown dossier component {key!r}")
            elif key in step.documents[:j]:
                errors.append(
                    f"steps[{i}].documents[{j}]: dossier component {key!r} is listed twice"
                )
    pairs: set[tuple[str, str]] = set()
    for i, transition in enumerate(doc.transitions):
        for end, key in (("from", transition.source), ("to", transition.target)):
            if key not in steps:
                errors.append(f"transitions[{i}].{end}: unknown step {key!r}")
        pair = (transition.source, transition.target)
        if pair in pairs:
            errors.append(f"transitions[{i}]: duplicate transition {pair[0]!r} → {pair[1]!r}")
        pairs.add(pair)
    errors += [f"layout.{key}: unknown step {key!r}" for key in doc.layout if key not in steps]
    errors += unit_order(doc)[1]
    return errors
