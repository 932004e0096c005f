"""Matching a document's units and officers to the directory, or creating them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..audit import record_event
from ..document import (
    FlowDocument,
    UnitEntry,
)
from ..document.limits import MAX_KEY_LENGTH
from ..models import (
    Level,
    Officer,
    Unit,
    User,
)
from .catalogue_sync import level_by_key
from .reading import free_key
from .references import unit_order


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level.key,
        "one_stop": unit.one_stop,
        "parent": unit.parent.code if unit.parent else None,
    }


def _match_unit(
    session: Session, entry: UnitEntry, level: Level, parent: Unit | None, taken: set[int]
) -> Unit | None:
    same = sa.and_(
        Unit.name == entry.name,
        Unit.level_id == level.id,
        Unit.one_stop == entry.one_stop,
        Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id,
    )
    by_code = session.execute(sa.select(Unit).where(Unit.code == entry.key, same)).scalar()
    if by_code is not None and by_code.id not in taken:
        return by_code
    for unit in session.execute(sa.select(Unit).where(same).order_by(Unit.id)).scalars():
        if unit.id not in taken:
            return unit
    return None


def _free_code(session: Session, key: str, created: list[Unit]) -> str:
    # `key`, or `key-2`…; a long key is cut so that its suffix still fits the column.
    def free(wanted: str) -> str:
        codes = session.execute(sa.select(Unit.code).where(Unit.code.like(f"{wanted}%")))
        return free_key(wanted, [*codes.scalars(), *(unit.code for unit in created)])

    code = free(key)
    return code if len(code) <= MAX_KEY_LENGTH else free(key[: MAX_KEY_LENGTH - 8])


def resolve_units(session: Session, doc: FlowDocument, user: User | None) -> dict[str, Unit]:
    """Match each unit of `doc` to an identical directory unit, or create it.

    A unit is reused only when name, level, one-stop flag and parent all agree: an
    import never rewrites the directory, and two provinces' "tt" stay two units. The
    units created are flushed together, once, then journaled.
    """
    resolved: dict[str, Unit] = {}
    created: list[Unit] = []
    levels = {key: level_by_key(session, key) for key in dict.fromkeys(u.level for u in doc.units)}
    with session.no_autoflush:
        for entry in unit_order(doc)[0]:
            level = levels[entry.level]
            parent = resolved[entry.parent] if entry.parent is not None else None
            taken = {unit.id for unit in resolved.values() if unit not in created}
            # A unit this import creates is nobody's parent in the directory yet.
            unit = None if parent in created else _match_unit(session, entry, level, parent, taken)
            if unit is None:
                unit = Unit(
                    code=_free_code(session, entry.key, created),
                    name=entry.name,
                    level=level,
                    one_stop=entry.one_stop,
                    parent=parent,
                )
                session.add(unit)
                created.append(unit)
            resolved[entry.key] = unit
    session.flush()
    for unit in created:
        record_event(session, user, "create", "unit", unit.id, after=_unit_state(unit))
    return resolved


def _officer_state(officer: Officer) -> dict[str, Any]:
    return {
        "full_name": officer.full_name,
        "title": officer.title,
        "phone": officer.phone,
        "email": officer.email,
        "unit": officer.unit.code,
    }


def resolve_officers(
    session: Session, doc: FlowDocument, units: dict[str, Unit], user: User | None
) -> dict[str, Officer]:
    """Match each officer of `doc` by email (which identifies a person), or create it.

    The document is the newer statement of a person's contacts: a matched officer takes
    its name, title, phone and unit, and the change is journaled. Two queries find the
    existing officers, and one flush stores them all.
    """
    emails = [entry.email for entry in doc.officers if entry.email]
    nameless_units = {units[entry.unit].id for entry in doc.officers if not entry.email}
    with session.no_autoflush:
        by_email = {
            officer.email: officer
            for officer in session.execute(
                sa.select(Officer).where(Officer.email.in_(emails))
            ).scalars()
        }
        nameless = list(
            session.execute(
                sa.select(Officer)
                .where(Officer.email.is_(None), Officer.unit_id.in_(nameless_units))
                .order_by(Officer.id)
            ).scalars()
        )
        resolved: dict[str, Officer] = {}
        changes: list[tuple[Officer, dict[str, Any] | None]] = []
        for entry in doc.officers:
            email = entry.email or None
            unit = units[entry.unit]
            if email is not None:
                officer = by_email.get(email)
            else:
                officer = next(
                    (o for o in nameless if o.full_name == entry.name and o.unit_id == unit.id),
                    None,
                )
                if officer is not None and officer in resolved.values():
                    officer = None
            before = _officer_state(officer) if officer is not None else None
            if officer is None:
                officer = Officer(email=email)
                session.add(officer)
            officer.full_name, officer.title, officer.phone = entry.name, entry.title, entry.phone
            officer.unit = unit
            changes.append((officer, before))
            resolved[entry.key] = officer
    # One flush for every officer created or changed, then the journal.
    session.flush()
    for officer, before in changes:
        after = _officer_state(officer)
        if before != after:
            action = "create" if before is None else "update"
            record_event(session, user, action, "officer", officer.id, before=before, after=after)
    return resolved
