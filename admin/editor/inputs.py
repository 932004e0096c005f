"""What the browser sends the editor's callbacks, checked before any of it is used.

The page's stores and components hold what the server answered, but a request can be
forged: any value may come with any JSON type. Each function here takes one value as
Dash decoded it and returns it in the type the callbacks pass on (an ``int`` within the
database's range, a finite ``float``, a ``str``, a tuple of ids, a snapshot of known
fields), or raises `InvalidInput`, which the edit callbacks answer with the editor's
"invalid value" notice. So no value reaches a service, the database or a loop in a shape
that would make it fail with anything but a refusal.

>>> record_id(5)
5
>>> coordinate("nan")
Traceback (most recent call last):
...
admin.editor.inputs.InvalidInput: not a finite number: 'nan'
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar

import dash

from workflow_model.flow_editing import MAX_COORDINATE

MAX_INT = 2**31 - 1
"""The largest id, lock counter or position: PostgreSQL's ``integer``."""
MAX_KEY = 200
"""Longer than any step key (64) or transition id (``FROM>TO``)."""
MAX_TEXT = 100_000
"""Longer than any text a step or transition may hold; the service has the exact limits."""
MAX_ITEMS = 10_000
"""More elements, positions or ids than any flow has."""
SELECTION_KINDS = ("step", "transition")
Choice = TypeVar("Choice", bound=Enum)


class InvalidInput(Exception):
    """A value from the browser of the wrong type or out of range.

    Answered like the services' ``invalid-value`` refusal: nothing is changed.
    """

    code = "invalid-value"


@contextmanager
def ignored() -> Iterator[None]:
    """For callbacks that only show something: a malformed value gets no answer at all.

    Nothing can change there, so there is nothing to refuse; Dash answers "no update".
    """
    try:
        yield
    except InvalidInput:
        raise dash.exceptions.PreventUpdate from None


def _integer(value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_INT:
        raise InvalidInput(f"not an integer from {low} to {MAX_INT}: {value!r}")
    return value


def record_id(value: Any) -> int:
    """The id of a row (a version, a unit, an officer, a dossier component).

    >>> record_id(True)
    Traceback (most recent call last):
    ...
    admin.editor.inputs.InvalidInput: not an integer from 1 to 2147483647: True
    """
    return _integer(value, 1)


def optional_id(value: Any) -> int | None:
    """A row's id, or None (a dropdown left empty)."""
    return None if value is None else record_id(value)


def counter(value: Any) -> int:
    """A lock counter or a position: an integer from 0."""
    return _integer(value, 0)


def ids(value: Any) -> tuple[int, ...]:
    """A list of row ids (officers, dossier components); None is none."""
    return tuple(record_id(item) for item in items(value))


def number(value: Any, low: float, high: float) -> float:
    """A finite number from `low` to `high` (JSON's ``1e400`` is infinite, ``NaN`` is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"not a finite number: {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise InvalidInput(f"not a finite number: {value!r}")
    if not low <= result <= high:
        raise InvalidInput(f"not from {low} to {high}: {value!r}")
    return result


def coordinate(value: Any) -> float:
    """A position on the canvas, within the service's bounds."""
    return number(value, -MAX_COORDINATE, MAX_COORDINATE)


def point(value: Any) -> tuple[float, float]:
    """``[x, y]``, as editor.js sends a step's position."""
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput(f"not a point: {value!r}")
    return coordinate(value[0]), coordinate(value[1])


def string(value: Any) -> str:
    """A text that must be there (a step's name in a snapshot)."""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidInput(f"not a text: {type(value).__name__}")
    return value


def text(value: Any) -> str:
    """A text field; None (a field emptied) is the empty text."""
    return "" if value is None else string(value)


def key(value: Any) -> str:
    """The key of a step, or the ``FROM>TO`` id of a transition."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY:
        raise InvalidInput(f"not a key: {value!r}")
    return value


def optional_key(value: Any) -> str | None:
    """A key, or None (no connection's source chosen)."""
    return None if value is None else key(value)


def choice(value: Any, kind: type[Choice]) -> Choice:
    """One value of a closed vocabulary (`StepKind`, `TimeUnit`, `Split`, `Join`).

    >>> from workflow_model.enums import StepKind
    >>> choice("task", StepKind)
    <StepKind.TASK: 'task'>
    """
    if not isinstance(value, str):
        raise InvalidInput(f"not a {kind.__name__}: {value!r}")
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"not a {kind.__name__}: {value!r}") from None


def flag(value: Any) -> bool:
    """A boolean store (connect mode); None is False."""
    if value is not None and not isinstance(value, bool):
        raise InvalidInput(f"not a boolean: {value!r}")
    return bool(value)


def clicks(value: Any) -> int:
    """A button's ``n_clicks``; None is no click."""
    return 0 if value is None else counter(value)


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object; None is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_ITEMS:
        raise InvalidInput(f"not an object: {type(value).__name__}")
    return value


def items(value: Any) -> list[Any]:
    """A JSON array; None is an empty one."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidInput(f"not a list: {type(value).__name__}")
    return value


def selection(value: Any) -> dict[str, str] | None:
    """The selection store: None, or ``{"kind": "step" or "transition", "key": ...}``."""
    if value is None:
        return None
    data = mapping(value)
    if data.get("kind") not in SELECTION_KINDS or set(data) != {"kind", "key"}:
        raise InvalidInput(f"not a selection: {value!r}")
    return {"kind": data["kind"], "key": key(data["key"])}


def positions(value: Any) -> dict[str, tuple[float, float]]:
    """Steps moved by a drag or a layout: ``{"positions": {key: [x, y]}, ...}``."""
    moved = mapping(value).get("positions")
    return {key(name): point(where) for name, where in mapping(moved).items()}


def history(value: Any, limit: int) -> dict[str, list[Any]]:
    """The undo history store: ``{"undo": [...], "redo": [...]}`` of at most `limit` each.

    Each entry is an object with an ``undo`` and a ``redo`` snapshot; a snapshot is
    checked in full (`snapshot`) only when it is restored.
    """
    data = mapping(value)
    if not set(data) <= {"undo", "redo"}:
        raise InvalidInput("not an undo history")
    stacks: dict[str, list[Any]] = {}
    for name in ("undo", "redo"):
        entries = items(data.get(name))
        if len(entries) > limit or any(
            not isinstance(entry, dict) or set(entry) != {"undo", "redo"} for entry in entries
        ):
            raise InvalidInput("not an undo history")
        stacks[name] = list(entries)
    return stacks


def snapshot(value: Any) -> dict[str, dict[str, Any]]:
    """An undo or redo snapshot, checked for its shape: named states or None.

    The states themselves are the service's to check (`flow_editing.restore` checks each
    field as it checks any gesture), so the field list is defined once, in the domain.
    """
    data = mapping(value)
    if not set(data) <= {"steps", "transitions"}:
        raise InvalidInput("not a snapshot")
    checked: dict[str, dict[str, Any]] = {}
    for kind in ("steps", "transitions"):
        states = mapping(data.get(kind))
        if len(states) > MAX_ITEMS:
            raise InvalidInput("too many states")
        checked[kind] = {
            key(name): None if state is None else mapping(state) for name, state in states.items()
        }
    return checked
