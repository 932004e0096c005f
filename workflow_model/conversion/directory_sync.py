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


def resolve_units(session: Session, doc: FlowDocument, user: User | None) -> dict[str, Unit]:
    """Match each unit of `doc` to an identical directory unit, or create it.

    A unit is reused only when name, level, one-stop flag and parent all agree: an
    import never rewrites the directory, and two provinces' "tt" stay two units.
    """
    resolved: dict[str, Unit] = {}
    for entry in unit_order(doc)[0]:
        level = level_by_key(session, entry.level)
        parent = resolved[entry.parent] if entry.parent is not None else None
        taken = {unit.id for unit in resolved.values()}
        unit = _match_unit(session, entry, level, parent, taken)
        if unit is None:
            codes = session.execute(sa.select(Unit.code).where(Unit.code.like(f"{entry.key}%")))
            unit = Unit(
                code=free_key(entry.key, codes.scalars()),
                name=entry.name,
                level=level,
                one_stop=entry.one_stop,
                parent=parent,
            )
            session.add(unit)
            session.flush()
            record_event(session, user, "create", "unit", unit.id, after=_unit_state(unit))
        resolved[entry.key] = unit
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
    its name, title, phone and unit, and the change is journaled.
    """
    resolved: dict[str, Officer] = {}
    for entry in doc.officers:
        email = entry.email or None
        unit = units[entry.unit]
        officer = None
        if email is not None:
            officer = session.execute(
                sa.select(Officer).where(Officer.email == email)
            ).scalar_one_or_none()
        else:
            officer = session.execute(
                sa.select(Officer).where(
                    Officer.email.is_(None),
                    Officer.full_name == entry.name,
                    Officer.unit_id == unit.id,
                )
            ).scalar()
        if officer is not None and officer in resolved.values():
            officer = None if email is None else officer
        before = _officer_state(officer) if officer is not None else None
        if officer is None:
            officer = Officer(email=email)
            session.add(officer)
        officer.full_name, officer.title, officer.phone = entry.name, entry.title, entry.phone
        officer.unit = unit
        session.flush()
        after = _officer_state(officer)
        if before != after:
            action = "create" if before is None else "update"
            record_event(session, user, action, "officer", officer.id, before=before, after=after)
        resolved[entry.key] = officer
    return resolved
