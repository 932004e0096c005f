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


@dataclass(frozen=True)
class DocumentChange:
    """One field that differs between two documents of a version, and where it sits.

    `subject` says where: empty for the procedure, ``"Name (key)"`` for a step,
    ``"a → b"`` for a transition, a unit's or an officer's name; `field` is the field's
    name in the document (``legal_time``, ``officers``, ``phone``, …), or the kind of an
    element added or removed (``step``, ``transition``, ``unit``, ``officer``).

    >>> str(DocumentChange("", "legal_time", 17, 1)), str(DocumentChange("An", "name", 1, 2))
    ('legal_time', 'An: name')
    """

    subject: str
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.subject}: {self.field}" if self.subject else self.field


UNIT_FIELDS = ("name", "level", "one_stop", "parent")
OFFICER_FIELDS = ("name", "title", "phone", "email", "unit")


def _member_changes(a: FlowDocument, b: FlowDocument) -> list[DocumentChange]:
    """The units and officers (matched by key) whose directory entry differs."""
    changes: list[DocumentChange] = []
    units_b = {u.key: u for u in b.units}
    for unit in a.units:
        now = units_b.get(unit.key)
        if now is None:
            continue
        changes += [
            DocumentChange(unit.name, name, getattr(unit, name), getattr(now, name))
            for name in UNIT_FIELDS
            if getattr(unit, name) != getattr(now, name)
        ]
    officers_b = {o.key: o for o in b.officers}
    for officer in a.officers:
        current = officers_b.get(officer.key)
        if current is None:
            continue
        changes += [
            DocumentChange(officer.name, name, getattr(officer, name), getattr(current, name))
            for name in OFFICER_FIELDS
            if getattr(officer, name) != getattr(current, name)
        ]
    return changes


def _added_or_removed(kind: str, a: dict[str, str], b: dict[str, str]) -> list[DocumentChange]:
    """Elements (key → name) present in only one of the two documents."""
    return [DocumentChange(key, kind, name, None) for key, name in a.items() if key not in b] + [
        DocumentChange(key, kind, None, name) for key, name in b.items() if key not in a
    ]


def document_changes(a: FlowDocument, b: FlowDocument) -> tuple[DocumentChange, ...]:
    """Every field that differs from document `a` to document `b` of one version.

    What was submitted against what the rows and the directory say now, for instance:
    the procedure's fields, each step's and transition's, each unit's and officer's
    directory entry. A difference no field names (the layout, the provenance) is one
    ``DocumentChange("", "document", None, None)``, so a changed document never reads
    as unchanged.

    >>> from dataclasses import replace
    >>> from workflow_model.document import ProcedureEntry
    >>> days = Duration(17, "working_day")
    >>> procedure = ProcedureEntry("1.1", "Thủ tục", "province", "", days, "")
    >>> a = FlowDocument(procedure)
    >>> b = FlowDocument(replace(procedure, legal_time=Duration(1, "working_day")))
    >>> [str(change) for change in document_changes(a, b)], document_changes(a, a)
    (['legal_time'], ())
    """
    diff = diff_versions(a, b)
    changes: list[DocumentChange] = []
    if diff.legal_time is not None:
        changes.append(DocumentChange("", "legal_time", diff.legal_time.old, diff.legal_time.new))
    changes += [DocumentChange("", c.field, c.old, c.new) for c in diff.procedure]
    if a.procedure.code != b.procedure.code:
        changes.append(DocumentChange("", "code", a.procedure.code, b.procedure.code))
    if a.procedure.dossier_components != b.procedure.dossier_components:
        names = [tuple(c.name for c in d.procedure.dossier_components) for d in (a, b)]
        changes.append(DocumentChange("", "dossier_components", *names))
    if a.procedure.case != b.procedure.case:
        cases = [d.procedure.case.name if d.procedure.case else None for d in (a, b)]
        changes.append(DocumentChange("", "case", *cases))
    changes += _added_or_removed(
        "step", {s.key: s.name for s in a.steps}, {s.key: s.name for s in b.steps}
    )
    for step in diff.steps_changed:
        subject = f"{step.name} ({step.key})"
        changes += [DocumentChange(subject, c.field, c.old, c.new) for c in step.changes]
    changes += [
        DocumentChange(f"{s} → {t}", "transition", label, None)
        for s, t, label in diff.transitions_removed
    ]
    changes += [
        DocumentChange(f"{s} → {t}", "transition", None, label)
        for s, t, label in diff.transitions_added
    ]
    changes += [
        DocumentChange(f"{s} → {t}", "label", old, new)
        for s, t, old, new in diff.transitions_relabelled
    ]
    changes += _added_or_removed(
        "unit", {u.key: u.name for u in a.units}, {u.key: u.name for u in b.units}
    )
    changes += _added_or_removed(
        "officer", {o.key: o.name for o in a.officers}, {o.key: o.name for o in b.officers}
    )
    changes += _member_changes(a, b)
    if not changes and a != b:
        changes.append(DocumentChange("", "document", None, None))
    return tuple(changes)


def directory_drift(frozen: FlowDocument, live: FlowDocument) -> tuple[DocumentChange, ...]:
    """What the live directory says differently from an approved snapshot.

    Units and officers are matched by key; each change names who changed (its subject)
    and which field, so an interface can say the field in its reader's words, e.g.
    ``DocumentChange("Nguyễn Văn An", "phone", "0222 3810 111", "0912 345 678")``.
    """
    return tuple(_member_changes(frozen, live))
