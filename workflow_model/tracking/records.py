"""One dossier as the staff see it: its state, its full event log, and its control slip.

`dossier_record` reads a dossier's stored state (carried on to now), its pinned
document and every event, and names each unit and officer the events report: by the
directory (unit code, officer email), else by the pinned document, else the code or the
email as reported. Staff see every officer and every note; the receipt's check hash is
never read.

`control_slip` turns a record into the control slip (phiếu kiểm soát quá trình giải
quyết hồ sơ, form 02 of Circular 01/2018/TT-VPCP): one row per handover, when a step was
completed and the dossier passed from the unit (and officer) that held it to the one
that took it next, with that step's verdict (early, on time, late) against its allotted
time; and, once the result was returned, a last row from the one-stop desk to the
applicant, judged by the dossier's own verdict. A pure function of the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..document import FlowDocument
from ..enums import StepKind
from ..models import Officer, Procedure, ProcedureCase, Unit, utcnow
from ..models.tracking import Dossier, DossierEvent, DossierStatus, EventKind, Verdict
from .progress import StepRun
from .state import DocumentCache, TrackedDossier, tracked_dossier

__all__ = [
    "ControlSlip",
    "DossierRecord",
    "EventLine",
    "Handover",
    "Party",
    "control_slip",
    "dossier_record",
]


@dataclass(frozen=True)
class Party:
    """One side of a handover: a unit and, when reported, the officer who acted for it."""

    unit: str
    officer: str = ""


@dataclass(frozen=True)
class EventLine:
    """One event of the log, with its step, unit and officer named."""

    at: datetime
    kind: EventKind
    step_key: str | None
    step_name: str
    unit_code: str | None
    unit_name: str
    officer_email: str | None
    officer_name: str
    note: str
    new_due: datetime | None


@dataclass(frozen=True)
class DossierRecord:
    """A dossier's state carried on to now, its pinned document, names and event log."""

    dossier: TrackedDossier
    procedure_name: str
    document: FlowDocument
    events: tuple[EventLine, ...]
    units: dict[str, str]
    """Unit names by the codes the events report."""
    officers: dict[str, str]
    """Officer names by the emails the events report."""

    def step_name(self, key: str) -> str:
        """The name of step `key` in the pinned document (the key when it has none)."""
        return next((step.name for step in self.document.steps if step.key == key), key)

    def party(self, run: StepRun) -> Party:
        """Who held a step run: the unit and officer reported, else the step's own unit."""
        if run.unit:
            unit = self.units.get(run.unit, run.unit)
        else:
            step = next((s for s in self.document.steps if s.key == run.key), None)
            names = {u.key: u.name for u in self.document.units}
            unit = names.get(step.unit, "") if step is not None and step.unit else ""
        officer = self.officers.get(run.officer, run.officer) if run.officer else ""
        return Party(unit, officer)


@dataclass(frozen=True)
class Handover:
    """One row of the control slip: a step completed and the dossier handed on.

    `receiving` is None while no step has taken the dossier after it; `to_applicant`
    marks the last row, the result handed to the applicant.
    """

    number: int
    step_key: str
    step_name: str
    giving: Party
    receiving: Party | None
    to_applicant: bool
    at: datetime
    allotted_hours: float
    used_hours: float
    deadline_at: datetime | None
    verdict: Verdict | None
    note: str


@dataclass(frozen=True)
class ControlSlip:
    """The control slip of one dossier: its header and its handovers, in time order."""

    code: str
    procedure_code: str
    procedure_name: str
    case_key: str
    version_number: int
    agency: str
    """The one-stop desk that received the dossier (the unit of its first step)."""
    received_at: datetime
    due_at: datetime
    apology_due: datetime | None
    status: DossierStatus
    verdict: Verdict | None
    handovers: tuple[Handover, ...]


def dossier_record(
    session: Session, dossier_id: int, *, now: datetime | None = None
) -> DossierRecord | None:
    """The record of the dossier with row id `dossier_id`, or None when there is none.

    Reads the dossier, its step runs, its procedure, its pinned document (cached), its
    events and the names of their units and officers: a fixed number of queries.
    """
    tracked = tracked_dossier(session, dossier_id, now=now or utcnow())
    if tracked is None:
        return None
    procedure_name = session.execute(
        sa.select(Procedure.name)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(Dossier, Dossier.case_id == ProcedureCase.id)
        .where(Dossier.id == dossier_id)
    ).scalar_one()
    document = DocumentCache(session).documents([tracked.version_id])[tracked.version_id]
    events = (
        session.execute(
            sa.select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier_id)
            .order_by(DossierEvent.at, DossierEvent.id)
        )
        .scalars()
        .all()
    )
    unit_codes = {e.unit_code for e in events if e.unit_code}
    unit_codes |= {r.unit for r in tracked.progress.runs if r.unit}
    emails = {e.officer_email for e in events if e.officer_email}
    emails |= {r.officer for r in tracked.progress.runs if r.officer}
    units, officers = _names(session, document, unit_codes, emails)
    steps = {step.key: step.name for step in document.steps}
    lines = tuple(
        EventLine(
            at=e.at,
            kind=e.kind,
            step_key=e.step_key,
            step_name=steps.get(e.step_key, e.step_key) if e.step_key else "",
            unit_code=e.unit_code,
            unit_name=units.get(e.unit_code, e.unit_code) if e.unit_code else "",
            officer_email=e.officer_email,
            officer_name=officers.get(e.officer_email, "") if e.officer_email else "",
            note=e.note,
            new_due=e.new_due,
        )
        for e in events
    )
    return DossierRecord(tracked, procedure_name, document, lines, units, officers)


def _names(
    session: Session, document: FlowDocument, unit_codes: set[str], emails: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    # The pinned document first, the directory over it: its names are today's.
    units = {unit.key: unit.name for unit in document.units if unit.key in unit_codes}
    officers = {o.email: o.name for o in document.officers if o.email in emails}
    if unit_codes:
        units.update(
            session.execute(
                sa.select(Unit.code, Unit.name).where(Unit.code.in_(sorted(unit_codes)))
            ).all()
        )
    if emails:
        officers.update(
            (email, name)
            for email, name in session.execute(
                sa.select(Officer.email, Officer.full_name).where(Officer.email.in_(sorted(emails)))
            ).all()
            if email is not None
        )
    return units, officers


def _next_run(runs: Sequence[StepRun], index: int, successors: set[str]) -> StepRun | None:
    """The run that took the dossier after run `index` finished: a successor step's first."""
    finished = runs[index].finished_at
    assert finished is not None
    later = [r for i, r in enumerate(runs) if i != index and r.started_at >= finished]
    following = [r for r in later if r.key in successors] or later
    return min(following, key=lambda r: r.started_at, default=None)


def control_slip(record: DossierRecord) -> ControlSlip:
    """The control slip of `record`'s dossier: one row per handover, then the return.

    >>> from datetime import datetime
    >>> from workflow_model.calendar import TIMEZONE
    >>> from workflow_model.demo_data import demo_flow
    >>> from workflow_model.models.tracking import Channel
    >>> from workflow_model.tracking import DossierProgress, TrackedDossier
    >>> at = datetime(2026, 3, 9, 8, tzinfo=TIMEZONE)
    >>> runs = (StepRun("s1", at, at, 4.0, 1.0, at, Verdict.EARLY, "tt"),
    ...         StepRun("s2", at, None, 16.0, 2.0, at, None))
    >>> progress = DossierProgress(DossierStatus.IN_PROGRESS, at, 40.0, at, 3.0, 37.0, 0.0,
    ...     None, None, None, None, None, ("s2",), runs, at, at)
    >>> tracked = TrackedDossier(1, "egov", "H-1", "1.004944", "", 7, 1, Channel.ONLINE, progress)
    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> slip = control_slip(DossierRecord(tracked, "Thủ tục", doc, (), {"tt": "Một cửa"}, {}))
    >>> [(h.step_key, h.giving.unit, h.verdict.value) for h in slip.handovers]
    [('s1', 'Một cửa', 'early')]
    """
    tracked, progress, document = record.dossier, record.dossier.progress, record.document
    successors: dict[str, set[str]] = {}
    for transition in document.transitions:
        successors.setdefault(transition.source, set()).add(transition.target)
    notes = {
        (line.step_key, line.at): line.note
        for line in record.events
        if line.kind is EventKind.STEP_COMPLETED and line.note
    }
    runs = progress.runs
    finished = sorted(
        (i for i, run in enumerate(runs) if run.finished_at is not None),
        key=lambda i: (runs[i].finished_at, i),
    )
    handovers = []
    for number, index in enumerate(finished, start=1):
        run = runs[index]
        assert run.finished_at is not None
        after = _next_run(runs, index, successors.get(run.key, set()))
        handovers.append(
            Handover(
                number=number,
                step_key=run.key,
                step_name=record.step_name(run.key),
                giving=record.party(run),
                receiving=record.party(after) if after is not None else None,
                to_applicant=False,
                at=run.finished_at,
                allotted_hours=run.allotted_hours,
                used_hours=run.used_hours,
                deadline_at=run.deadline_at,
                verdict=run.verdict,
                note=notes.get((run.key, run.finished_at), ""),
            )
        )
    returned = next((e for e in record.events if e.kind is EventKind.RETURNED), None)
    if returned is not None:
        desk = Party(returned.unit_name, returned.officer_name or (returned.officer_email or ""))
        handovers.append(
            Handover(
                number=len(handovers) + 1,
                step_key="",
                step_name="",
                giving=desk if desk.unit else Party(_agency(record)),
                receiving=None,
                to_applicant=True,
                at=returned.at,
                allotted_hours=progress.legal_hours,
                used_hours=progress.used_hours,
                deadline_at=progress.due_at,
                verdict=progress.verdict,
                note=returned.note,
            )
        )
    return ControlSlip(
        code=tracked.code,
        procedure_code=tracked.procedure_code,
        procedure_name=record.procedure_name,
        case_key=tracked.case_key,
        version_number=tracked.version_number,
        agency=_agency(record),
        received_at=progress.received_at,
        due_at=progress.due_at,
        apology_due=progress.apology_due,
        status=progress.status,
        verdict=progress.verdict,
        handovers=tuple(handovers),
    )


def _agency(record: DossierRecord) -> str:
    """The unit that received the dossier: as `received` reported it, else the first step's."""
    received = next((e for e in record.events if e.kind is EventKind.RECEIVED), None)
    if received is not None and received.unit_name:
        return received.unit_name
    names = {unit.key: unit.name for unit in record.document.units}
    first = next((s for s in record.document.steps if s.kind is StepKind.START), None)
    return names.get(first.unit, "") if first is not None and first.unit else ""
