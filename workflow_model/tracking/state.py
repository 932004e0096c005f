"""The derived state stored for each dossier: written from `derive`, read back for lookups.

`refresh_states` recomputes the dossiers given from all their events (one query for the
events, one for the documents' versions, one for the stored step runs, one bulk update,
and for the step runs from the first that changed, one bulk delete and one insert), and
`rebuild_states` does it for every dossier or some; `find_dossier` and `lookup_dossier`
read one dossier's stored state and carry it on to now (`progress_at`), without
reading its events; `tracked_dossier` does it by row id, for the staff's pages.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar import WorkingCalendar
from ..calendar_store import working_calendar
from ..document import FlowDocument
from ..lifecycle import version_document
from ..models import FlowVersion, Procedure, ProcedureCase, utcnow
from ..models.tracking import Channel, Dossier, DossierEvent, DossierStepRun
from .bulk import delete_tails, insert_rows, one_of, update_rows
from .checks import CheckKeys
from .progress import DossierProgress, EventFact, StepRun, derive, progress_at

__all__ = [
    "DocumentCache",
    "TrackedDossier",
    "find_dossier",
    "lookup_dossier",
    "rebuild_states",
    "refresh_states",
    "stored_progress",
    "tracked_dossier",
]

_CHUNK = 500


class DocumentCache:
    """Pinned documents by version, each snapshot checked and parsed once per process.

    Keyed by the version id and the snapshot's SHA-256, so a snapshot can never be
    served stale; approved snapshots never change, so the cache never needs clearing.
    """

    _parsed: dict[tuple[int, str], FlowDocument] = {}  # noqa: RUF012 - shared on purpose

    def __init__(self, session: Session) -> None:
        self._session = session

    def documents(self, version_ids: Iterable[int]) -> dict[int, FlowDocument]:
        """The document of each version (its frozen snapshot); raises `CorruptSnapshot`."""
        wanted = set(version_ids)
        if not wanted:
            return {}
        found: dict[int, FlowDocument] = {}
        hashes = self._session.execute(
            sa.select(FlowVersion.id, FlowVersion.snapshot_sha256).where(FlowVersion.id.in_(wanted))
        ).all()
        missing = []
        for version_id, sha in hashes:
            doc = self._parsed.get((version_id, sha or ""))
            if doc is None:
                missing.append(version_id)
            else:
                found[version_id] = doc
        if missing:
            versions = self._session.execute(
                sa.select(FlowVersion).where(FlowVersion.id.in_(missing))
            ).scalars()
            for version in versions:
                doc = version_document(self._session, version)
                self._parsed[(version.id, version.snapshot_sha256 or "")] = doc
                found[version.id] = doc
        return found


_FACT_COLUMNS = (
    DossierEvent.dossier_id,
    DossierEvent.kind,
    DossierEvent.at,
    DossierEvent.source_event_id,
    DossierEvent.step_key,
    DossierEvent.unit_code,
    DossierEvent.officer_email,
    DossierEvent.new_due,
    DossierEvent.note,
)
"""What `derive` needs of an event: read as plain rows, which cost half what objects do."""


def _facts(rows: Iterable[Any]) -> list[EventFact]:
    return [
        EventFact(
            kind=kind,
            at=at,
            order=order,
            step=step,
            unit=unit,
            officer=officer,
            new_due=new_due,
            note=note,
        )
        for _, kind, at, order, step, unit, officer, new_due, note in rows
    ]


def refresh_states(
    session: Session,
    dossier_ids: Iterable[int],
    calendar: WorkingCalendar,
    cache: DocumentCache | None = None,
) -> None:
    """Recompute and store the derived state of the dossiers `dossier_ids`, without commit."""
    ids = sorted(set(dossier_ids))
    cache = cache or DocumentCache(session)
    for chunk in _chunks(ids):
        _refresh_chunk(session, list(chunk), calendar, cache)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _refresh_chunk(
    session: Session, ids: list[int], calendar: WorkingCalendar, cache: DocumentCache
) -> None:
    pinned = dict(
        session.execute(
            sa.select(Dossier.id, Dossier.version_id).where(one_of(session, Dossier.id, ids))
        ).all()
    )
    documents = cache.documents(pinned.values())
    events = session.execute(
        sa.select(*_FACT_COLUMNS)
        .where(one_of(session, DossierEvent.dossier_id, ids))
        .order_by(DossierEvent.dossier_id)
    )
    stored = _stored_runs(session, ids)
    updates: list[dict[str, object]] = []
    runs: list[dict[str, object]] = []
    tails: list[dict[str, object]] = []
    for dossier_id, group in itertools.groupby(events, key=lambda row: row[0]):
        progress = derive(documents[pinned[dossier_id]], _facts(group), calendar)
        updates.append({"id": dossier_id, **_columns(progress)})
        # Only the runs from the first that differs are rewritten: new events mostly
        # finish the last run and add one, the earlier runs stay as they were.
        derived = [_run_columns(run) for run in progress.runs]
        before = stored.get(dossier_id, {})
        keep = 0
        while keep < len(derived) and before.get(keep) == derived[keep]:
            keep += 1
        if any(position >= keep for position in before):
            tails.append({"dossier_id": dossier_id, "position": keep})
        runs.extend(
            {"dossier_id": dossier_id, "position": position, **derived[position]}
            for position in range(keep, len(derived))
        )
    update_rows(session, Dossier, updates)
    delete_tails(session, DossierStepRun, "dossier_id", "position", tails)
    insert_rows(session, DossierStepRun, runs)


_RUN_COLUMNS = (
    DossierStepRun.step_key,
    DossierStepRun.started_at,
    DossierStepRun.finished_at,
    DossierStepRun.deadline_at,
    DossierStepRun.allotted_hours,
    DossierStepRun.used_hours,
    DossierStepRun.verdict,
    DossierStepRun.unit_code,
    DossierStepRun.officer_email,
)
"""The stored columns of a step run, in the order of `_run_columns`' keys."""


def _stored_runs(session: Session, ids: list[int]) -> dict[int, dict[int, dict[str, object]]]:
    """The step runs stored for the dossiers `ids`: by dossier, by position, as `_run_columns`."""
    found: dict[int, dict[int, dict[str, object]]] = {}
    rows = session.execute(
        sa.select(DossierStepRun.dossier_id, DossierStepRun.position, *_RUN_COLUMNS).where(
            DossierStepRun.dossier_id.in_(ids)
        )
    )
    names = [column.key for column in _RUN_COLUMNS]
    for dossier_id, position, *values in rows:
        found.setdefault(dossier_id, {})[position] = dict(zip(names, values, strict=True))
    return found


def _columns(progress: DossierProgress) -> dict[str, object]:
    return {
        "status": progress.status,
        "due_at": progress.due_at,
        "closed_at": progress.closed_at,
        "finished_at": progress.finished_at,
        "verdict": progress.verdict,
        "apology_due": progress.apology_due,
        "clock_stopped_since": progress.clock_stopped_since,
        "stopped_hours": progress.stopped_hours,
        "legal_hours": progress.legal_hours,
        "used_hours": progress.used_hours,
        "current_steps": list(progress.current_steps),
        "last_event_at": progress.last_event_at,
    }


def _run_columns(run: StepRun) -> dict[str, object]:
    return {
        "step_key": run.key,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "deadline_at": run.deadline_at,
        "allotted_hours": run.allotted_hours,
        "used_hours": run.used_hours,
        "verdict": run.verdict,
        "unit_code": run.unit,
        "officer_email": run.officer,
    }


def rebuild_states(
    session: Session, codes: Iterable[str] | None = None, *, source: str | None = None
) -> int:
    """Recompute the stored state of every dossier (or those `codes`) from its events.

    Commits, and returns how many dossiers were rebuilt. `sodo dossiers rebuild` calls it.
    """
    query = sa.select(Dossier.id)
    if codes is not None:
        query = query.where(Dossier.code.in_(list(codes)))
    if source is not None:
        query = query.where(Dossier.source == source)
    ids = list(session.execute(query.order_by(Dossier.id)).scalars())
    calendar = working_calendar(session)
    cache = DocumentCache(session)
    for chunk in _chunks(ids):
        refresh_states(session, chunk, calendar, cache)
        session.commit()
    return len(ids)


@dataclass(frozen=True)
class TrackedDossier:
    """One dossier as a lookup shows it: who it belongs to, its pinned version, its progress.

    `progress` is carried on to the moment of the lookup (`progress_at`), so the hours
    used and left are those of now.
    """

    id: int
    source: str
    code: str
    procedure_code: str
    case_key: str
    version_id: int
    version_number: int
    channel: Channel
    progress: DossierProgress


def stored_progress(dossier: Dossier, runs: Iterable[DossierStepRun] = ()) -> DossierProgress:
    """The progress stored on `dossier` (and its step `runs`), as of its last event.

    `progress_at` carries it on to a later moment; without runs, what it carries is the
    dossier's own figures (due date, hours used and left), which is what a list needs.
    """
    return DossierProgress(
        status=dossier.status,
        received_at=dossier.received_at,
        legal_hours=dossier.legal_hours,
        due_at=dossier.due_at,
        used_hours=dossier.used_hours,
        left_hours=dossier.legal_hours - dossier.used_hours,
        stopped_hours=dossier.stopped_hours,
        clock_stopped_since=dossier.clock_stopped_since,
        finished_at=dossier.finished_at,
        verdict=dossier.verdict,
        closed_at=dossier.closed_at,
        apology_due=dossier.apology_due,
        current_steps=tuple(dossier.current_steps),
        runs=tuple(
            StepRun(
                key=run.step_key,
                started_at=run.started_at,
                finished_at=run.finished_at,
                allotted_hours=run.allotted_hours,
                used_hours=run.used_hours,
                deadline_at=run.deadline_at,
                verdict=run.verdict,
                unit=run.unit_code,
                officer=run.officer_email,
            )
            for run in runs
        ),
        last_event_at=dossier.last_event_at,
        as_of=dossier.last_event_at,
    )


def _tracked(
    session: Session, dossier: Dossier, now: datetime, calendar: WorkingCalendar | None
) -> TrackedDossier:
    procedure_code, case_key, number = session.execute(
        sa.select(Procedure.code, ProcedureCase.key, FlowVersion.number)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(FlowVersion.id == dossier.version_id)
    ).one()
    runs = session.execute(
        sa.select(DossierStepRun)
        .where(DossierStepRun.dossier_id == dossier.id)
        .order_by(DossierStepRun.position)
    ).scalars()
    stored = stored_progress(dossier, runs)
    if dossier.closed_at is None and now > stored.as_of:
        stored = progress_at(stored, now, calendar or working_calendar(session))
    return TrackedDossier(
        id=dossier.id,
        source=dossier.source,
        code=dossier.code,
        procedure_code=procedure_code,
        case_key=case_key,
        version_id=dossier.version_id,
        version_number=number,
        channel=dossier.channel,
        progress=stored,
    )


def tracked_dossier(
    session: Session,
    dossier_id: int,
    *,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> TrackedDossier | None:
    """The stored state of the dossier with row id `dossier_id`, carried on to `now`.

    The staff's pages name a dossier by its row id, which two sources cannot share.
    """
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return None
    return _tracked(session, dossier, now or utcnow(), calendar)


def find_dossier(
    session: Session,
    code: str,
    *,
    source: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> TrackedDossier | None:
    """The stored state of dossier `code` (of `source`), carried on to `now`; None if unknown.

    Without `source`, a code that two sources use is ambiguous and gives None too: the
    API names its source, and the citizen's lookup goes through `lookup_dossier`.
    """
    query = sa.select(Dossier).where(Dossier.code == code)
    if source is not None:
        query = query.where(Dossier.source == source)
    found = session.execute(query.limit(2)).scalars().all()
    if len(found) != 1:
        return None
    return _tracked(session, found[0], now or utcnow(), calendar)


def lookup_dossier(
    session: Session,
    code: str,
    check: str,
    keys: CheckKeys,
    *,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> TrackedDossier | None:
    """The dossier whose code and receipt check value match, or None, the same either way.

    Every dossier with the code is compared (in constant time), and an unknown code is
    compared against a made-up hash, so a wrong value and an unknown code cost alike.
    """
    candidates = session.execute(sa.select(Dossier).where(Dossier.code == code)).scalars().all()
    match = None
    for dossier in candidates or []:
        if keys.matches(dossier.check_hash, dossier.source, dossier.code, check):
            match = dossier
    if not candidates:
        keys.matches(keys.digest("", code, "\x00"), "-", code, check)
    if match is None:
        return None
    return _tracked(session, match, now or utcnow(), calendar)
