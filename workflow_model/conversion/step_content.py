"""A step's and a transition's content between their rows and the flow document.

`StepEntry` and `TransitionEntry` (the document types) are the one list of what a step
and a transition hold. This module is the one place that knows which columns hold each
field. Everything that copies, compares, journals or undoes content goes through it:
reading a version, importing a document, copying a version into a new draft, the
editor's undo snapshots and the journal.

Inside the database a step names its unit, officers and dossier components (thành phần
hồ sơ) by row id; in a document it names them by the keys of that document. So the
values here are the document's fields with ids in place of keys (`StepValues`), and
`entry_from_values` / `values_from_entry` translate with the key maps of one version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from ..document import Duration, StepEntry, TransitionEntry, canonical_number
from ..models import Join, Split, Step, StepDocument, StepKind, StepOfficer, TimeUnit, Transition


class DurationValues(TypedDict):
    """A duration as JSON-ready data: ``{"value": 0.5, "unit": "working_day"}``."""

    value: float
    unit: str


class StepValues(TypedDict):
    """Every field of `StepEntry` but its key, as JSON-ready data with row ids.

    ``unit`` is a unit id, ``officers`` officer ids (the one in charge first) and
    ``documents`` dossier component ids.
    """

    name: str
    kind: str
    unit: int | None
    duration: DurationValues
    officers: list[int]
    documents: list[int]
    split: str
    join: str
    description: str


class TransitionValues(TypedDict):
    """Every field of `TransitionEntry` but the two steps it joins."""

    label: str


STEP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(StepEntry) if f.name != "key")
"""The content fields of a step, in the document's order; diff and forms iterate these."""
TRANSITION_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(TransitionEntry) if f.name not in ("source", "target")
)


def step_values(step: Step) -> StepValues:
    """The content of a step row, JSON-ready, with ids for what it refers to."""
    return StepValues(
        name=step.name,
        kind=StepKind(step.kind).value,
        unit=step.unit_id,
        duration=DurationValues(
            value=canonical_number(step.duration_value), unit=TimeUnit(step.duration_unit).value
        ),
        officers=[link.officer_id for link in step.officer_links],
        documents=[link.component_id for link in step.document_links],
        split=Split(step.split).value,
        join=Join(step.join).value,
        description=step.description or "",
    )


def apply_step_values(session: Session, step: Step, values: StepValues) -> None:
    """Write `values` on the row `step`; links are replaced only where they differ.

    The values are taken as already checked (`flow_editing` checks what users send).
    """
    step.name = values["name"]
    step.kind = StepKind(values["kind"])
    step.unit_id = values["unit"]
    step.duration_value = values["duration"]["value"]
    step.duration_unit = TimeUnit(values["duration"]["unit"])
    step.split = Split(values["split"])
    step.join = Join(values["join"])
    step.description = values["description"]
    if [link.officer_id for link in step.officer_links] != list(values["officers"]):
        if step.officer_links:
            step.officer_links.clear()
            session.flush()  # the old links go before new ones reuse their positions
        step.officer_links.extend(
            StepOfficer(officer_id=officer_id, position=index)
            for index, officer_id in enumerate(values["officers"])
        )
    if [link.component_id for link in step.document_links] != list(values["documents"]):
        if step.document_links:
            step.document_links.clear()
            session.flush()
        step.document_links.extend(
            StepDocument(component_id=component_id, position=index)
            for index, component_id in enumerate(values["documents"])
        )


def transition_values(transition: Transition) -> TransitionValues:
    """The content of a transition row."""
    return TransitionValues(label=transition.label or "")


def apply_transition_values(transition: Transition, values: TransitionValues) -> None:
    """Write `values` on the row `transition`."""
    transition.label = values["label"]


def entry_from_values(
    key: str,
    values: StepValues,
    unit_key: Callable[[int], str],
    officer_key: Callable[[int], str],
    component_key: Callable[[int], str],
) -> StepEntry:
    """The document's entry of a step, naming what it refers to by the document's keys."""
    unit = values["unit"]
    return StepEntry(
        key=key,
        name=values["name"],
        kind=StepKind(values["kind"]),
        unit=unit_key(unit) if unit is not None else None,
        duration=Duration(values["duration"]["value"], TimeUnit(values["duration"]["unit"])),
        officers=tuple(officer_key(i) for i in values["officers"]),
        documents=tuple(component_key(i) for i in values["documents"]),
        split=Split(values["split"]),
        join=Join(values["join"]),
        description=values["description"],
    )


def values_from_entry(
    entry: StepEntry,
    unit_ids: Mapping[str, int],
    officer_ids: Mapping[str, int],
    component_ids: Mapping[str, int],
) -> StepValues:
    """The row values of a document's step, with the ids its keys stand for."""
    return StepValues(
        name=entry.name,
        kind=entry.kind.value,
        unit=unit_ids[entry.unit] if entry.unit is not None else None,
        duration=DurationValues(value=entry.duration.value, unit=entry.duration.unit.value),
        officers=[officer_ids[key] for key in entry.officers],
        documents=[component_ids[key] for key in entry.documents],
        split=entry.split.value,
        join=entry.join.value,
        description=entry.description,
    )


def comparable(entry: StepEntry | TransitionEntry) -> dict[str, Any]:
    """The content fields of an entry by name, typed as the document holds them."""
    names = STEP_FIELDS if isinstance(entry, StepEntry) else TRANSITION_FIELDS
    return {name: getattr(entry, name) for name in names}
