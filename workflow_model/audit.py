"""The audit trail: every change writes who did what, to what, with before and after."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import AuditEvent, User

#: The journal's record types of a version's content: its steps, transitions and members.
CONTENT_ENTITIES = ("step", "transition", "version_unit", "version_officer")


def record_event(
    session: Session,
    user: User | None,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to `session` (committed with the change it describes).

    A service calls it with the acting user (None for the system), what it did
    (``create``, ``update``, ``delete``, ``approve``, …), the kind and id of the row, and
    the row's columns before and after, then commits both in one transaction.
    """
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def content_entity_id(version_id: int, key: str) -> str:
    """The journal's id of an element of a version's content: ``"VERSION:KEY"``.

    >>> content_entity_id(12, "s2"), content_entity_id(12, "s1>s2")
    ('12:s2', '12:s1>s2')
    """
    return f"{version_id}:{key}"


def content_editors(session: Session, version_id: int) -> set[int]:
    """The ids of the users the journal shows changing the content of version `version_id`.

    Every journaled edit of its steps, transitions and members counts, whatever it was;
    the four-eyes rule keeps each of these users from approving the version.
    """
    rows = session.execute(
        sa.select(AuditEvent.user_id)
        .where(
            AuditEvent.entity_type.in_(CONTENT_ENTITIES),
            AuditEvent.entity_id.like(content_entity_id(version_id, "%")),
            AuditEvent.user_id.is_not(None),
        )
        .distinct()
    ).scalars()
    return {user_id for user_id in rows if user_id is not None}
