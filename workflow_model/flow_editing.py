"""Changes to a draft's diagram: the service functions behind the graph editor.

Each function is one change of one draft version (add a step, connect two steps, move,
edit in the inspector, delete, undo): it checks the version is a draft, checks the
optimistic lock the editor loaded, refuses bad input with a `ChangeRefused` code, journals
every row before and after, and commits, all in one transaction. A refusal changes
nothing.

Each change returns an `EditResult` whose `undo` and `redo` are `Snapshot`s, the states
of the steps and transitions it touched, so that undoing is one more change through
`restore`, checked and journaled like any other.

Steps are named by their key and transitions by ``"FROM>TO"``: ids change when a deleted
step comes back, keys do not.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .audit import record_event
from .conversion.reading import free_key
from .editing import ChangeRefused, ensure_draft, entity_state, integrity_code, mark_changed
from .lifecycle import LifecycleRefused, check_lock
from .models import (
    DossierComponent,
    FlowVersion,
    Join,
    Officer,
    ProcedureCase,
    Split,
    Step,
    StepDocument,
    StepKind,
    StepOfficer,
    TimeUnit,
    Transition,
    Unit,
    User,
    VersionStatus,
)

Params = ParamSpec("Params")
MAX_DURATION = 100_000
MAX_NAME = 1000
MAX_DESCRIPTION = 20_000
MAX_COORDINATE = 1_000_000
Snapshot = dict[str, dict[str, dict[str, Any] | None]]
"""``{"steps": {key: state or None}, "transitions": {"FROM>TO": state or None}}``.

None means "absent": restoring it deletes the element.
"""


@dataclass(frozen=True)
class StepChanges:
    """What the inspector sets on a step (thông tin bước): every field at once."""

    name: str
    kind: StepKind
    unit_id: int | None
    officer_ids: tuple[int, ...]
    duration_value: float
    duration_unit: TimeUnit
    document_ids: tuple[int, ...] = ()
    split: Split = Split.EXCLUSIVE
    join: Join = Join.ANY
    description: str = ""


@dataclass(frozen=True)
class EditResult:
    """The outcome of a change: the version's new lock counter and how to undo or redo it."""

    lock: int
    undo: Snapshot
    redo: Snapshot
    selected: str | None = None
    changed: bool = True
    selected_kind: str = "step"


@dataclass
class _Change:
    """Rows touched by one change, with their state before, for the journal and undo."""

    version: FlowVersion
    before: Snapshot = field(default_factory=lambda: {"steps": {}, "transitions": {}})
    # The same rows as the journal writes them (all columns), so before and after match.
    journal: Snapshot = field(default_factory=lambda: {"steps": {}, "transitions": {}})


def transition_id(from_key: str, to_key: str) -> str:
    """The editor's name of a transition.

    >>> transition_id("s1", "s2")
    's1>s2'
    """
    return f"{from_key}>{to_key}"


def split_transition_id(value: str) -> tuple[str, str]:
    """The step keys of a transition named by `transition_id`.

    >>> split_transition_id("s1>s2")
    ('s1', 's2')
    """
    from_key, separator, to_key = value.partition(">")
    if not separator or not from_key or not to_key:
        raise ChangeRefused("invalid-value", f"not a transition: {value!r}")
    return from_key, to_key


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$", re.ASCII)


def parse_duration(text: str | float | int | None) -> float:
    """Read a duration as a user types it: ``"0,5"`` or ``"0.5"`` or ``4``.

    Refuses with ``invalid-duration`` anything but a plain number from 0 to 100,000.

    >>> parse_duration("0,5")
    0.5
    >>> parse_duration("4")
    4.0
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        match = _NUMBER.match(str(text or ""))
        if match is None:
            raise ChangeRefused("invalid-duration", f"not a duration: {text!r}", value=text)
        value = float(match.group(1).replace(",", "."))
    if not math.isfinite(value) or value < 0 or value > MAX_DURATION:
        raise ChangeRefused("invalid-duration", f"duration out of range: {text!r}", value=text)
    return value


def _load_version(session: Session, version_id: int, lock: int) -> FlowVersion:
    version = session.get(FlowVersion, version_id)
    if version is None:
        raise ChangeRefused("not-found", f"no version {version_id}")
    check_lock(session, version, lock)  # refreshes the row: the status read next is current
    ensure_draft(version)
    return version


def _steps(session: Session, version: FlowVersion) -> dict[str, Step]:
    rows = session.execute(sa.select(Step).where(Step.version_id == version.id)).scalars()
    return {step.key: step for step in rows}


def _transitions(session: Session, version: FlowVersion) -> dict[str, Transition]:
    steps = {step.id: step.key for step in _steps(session, version).values()}
    rows = session.execute(sa.select(Transition).where(Transition.version_id == version.id))
    return {transition_id(steps[t.from_step_id], steps[t.to_step_id]): t for t in rows.scalars()}


def step_state(step: Step) -> dict[str, Any]:
    """A step's editable state as JSON-ready data: what undo restores."""
    return {
        "name": step.name,
        "kind": step.kind.value,
        "unit_id": step.unit_id,
        "officer_ids": [link.officer_id for link in step.officer_links],
        "document_ids": [link.component_id for link in step.document_links],
        "duration_value": step.duration_value,
        "duration_unit": step.duration_unit.value,
        "split": step.split.value,
        "join": step.join.value,
        "description": step.description,
        "x": step.x,
        "y": step.y,
        "position": step.position,
    }


def _transition_state(transition: Transition) -> dict[str, Any]:
    return {"label": transition.label, "position": transition.position}


def _journal_state(obj: Step | Transition) -> dict[str, Any]:
    state = entity_state(obj)
    if isinstance(obj, Step):
        state["officer_ids"] = [link.officer_id for link in obj.officer_links]
        state["document_ids"] = [link.component_id for link in obj.document_links]
    return state


def _remember(change: _Change, kind: str, key: str, obj: Step | Transition | None) -> None:
    """Keep the state of an element before its first change in this edit."""
    if key in change.before[kind]:
        return
    change.journal[kind][key] = None if obj is None else _journal_state(obj)
    if obj is None:
        change.before[kind][key] = None
    elif isinstance(obj, Step):
        change.before[kind][key] = step_state(obj)
    else:
        change.before[kind][key] = _transition_state(obj)


def _check_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ChangeRefused("empty-name", "a step needs a name")
    if len(cleaned) > MAX_NAME:
        raise ChangeRefused("invalid-value", "the name is too long")
    return cleaned


def _check_coordinate(value: float) -> float:
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_COORDINATE:
        raise ChangeRefused("invalid-value", f"not a position: {value!r}")
    return number


def _check_references(session: Session, version: FlowVersion, changes: StepChanges) -> None:
    if changes.unit_id is not None and session.get(Unit, changes.unit_id) is None:
        raise ChangeRefused("invalid-value", f"no unit {changes.unit_id}")
    if len(set(changes.officer_ids)) != len(changes.officer_ids):
        raise ChangeRefused("invalid-value", "an officer is listed twice")
    found = session.execute(
        sa.select(sa.func.count()).where(Officer.id.in_(changes.officer_ids))
    ).scalar_one()
    if found != len(changes.officer_ids):
        raise ChangeRefused("invalid-value", "an officer does not exist")
    case = session.get(ProcedureCase, version.case_id)
    assert case is not None
    allowed = set(
        session.execute(
            sa.select(DossierComponent.id).where(DossierComponent.procedure_id == case.procedure_id)
        ).scalars()
    )
    if (
        len(set(changes.document_ids)) != len(changes.document_ids)
        or not set(changes.document_ids) <= allowed
    ):
        raise ChangeRefused("invalid-value", "a document is not a dossier component of it")
    if len(changes.description) > MAX_DESCRIPTION:
        raise ChangeRefused("invalid-value", "the description is too long")


def _apply_step(session: Session, step: Step, changes: StepChanges) -> None:
    step.name = _check_name(changes.name)
    step.kind = StepKind(changes.kind)
    step.unit_id = changes.unit_id
    step.duration_value = parse_duration(changes.duration_value)
    step.duration_unit = TimeUnit(changes.duration_unit)
    step.split = Split(changes.split)
    step.join = Join(changes.join)
    step.description = changes.description
    if [link.officer_id for link in step.officer_links] != list(changes.officer_ids):
        step.officer_links.clear()
        session.flush()
        step.officer_links.extend(
            StepOfficer(officer_id=officer_id, position=index)
            for index, officer_id in enumerate(changes.officer_ids)
        )
    if [link.component_id for link in step.document_links] != list(changes.document_ids):
        step.document_links.clear()
        session.flush()
        step.document_links.extend(
            StepDocument(component_id=component_id, position=index)
            for index, component_id in enumerate(changes.document_ids)
        )


def _commit(
    session: Session,
    user: User | None,
    change: _Change,
    selected: str | None = None,
    selected_kind: str = "step",
) -> EditResult:
    """Journal the touched rows, mark the version changed, commit, and say how to undo."""
    after = snapshot(session, change.version, change.before)
    if after == change.before:
        session.rollback()
        return EditResult(
            change.version.lock_counter,
            {},
            {},
            selected,
            changed=False,
            selected_kind=selected_kind,
        )
    version = change.version
    mark_changed(session, user, version)
    try:
        session.flush()
        _journal(session, user, change, after)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ChangeRefused(integrity_code(error), str(error.orig).splitlines()[0]) from error
    except StaleDataError as error:
        session.rollback()
        raise LifecycleRefused("conflict", "version changed meanwhile; reload") from error
    return EditResult(version.lock_counter, change.before, after, selected, True, selected_kind)


def _journal(session: Session, user: User | None, change: _Change, after: Snapshot) -> None:
    steps = _steps(session, change.version)
    transitions = _transitions(session, change.version)
    for kind, rows in (("steps", steps), ("transitions", transitions)):
        for key, old in change.before[kind].items():
            new = after[kind].get(key)
            if old == new:
                continue
            row = rows.get(key)
            name = "step" if kind == "steps" else "transition"
            entity_key = f"{change.version.id}:{key}"
            logged = change.journal[kind][key]
            if row is None:
                record_event(session, user, "delete", name, entity_key, before=logged)
            else:
                action = "create" if old is None else "update"
                state = _journal_state(row)
                record_event(session, user, action, name, entity_key, before=logged, after=state)


def snapshot(session: Session, version: FlowVersion, like: Snapshot) -> Snapshot:
    """The current states of the elements named in `like` (None for those absent)."""
    session.flush()
    steps = _steps(session, version)
    transitions = _transitions(session, version)
    return {
        "steps": {
            key: step_state(steps[key]) if key in steps else None for key in like.get("steps", {})
        },
        "transitions": {
            key: _transition_state(transitions[key]) if key in transitions else None
            for key in like.get("transitions", {})
        },
    }


def _refusing(function: Callable[Params, EditResult]) -> Callable[Params, EditResult]:
    """Roll back whatever a refused change had begun, so a refusal changes nothing."""

    @functools.wraps(function)
    def wrapper(*args: Params.args, **kwargs: Params.kwargs) -> EditResult:
        session = args[0]
        assert isinstance(session, Session)
        try:
            return function(*args, **kwargs)
        except ChangeRefused:
            session.rollback()
            raise
        except (ValueError, TypeError, KeyError) as error:
            # Malformed input (an unknown kind, a state without a name): refused as such.
            session.rollback()
            raise ChangeRefused("invalid-value", str(error)) from error

    return wrapper


@_refusing
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
) -> EditResult:
    """Add a step of `kind` named `name` at (`x`, `y`); its key is the next free ``sN``.

    The new step takes no time until the inspector says otherwise.
    """
    version = _load_version(session, version_id, lock)
    steps = _steps(session, version)
    key = free_key(f"s{len(steps) + 1}", steps)
    change = _Change(version)
    _remember(change, "steps", key, None)
    session.add(
        Step(
            version_id=version.id,
            key=key,
            name=_check_name(name),
            kind=StepKind(kind),
            duration_value=0,
            duration_unit=TimeUnit.WORKING_DAY,
            x=_check_coordinate(x),
            y=_check_coordinate(y),
            position=max((s.position for s in steps.values()), default=-1) + 1,
        )
    )
    return _commit(session, user, change, selected=key)


@_refusing
def update_step(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    key: str,
    changes: StepChanges,
) -> EditResult:
    """Set every inspector field of the step `key` at once."""
    version = _load_version(session, version_id, lock)
    step = _steps(session, version).get(key)
    if step is None:
        raise ChangeRefused("not-found", f"no step {key!r}")
    change = _Change(version)
    _remember(change, "steps", key, step)
    _check_references(session, version, changes)
    if StepKind(changes.kind) is StepKind.START and step.kind is not StepKind.START:
        incoming = session.execute(
            sa.select(sa.func.count()).where(Transition.to_step_id == step.id)
        ).scalar_one()
        if incoming:
            raise ChangeRefused("into-start", f"transitions lead into step {key!r}")
    _apply_step(session, step, changes)
    return _commit(session, user, change, selected=key)


@_refusing
def move_steps(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    positions: dict[str, tuple[float, float]],
) -> EditResult:
    """Save where steps sit on the diagram: after a drag, or after an auto-layout."""
    version = _load_version(session, version_id, lock)
    steps = _steps(session, version)
    change = _Change(version)
    for key, (x, y) in positions.items():
        step = steps.get(key)
        if step is None:
            raise ChangeRefused("not-found", f"no step {key!r}")
        _remember(change, "steps", key, step)
        step.x, step.y = _check_coordinate(x), _check_coordinate(y)
    return _commit(session, user, change)


@_refusing
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
    version = _load_version(session, version_id, lock)
    steps = _steps(session, version)
    if from_key not in steps or to_key not in steps:
        raise ChangeRefused("not-found", f"no step {from_key!r} or {to_key!r}")
    _check_link(steps[from_key], steps[to_key])
    existing = _transitions(session, version)
    key = transition_id(from_key, to_key)
    if key in existing:
        raise ChangeRefused("duplicate-transition", f"{from_key!r} already leads to {to_key!r}")
    change = _Change(version)
    _remember(change, "transitions", key, None)
    session.add(
        Transition(
            version_id=version.id,
            from_step_id=steps[from_key].id,
            to_step_id=steps[to_key].id,
            label=_check_label(label),
            position=max((t.position for t in existing.values()), default=-1) + 1,
        )
    )
    return _commit(session, user, change, selected=key, selected_kind="transition")


def _check_link(source: Step, target: Step) -> None:
    if source.key == target.key:
        raise ChangeRefused("self-loop", f"step {source.key!r} cannot lead to itself")
    if target.kind is StepKind.START:
        raise ChangeRefused("into-start", f"nothing may lead into the start step {target.key!r}")


def _check_label(label: str) -> str:
    cleaned = " ".join((label or "").split())
    if len(cleaned) > MAX_NAME:
        raise ChangeRefused("invalid-value", "the label is too long")
    return cleaned


@_refusing
def set_label(
    session: Session, user: User | None, version_id: int, lock: int, key: str, label: str
) -> EditResult:
    """Set the label of the transition `key` (``"FROM>TO"``), e.g. "Đủ điều kiện"."""
    version = _load_version(session, version_id, lock)
    transition = _transitions(session, version).get(key)
    if transition is None:
        raise ChangeRefused("not-found", f"no transition {key!r}")
    change = _Change(version)
    _remember(change, "transitions", key, transition)
    transition.label = _check_label(label)
    return _commit(session, user, change, selected=key, selected_kind="transition")


@_refusing
def delete_elements(
    session: Session,
    user: User | None,
    version_id: int,
    lock: int,
    *,
    steps: list[str] = (),  # type: ignore[assignment]
    transitions: list[str] = (),  # type: ignore[assignment]
) -> EditResult:
    """Delete steps (with every transition into or out of them) and transitions."""
    version = _load_version(session, version_id, lock)
    rows = _steps(session, version)
    links = _transitions(session, version)
    change = _Change(version)
    doomed = set(steps)
    for key in doomed:
        if key not in rows:
            raise ChangeRefused("not-found", f"no step {key!r}")
    for key in transitions:
        if key not in links:
            raise ChangeRefused("not-found", f"no transition {key!r}")
    for key, transition in links.items():
        from_key, to_key = split_transition_id(key)
        if key in transitions or from_key in doomed or to_key in doomed:
            _remember(change, "transitions", key, transition)
            session.delete(transition)
    session.flush()
    for key in doomed:
        _remember(change, "steps", key, rows[key])
        session.delete(rows[key])
    return _commit(session, user, change)


@_refusing
def restore(
    session: Session, user: User | None, version_id: int, lock: int, states: Snapshot
) -> EditResult:
    """Put the named steps and transitions back as `states` says: how undo and redo work.

    Each state is checked like an edit in the inspector; a transition whose steps do not
    exist is refused, and so nothing of the restore is saved.
    """
    version = _load_version(session, version_id, lock)
    rows = _steps(session, version)
    links = _transitions(session, version)
    change = _Change(version)
    step_states = dict(states.get("steps") or {})
    transition_states = dict(states.get("transitions") or {})
    for key, state in transition_states.items():
        if state is None and key in links:
            _remember(change, "transitions", key, links[key])
            session.delete(links.pop(key))
    session.flush()
    for key, state in step_states.items():
        if state is None and key in rows:
            for other, transition in list(links.items()):
                if key in split_transition_id(other):
                    _remember(change, "transitions", other, transition)
                    session.delete(links.pop(other))
            session.flush()
            _remember(change, "steps", key, rows[key])
            session.delete(rows.pop(key))
    session.flush()
    for key, state in step_states.items():
        if state is not None:
            _remember(change, "steps", key, rows.get(key))
            rows[key] = _restore_step(session, version, rows.get(key), key, state)
    session.flush()
    for key, state in transition_states.items():
        if state is not None:
            _remember(change, "transitions", key, links.get(key))
            _restore_transition(session, version, rows, links.get(key), key, state)
    return _commit(session, user, change)


def _restore_step(
    session: Session, version: FlowVersion, step: Step | None, key: str, state: dict[str, Any]
) -> Step:
    if step is None:
        if not key or len(key) > 64:
            raise ChangeRefused("invalid-value", f"not a step key: {key!r}")
        step = Step(version_id=version.id, key=key, name="-", kind=StepKind(state["kind"]))
        session.add(step)
        session.flush()
    changes = StepChanges(
        name=state["name"],
        kind=StepKind(state["kind"]),
        unit_id=state.get("unit_id"),
        officer_ids=tuple(int(i) for i in state.get("officer_ids") or ()),
        duration_value=parse_duration(state.get("duration_value", 0)),
        duration_unit=TimeUnit(state.get("duration_unit", TimeUnit.WORKING_DAY)),
        document_ids=tuple(int(i) for i in state.get("document_ids") or ()),
        split=Split(state.get("split", Split.EXCLUSIVE)),
        join=Join(state.get("join", Join.ANY)),
        description=str(state.get("description") or ""),
    )
    _check_references(session, version, changes)
    _apply_step(session, step, changes)
    x, y = state.get("x"), state.get("y")
    step.x = None if x is None else _check_coordinate(x)
    step.y = None if y is None else _check_coordinate(y)
    step.position = int(state.get("position", step.position or 0))
    return step


def _restore_transition(
    session: Session,
    version: FlowVersion,
    steps: dict[str, Step],
    transition: Transition | None,
    key: str,
    state: dict[str, Any],
) -> None:
    if transition is None:
        from_key, to_key = split_transition_id(key)
        if from_key not in steps or to_key not in steps:
            raise ChangeRefused("not-found", f"no step for transition {key!r}")
        _check_link(steps[from_key], steps[to_key])
        transition = Transition(
            version_id=version.id,
            from_step_id=steps[from_key].id,
            to_step_id=steps[to_key].id,
        )
        session.add(transition)
    transition.label = _check_label(str(state.get("label") or ""))
    transition.position = int(state.get("position", 0))


def step_row(session: Session, version_id: int, key: str) -> Step | None:
    """The step `key` of version `version_id`, with its officers and documents."""
    return session.execute(
        sa.select(Step).where(Step.version_id == version_id, Step.key == key)
    ).scalar()


def is_editable(version: FlowVersion) -> bool:
    """Whether the editor may change `version`: only a draft (or a rejected one) can be."""
    return version.status in (VersionStatus.DRAFT, VersionStatus.REJECTED)
