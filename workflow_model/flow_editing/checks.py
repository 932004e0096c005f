"""What a change of a draft's content must satisfy, whatever sends it.

The editor, the forms, undo and redo all send values that come from a browser, so every
value is checked here for its type and range before it reaches a row, and every
refusal carries a `Refusal` code. `check_structure` is the rule on the result: after
any change, no transition may loop on one step or lead into the start step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..conversion.step_content import STEP_FIELDS, DurationValues, StepValues, TransitionValues
from ..document import limits
from ..models import (
    DossierComponent,
    FlowVersion,
    Join,
    Officer,
    ProcedureCase,
    Split,
    Step,
    StepKind,
    TimeUnit,
    Transition,
    Unit,
)
from ..refusals import ChangeRefused, Refusal

# One set of bounds for a document and for an edit: what loads can be edited, and back.
MAX_DURATION = limits.MAX_DURATION
MAX_NAME = limits.MAX_TEXT["step.name"]
MAX_DESCRIPTION = limits.MAX_TEXT["step.description"]
MAX_COORDINATE = limits.MAX_COORDINATE
MAX_POSITION = 1_000_000
MAX_KEY = limits.MAX_KEY_LENGTH
_KEY = limits.KEY_RE
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$", re.ASCII)


def transition_id(from_key: str, to_key: str) -> str:
    """The editor's name of a transition.

    >>> transition_id("s1", "s2")
    's1>s2'
    """
    return f"{from_key}>{to_key}"


def split_transition_id(value: object) -> tuple[str, str]:
    """The step keys of a transition named by `transition_id`.

    >>> split_transition_id("s1>s2")
    ('s1', 's2')
    """
    if not isinstance(value, str):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a transition: {value!r}")
    from_key, separator, to_key = value.partition(">")
    if not separator or not from_key or not to_key:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a transition: {value!r}")
    return from_key, to_key


def parse_duration(text: object) -> float:
    """Read a duration as a user types it: ``"0,5"`` or ``"0.5"`` or ``4``.

    Refuses with ``invalid-duration`` anything but a plain number from 0 to 100,000.

    >>> parse_duration("0,5")
    0.5
    >>> parse_duration(4)
    4.0
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text) if abs(text) <= MAX_DURATION else math.inf
    else:
        match = _NUMBER.match(text if isinstance(text, str) else "")
        if match is None:
            raise ChangeRefused(Refusal.INVALID_DURATION, f"not a duration: {text!r}", value=text)
        value = float(match.group(1).replace(",", "."))
    if not math.isfinite(value) or value < 0 or value > MAX_DURATION:
        raise ChangeRefused(
            Refusal.INVALID_DURATION, f"duration out of range: {text!r}", value=text
        )
    return value


def check_name(name: object) -> str:
    """A step's name with its white space folded; refused when empty or too long.

    >>> check_name("  Thẩm định   hồ sơ ")
    'Thẩm định hồ sơ'
    """
    if not isinstance(name, str):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"a name is text, not {name!r}")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ChangeRefused(Refusal.EMPTY_NAME, "a step needs a name")
    if len(cleaned) > MAX_NAME:
        raise ChangeRefused(Refusal.INVALID_VALUE, "the name is too long")
    return cleaned


def check_label(label: object) -> str:
    """A transition's label with its white space folded; may be empty."""
    if not isinstance(label, str):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"a label is text, not {label!r}")
    cleaned = " ".join(label.split())
    if len(cleaned) > MAX_NAME:
        raise ChangeRefused(Refusal.INVALID_VALUE, "the label is too long")
    return cleaned


def check_key(key: object) -> str:
    """A step key: `limits.KEY_PATTERN` (letters, digits, ``_ . -``), at most 64 characters.

    >>> check_key("s10")
    's10'
    """
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > MAX_KEY:
        raise ChangeRefused(Refusal.INVALID_KEY, f"not a step key: {key!r}", value=key)
    return key


def check_coordinate(value: object) -> float:
    """A diagram coordinate in pixels: a finite number within a million of the origin."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a position: {value!r}")
    if isinstance(value, int) and abs(value) > MAX_COORDINATE:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a position: {value!r}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_COORDINATE:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a position: {value!r}")
    return number


def check_point(value: object) -> tuple[float, float]:
    """A diagram position ``(x, y)``; see `check_coordinate`."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a position: {value!r}")
    return check_coordinate(value[0]), check_coordinate(value[1])


def check_position(value: object) -> int:
    """An order number among a version's steps or transitions."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not an order number: {value!r}")
    return value


def _enum_value(kind: type[StepKind | TimeUnit | Split | Join], value: object) -> str:
    if not isinstance(value, str) or value not in {member.value for member in kind}:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a {kind.__name__}: {value!r}")
    return kind(value).value


def _ids(value: object, what: str) -> list[int]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"{what} must be a list of ids")
    if len(set(value)) != len(value):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"{what}: an id is listed twice")
    return list(value)


def parse_step_values(data: object) -> StepValues:
    """Check the shape and range of a step's content sent by a user.

    Every field of `StepEntry` but the key must be there, with its type: this is what
    forms, the inspector, undo and redo send. References are checked against the
    database by `check_references`.
    """
    if not isinstance(data, Mapping) or set(data) != set(STEP_FIELDS):
        raise ChangeRefused(Refusal.INVALID_VALUE, "a step's content is incomplete")
    duration = data["duration"]
    if not isinstance(duration, Mapping) or set(duration) != {"value", "unit"}:
        raise ChangeRefused(Refusal.INVALID_VALUE, "a duration has a value and a unit")
    unit = data["unit"]
    if unit is not None and (isinstance(unit, bool) or not isinstance(unit, int)):
        raise ChangeRefused(Refusal.INVALID_VALUE, f"not a unit id: {unit!r}")
    description = data["description"]
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise ChangeRefused(Refusal.INVALID_VALUE, "the description is too long or not text")
    return StepValues(
        name=check_name(data["name"]),
        kind=_enum_value(StepKind, data["kind"]),
        unit=unit,
        duration=DurationValues(
            value=parse_duration(duration["value"]),
            unit=_enum_value(TimeUnit, duration["unit"]),
        ),
        officers=_ids(data["officers"], "officers"),
        documents=_ids(data["documents"], "documents"),
        split=_enum_value(Split, data["split"]),
        join=_enum_value(Join, data["join"]),
        description=description,
    )


def parse_transition_values(data: object) -> TransitionValues:
    """Check the shape of a transition's content sent by a user."""
    if not isinstance(data, Mapping) or set(data) != {"label"}:
        raise ChangeRefused(Refusal.INVALID_VALUE, "a transition's content is incomplete")
    return TransitionValues(label=check_label(data["label"]))


def check_references(session: Session, version: FlowVersion, values: StepValues) -> None:
    """Refuse a unit or officer that does not exist, or a document of another procedure."""
    unit = values["unit"]
    if unit is not None and session.get(Unit, unit) is None:
        raise ChangeRefused(Refusal.INVALID_VALUE, f"no unit {unit}")
    officers = values["officers"]
    found = session.execute(sa.select(sa.func.count()).where(Officer.id.in_(officers))).scalar_one()
    if found != len(officers):
        raise ChangeRefused(Refusal.INVALID_VALUE, "an officer does not exist")
    case = session.get(ProcedureCase, version.case_id)
    procedure_id = case.procedure_id if case is not None else None
    allowed = set(
        session.execute(
            sa.select(DossierComponent.id).where(DossierComponent.procedure_id == procedure_id)
        ).scalars()
    )
    if not set(values["documents"]) <= allowed:
        raise ChangeRefused(Refusal.INVALID_VALUE, "a document is not a dossier component of it")


def check_structure(session: Session, version: FlowVersion) -> None:
    """Refuse a version whose transitions loop on one step or lead into the start step.

    Run on the flushed result of every change, so that no path (a gesture, a form,
    undo, redo) can leave either behind.
    """
    source, target = aliased(Step), aliased(Step)
    rows = session.execute(
        sa.select(source.key, target.key, target.kind)
        .select_from(Transition)
        .join(source, Transition.from_step_id == source.id)
        .join(target, Transition.to_step_id == target.id)
        .where(Transition.version_id == version.id)
        .where(sa.or_(source.id == target.id, target.kind == StepKind.START))
        .limit(1)
    ).first()
    if rows is None:
        return
    from_key, to_key, kind = rows
    if from_key == to_key:
        raise ChangeRefused(Refusal.SELF_LOOP, f"step {from_key!r} cannot lead to itself")
    raise ChangeRefused(
        Refusal.INTO_START, f"nothing may lead into the start step {to_key!r} (a {kind})"
    )


def layout_state(data: Mapping[str, Any]) -> tuple[float | None, float | None, int | None]:
    """The diagram position and order kept with a step's state: (x, y, position)."""
    x, y = data.get("x"), data.get("y")
    position = data.get("position")
    return (
        None if x is None else check_coordinate(x),
        None if y is None else check_coordinate(y),
        None if position is None else check_position(position),
    )
