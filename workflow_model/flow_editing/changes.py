"""The machinery around every change of a draft: load, remember, journal, commit, undo.

A gesture (`gestures.py`) loads the version through `open_change`, which checks the
role, the lock and the status; it tells the `ChangeSet` which steps and transitions it
is about to touch; `ChangeSet.commit` then checks the result's structure, journals each
touched element before and after, marks the version changed and commits once. The
states journaled are the states undo restores, both built by
`conversion.step_content`, so every field of a step is in both.

Steps are named by their key and transitions by ``"FROM>TO"``: ids change when a deleted
step comes back, keys do not.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, Literal, ParamSpec

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..audit import content_entity_id, record_event
from ..conversion.step_content import step_values, transition_values
from ..editing import ensure_draft, integrity_code, mark_changed
from ..lifecycle import LifecycleRefused, check_lock, require_role
from ..models import FlowVersion, Role, Step, Transition, User
from ..refusals import ChangeRefused, Refusal
from .checks import check_structure, transition_id

Params = ParamSpec("Params")
ElementKind = Literal["steps", "transitions"]
State = dict[str, Any]
Snapshot = dict[str, dict[str, State | None]]
"""``{"steps": {key: state or None}, "transitions": {"FROM>TO": state or None}}``.

None means "absent": restoring it deletes the element.
"""


@dataclass(frozen=True)
class EditResult:
    """The outcome of a change: the version's new lock counter and how to undo or redo it."""

    lock: int
    undo: Snapshot
    redo: Snapshot
    selected: str | None = None
    changed: bool = True
    selected_kind: str = "step"


def step_state(step: Step) -> State:
    """A step's state as JSON-ready data: its content, where it is drawn, its order.

    This is what undo restores and what the journal records.
    """
    return {**step_values(step), "x": step.x, "y": step.y, "position": step.position}


def transition_state(transition: Transition) -> State:
    """A transition's state as JSON-ready data: its content and its order."""
    return {**transition_values(transition), "position": transition.position}


def steps_of(session: Session, version: FlowVersion) -> dict[str, Step]:
    """The steps of `version` by key."""
    rows = session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars()
    return {step.key: step for step in rows}


def transitions_of(session: Session, version: FlowVersion) -> dict[str, Transition]:
    """The transitions of `version` by ``"FROM>TO"``."""
    keys = {step.id: step.key for step in steps_of(session, version).values()}
    rows = session.execute(sa.select(Transition).where(Transition.version_id == version.id))
    return {transition_id(keys[t.from_step_id], keys[t.to_step_id]): t for t in rows.scalars()}


def snapshot(session: Session, version: FlowVersion, like: Snapshot) -> Snapshot:
    """The current states of the elements named in `like` (None for those absent)."""
    session.flush()
    steps = steps_of(session, version)
    transitions = transitions_of(session, version)
    return {
        "steps": {
            key: step_state(steps[key]) if key in steps else None for key in like.get("steps", {})
        },
        "transitions": {
            key: transition_state(transitions[key]) if key in transitions else None
            for key in like.get("transitions", {})
        },
    }


def open_change(session: Session, user: User | None, version_id: int, lock: int) -> ChangeSet:
    """Start a change of draft `version_id` by `user`, who loaded it at `lock`.

    Refused, in this order: a user without the administrator role (``not-permitted``),
    a version that does not exist (``not-found``), a version that is not a draft
    (``not-draft``: reloading would not help), a stale lock (``conflict``).
    """
    require_role(user, Role.ADMIN)
    version = session.get(FlowVersion, version_id)
    if version is None:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no version {version_id}")
    session.refresh(version)  # the status and lock as committed, not as this session saw them
    ensure_draft(version)
    check_lock(session, version, lock)
    return ChangeSet(version, user)


@dataclass
class ChangeSet:
    """The elements one change touches, with their states before it."""

    version: FlowVersion
    user: User | None
    before: Snapshot = field(default_factory=lambda: {"steps": {}, "transitions": {}})

    def remember(self, kind: ElementKind, key: str, obj: Step | Transition | None) -> None:
        """Keep the state of an element before its first change in this edit."""
        if key in self.before[kind]:
            return
        if obj is None:
            self.before[kind][key] = None
        elif isinstance(obj, Step):
            self.before[kind][key] = step_state(obj)
        else:
            self.before[kind][key] = transition_state(obj)

    def commit(
        self, session: Session, selected: str | None = None, selected_kind: str = "step"
    ) -> EditResult:
        """Check the result, journal the touched elements, mark the version changed, commit."""
        after = snapshot(session, self.version, self.before)
        if after == self.before:
            session.rollback()
            return EditResult(
                self.version.lock_counter, {}, {}, selected, False, selected_kind=selected_kind
            )
        check_structure(session, self.version)
        mark_changed(session, self.user, self.version)
        try:
            session.flush()
            self._journal(session, after)
            session.commit()
        except IntegrityError as error:
            session.rollback()
            code = integrity_code(error)
            if code is Refusal.DUPLICATE and self.before["transitions"]:
                code = Refusal.DUPLICATE_TRANSITION
            raise ChangeRefused(code, str(error.orig).splitlines()[0]) from error
        except StaleDataError as error:
            session.rollback()
            raise LifecycleRefused(Refusal.CONFLICT, "version changed meanwhile") from error
        return EditResult(
            self.version.lock_counter, self.before, after, selected, True, selected_kind
        )

    def _journal(self, session: Session, after: Snapshot) -> None:
        for kind, entity in (("steps", "step"), ("transitions", "transition")):
            for key, old in self.before[kind].items():
                new = after[kind].get(key)
                if old == new:
                    continue
                action = "create" if old is None else "delete" if new is None else "update"
                record_event(
                    session,
                    self.user,
                    action,
                    entity,
                    content_entity_id(self.version.id, key),
                    before=old,
                    after=new,
                )


def refusing(
    function: Callable[Concatenate[Session, Params], EditResult],
) -> Callable[Concatenate[Session, Params], EditResult]:
    """Roll back whatever a change had begun when it fails, so a failure changes nothing.

    Only refusals are the user's to read; anything else is a bug and propagates as is.
    """

    @functools.wraps(function)
    def wrapper(session: Session, /, *args: Params.args, **kwargs: Params.kwargs) -> EditResult:
        try:
            return function(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper
