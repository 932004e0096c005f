"""A new draft with suggested times (bản nháp với thời gian đề xuất), from the calibration.

Nothing changes by itself: an administrator asks for the draft, which is opened by the
lifecycle (`lifecycle.new_draft`, from the version in force) and has each suggested
duration set through `flow_editing.update_step`, the one write path of a draft's steps,
journaled and checked like an edit in the editor. The draft is then edited, validated
(the legal-time budget still holds: `submit` refuses a draft whose critical path exceeds
the legal time) and reviewed like any other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from ..conversion.step_content import step_values
from ..document import Duration
from ..document.limits import MAX_DURATION
from ..enums import Role, TimeUnit
from ..flow_editing import update_step
from ..flow_editing.changes import steps_of
from ..lifecycle import LifecycleRefused, new_draft, require_role, version_in_force
from ..models import FlowVersion, ProcedureCase, User
from ..refusals import ChangeRefused, Refusal
from ..version_rules import refuse_open_version

__all__ = ["draft_with_suggested_times"]


def _check(suggestions: Mapping[str, object], keys: set[str]) -> None:
    """Refuse, before anything is written, suggestions the draft could not take.

    They come from a page or a script, so their types are checked too.
    """
    if not suggestions:
        raise ChangeRefused(Refusal.INVALID_VALUE, "no suggested time to set")
    for key, duration in suggestions.items():
        if key not in keys:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no step {key!r} in the version in force")
        value: object = duration.value if isinstance(duration, Duration) else None
        unit: object = duration.unit if isinstance(duration, Duration) else None
        if (
            not isinstance(unit, TimeUnit)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= MAX_DURATION
        ):
            raise ChangeRefused(
                Refusal.INVALID_DURATION, f"not a duration for {key!r}: {duration!r}", value=value
            )


def draft_with_suggested_times(
    session: Session,
    case_id: int,
    suggestions: Mapping[str, Duration],
    user: User | None,
    *,
    now: datetime | None = None,
) -> FlowVersion:
    """Open a new draft of the case `case_id` from its version in force, with new times.

    `suggestions` maps step keys to their new duration. Refused, with nothing created:
    a user who is not an administrator (``not-permitted``), a case that does not exist
    (``not-found``), a case with an open version (``open-version``, as `new_draft`), a
    case without a version in force (``not-in-force``), a key the version does not hold
    (``not-found``), a duration out of range (``invalid-duration``), no suggestion at all
    (``invalid-value``). Each step whose time changes is one `update_step`, journaled;
    the other steps stay as they are, and so does the version in force. Nothing is
    submitted: a draft whose new times break the legal-time budget is still created, and
    its findings say so until it is edited.
    """
    require_role(user, Role.ADMIN)
    assert user is not None  # require_role refuses nobody
    case = session.get(ProcedureCase, case_id)
    if case is None:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no procedure case {case_id}")
    refuse_open_version(session, case)
    source = version_in_force(session, case.id, now)
    if source is None:
        raise LifecycleRefused(Refusal.NOT_IN_FORCE, f"case {case_id} has no version in force")
    _check(suggestions, set(steps_of(session, source)))
    draft = new_draft(session, case, user, from_version=source)
    lock = draft.lock_counter
    steps = steps_of(session, draft)
    for key, duration in suggestions.items():
        values = step_values(steps[key])
        values["duration"] = {"value": duration.value, "unit": duration.unit.value}
        lock = update_step(session, user, draft.id, lock, key, values).lock
        steps = steps_of(session, draft)
    session.refresh(draft)
    return draft
