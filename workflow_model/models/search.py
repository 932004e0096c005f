"""Keeps the folded `search_text` column of searchable models up to date on every flush."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, UOWTransaction

from ..text import search_text
from .base import utcnow
from .directory import Officer, Unit


@sa.event.listens_for(Session, "before_flush")
def _refresh_search_text(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # One listener for every model that declares __search_fields__, so no view or
    # service can forget to keep the search column in step with the names.
    new = session.new  # a new set on each call: read once, so a flush costs n, not n²
    for obj in (*new, *session.dirty):
        fields = getattr(type(obj), "__search_fields__", None)
        if fields:
            obj.search_text = search_text(*(getattr(obj, name) for name in fields))
        # Units and officers remember when they last changed, so the catalogue can say
        # which versions in force describe a directory that has moved on (drift).
        changed = obj in new or session.is_modified(obj)
        if isinstance(obj, Unit | Officer) and changed:
            obj.updated_at = utcnow()
