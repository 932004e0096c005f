"""What citizens may see: the catalogue, and only the process versions in force.

The public pages read through here and nowhere else, so the rule "only the version in
force, only public contacts" has one home:

- a case's process is the frozen snapshot of its version in force (approved and
  effective, `lifecycle.version_in_force`), never a draft, a submitted, rejected or
  retired version;
- an officer whose directory row is not `public` is left out of the document (name and
  contacts) before anything is drawn or listed; the live directory decides, so hiding an
  officer takes effect without a new version.

A citizen's dossier (`track_dossier`) is read the same way: by its code and the check
value of its receipt only, against the public document of the version it was pinned to,
with its timeline of events but never their free-text notes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from .document import FlowDocument, OfficerEntry
from .lifecycle import version_document, version_in_force
from .models import Field, FlowVersion, Level, Officer, Procedure, ProcedureCase, Unit
from .models.tracking import DossierEvent, EventKind
from .text import fold
from .tracking import CheckKeys, StepState, TrackedDossier, lookup_dossier, step_states
from .tracking.state import DocumentCache

MAX_QUERY = 200
"""Characters of a search that count; the rest of a longer query is cut."""
PAGE_SIZE = 20


@dataclass(frozen=True)
class ProcedureRow:
    """A procedure as the public search lists it."""

    code: str
    name: str
    level: str
    agency: str
    cases: tuple[ProcedureCase, ...]


@dataclass(frozen=True)
class SearchPage:
    """One page of public search results."""

    rows: list[ProcedureRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class PublishedCase:
    """A case of a procedure, with its process if one is in force.

    `sha256` is the frozen snapshot's hash and `hidden` the keys of the officers left
    out of it: together they identify what is shown (for caching).
    """

    case: ProcedureCase
    document: FlowDocument | None
    sha256: str | None
    hidden: frozenset[str] = frozenset()


def search_procedures(
    session: Session,
    text: str = "",
    *,
    level: str = "",
    field: str = "",
    agency: str = "",
    page: int = 1,
) -> SearchPage:
    """Active procedures whose code or name contains `text`, without diacritics.

    ``level`` is a level key (``province``…), ``field`` a field's name (lĩnh vực) and
    ``agency`` the code of the implementing agency (cơ quan thực hiện, the procedure's
    lead unit); an unknown one finds nothing. `text` is cut to `MAX_QUERY` characters,
    and `page` kept within the pages there are.
    """
    words = fold(text[:MAX_QUERY])
    query = sa.select(Procedure).where(Procedure.active.is_(True))
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Procedure.search_text.like(f"%{escaped}%", escape="\\"))
    if level:
        query = query.join(Level, Procedure.level_id == Level.id).where(Level.key == level)
    if field:
        query = query.join(Field, Procedure.field_id == Field.id).where(Field.name == field)
    if agency:
        query = query.join(Unit, Procedure.lead_unit_id == Unit.id).where(Unit.code == agency)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # Each row shows its level, agency and cases: loaded with the page, not row by row.
    found = session.scalars(
        query.options(
            joinedload(Procedure.level),
            joinedload(Procedure.lead_unit),
            selectinload(Procedure.cases),
        )
        .order_by(Procedure.code)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [
        ProcedureRow(
            p.code,
            p.name,
            p.level.name,
            p.lead_unit.name if p.lead_unit else "",
            tuple(p.cases),
        )
        for p in found
    ]
    return SearchPage(rows, total, page, pages)


def find_procedure(session: Session, code: str) -> Procedure | None:
    """The active procedure with this code, if there is one."""
    # Its page shows its level, field, agency and cases: loaded with it, not one by one.
    return session.scalar(
        sa.select(Procedure)
        .where(Procedure.code == code[:64], Procedure.active.is_(True))
        .options(
            joinedload(Procedure.level),
            joinedload(Procedure.field),
            joinedload(Procedure.lead_unit),
            selectinload(Procedure.cases),
        )
    )


def published_cases(session: Session, procedure: Procedure) -> list[PublishedCase]:
    """Each case of `procedure`, with the public document of its version in force."""
    found = []
    for case in procedure.cases:
        version = version_in_force(session, case.id)
        if version is None:
            found.append(PublishedCase(case, None, None))
            continue
        document = version_document(session, version)
        hidden = _hidden_officers(session, document)
        found.append(
            PublishedCase(
                case, _without(document, hidden), version.snapshot_sha256, frozenset(hidden)
            )
        )
    return found


def public_document(session: Session, document: FlowDocument) -> FlowDocument:
    """`document` without the officers the directory does not make public."""
    return _without(document, _hidden_officers(session, document))


def _hidden_officers(session: Session, document: FlowDocument) -> set[str]:
    """The keys of the officers of `document` whose directory row is not public."""
    emails = [officer.email for officer in document.officers if officer.email]
    hidden = set(
        session.scalars(
            sa.select(Officer.email).where(Officer.email.in_(emails), Officer.public.is_(False))
        )
    )
    return {officer.key for officer in document.officers if officer.email in hidden}


def _without(document: FlowDocument, gone: set[str]) -> FlowDocument:
    if not gone:
        return document
    return dataclasses.replace(
        document,
        officers=tuple(o for o in document.officers if o.key not in gone),
        steps=tuple(
            dataclasses.replace(step, officers=tuple(k for k in step.officers if k not in gone))
            for step in document.steps
        ),
    )


def published_codes(session: Session) -> list[str]:
    """The codes of every active procedure, for the site map."""
    return list(
        session.scalars(
            sa.select(Procedure.code).where(Procedure.active.is_(True)).order_by(Procedure.code)
        )
    )


def fields(session: Session) -> list[str]:
    """The names of the fields (lĩnh vực) that active procedures belong to, for the filter."""
    return list(
        session.scalars(
            sa.select(Field.name)
            .join(Procedure, Procedure.field_id == Field.id)
            .where(Procedure.active.is_(True))
            .distinct()
            .order_by(Field.name)
        )
    )


def agencies(session: Session) -> list[tuple[str, str]]:
    """``(code, name)`` of the implementing agencies of active procedures, for the filter."""
    rows = session.execute(
        sa.select(Unit.code, Unit.name)
        .join(Procedure, Procedure.lead_unit_id == Unit.id)
        .where(Procedure.active.is_(True))
        .distinct()
        .order_by(Unit.name, Unit.code)
    )
    return [(code, name) for code, name in rows]


def levels(session: Session) -> list[Level]:
    """The levels, in their order, for the search's filter."""
    return list(session.scalars(sa.select(Level).order_by(Level.position)))


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a dossier as its applicant sees it: no note, which may name people.

    `unit` and `step` are names from the pinned document ("" when the event has none);
    `new_due` is an apology slip's new return date.
    """

    at: datetime
    kind: EventKind
    unit: str
    step: str
    new_due: datetime | None = None


@dataclass(frozen=True)
class PublicDossier:
    """A dossier found by its receipt: its progress on the public document of its version.

    `states` is each step's `StepState`; `handlers` are the public officers holding each
    current step, by step key (the officer the source named for the run, else the step's
    officers in the document).
    """

    dossier: TrackedDossier
    document: FlowDocument
    case_name: str
    states: dict[str, StepState]
    timeline: tuple[TimelineEntry, ...]
    handlers: dict[str, tuple[OfficerEntry, ...]]


def track_dossier(
    session: Session, code: str, check: str, keys: CheckKeys, *, now: datetime | None = None
) -> PublicDossier | None:
    """The dossier of receipt (`code`, `check`), as its applicant may see it; None otherwise.

    A wrong check value and an unknown code both give None, at the same cost
    (`tracking.lookup_dossier`); nothing tells them apart.
    """
    found = lookup_dossier(session, code, check, keys, now=now)
    if found is None:
        return None
    pinned = DocumentCache(session).documents([found.version_id])[found.version_id]
    document = public_document(session, pinned)
    case_name = session.scalar(
        sa.select(ProcedureCase.name)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(FlowVersion.id == found.version_id)
    )
    return PublicDossier(
        dossier=found,
        document=document,
        case_name=case_name or "",
        states=step_states(document, found.progress),
        timeline=_timeline(session, found.id, document),
        handlers=_handlers(found, document),
    )


def _timeline(
    session: Session, dossier_id: int, document: FlowDocument
) -> tuple[TimelineEntry, ...]:
    units = {unit.key: unit.name for unit in document.units}
    steps = {step.key: step for step in document.steps}
    events = session.execute(
        sa.select(
            DossierEvent.at,
            DossierEvent.kind,
            DossierEvent.unit_code,
            DossierEvent.step_key,
            DossierEvent.new_due,
        )
        .where(DossierEvent.dossier_id == dossier_id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ).all()
    entries = []
    for at, kind, unit_code, step_key, new_due in events:
        step = steps.get(step_key or "")
        # The unit the source named, else the unit the document gives the step.
        unit = units.get(unit_code or "") or (units.get(step.unit or "", "") if step else "")
        entries.append(TimelineEntry(at, kind, unit, step.name if step else "", new_due))
    return tuple(entries)


def _handlers(found: TrackedDossier, document: FlowDocument) -> dict[str, tuple[OfficerEntry, ...]]:
    """The public officers holding each current step; hidden ones are not in `document`."""
    by_email = {officer.email.lower(): officer for officer in document.officers if officer.email}
    by_key = {officer.key: officer for officer in document.officers}
    steps = {step.key: step for step in document.steps}
    running = {run.key: run.officer for run in found.progress.runs if run.finished_at is None}
    handlers: dict[str, tuple[OfficerEntry, ...]] = {}
    for key in found.progress.current_steps:
        if key not in steps:
            continue
        named = by_email.get((running.get(key) or "").lower())
        if named is not None:
            handlers[key] = (named,)
        else:
            handlers[key] = tuple(by_key[k] for k in steps[key].officers if k in by_key)
    return handlers
