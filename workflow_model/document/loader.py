"""Strict loading of flow documents: every mistake is reported with its JSON path."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from typing import Any, Final, TypeVar

from ..enums import Join, Split, StepKind, TimeUnit
from .limits import (
    KEY_RE,
    MAX_COORDINATE,
    MAX_COUNT,
    MAX_DEPTH,
    MAX_DURATION,
    MAX_KEY_LENGTH,
    MAX_LEVEL_KEY_LENGTH,
    MAX_NUMBER_DIGITS,
    MAX_STEPS,
    MAX_TEXT,
    MAX_TRANSITIONS,
)
from .types import (
    FORMAT,
    CaseEntry,
    DossierComponentEntry,
    Duration,
    Fee,
    FlowDocument,
    OfficerEntry,
    Position,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class DocumentError(ValueError):
    """A flow document that cannot be read; each entry of `errors` starts with its JSON path.

    The message is one line, and names at most the first `SHOWN` errors.

    >>> str(DocumentError(["steps[3].duration.value: expected a number ≥ 0"]))
    'steps[3].duration.value: expected a number ≥ 0'
    """

    SHOWN = 20

    def __init__(self, errors: list[str]) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        shown = "; ".join(_one_line(error) for error in self.errors[: self.SHOWN])
        if len(self.errors) > self.SHOWN:
            shown += f"; … and {len(self.errors) - self.SHOWN} more"
        super().__init__(shown)


def _one_line(text: str) -> str:
    r"""`text` with what would break or hide in a line escaped: a field name may hold one.

    >>> _one_line(chr(10).join(["steps[0].a", "b: unknown field"]))
    'steps[0].a\\nb: unknown field'
    """
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


class _Missing(Enum):
    # One member, so `found is _MISSING` narrows the type; None is a value in the format.
    MISSING = "missing"


_MISSING: Final = _Missing.MISSING


class _Reader:
    """Reads JSON data against the format, collecting every error instead of stopping."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path or '(document)'}: {message}")

    def obj(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_json_type(value)}")
            return None
        for name in required:
            if name not in value:
                self.fail(_join(path, name), "required field is missing")
        for name in value:
            if name not in required and name not in optional:
                self.fail(_join(path, name), "unknown field")
        return value

    def get(
        self, data: dict[str, Any], name: str, path: str, read: Callable[[Any, str], T]
    ) -> T | _Missing:
        if name not in data:
            return _MISSING
        return read(data[name], _join(path, name))

    def text(self, value: Any, path: str, limit: str | None = None) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {_json_type(value)}")
            return ""
        longest = MAX_TEXT[limit] if limit is not None else None
        if longest is not None and len(value) > longest:
            self.fail(path, f"expected at most {longest} characters, got {len(value)}")
        return value

    def texts(self, limit: str) -> Callable[[Any, str], str]:
        return lambda value, path: self.text(value, path, limit)

    def key(self, value: Any, path: str, longest: int = MAX_KEY_LENGTH) -> str:
        text = self.text(value, path)
        if isinstance(value, str) and not (0 < len(text) <= longest and KEY_RE.fullmatch(text)):
            self.fail(
                path,
                f"expected a key of 1 to {longest} letters, digits, '_', '.' or '-' "
                f"(not starting with '_', '.' or '-'), got {_shown(text)}",
            )
        return text

    def level_key(self, value: Any, path: str) -> str:
        return self.key(value, path, MAX_LEVEL_KEY_LENGTH)

    def optional_key(self, value: Any, path: str) -> str | None:
        return None if value is None else self.key(value, path)

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_json_type(value)}")
            return False
        return value

    def number(
        self,
        value: Any,
        path: str,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        expected = "a number" if minimum is None else f"a number ≥ {minimum:g}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected {expected}, got {_json_type(value)}")
            return 0
        if isinstance(value, int) and abs(value) > sys.float_info.max:
            # float(value) would raise OverflowError.
            self.fail(path, f"expected {expected}, got a number too large for a float")
            return 0
        if not math.isfinite(value):
            self.fail(path, f"expected {expected}, got the non-finite {value}")
            return 0
        if minimum is not None and value < minimum:
            self.fail(path, f"expected {expected}, got {value:g}")
            return 0
        if maximum is not None and abs(value) > maximum:
            bound = f"at most {maximum:g}" if minimum is not None else f"within ±{maximum:g}"
            self.fail(path, f"expected {bound}, got {value:g}")
            return 0
        return value

    def count(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            self.fail(path, f"expected a whole number from 0 to {MAX_COUNT}")
            return 0
        return value

    def choice(self, value: Any, path: str, enum_class: type[E]) -> E | None:
        allowed = [member.value for member in enum_class]
        if value not in allowed:
            shown = json.dumps(value, ensure_ascii=False) if _is_json(value) else repr(value)
            self.fail(path, f"expected one of {', '.join(allowed)}, got {shown}")
            return None
        return enum_class(value)

    def items(
        self,
        value: Any,
        path: str,
        read: Callable[[Any, str], T],
        longest: int | None = None,
    ) -> tuple[T, ...]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_json_type(value)}")
            return ()
        if longest is not None and len(value) > longest:
            # Not read further: the point of the bound is not to spend time on such a list.
            self.fail(path, f"expected at most {longest} items, got {len(value)}")
            return ()
        return tuple(read(item, f"{path}[{index}]") for index, item in enumerate(value))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(text: str) -> str:
    # JSON quoting keeps the message on one line whatever the text holds.
    shown = json.dumps(text[:80], ensure_ascii=False)
    return shown if len(text) <= 80 else f'{shown[:-1]}…"'


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _read_duration(r: _Reader, value: Any, path: str) -> Duration:
    data = r.obj(value, path, ("value", "unit"))
    if data is None:
        return Duration(0, TimeUnit.WORKING_DAY)
    amount = r.get(
        data, "value", path, lambda v, p: r.number(v, p, minimum=0, maximum=MAX_DURATION)
    )
    unit = r.get(data, "unit", path, lambda v, p: r.choice(v, p, TimeUnit))
    return Duration(
        0 if amount is _MISSING else amount,
        unit if isinstance(unit, TimeUnit) else TimeUnit.WORKING_DAY,
    )


def _value(found: T | _Missing, default: T) -> T:
    return default if found is _MISSING or (found is None and default is not None) else found


def _read_fee(r: _Reader, value: Any, path: str) -> Fee:
    data = r.obj(value, path, ("name", "amount"), ("currency", "note")) or {}
    return Fee(
        name=_value(r.get(data, "name", path, r.texts("fee.name")), ""),
        amount=_value(r.get(data, "amount", path, lambda v, p: r.number(v, p, minimum=0)), 0),
        currency=_value(r.get(data, "currency", path, r.texts("fee.currency")), "VND"),
        note=_value(r.get(data, "note", path, r.texts("fee.note")), ""),
    )


def _read_component(r: _Reader, value: Any, path: str) -> DossierComponentEntry:
    data = r.obj(value, path, ("key", "name"), ("originals", "copies", "form")) or {}
    return DossierComponentEntry(
        key=_value(r.get(data, "key", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("component.name")), ""),
        originals=_value(r.get(data, "originals", path, r.count), 1),
        copies=_value(r.get(data, "copies", path, r.count), 0),
        form=_value(r.get(data, "form", path, r.texts("component.form")), ""),
    )


def _read_case(r: _Reader, value: Any, path: str) -> CaseEntry:
    data = r.obj(value, path, ("key", "name")) or {}
    return CaseEntry(
        key=_value(r.get(data, "key", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("case.name")), ""),
    )


_PROCEDURE_REQUIRED = (
    "code",
    "name",
    "level",
    "field",
    "legal_time",
    "result",
    "legal_basis",
    "fees",
    "dossier_components",
)


def _read_procedure(r: _Reader, value: Any, path: str) -> ProcedureEntry:
    data = r.obj(value, path, _PROCEDURE_REQUIRED, ("case",)) or {}
    case = r.get(data, "case", path, lambda v, p: None if v is None else _read_case(r, v, p))
    return ProcedureEntry(
        code=_value(r.get(data, "code", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("procedure.name")), ""),
        level=_value(r.get(data, "level", path, r.level_key), ""),
        field=_value(r.get(data, "field", path, r.texts("procedure.field")), ""),
        legal_time=_value(
            r.get(data, "legal_time", path, lambda v, p: _read_duration(r, v, p)),
            Duration(0, TimeUnit.WORKING_DAY),
        ),
        result=_value(r.get(data, "result", path, r.texts("procedure.result")), ""),
        legal_basis=_value(
            r.get(
                data,
                "legal_basis",
                path,
                lambda v, p: r.items(v, p, r.texts("procedure.legal_basis")),
            ),
            (),
        ),
        fees=_value(
            r.get(data, "fees", path, lambda v, p: r.items(v, p, lambda i, q: _read_fee(r, i, q))),
            (),
        ),
        dossier_components=_value(
            r.get(
                data,
                "dossier_components",
                path,
                lambda v, p: r.items(v, p, lambda i, q: _read_component(r, i, q)),
            ),
            (),
        ),
        case=None if case is _MISSING else case,
    )


def _read_unit(r: _Reader, value: Any, path: str) -> UnitEntry:
    data = r.obj(value, path, ("key", "name", "level", "one_stop", "parent")) or {}
    return UnitEntry(
        key=_value(r.get(data, "key", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("unit.name")), ""),
        level=_value(r.get(data, "level", path, r.level_key), ""),
        one_stop=_value(r.get(data, "one_stop", path, r.boolean), False),
        parent=_value(r.get(data, "parent", path, r.optional_key), None),
    )


def _read_officer(r: _Reader, value: Any, path: str) -> OfficerEntry:
    data = r.obj(value, path, ("key", "name", "title", "phone", "email", "unit")) or {}
    return OfficerEntry(
        key=_value(r.get(data, "key", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("officer.name")), ""),
        title=_value(r.get(data, "title", path, r.texts("officer.title")), ""),
        phone=_value(r.get(data, "phone", path, r.texts("officer.phone")), ""),
        email=_value(r.get(data, "email", path, r.texts("officer.email")), ""),
        unit=_value(r.get(data, "unit", path, r.key), ""),
    )


_STEP_REQUIRED = ("key", "name", "kind", "unit", "officers", "duration")
_STEP_OPTIONAL = ("documents", "split", "join", "description")


def _read_step(r: _Reader, value: Any, path: str) -> StepEntry:
    data = r.obj(value, path, _STEP_REQUIRED, _STEP_OPTIONAL) or {}
    kind = r.get(data, "kind", path, lambda v, p: r.choice(v, p, StepKind))
    split = r.get(data, "split", path, lambda v, p: r.choice(v, p, Split))
    join = r.get(data, "join", path, lambda v, p: r.choice(v, p, Join))
    return StepEntry(
        key=_value(r.get(data, "key", path, r.key), ""),
        name=_value(r.get(data, "name", path, r.texts("step.name")), ""),
        kind=kind if isinstance(kind, StepKind) else StepKind.TASK,
        unit=_value(r.get(data, "unit", path, r.optional_key), None),
        duration=_value(
            r.get(data, "duration", path, lambda v, p: _read_duration(r, v, p)),
            Duration(0, TimeUnit.WORKING_DAY),
        ),
        officers=_value(r.get(data, "officers", path, lambda v, p: r.items(v, p, r.key)), ()),
        documents=_value(r.get(data, "documents", path, lambda v, p: r.items(v, p, r.key)), ()),
        split=split if isinstance(split, Split) else Split.EXCLUSIVE,
        join=join if isinstance(join, Join) else Join.ANY,
        description=_value(r.get(data, "description", path, r.texts("step.description")), ""),
    )


def _read_transition(r: _Reader, value: Any, path: str) -> TransitionEntry:
    data = r.obj(value, path, ("from", "to"), ("label",)) or {}
    return TransitionEntry(
        source=_value(r.get(data, "from", path, r.key), ""),
        target=_value(r.get(data, "to", path, r.key), ""),
        label=_value(r.get(data, "label", path, r.texts("transition.label")), ""),
    )


def _read_layout(r: _Reader, value: Any, path: str) -> dict[str, Position]:
    if not isinstance(value, dict):
        r.fail(path, f"expected an object, got {_json_type(value)}")
        return {}
    layout: dict[str, Position] = {}
    if len(value) > MAX_STEPS:
        r.fail(path, f"expected at most {MAX_STEPS} positions, got {len(value)}")
        return {}

    def coordinate(number: Any, where: str) -> float:
        return r.number(number, where, maximum=MAX_COORDINATE)

    for key, point in value.items():
        point_path = f"{path}.{key}"
        r.key(key, point_path)
        data = r.obj(point, point_path, ("x", "y")) or {}
        layout[key] = Position(
            x=_value(r.get(data, "x", point_path, coordinate), 0),
            y=_value(r.get(data, "y", point_path, coordinate), 0),
        )
    return layout


def _read_document(r: _Reader, data: Any) -> FlowDocument | None:
    if not isinstance(data, dict):
        r.fail("", f"expected a JSON object, got {_json_type(data)}")
        return None
    if "format" not in data:
        r.fail("format", f"required field is missing (expected {FORMAT!r})")
        return None
    if data["format"] != FORMAT:
        shown = json.dumps(data["format"], ensure_ascii=False) if _is_json(data["format"]) else "?"
        r.fail("format", f"unsupported format {shown} (this version reads {FORMAT!r})")
        return None
    r.obj(
        data,
        "",
        ("format", "procedure", "units", "officers", "steps", "transitions"),
        # `version` is what an export says of the version it came from; a document
        # read back is new content, so it is accepted and left aside.
        ("layout", "source", "version"),
    )
    exported_version = data.get("version")
    if "version" in data and not isinstance(exported_version, dict):
        r.fail("version", f"expected an object, got {_json_type(exported_version)}")
    source = data.get("source")
    if source is not None and not isinstance(source, dict):
        r.fail("source", f"expected an object, got {_json_type(source)}")
        source = None
    _check_finite(r, source, "source")
    units = r.items(data.get("units", []), "units", lambda v, p: _read_unit(r, v, p))
    _check_unit_parents(r, units)
    return FlowDocument(
        procedure=_read_procedure(r, data.get("procedure"), "procedure")
        if "procedure" in data
        else ProcedureEntry("", "", "", "", Duration(0, TimeUnit.WORKING_DAY), ""),
        units=units,
        officers=r.items(data.get("officers", []), "officers", lambda v, p: _read_officer(r, v, p)),
        steps=r.items(data.get("steps", []), "steps", lambda v, p: _read_step(r, v, p), MAX_STEPS),
        transitions=r.items(
            data.get("transitions", []),
            "transitions",
            lambda v, p: _read_transition(r, v, p),
            MAX_TRANSITIONS,
        ),
        layout=_read_layout(r, data["layout"], "layout") if "layout" in data else {},
        source=json.loads(json.dumps(source)) if source is not None else None,
    )


def _check_unit_parents(r: _Reader, units: tuple[UnitEntry, ...]) -> None:
    # A parent that names no unit is the validators' to report; a cycle cannot be stored.
    parents = {unit.key: unit.parent for unit in units}
    for index, unit in enumerate(units):
        seen = {unit.key}
        current = unit.parent
        while current is not None and current in parents:
            if current in seen:
                r.fail(f"units[{index}].parent", "the units' parents form a cycle")
                break
            seen.add(current)
            current = parents[current]


_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def _value_errors(data: Any) -> list[str]:
    """What no field of a document may hold, wherever it is: checked before reading.

    Walked with a stack, not recursion, so any depth of parsed data is safe to check.
    """
    errors: list[str] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            _check_characters(errors, value, path)
        elif isinstance(value, _HugeNumber):
            errors.append(f"{path or '(document)'}: number too large ({value.digits} digits)")
        elif isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > sys.float_info.max:
                errors.append(f"{path or '(document)'}: number too large")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                errors.append(f"{path or '(document)'}: nested deeper than {MAX_DEPTH} levels")
                continue
            if isinstance(value, dict):
                for name, item in value.items():
                    if isinstance(name, str):
                        _check_characters(errors, name, f"{path or '(document)'} (a name)")
                    stack.append((item, _join(path, str(name)), depth + 1))
            else:
                stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif value is not None and not isinstance(value, bool | float):
            errors.append(f"{path or '(document)'}: not a JSON value ({type(value).__name__})")
    return sorted(errors)


def _check_characters(errors: list[str], text: str, path: str) -> None:
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return
    what = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
    errors.append(f"{path or '(document)'}: contains {what} (at character {found.start()})")


def _check_finite(r: _Reader, value: Any, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        r.fail(path, f"non-finite number {value} is not allowed in JSON")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_finite(r, item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_finite(r, item, f"{path}[{index}]")


def _reject_duplicate_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in data:
            raise DocumentError([f"(document): the name {name!r} appears twice in one object"])
        data[name] = value
    return data


class _HugeNumber:
    """An integer too long to convert, kept aside so the error can name its path."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _HugeNumber:
    # Python refuses to convert more than 4,300 digits (ValueError), and no float holds
    # more than 309: such a number is not converted at all.
    digits = len(text.lstrip("-"))
    return _HugeNumber(digits) if digits > MAX_NUMBER_DIGITS else int(text)


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_names, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [f"(document): invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except RecursionError:
        raise DocumentError(
            [f"(document): nested deeper than {MAX_DEPTH} levels (lists or objects)"]
        ) from None


def _decode(raw: bytes) -> str:
    try:
        # A byte-order mark is common in files saved by Windows editors; accept it.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            [
                f"(document): not UTF-8 text (invalid byte 0x{raw[error.start]:02x} at offset "
                f"{error.start}); save the file as UTF-8"
            ]
        ) from None


def load_document(source: bytes | str | Mapping[str, Any]) -> FlowDocument:
    """Read a `sodo.flow/1` document from JSON bytes, JSON text or already parsed data.

    Strict: unknown formats and fields, wrong types, missing required fields, values
    beyond the bounds of `limits` (text lengths, key characters, durations, counts of
    steps and transitions, nesting, number sizes), NUL characters and lone surrogates,
    non-finite numbers and unit parents in a cycle raise `DocumentError`, whose message
    is one line naming each JSON path. Nothing else is raised, whatever the input.
    Broken references between keys are not load errors; the validators report them.

    >>> load_document('{"format": "sodo.flow/2"}')
    Traceback (most recent call last):
    ...
    workflow_model.document.loader.DocumentError: format: unsupported format "sodo.flow/2" \
(this version reads 'sodo.flow/1')
    """
    if isinstance(source, bytes | bytearray):
        data: Any = _parse_json(_decode(bytes(source)))
    elif isinstance(source, str):
        data = _parse_json(source)
    else:
        data = source
    problems = _value_errors(data)
    if problems:
        raise DocumentError(problems)
    reader = _Reader()
    document = _read_document(reader, data)
    if reader.errors or document is None:
        raise DocumentError(reader.errors)
    return document
