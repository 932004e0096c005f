"""What changed between two versions of a flow, for the review page and `sodo diff`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .conversion.step_content import comparable
from .document import Duration, Fee, FlowDocument, StepEntry
from .document.durations import format_duration
from .flowgraph import FlowGraph

PROCEDURE_FIELDS = ("name", "level", "field", "result", "legal_basis", "fees")


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after, typed as the document holds it.

    References are resolved to what people recognise: a step's unit and officers by
    name, its documents by the dossier component's name. `value_text` (or the web
    layer's own formatter) says a value in words.
    """

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class StepChange:
    """A step present in both versions (matched by key) whose fields differ."""

    key: str
    name: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class FlowDiff:
    """The differences from version `a` to version `b`; empty tuples when nothing changed."""

    steps_added: tuple[str, ...]
    steps_removed: tuple[str, ...]
    steps_changed: tuple[StepChange, ...]
    transitions_added: tuple[tuple[str, str, str], ...]
    transitions_removed: tuple[tuple[str, str, str], ...]
    transitions_relabelled: tuple[tuple[str, str, str, str], ...]
    legal_time: FieldChange | None
    critical_path_hours: tuple[float | None, float | None]
    procedure: tuple[FieldChange, ...]

    @property
    def empty(self) -> bool:
        """True when the two versions describe the same process."""
        return not (
            self.steps_added
            or self.steps_removed
            or self.steps_changed
            or self.transitions_added
            or self.transitions_removed
            or self.transitions_relabelled
            or self.legal_time
            or self.procedure
        )

    def to_data(self) -> dict[str, Any]:
        """The diff as JSON-ready data."""
        return asdict(self)


def value_text(value: Any, locale: str = "vi") -> str:
    """A diff value as plain text: durations in words, lists joined, enums by value.

    >>> value_text(Duration(1.5, "working_day"), "en")
    '1.5 working days'
    >>> value_text(("Nguyễn Văn An", "Trần Thị Bình")), value_text(None)
    ('Nguyễn Văn An, Trần Thị Bình', '')
    """
    if isinstance(value, Duration):
        return format_duration(value, locale)
    if isinstance(value, tuple | list):
        return ", ".join(value_text(item, locale) for item in value)
    if isinstance(value, Fee):
        return f"{value.name}: {value.amount:g} {value.currency}"
    return "" if value is None else str(value)


def _step_view(doc: FlowDocument, step: StepEntry) -> dict[str, Any]:
    """Every content field of `step`, references resolved to names."""
    units = {unit.key: unit.name for unit in doc.units}
    officers = {officer.key: officer.name for officer in doc.officers}
    documents = {c.key: c.name for c in doc.procedure.dossier_components}
    resolve: dict[str, Callable[[Any], Any]] = {
        "unit": lambda key: units.get(key, key) if key is not None else None,
        "officers": lambda keys: tuple(officers.get(k, k) for k in keys),
        "documents": lambda keys: tuple(documents.get(k, k) for k in keys),
    }
    identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
    return {name: resolve.get(name, identity)(value) for name, value in comparable(step).items()}


def diff_versions(a: FlowDocument, b: FlowDocument) -> FlowDiff:
    """Compare two flow documents, steps matched by key, every field of each step.

    >>> from dataclasses import replace
    >>> from workflow_model.document import ProcedureEntry
    >>> from workflow_model.models import StepKind
    >>> procedure = ProcedureEntry("1.1", "Thủ tục", "province", "", Duration(2, "working_day"), "")
    >>> step = StepEntry("s1", "Tiếp nhận", StepKind.START, None, Duration(2, "working_day"))
    >>> a = FlowDocument(procedure, steps=(step,))
    >>> b = FlowDocument(procedure, steps=(replace(step, description="Mới"),))
    >>> diff_versions(a, b).steps_changed[0].changes
    (FieldChange(field='description', old='', new='Mới'),)
    """
    steps_a = {s.key: s for s in a.steps}
    steps_b = {s.key: s for s in b.steps}
    changed = []
    for key, step in steps_b.items():
        if key not in steps_a:
            continue
        old, new = _step_view(a, steps_a[key]), _step_view(b, step)
        fields = tuple(FieldChange(f, old[f], new[f]) for f in old if old[f] != new[f])
        if fields:
            changed.append(StepChange(key, step.name, fields))
    pairs_a = {(t.source, t.target): t.label for t in a.transitions}
    pairs_b = {(t.source, t.target): t.label for t in b.transitions}
    path_a, path_b = FlowGraph(a).critical_path, FlowGraph(b).critical_path
    legal_a, legal_b = a.procedure.legal_time, b.procedure.legal_time
    return FlowDiff(
        steps_added=tuple(k for k in steps_b if k not in steps_a),
        steps_removed=tuple(k for k in steps_a if k not in steps_b),
        steps_changed=tuple(changed),
        transitions_added=tuple(
            (s, t, label) for (s, t), label in pairs_b.items() if (s, t) not in pairs_a
        ),
        transitions_removed=tuple(
            (s, t, label) for (s, t), label in pairs_a.items() if (s, t) not in pairs_b
        ),
        transitions_relabelled=tuple(
            (s, t, pairs_a[(s, t)], label)
            for (s, t), label in pairs_b.items()
            if (s, t) in pairs_a and pairs_a[(s, t)] != label
        ),
        legal_time=FieldChange("legal_time", legal_a, legal_b) if legal_a != legal_b else None,
        critical_path_hours=(
            path_a.hours if path_a else None,
            path_b.hours if path_b else None,
        ),
        procedure=tuple(
            FieldChange(f, getattr(a.procedure, f), getattr(b.procedure, f))
            for f in PROCEDURE_FIELDS
            if getattr(a.procedure, f) != getattr(b.procedure, f)
        ),
    )


def directory_drift(frozen: FlowDocument, live: FlowDocument) -> tuple[FieldChange, ...]:
    """What the live directory says differently from an approved snapshot.

    Units and officers are matched by key; each change names who or what changed, e.g.
    ``FieldChange("Nguyễn Văn An: phone", "0222 3810 111", "0912 345 678")``.
    """
    changes: list[FieldChange] = []
    live_units = {u.key: u for u in live.units}
    for unit in frozen.units:
        now = live_units.get(unit.key)
        if now is None:
            continue
        for name in ("name", "one_stop", "parent"):
            if getattr(unit, name) != getattr(now, name):
                changes.append(
                    FieldChange(f"{unit.name}: {name}", getattr(unit, name), getattr(now, name))
                )
    live_officers = {o.key: o for o in live.officers}
    for officer in frozen.officers:
        current = live_officers.get(officer.key)
        if current is None:
            continue
        for name in ("name", "title", "phone", "email", "unit"):
            if getattr(officer, name) != getattr(current, name):
                changes.append(
                    FieldChange(
                        f"{officer.name}: {name}", getattr(officer, name), getattr(current, name)
                    )
                )
    return tuple(changes)
