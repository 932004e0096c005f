"""The audit trail: every change writes who did what, to what, with before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent, User


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
