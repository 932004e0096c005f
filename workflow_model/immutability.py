"""Frozen versions stay frozen: a flush that would change one raises, whatever the path.

The lifecycle and editing services refuse such changes with a message; this guard is
the second line, so that even a direct session edit of an approved version's steps, or
of its stored snapshot, fails.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import (
    FlowVersion,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    VersionOfficer,
    VersionStatus,
    VersionUnit,
)
from .refusals import ChangeRefused

FROZEN_COLUMNS = (
    "snapshot",
    "snapshot_sha256",
    "submitted_snapshot",
    "submitted_sha256",
    "approved_by_id",
    "approved_at",
    "case_id",
)


def _version_id(session: Session, obj: Any) -> int | None:
    if isinstance(obj, Step | Transition | VersionUnit | VersionOfficer):
        return obj.version_id
    step = session.get(Step, obj.step_id) if obj.step_id is not None else None
    return step.version_id if step is not None else None


def _committed_status(session: Session, version_id: int) -> VersionStatus | None:
    version = session.get(FlowVersion, version_id)
    if version is None:
        return None
    history = sa.inspect(version).attrs.status.history
    # The status this flush starts from: an approval in the same flush freezes afterwards.
    return history.deleted[0] if history.deleted else version.status


@sa.event.listens_for(Session, "before_flush")
def _guard_frozen_versions(session: Session, _context: Any, _instances: Any) -> None:
    content = (Step, Transition, StepOfficer, StepDocument, VersionUnit, VersionOfficer)
    dirty = session.dirty  # a new set on each call: read once, so a flush costs n, not n²
    changed = [
        obj
        for obj in (*session.new, *dirty, *session.deleted)
        if isinstance(obj, content) and (obj not in dirty or session.is_modified(obj))
    ]
    with session.no_autoflush:
        for obj in changed:
            version_id = _version_id(session, obj)
            if version_id is None:
                continue
            status = _committed_status(session, version_id)
            if status is not None and not status.editable:
                raise ChangeRefused(
                    "not-draft", f"version {version_id} is {status.value}: it cannot change"
                )
        for obj in session.dirty:
            if isinstance(obj, FlowVersion):
                _guard_version_row(obj)


def _guard_version_row(version: FlowVersion) -> None:
    state = sa.inspect(version)
    status = state.attrs.status.history
    was = status.deleted[0] if status.deleted else version.status
    if was.editable or was is VersionStatus.SUBMITTED:
        return
    for column in FROZEN_COLUMNS:
        if state.attrs[column].history.has_changes():
            raise ChangeRefused("not-draft", f"the {column} of a {was.value} version is frozen")
