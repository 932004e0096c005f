"""Frozen dataclasses of the flow document `sodo.flow/1` (see the JSON Schema beside them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..enums import HOURS_PER_WORKING_DAY, Join, Split, StepKind, TimeUnit

FORMAT = "sodo.flow/1"


@dataclass(frozen=True)
class Duration:
    """A legal time or a step duration: a number ≥ 0 of working days or working hours.

    >>> Duration(0.5, TimeUnit.WORKING_DAY).hours
    4.0
    """

    value: float
    unit: TimeUnit

    @property
    def hours(self) -> float:
        """The duration in working hours (one working day is 8 working hours)."""
        if self.unit is TimeUnit.WORKING_DAY:
            return float(self.value) * HOURS_PER_WORKING_DAY
        return float(self.value)


@dataclass(frozen=True)
class Fee:
    """A fee or charge (phí, lệ phí) of a procedure."""

    name: str
    amount: float
    currency: str = "VND"
    note: str = ""
    """What the amount applies to or depends on; written out only when given."""


@dataclass(frozen=True)
class DossierComponentEntry:
    """A dossier component (thành phần hồ sơ): originals, copies and the form to use."""

    key: str
    name: str
    originals: int = 1
    copies: int = 0
    form: str = ""


@dataclass(frozen=True)
class CaseEntry:
    """A case (trường hợp) of a procedure that has several, each with its own process."""

    key: str
    name: str


@dataclass(frozen=True)
class ProcedureEntry:
    """The procedure (thủ tục hành chính) the flow belongs to."""

    code: str
    name: str
    level: str
    field: str
    legal_time: Duration
    result: str
    legal_basis: tuple[str, ...] = ()
    fees: tuple[Fee, ...] = ()
    dossier_components: tuple[DossierComponentEntry, ...] = ()
    case: CaseEntry | None = None


@dataclass(frozen=True)
class UnitEntry:
    """A unit the flow involves; `parent` is the key of another unit of the document."""

    key: str
    name: str
    level: str
    one_stop: bool
    parent: str | None = None


@dataclass(frozen=True)
class OfficerEntry:
    """An officer the flow involves, with the contacts a citizen sees."""

    key: str
    name: str
    title: str
    phone: str
    email: str
    unit: str


@dataclass(frozen=True)
class StepEntry:
    """A step (bước) of the process; `officers` lists the officer in charge first."""

    key: str
    name: str
    kind: StepKind
    unit: str | None
    duration: Duration
    officers: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    split: Split = Split.EXCLUSIVE
    join: Join = Join.ANY
    description: str = ""


@dataclass(frozen=True)
class TransitionEntry:
    """A transition from one step to another, labelled at a decision."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Position:
    """A step's position on the diagram, in pixels."""

    x: float
    y: float


@dataclass(frozen=True)
class FlowDocument:
    """One procedure (or one case of it) and the process that handles it.

    `source` is optional provenance, e.g. the decision a flow was transcribed from; it is
    kept as plain JSON data.
    """

    procedure: ProcedureEntry
    units: tuple[UnitEntry, ...] = ()
    officers: tuple[OfficerEntry, ...] = ()
    steps: tuple[StepEntry, ...] = ()
    transitions: tuple[TransitionEntry, ...] = ()
    layout: Mapping[str, Position] = field(default_factory=dict)
    source: Mapping[str, Any] | None = None
