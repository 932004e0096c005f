"""The periodic report (báo cáo tình hình, kết quả giải quyết thủ tục hành chính).

The table a province files on the handling of procedures for a period, after the form
annexed to Circular 01/2020/TT-VPCP: one line per procedure, grouped by field (lĩnh vực)
and implementing agency (cơ quan thực hiện), with a subtotal per agency and per field
and a grand total. It reads the dossiers' stored state only (never their events).

Definitions. The period runs from ``S = period.starts_at`` (included) to ``E =
period.ends_at`` (excluded). Each dossier's handling *ends* at most once, at
``end = COALESCE(finished_at, closed_at)``, in one of two ways:

- *resolved* (đã giải quyết) when a result was made: ``finished_at`` is the result's
  time (``result_ready``, or a ``returned`` without one). A dossier refused or withdrawn
  *after* its result was ready (``finished_at < closed_at``) stays resolved, at its
  result's time; returning the result later changes nothing either.
- *withdrawn or refused* (rút, từ chối) when it was closed as ``withdrawn`` or
  ``refused`` without a result before: ``finished_at`` is empty or equals ``closed_at``
  (the tracking state gives a refusal without a result its closing time as
  ``finished_at``). A result and a refusal at the very same instant cannot be told
  apart in the stored state, and count as a refusal.

A dossier counts in the period's report when it was received before ``E`` and its
handling had not ended before ``S``. Then exactly one of each pair holds:

- received: *carried over* (kỳ trước chuyển qua) when ``received_at < S``, else *new*,
  online or direct (counter and post: trực tiếp, bưu chính);
- outcome: *resolved in the period* when ``S <= end < E`` and resolved (split by its
  verdict: early, on time, and late; a resolved dossier always has a verdict, and one
  without would count as on time so that the split still adds up); *withdrawn or
  refused in the period* when ``S <= end < E`` and withdrawn or refused; otherwise *in
  progress at the end* (``end`` empty or ``>= E``).

So ``carried_over + new = resolved + withdrawn_refused + in_progress`` for every line,
and so for every subtotal and the total, by construction. The dossiers in progress at
the end of a period are the carried over of the period that starts there.

In progress at the end is split into *overdue* and *within time* at the moment ``T =
min(E, now)`` (a period not over yet is judged now): overdue when the stored due date
is before ``T`` and, if the clock stands still now, the due date came before it stopped
(the rule of `workflow_model.tracking.listing.late_condition`, at ``T``). The stored
due date is the current one: pauses and supplement waits after ``T`` may have moved it
on. A stop starting after ``T`` only moves a due date that was still ahead at its
start, so it never changes whether the due date was before ``T``; the report is exact
there. What it cannot tell is a due date that falls exactly on a stop's edge, which it
counts as the stored state says. An apology slip's new date moves nothing, as for the
verdict.

The counting is one SQL query grouped by the dossier's procedure case (CASE sums over
the stored columns), and one query naming the cases' procedures, fields and agencies;
the lines, subtotals and total are sums of those few grouped rows, never of dossiers.
No index serves the grouping (a quarter's report touches every dossier received before
its end and not ended before its start, most of the table): it is one sequential scan,
measured on PostgreSQL with 1,000,000 dossiers (a quarter of 240,000) at 0.35 s for
everything and 1.1 to 2 s within a unit's scope, whose `dossier_clause` is a semi-join.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Field, Procedure, ProcedureCase, Unit
from ..models.tracking import Channel, Dossier, DossierStatus, Verdict
from .period import Period
from .scope import Scope, dossier_clause, scope_of_unit

__all__ = [
    "AgencyGroup",
    "Counts",
    "FieldGroup",
    "PeriodicReport",
    "ProcedureLine",
    "ReportError",
    "UnitOutOfScope",
    "UnknownUnit",
    "periodic_report",
    "units_in_scope",
]


class ReportError(ValueError):
    """A report that cannot be made for the asked unit."""


class UnknownUnit(ReportError):
    """The asked unit does not exist."""


class UnitOutOfScope(ReportError):
    """The asked unit lies outside what the reader may see."""


@dataclass(frozen=True)
class Counts:
    """The figures of one line of the report (see the module's note for each definition)."""

    carried_over: int = 0
    new_online: int = 0
    new_direct: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    withdrawn_refused: int = 0
    within_time: int = 0
    overdue: int = 0

    @property
    def new(self) -> int:
        """Received in the period, every channel."""
        return self.new_online + self.new_direct

    @property
    def received(self) -> int:
        """Carried over and new: every dossier the line accounts for."""
        return self.carried_over + self.new

    @property
    def resolved(self) -> int:
        """Resolved in the period, whatever the verdict."""
        return self.early + self.on_time + self.late

    @property
    def in_progress(self) -> int:
        """Still in progress at the period's end."""
        return self.within_time + self.overdue

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(Counts))
        )


def _total(parts: Iterable[Counts]) -> Counts:
    found = Counts()
    for part in parts:
        found = found + part
    return found


@dataclass(frozen=True)
class ProcedureLine:
    """One procedure's line: its code, name and figures."""

    procedure_id: int
    code: str
    name: str
    counts: Counts


@dataclass(frozen=True)
class AgencyGroup:
    """The procedures of one implementing agency within a field, and their subtotal.

    `agency_id` None gathers the procedures without an agency (`name` is then empty).
    """

    agency_id: int | None
    name: str
    lines: tuple[ProcedureLine, ...]
    counts: Counts


@dataclass(frozen=True)
class FieldGroup:
    """The agencies of one field, and the field's subtotal (`field_id` None: no field)."""

    field_id: int | None
    name: str
    agencies: tuple[AgencyGroup, ...]
    counts: Counts


@dataclass(frozen=True)
class PeriodicReport:
    """The report of `period` for `unit_name` (empty: everything), as of `as_of`."""

    period: Period
    unit_name: str
    fields: tuple[FieldGroup, ...]
    total: Counts
    as_of: datetime

    @property
    def lines(self) -> tuple[ProcedureLine, ...]:
        """Every procedure line, in the report's order."""
        return tuple(
            line for field in self.fields for agency in field.agencies for line in agency.lines
        )


def units_in_scope(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """The units a report may be narrowed to within `scope`, as (id, name), by name."""
    query = sa.select(Unit.id, Unit.name).order_by(Unit.name, Unit.id)
    if scope.unit_ids is not None:
        query = query.where(Unit.id.in_(sorted(scope.unit_ids)))
    return [(unit_id, name) for unit_id, name in session.execute(query)]


def _narrowed(session: Session, scope: Scope, unit_id: int | None) -> Scope:
    """`scope` narrowed to the subtree of `unit_id`, which must lie within it."""
    if unit_id is None:
        return scope
    narrowed = scope_of_unit(session, unit_id)
    if not narrowed.unit_ids:
        raise UnknownUnit(f"no unit {unit_id}")
    if scope.unit_ids is not None and unit_id not in scope.unit_ids:
        # A subtree inside the scope's subtree is a subset of it: nothing widens.
        raise UnitOutOfScope(f"unit {unit_id} is outside the reader's scope")
    return narrowed


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _grouped(
    session: Session, period: Period, scope: Scope, judged_at: datetime
) -> dict[int, Counts]:
    """The figures per procedure case, in one query grouped by case."""
    start, end = period.starts_at, period.ends_at
    ended = sa.func.coalesce(Dossier.finished_at, Dossier.closed_at)
    dropped = sa.and_(
        Dossier.status.in_([DossierStatus.REFUSED, DossierStatus.WITHDRAWN]),
        sa.or_(Dossier.finished_at.is_(None), Dossier.finished_at >= Dossier.closed_at),
    )
    in_period = sa.and_(ended.is_not(None), ended < end)
    still_open = sa.or_(ended.is_(None), ended >= end)
    overdue = sa.and_(
        Dossier.due_at < judged_at,
        sa.or_(
            Dossier.clock_stopped_since.is_(None),
            Dossier.due_at <= Dossier.clock_stopped_since,
        ),
    )
    new = Dossier.received_at >= start
    resolved = sa.and_(in_period, sa.not_(dropped))
    query = (
        sa.select(
            Dossier.case_id,
            _sum(Dossier.received_at < start),
            _sum(sa.and_(new, Dossier.channel == Channel.ONLINE)),
            _sum(sa.and_(new, Dossier.channel != Channel.ONLINE)),
            _sum(sa.and_(resolved, Dossier.verdict == Verdict.EARLY)),
            _sum(
                sa.and_(
                    resolved,
                    sa.or_(
                        Dossier.verdict.is_(None),
                        Dossier.verdict.not_in([Verdict.EARLY, Verdict.LATE]),
                    ),
                )
            ),
            _sum(sa.and_(resolved, Dossier.verdict == Verdict.LATE)),
            _sum(sa.and_(in_period, dropped)),
            _sum(sa.and_(still_open, sa.not_(overdue))),
            _sum(sa.and_(still_open, overdue)),
        )
        .where(
            Dossier.received_at < end,
            sa.or_(ended.is_(None), ended >= start),
            dossier_clause(scope),
        )
        .group_by(Dossier.case_id)
    )
    return {row[0]: Counts(*(int(value) for value in row[1:])) for row in session.execute(query)}


def periodic_report(
    session: Session,
    period: Period,
    scope: Scope,
    *,
    unit_id: int | None = None,
    now: datetime,
) -> PeriodicReport:
    """The report of `period` over the dossiers in `scope`, narrowed to `unit_id`'s subtree.

    `scope` is the reader's (`scope_of_user`); `unit_id` may only narrow it: a unit that
    does not exist raises `UnknownUnit`, one outside `scope` `UnitOutOfScope`. `now` is
    the aware moment the report is made, which judges a period not over yet.
    """
    narrowed = _narrowed(session, scope, unit_id)
    judged_at = min(period.ends_at, now)
    by_case = _grouped(session, period, narrowed, judged_at)
    names = session.execute(
        sa.select(
            ProcedureCase.id,
            Procedure.id,
            Procedure.code,
            Procedure.name,
            Procedure.field_id,
            Field.name,
            Procedure.lead_unit_id,
            Unit.name,
        )
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .outerjoin(Field, Procedure.field_id == Field.id)
        .outerjoin(Unit, Procedure.lead_unit_id == Unit.id)
        .where(ProcedureCase.id.in_(sorted(by_case)))
    ).all()
    procedures: dict[int, tuple[str, str, int | None, str, int | None, str]] = {}
    per_procedure: dict[int, Counts] = {}
    for case_id, procedure_id, code, name, field_id, field, agency_id, agency in names:
        procedures[procedure_id] = (code, name, field_id, field or "", agency_id, agency or "")
        per_procedure[procedure_id] = per_procedure.get(procedure_id, Counts()) + by_case[case_id]
    return PeriodicReport(
        period=period,
        unit_name=narrowed.root_name,
        fields=_groups(procedures, per_procedure),
        total=_total(per_procedure.values()),
        as_of=now,
    )


def _groups(
    procedures: dict[int, tuple[str, str, int | None, str, int | None, str]],
    per_procedure: dict[int, Counts],
) -> tuple[FieldGroup, ...]:
    """Fields by name, agencies by name within each, procedures by code; none last."""
    tree: dict[tuple[int | None, str], dict[tuple[int | None, str], list[ProcedureLine]]] = {}
    for procedure_id, (code, name, field_id, field, agency_id, agency) in procedures.items():
        line = ProcedureLine(procedure_id, code, name, per_procedure[procedure_id])
        tree.setdefault((field_id, field), {}).setdefault((agency_id, agency), []).append(line)

    def order(key: tuple[int | None, str]) -> tuple[bool, str, int]:
        return (key[0] is None, key[1], key[0] or 0)

    fields = []
    for field_key in sorted(tree, key=order):
        agencies = []
        for agency_key in sorted(tree[field_key], key=order):
            lines = tuple(sorted(tree[field_key][agency_key], key=lambda line: line.code))
            agencies.append(AgencyGroup(*agency_key, lines, _total(line.counts for line in lines)))
        fields.append(FieldGroup(*field_key, tuple(agencies), _total(a.counts for a in agencies)))
    return tuple(fields)
