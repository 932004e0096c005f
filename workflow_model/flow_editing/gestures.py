"""One service per gesture on a draft's diagram: add, edit, move, connect, label, delete.

Each checks what it is given, touches only the rows it names, and ends in
`ChangeSet.commit`; `restore` (undo and redo) is one more gesture, checked the same way.
The editor, the step and transition forms, and any later import or API call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..conversion.reading import free_key
from ..conversion.step_content import (
    StepValues,
    TransitionValues,
    apply_step_values,
    apply_transition_values,
    values_from_entry,
)
from ..document import Duration, StepEntry
from ..models import Step, StepKind, TimeUnit, Transition, User
from ..refusals import ChangeRefused, Refusal
from .changes import (
    ChangeSet,
    EditResult,
    Snapshot,
    open_change,
    refusing,
    steps_of,
    transitions_of,
)
from .checks import (
    check_coordinate,
    check_key,
    check_label,
    check_point,
    check_references,
    layout_state,
    parse_step_values,
    parse_transition_values,
    split_transition_id,
    transition_id,
)


def new_step_values(kind: StepKind, name: str) -> StepValues:
    """The content of a step just dropped on the diagram: no unit, no officers, no time.

    >>> new_step_values(StepKind.TASK, "Thẩm định")["duration"]
    {'value': 0, 'unit': 'working_day'}
    """
    # Every other field takes StepEntry's default, so a field added there is filled here.
    entry = StepEntry("", name, StepKind.TASK, None, Duration(0, TimeUnit.WORKING_DAY))
    values = values_from_entry(entry, {}, {}, {})
    values["kind"] = kind  # as given: `parse_step_values` refuses a kind that is none
    return values


def _next_position(rows: Iterable[Step | Transition]) -> int:
    return max((row.position for row in rows), default=-1) + 1


def _insert_step(
    session: Session,
    change: ChangeSet,
    key: str | None,
    values: object,
    x: float | None,
    y: float | None,
) -> str:
    checked = parse_step_values(values)
    check_references(session, change.version, checked)
    steps = steps_of(session, change.version)
    key = free_key(f"s{len(steps) + 1}", steps) if key is None else check_key(key)
    if key in steps:
        raise ChangeRefused(Refusal.DUPLICATE, f"step {key!r} exists", key=key)
    change.remember("steps", key, None)
    step = Step(
        version_id=change.version.id,
        key=key,
        x=x,
        y=y,
        position=_next_position(steps.values()),
    )
    session.add(step)
    apply_step_values(session, step, checked)
    return key


@refusing
def add_step(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    *,
    kind: StepKind,
    name: str,
    x: float,
    y: float,
    unit_of: str | None = None,
) -> EditResult:
    """Add a step of `kind` named `name` at (`x`, `y`); its key is the next free ``sN``.

    The new step takes no time until the inspector says otherwise. With `unit_of`, the
    key of a step of the version, it takes that step's unit, so it is drawn in its lane;
    a key the version does not hold is refused.
    """
    change = open_change(session, user, version_id, lock)
    point = check_coordinate(x), check_coordinate(y)
    values = new_step_values(kind, name)
    if unit_of is not None:
        beside = steps_of(session, change.version).get(check_key(unit_of))
        if beside is None:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no step {unit_of!r}", key=unit_of)
        values["unit"] = beside.unit_id
    key = _insert_step(session, change, None, values, *point)
    return change.commit(session, selected=key)


@refusing
def create_step(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    values: StepValues,
    key: str | None = None,
) -> EditResult:
    """Add a step with all its content at once, as the step form does.

    Without `key` the next free ``sN`` is used. The step has no saved position, so the
    diagram's auto-layout places it.
    """
    change = open_change(session, user, version_id, lock)
    added = _insert_step(session, change, key, values, None, None)
    return change.commit(session, selected=added)


@refusing
def update_step(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    key: str,
    values: StepValues,
) -> EditResult:
    """Set every field of the step `key` at once (the inspector's or the form's save)."""
    change = open_change(session, user, version_id, lock)
    step = steps_of(session, change.version).get(key)
    if step is None:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no step {key!r}")
    checked = parse_step_values(values)
    check_references(session, change.version, checked)
    change.remember("steps", key, step)
    apply_step_values(session, step, checked)
    return change.commit(session, selected=key)


@refusing
def move_steps(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    positions: Mapping[str, tuple[float, float]],
) -> EditResult:
    """Save where steps sit on the diagram: after a drag, or after an auto-layout."""
    change = open_change(session, user, version_id, lock)
    steps = steps_of(session, change.version)
    for key, point in positions.items():
        step = steps.get(key)
        if step is None:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no step {key!r}")
        change.remember("steps", key, step)
        step.x, step.y = check_point(point)
    return change.commit(session)


@refusing
def connect(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    from_key: str,
    to_key: str,
    label: str = "",
) -> EditResult:
    """Add a transition from step `from_key` to step `to_key`.

    Refused: a step to itself (``self-loop``), a pair already connected
    (``duplicate-transition``), and a transition into the start step (``into-start``).
    """
    change = open_change(session, user, version_id, lock)
    steps = steps_of(session, change.version)
    if from_key not in steps or to_key not in steps:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no step {from_key!r} or {to_key!r}")
    existing = transitions_of(session, change.version)
    key = transition_id(from_key, to_key)
    if key in existing:
        raise ChangeRefused(
            Refusal.DUPLICATE_TRANSITION, f"{from_key!r} already leads to {to_key!r}"
        )
    change.remember("transitions", key, None)
    transition = Transition(
        version_id=change.version.id,
        from_step_id=steps[from_key].id,
        to_step_id=steps[to_key].id,
        position=_next_position(existing.values()),
    )
    apply_transition_values(transition, TransitionValues(label=check_label(label)))
    session.add(transition)
    return change.commit(session, selected=key, selected_kind="transition")


@refusing
def set_label(
    session: Session, user: User | None, version_id: int, lock: int, key: str, label: str
) -> EditResult:
    """Set the label of the transition `key` (``"FROM>TO"``), e.g. "Đủ điều kiện"."""
    change = open_change(session, user, version_id, lock)
    transition = transitions_of(session, change.version).get(key)
    if transition is None:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no transition {key!r}")
    change.remember("transitions", key, transition)
    apply_transition_values(transition, TransitionValues(label=check_label(label)))
    return change.commit(session, selected=key, selected_kind="transition")


@refusing
def delete_elements(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    *,
    steps: Iterable[str] = (),
    transitions: Iterable[str] = (),
) -> EditResult:
    """Delete steps (with every transition into or out of them) and transitions."""
    change = open_change(session, user, version_id, lock)
    rows = steps_of(session, change.version)
    links = transitions_of(session, change.version)
    doomed, cut = set(steps), set(transitions)
    for key in doomed:
        if key not in rows:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no step {key!r}")
    for key in cut:
        if key not in links:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no transition {key!r}")
    for key, transition in links.items():
        from_key, to_key = split_transition_id(key)
        if key in cut or from_key in doomed or to_key in doomed:
            change.remember("transitions", key, transition)
            session.delete(transition)
    session.flush()
    for key in doomed:
        change.remember("steps", key, rows[key])
        session.delete(rows[key])
    return change.commit(session)


@refusing
def restore(
    session: Session, user: User | None, version_id: int, lock: int, states: Snapshot
) -> EditResult:
    """Put the named steps and transitions back as `states` says: how undo and redo work.

    Each state is checked like any other gesture's input (its shape, its values, its
    references), and the result like any other change's (no loop on one step, nothing
    into the start step); anything refused leaves the version as it was.
    """
    change = open_change(session, user, version_id, lock)
    step_states, transition_states = _parse_snapshot(states)
    rows = steps_of(session, change.version)
    links = transitions_of(session, change.version)
    for key, state in transition_states.items():
        if state is None and key in links:
            change.remember("transitions", key, links[key])
            session.delete(links.pop(key))
    session.flush()
    for key, state in step_states.items():
        if state is None and key in rows:
            for other, transition in list(links.items()):
                if key in split_transition_id(other):
                    change.remember("transitions", other, transition)
                    session.delete(links.pop(other))
            session.flush()
            change.remember("steps", key, rows[key])
            session.delete(rows.pop(key))
    session.flush()
    for key, state in step_states.items():
        if state is not None:
            change.remember("steps", key, rows.get(key))
            rows[key] = _restore_step(session, change, rows.get(key), key, state)
    session.flush()
    for key, state in transition_states.items():
        if state is not None:
            change.remember("transitions", key, links.get(key))
            _restore_transition(session, change, rows, links.get(key), key, state)
    return change.commit(session)


def _parse_snapshot(
    states: object,
) -> tuple[dict[str, Mapping[str, object] | None], dict[str, Mapping[str, object] | None]]:
    if not isinstance(states, Mapping) or not set(states) <= {"steps", "transitions"}:
        raise ChangeRefused(Refusal.INVALID_VALUE, "not an undo state")
    parsed: list[dict[str, Mapping[str, object] | None]] = []
    for kind in ("steps", "transitions"):
        part = states.get(kind) or {}
        if not isinstance(part, Mapping):
            raise ChangeRefused(Refusal.INVALID_VALUE, f"not an undo state of {kind}")
        for key, state in part.items():
            if not isinstance(key, str) or not (state is None or isinstance(state, Mapping)):
                raise ChangeRefused(Refusal.INVALID_VALUE, f"not an undo state of {key!r}")
        parsed.append(dict(part))
    return parsed[0], parsed[1]


def _restore_step(
    session: Session,
    change: ChangeSet,
    step: Step | None,
    key: str,
    state: Mapping[str, object],
) -> Step:
    content = {name: value for name, value in state.items() if name not in ("x", "y", "position")}
    values = parse_step_values(content)
    check_references(session, change.version, values)
    x, y, position = layout_state(state)
    if step is None:
        step = Step(version_id=change.version.id, key=check_key(key), position=0)
        session.add(step)
    apply_step_values(session, step, values)
    step.x, step.y = x, y
    step.position = position if position is not None else (step.position or 0)
    return step


def _restore_transition(
    session: Session,
    change: ChangeSet,
    steps: Mapping[str, Step],
    transition: Transition | None,
    key: str,
    state: Mapping[str, object],
) -> None:
    values = parse_transition_values({k: v for k, v in state.items() if k != "position"})
    _, _, position = layout_state(state)
    if transition is None:
        from_key, to_key = split_transition_id(key)
        if from_key not in steps or to_key not in steps:
            raise ChangeRefused(Refusal.NOT_FOUND, f"no step for transition {key!r}")
        transition = Transition(
            version_id=change.version.id,
            from_step_id=steps[from_key].id,
            to_step_id=steps[to_key].id,
        )
        session.add(transition)
    apply_transition_values(transition, values)
    transition.position = position or 0


def step_row(session: Session, version_id: int, key: str) -> Step | None:
    """The step `key` of version `version_id`, with its officers and documents."""
    return session.execute(
        sa.select(Step).where(Step.version_id == version_id, Step.key == key)
    ).scalar()


def transition_row(
    session: Session, version_id: int, from_key: str, to_key: str
) -> Transition | None:
    """The transition from step `from_key` to step `to_key` of version `version_id`."""
    source, target = aliased(Step), aliased(Step)
    return session.execute(
        sa.select(Transition)
        .join(source, Transition.from_step_id == source.id)
        .join(target, Transition.to_step_id == target.id)
        .where(Transition.version_id == version_id, source.key == from_key, target.key == to_key)
    ).scalar()
