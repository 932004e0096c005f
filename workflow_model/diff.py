"""What changed between two versions of a flow, for the review page and `sodo diff`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .document import FlowDocument, StepEntry
from .flowgraph import FlowGraph

STEP_FIELDS = ("name", "kind", "unit", "officers", "duration", "documents", "split", "join")
PROCEDURE_FIELDS = ("name", "level", "field", "result", "legal_basis", "fees")


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after, as text for people."""

    field: str
    old: str
    new: str


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


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(_text(item) for item in value)
    if hasattr(value, "value") and hasattr(value, "unit"):
        unit = getattr(value.unit, "value", value.unit)
        return f"{value.value:g} {unit}"
    return str(getattr(value, "value", value)) if value is not None else ""


def _unit_names(doc: FlowDocument) -> dict[str, str]:
    return {unit.key: unit.name for unit in doc.units}


def _officer_names(doc: FlowDocument) -> dict[str, str]:
    return {officer.key: officer.name for officer in doc.officers}


def _step_view(doc: FlowDocument, step: StepEntry) -> dict[str, str]:
    units, officers = _unit_names(doc), _officer_names(doc)
    return {
        "name": step.name,
        "kind": step.kind.value,
        "unit": units.get(step.unit or "", step.unit or ""),
        "officers": ", ".join(officers.get(key, key) for key in step.officers),
        "duration": _text(step.duration),
        "documents": ", ".join(step.documents),
        "split": step.split.value,
        "join": step.join.value,
    }


def diff_versions(a: FlowDocument, b: FlowDocument) -> FlowDiff:
    """Compare two flow documents, steps matched by key.

    >>> # diff_versions(in_force, draft).steps_changed[0].changes[0] ->
    >>> # FieldChange(field='duration', old='2 working_day', new='1.5 working_day')
    """
    steps_a = {s.key: s for s in a.steps}
    steps_b = {s.key: s for s in b.steps}
    changed = []
    for key, step in steps_b.items():
        if key not in steps_a:
            continue
        old, new = _step_view(a, steps_a[key]), _step_view(b, step)
        fields = tuple(FieldChange(f, old[f], new[f]) for f in STEP_FIELDS if old[f] != new[f])
        if fields:
            changed.append(StepChange(key, step.name, fields))
    pairs_a = {(t.source, t.target): t.label for t in a.transitions}
    pairs_b = {(t.source, t.target): t.label for t in b.transitions}
    path_a, path_b = FlowGraph(a).critical_path, FlowGraph(b).critical_path
    legal_a, legal_b = _text(a.procedure.legal_time), _text(b.procedure.legal_time)
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
            FieldChange(f, _text(getattr(a.procedure, f)), _text(getattr(b.procedure, f)))
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
                    FieldChange(
                        f"{unit.name}: {name}",
                        _text(getattr(unit, name)),
                        _text(getattr(now, name)),
                    )
                )
    live_officers = {o.key: o for o in live.officers}
    for officer in frozen.officers:
        now = live_officers.get(officer.key)
        if now is None:
            continue
        for name in ("name", "title", "phone", "email", "unit"):
            if getattr(officer, name) != getattr(now, name):
                changes.append(
                    FieldChange(
                        f"{officer.name}: {name}", getattr(officer, name), getattr(now, name)
                    )
                )
    return tuple(changes)
