"""Where a case's first draft starts: empty, the standard one-stop skeleton, or a copy.

A procedure created in the catalogue has no process yet. Its first draft starts from one
of three points (`StartingPoint`), built here as a `KeyedDocument` that
`lifecycle.new_draft` stores through `write_content`, the same path as every other copy:

- ``empty``: a reception step and an end step, joined;
- ``skeleton``: the standard one-stop path (quy trình một cửa): receive at the one-stop
  desk → appraise → the leader approves → return the result, with the one-stop unit of the
  procedure's level and the procedure's lead unit filled in, and the legal time shared out;
- ``copy``: the content of another procedure's version in force (found with
  `versions_in_force_matching`), without the dossier components (thành phần hồ sơ) the
  target procedure does not have.

Step names are content, not interface words: they are the Vietnamese of the provincial
decisions and stay Vietnamese whatever the reader's language, like imported names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from itertools import pairwise

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .conversion import KeyedDocument, keyed_document
from .document.types import (
    Duration,
    FlowDocument,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)
from .enums import HOURS_PER_WORKING_DAY, StepKind, TimeUnit
from .models import FlowVersion, Procedure, ProcedureCase, Step, Unit, VersionStatus, utcnow
from .text import fold


class StartingPoint(enum.StrEnum):
    """What a case's first draft starts from."""

    EMPTY = "empty"
    SKELETON = "skeleton"
    COPY = "copy"


# The one-stop path of most provincial decisions, with its share of the legal time in
# working hours when the legal time allows (reception and return half a day, the leader a
# day, appraisal the rest); shorter legal times are shared in these proportions instead.
_SKELETON: tuple[tuple[str, StepKind, str, float, float], ...] = (
    ("Tiếp nhận hồ sơ", StepKind.START, "one_stop", 4, 1 / 8),
    ("Thẩm định hồ sơ", StepKind.TASK, "lead", 0, 1 / 2),
    ("Lãnh đạo phê duyệt", StepKind.TASK, "lead", 8, 1 / 4),
    ("Trả kết quả", StepKind.END, "one_stop", 4, 1 / 8),
)
_FIXED_HOURS = sum(hours for *_, hours, _share in _SKELETON)
_EMPTY: tuple[tuple[str, StepKind], ...] = (
    ("Tiếp nhận hồ sơ", StepKind.START),
    ("Trả kết quả", StepKind.END),
)


def legal_hours(case: ProcedureCase) -> float:
    """The case's legal time (thời hạn giải quyết) in working hours.

    >>> legal_hours(ProcedureCase(legal_time_value=10, legal_time_unit=TimeUnit.WORKING_DAY))
    80.0
    """
    value = float(case.legal_time_value)
    if case.legal_time_unit is TimeUnit.WORKING_DAY:
        return value * HOURS_PER_WORKING_DAY
    return value


def skeleton_hours(total: float) -> list[float]:
    """Each skeleton step's working hours, summing to `total` (the legal time in hours).

    >>> skeleton_hours(80)
    [4.0, 64.0, 8.0, 4.0]
    >>> skeleton_hours(8)
    [1.0, 4.0, 2.0, 1.0]
    """
    if total > _FIXED_HOURS:
        rest = total - _FIXED_HOURS
        return [float(hours or rest) for *_, hours, _share in _SKELETON]
    return [total * share for *_, share in _SKELETON]


def _duration(hours: float, unit: TimeUnit) -> Duration:
    if unit is TimeUnit.WORKING_DAY:
        return Duration(round(hours / HOURS_PER_WORKING_DAY, 3), TimeUnit.WORKING_DAY)
    return Duration(round(hours, 3), TimeUnit.WORKING_HOUR)


@dataclass(frozen=True)
class DraftStart:
    """A first draft's starting point, with what it needs.

    `source` is the version in force to copy (``copy``); `one_stop` the one-stop unit of
    the skeleton's reception and return (``skeleton``), by default the first of
    `one_stop_units`.
    """

    point: StartingPoint
    source: FlowVersion | None = None
    one_stop: Unit | None = None


def one_stop_units(session: Session, procedure: Procedure) -> list[Unit]:
    """The active one-stop units (bộ phận một cửa) of the procedure's level, by name.

    A province has one centre, but a district- or commune-level procedure is handled at
    many desks, so the administrator chooses; with none at the level, every active
    one-stop unit is offered.
    """
    query = sa.select(Unit).where(Unit.one_stop.is_(True), Unit.active.is_(True))
    units = list(
        session.scalars(query.where(Unit.level_id == procedure.level_id).order_by(Unit.name))
    )
    return units or list(session.scalars(query.order_by(Unit.name)))


def _procedure_entry(case: ProcedureCase) -> ProcedureEntry:
    # write_content reads the procedure from the version's case; the entry only
    # completes the document's shape.
    procedure = case.procedure
    return ProcedureEntry(
        code=procedure.code,
        name=procedure.name,
        level=procedure.level.key,
        field=procedure.field.name if procedure.field else "",
        legal_time=Duration(float(case.legal_time_value), case.legal_time_unit),
        result=procedure.result,
    )


def _unit_entries(units: dict[str, Unit | None]) -> tuple[tuple[UnitEntry, ...], dict[str, int]]:
    entries: list[UnitEntry] = []
    ids: dict[str, int] = {}
    for key, unit in units.items():
        if unit is None or unit.id in ids.values():
            continue
        entries.append(UnitEntry(key, unit.name, unit.level.key, unit.one_stop))
        ids[key] = unit.id
    return tuple(entries), ids


def _chain(steps: tuple[StepEntry, ...]) -> tuple[TransitionEntry, ...]:
    return tuple(TransitionEntry(a.key, b.key) for a, b in pairwise(steps))


def empty_content(case: ProcedureCase) -> KeyedDocument:
    """A reception step and an end step, joined, with no unit and no time yet."""
    zero = Duration(0, case.legal_time_unit)
    steps = tuple(
        StepEntry(f"s{i}", name, kind, None, zero) for i, (name, kind) in enumerate(_EMPTY, 1)
    )
    document = FlowDocument(_procedure_entry(case), steps=steps, transitions=_chain(steps))
    return KeyedDocument(document, {}, {})


def skeleton_content(
    session: Session, case: ProcedureCase, one_stop: Unit | None = None
) -> KeyedDocument:
    """The standard one-stop path, its units filled in and the legal time shared out.

    Reception and return go to `one_stop` (by default the first one-stop unit of the
    procedure's level); appraisal and approval to the procedure's lead unit (đơn vị chủ
    trì). A unit the directory lacks is left empty for the administrator to choose.
    """
    procedure = case.procedure
    if one_stop is None:
        one_stop = next(iter(one_stop_units(session, procedure)), None)
    units, unit_ids = _unit_entries({"one_stop": one_stop, "lead": procedure.lead_unit})
    hours = skeleton_hours(legal_hours(case))
    steps = tuple(
        StepEntry(
            f"s{i}",
            name,
            kind,
            role if role in unit_ids else None,
            _duration(step_hours, case.legal_time_unit),
        )
        for i, ((name, kind, role, _fixed, _share), step_hours) in enumerate(
            zip(_SKELETON, hours, strict=True), 1
        )
    )
    document = FlowDocument(
        _procedure_entry(case), units=units, steps=steps, transitions=_chain(steps)
    )
    return KeyedDocument(document, unit_ids, {})


def copied_content(session: Session, case: ProcedureCase, source: FlowVersion) -> KeyedDocument:
    """The content of `source` for a draft of `case`, which may be another procedure's.

    The copy names the same directory rows; a step's dossier components are kept only
    when the target procedure has a component with the same key.
    """
    keyed = keyed_document(session, source)
    components = {c.key for c in case.procedure.dossier_components}
    steps = tuple(
        replace(step, documents=tuple(d for d in step.documents if d in components))
        for step in keyed.document.steps
    )
    document = replace(keyed.document, steps=steps, source=None)
    return KeyedDocument(document, keyed.unit_ids, keyed.officer_ids)


def starting_content(session: Session, case: ProcedureCase, start: DraftStart) -> KeyedDocument:
    """The content a first draft of `case` starts from."""
    if start.point is StartingPoint.COPY:
        if start.source is None:
            raise ValueError("a copy needs the version to copy")
        return copied_content(session, case, start.source)
    if start.point is StartingPoint.SKELETON:
        return skeleton_content(session, case, start.one_stop)
    return empty_content(case)


@dataclass(frozen=True)
class InForce:
    """A version in force that a first draft may copy, as the search lists it."""

    version_id: int
    procedure_code: str
    procedure_name: str
    case_key: str
    case_name: str
    number: int
    steps: int


_STEP_COUNT = (
    sa.select(sa.func.count(Step.id))
    .where(Step.version_id == FlowVersion.id)
    .correlate(FlowVersion)
    .scalar_subquery()
    .label("steps")
)


def versions_in_force_matching(session: Session, text: str, *, limit: int = 20) -> list[InForce]:
    """Versions in force whose procedure's code or name contains `text`, without diacritics.

    "cap phep" finds "Cấp phép …". One row per case: its latest approved version already
    effective. Empty text finds nothing, so the page lists no one's whole catalogue.
    """
    words = fold(text)
    if not words:
        return []
    now = utcnow()
    latest = (
        sa.select(
            FlowVersion.case_id,
            sa.func.max(FlowVersion.effective_from).label("effective_from"),
        )
        .where(FlowVersion.status == VersionStatus.APPROVED, FlowVersion.effective_from <= now)
        .group_by(FlowVersion.case_id)
        .subquery()
    )
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        sa.select(FlowVersion, ProcedureCase, Procedure, _STEP_COUNT)
        .join(
            latest,
            sa.and_(
                FlowVersion.case_id == latest.c.case_id,
                FlowVersion.effective_from == latest.c.effective_from,
            ),
        )
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(
            FlowVersion.status == VersionStatus.APPROVED,
            Procedure.search_text.like(f"%{escaped}%", escape="\\"),
        )
        .order_by(Procedure.code, ProcedureCase.position, FlowVersion.number.desc())
        .limit(limit * 2)
    )
    found: dict[int, InForce] = {}
    for version, case, procedure, steps in session.execute(query):
        if case.id in found or len(found) >= limit:
            continue
        found[case.id] = InForce(
            version.id,
            procedure.code,
            procedure.name,
            case.key,
            case.name,
            version.number,
            steps,
        )
    return list(found.values())
