"""The ingest service: a batch of events from one source, each accepted, duplicate or refused.

`ingest_events` is the one way events get in (the API, ``sodo dossiers ingest`` and the
demo call it). Every item is checked in memory against what one round of bulk queries
loaded (the batch's existing event ids, its dossiers, procedures, cases, versions and
their pinned documents), so a refused item writes nothing and the others go on; the
accepted ones are written together (dossiers, then events with ``ON CONFLICT DO
NOTHING``, so a replay or a concurrent client's copy is a duplicate, never an error),
the derived state of each touched dossier is recomputed once, and the batch commits as
one transaction: a batch cut short leaves nothing, and sending it again is safe.

Within a batch, `received` items are taken first, so a batch may carry a dossier's
reception and its later events in any order. Dossiers are locked (``FOR UPDATE`` on
PostgreSQL) while their state is recomputed, so concurrent batches for the same
dossiers end in the state a rebuild gives.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..calendar import WorkingCalendar
from ..calendar_store import working_calendar
from ..document import FlowDocument
from ..lifecycle import CorruptSnapshot
from ..models import FlowVersion, Procedure, ProcedureCase, Step, VersionStatus, utcnow
from ..models.tracking import CLOSING_KINDS, CODE_LENGTH, Dossier, DossierEvent, EventKind
from ..refusals import ChangeRefused, Refusal
from .bulk import insert_rows, one_of
from .checks import CheckKeys
from .items import EventItem, parse_item
from .state import DocumentCache, refresh_states

__all__ = ["MAX_CLOCK_SKEW", "ItemOutcome", "ItemResult", "ingest_events"]

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future an event's time may be: the two systems' clocks may differ."""

_CHUNK = 500


class ItemOutcome(enum.StrEnum):
    """What became of one item of a batch."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ItemResult:
    """The answer for one item, in the batch's order; `reason` and `params` when rejected.

    `id` is the item's id as sent (None when it had none usable); `detail` says what was
    wrong in English, for logs and the CLI; interfaces translate `reason` themselves.
    """

    id: str | None
    result: ItemOutcome
    reason: Refusal | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""


@dataclass
class _Pending:
    """A dossier as far as this batch knows it: stored, or about to be created."""

    id: int | None
    code: str
    procedure_code: str
    case_key: str
    case_id: int
    version_id: int
    received_at: datetime
    closed_at: datetime | None
    item: EventItem | None = None


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK)]


class _Batch:
    """What one batch needs from the database, loaded in bulk, and the items' verdicts."""

    def __init__(
        self,
        session: Session,
        source: str,
        items: Sequence[EventItem],
        now: datetime,
        cache: DocumentCache,
    ) -> None:
        self.session = session
        self.source = source
        self.now = now
        self.cache = cache
        # Dossiers first: once they are locked, a concurrent batch's events for them are
        # committed (and seen below) or wait for this batch.
        self.dossiers = self._dossiers(sorted({item.dossier for item in items}))
        self.existing_ids = self._existing_ids([item.id for item in items])
        wanted = {item.procedure for item in items if item.procedure}
        self.cases = self._cases(wanted)
        self.versions = self._versions(
            {case.id for by_key in self.cases.values() for case in by_key.values()}
        )
        pinned = {d.version_id for d in self.dossiers.values()}
        self.documents: dict[int, FlowDocument] = {}
        self.corrupt: set[int] = set()
        self._load_documents(pinned)
        self._case_steps: dict[int, set[str]] = {}

    def _existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(ids))):
            found.update(
                self.session.execute(
                    sa.select(DossierEvent.source_event_id).where(
                        DossierEvent.source == self.source,
                        one_of(self.session, DossierEvent.source_event_id, chunk),
                    )
                ).scalars()
            )
        return found

    def _dossiers(self, codes: Sequence[str]) -> dict[str, _Pending]:
        found: dict[str, _Pending] = {}
        locking = self.session.get_bind().dialect.name == "postgresql"
        for chunk in _chunks(codes):
            query = (
                sa.select(
                    Dossier.id,
                    Dossier.code,
                    Procedure.code,
                    ProcedureCase.key,
                    Dossier.case_id,
                    Dossier.version_id,
                    Dossier.received_at,
                    Dossier.closed_at,
                )
                .join(ProcedureCase, ProcedureCase.id == Dossier.case_id)
                .join(Procedure, Procedure.id == ProcedureCase.procedure_id)
                .where(Dossier.source == self.source, Dossier.code.in_(chunk))
                .order_by(Dossier.id)
            )
            if locking:
                # In id order, so two batches over the same dossiers cannot deadlock.
                query = query.with_for_update(of=Dossier)
            for row in self.session.execute(query):
                found[row[1]] = _Pending(*row)
        return found

    def _cases(self, codes: set[str]) -> dict[str, dict[str, ProcedureCase]]:
        found: dict[str, dict[str, ProcedureCase]] = {code: {} for code in codes}
        for chunk in _chunks(sorted(codes)):
            rows = self.session.execute(
                sa.select(Procedure.code, ProcedureCase)
                .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
                .where(Procedure.code.in_(chunk))
            ).all()
            for code, case in rows:
                found[code][case.key] = case
        return {code: cases for code, cases in found.items() if cases}

    def _versions(self, case_ids: set[int]) -> dict[int, list[tuple[datetime, int, int]]]:
        # Every version that was ever in force: approved, or superseded since.
        found: dict[int, list[tuple[datetime, int, int]]] = {}
        if not case_ids:
            return found
        rows = self.session.execute(
            sa.select(
                FlowVersion.case_id,
                FlowVersion.effective_from,
                FlowVersion.number,
                FlowVersion.id,
            ).where(
                FlowVersion.case_id.in_(case_ids),
                FlowVersion.status.in_([VersionStatus.APPROVED, VersionStatus.SUPERSEDED]),
                FlowVersion.effective_from.is_not(None),
            )
        ).all()
        for case_id, effective, number, version_id in rows:
            if effective is not None:
                found.setdefault(case_id, []).append((effective, number, version_id))
        return found

    def _load_documents(self, version_ids: set[int]) -> None:
        wanted = version_ids - self.documents.keys() - self.corrupt
        try:
            # All in one query; only when one of them is corrupt, each on its own to
            # tell which.
            self.documents.update(self.cache.documents(wanted))
            return
        except CorruptSnapshot:
            pass
        for version_id in wanted:
            try:
                self.documents.update(self.cache.documents([version_id]))
            except CorruptSnapshot:
                self.corrupt.add(version_id)

    def version_at(self, case_id: int, at: datetime) -> int | None:
        """The version of the case in force at `at`: the latest effective by then."""
        candidates = [v for v in self.versions.get(case_id, []) if v[0] <= at]
        return max(candidates)[2] if candidates else None

    def step_known(self, case_id: int, key: str) -> bool:
        """Whether any version of the case has a step `key` (to tell the two refusals apart)."""
        if case_id not in self._case_steps:
            self._case_steps[case_id] = set(
                self.session.execute(
                    sa.select(Step.key)
                    .join(FlowVersion, FlowVersion.id == Step.version_id)
                    .where(FlowVersion.case_id == case_id)
                ).scalars()
            )
        return key in self._case_steps[case_id]

    def check(self, item: EventItem) -> _Pending:
        """The dossier `item` belongs to (a new one for `received`), or `ChangeRefused`."""
        if item.at > self.now + MAX_CLOCK_SKEW:
            raise ChangeRefused(
                Refusal.EVENT_IN_FUTURE,
                f"time {item.at.isoformat()} is in the future",
                at=item.at.isoformat(),
                skew_seconds=int(MAX_CLOCK_SKEW.total_seconds()),
            )
        dossier = self._receive(item) if item.kind is EventKind.RECEIVED else self._follow(item)
        if item.step is not None:
            self._check_step(dossier, item.step)
        return dossier

    def _case(self, item: EventItem) -> ProcedureCase:
        cases = self.cases.get(item.procedure or "")
        if cases is None:
            raise ChangeRefused(
                Refusal.UNKNOWN_PROCEDURE,
                f"no procedure {item.procedure!r}",
                procedure=item.procedure,
            )
        if item.case is None and len(cases) == 1:
            return next(iter(cases.values()))
        case = cases.get(item.case or "")
        if case is None:
            raise ChangeRefused(
                Refusal.UNKNOWN_CASE,
                f"procedure {item.procedure!r} has no case {item.case!r}",
                procedure=item.procedure,
                case=item.case,
            )
        return case

    def _receive(self, item: EventItem) -> _Pending:
        if item.dossier in self.dossiers:
            raise ChangeRefused(
                Refusal.DOSSIER_EXISTS,
                f"dossier {item.dossier!r} was received already",
                dossier=item.dossier,
            )
        case = self._case(item)
        version_id = self.version_at(case.id, item.at)
        if version_id is None:
            raise ChangeRefused(
                Refusal.NO_VERSION_IN_FORCE,
                f"no version of {item.procedure!r} case {case.key!r} was in force at "
                f"{item.at.isoformat()}",
                procedure=item.procedure,
                case=case.key,
            )
        self._load_documents({version_id})
        if version_id in self.corrupt:
            raise ChangeRefused(
                Refusal.CORRUPT_SNAPSHOT,
                f"the snapshot of version {version_id} is corrupt",
                version_id=version_id,
            )
        return _Pending(
            None,
            item.dossier,
            item.procedure or "",
            case.key,
            case.id,
            version_id,
            item.at,
            None,
            item,
        )

    def _follow(self, item: EventItem) -> _Pending:
        dossier = self.dossiers.get(item.dossier)
        if dossier is None:
            raise ChangeRefused(
                Refusal.UNKNOWN_DOSSIER,
                f"no dossier {item.dossier!r} was received from this source",
                dossier=item.dossier,
            )
        if (item.procedure is not None and item.procedure != dossier.procedure_code) or (
            item.case is not None and item.case != dossier.case_key
        ):
            raise ChangeRefused(
                Refusal.DOSSIER_MISMATCH,
                f"dossier {item.dossier!r} belongs to {dossier.procedure_code!r} "
                f"case {dossier.case_key!r}",
                dossier=item.dossier,
                procedure=dossier.procedure_code,
                case=dossier.case_key,
            )
        if item.at < dossier.received_at:
            raise ChangeRefused(
                Refusal.BEFORE_RECEPTION,
                f"time {item.at.isoformat()} is before the reception",
                dossier=item.dossier,
                received_at=dossier.received_at.isoformat(),
            )
        if dossier.closed_at is not None and item.at > dossier.closed_at:
            raise ChangeRefused(
                Refusal.DOSSIER_CLOSED,
                f"dossier {item.dossier!r} was closed at {dossier.closed_at.isoformat()}",
                dossier=item.dossier,
                closed_at=dossier.closed_at.isoformat(),
            )
        if dossier.version_id in self.corrupt:
            raise ChangeRefused(
                Refusal.CORRUPT_SNAPSHOT,
                f"the snapshot of version {dossier.version_id} is corrupt",
                version_id=dossier.version_id,
            )
        return dossier

    def _check_step(self, dossier: _Pending, key: str) -> None:
        document = self.documents[dossier.version_id]
        if any(step.key == key for step in document.steps):
            return
        if self.step_known(dossier.case_id, key):
            raise ChangeRefused(
                Refusal.STEP_NOT_IN_VERSION,
                f"step {key!r} is not in the version the dossier is judged by",
                step=key,
                version_id=dossier.version_id,
            )
        raise ChangeRefused(
            Refusal.UNKNOWN_STEP,
            f"procedure {dossier.procedure_code!r} has no step {key!r}",
            step=key,
        )


RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL's deadlock and serialization failures: the batch is simply tried again."""
ATTEMPTS = 3


def ingest_events(
    session: Session,
    source: str,
    items: Sequence[Mapping[str, Any]],
    *,
    check_keys: CheckKeys,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[ItemResult]:
    """Take a batch of events from `source`; one `ItemResult` per item, in order. Commits.

    A batch that PostgreSQL aborts as a deadlock with another client's (which locks the
    same dossiers in another order) was rolled back whole, so it is tried again, up to
    `ATTEMPTS` times, before the error reaches the caller.

    `check_keys` hashes the check value of `received` items (`CheckKeys.from_secrets`
    with the app's `SECRET_KEY`); `now` is the server's time, against which an event
    more than `MAX_CLOCK_SKEW` ahead is refused.

    For example, ``ingest_events(session, "egov", [{"id": "e1", "dossier": "H12-1",
    "procedure": "1.000894", "kind": "received", "at": "2026-03-09T08:00:00+07:00",
    "channel": "online", "check": "482913"}], check_keys=keys)`` answers
    ``[ItemResult("e1", ItemOutcome.ACCEPTED)]`` once that procedure has a version in force.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _ingest_once(session, source, items, check_keys, now, calendar)
        except sa.exc.DBAPIError as error:
            state = getattr(error.orig, "sqlstate", None)
            if state not in RETRIED_SQLSTATES or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _ingest_once(
    session: Session,
    source: str,
    items: Sequence[Mapping[str, Any]],
    check_keys: CheckKeys,
    now: datetime | None,
    calendar: WorkingCalendar | None,
) -> list[ItemResult]:
    if not 0 < len(source) <= CODE_LENGTH:
        raise ValueError(f"a source is a name of 1 to {CODE_LENGTH} characters, got {source!r}")
    moment = now or utcnow()
    results: list[ItemResult | None] = [None] * len(items)
    parsed: list[tuple[int, EventItem]] = []
    for index, raw in enumerate(items):
        try:
            parsed.append((index, parse_item(raw)))
        except ChangeRefused as error:
            # The items come from JSON: an item may be no object at all.
            untrusted: object = raw
            raw_id = untrusted.get("id") if isinstance(untrusted, Mapping) else None
            results[index] = _rejected(str(raw_id) if raw_id is not None else None, error)
    cache = DocumentCache(session)
    batch = _Batch(session, source, [item for _, item in parsed], moment, cache)

    seen: set[str] = set()
    accepted: list[tuple[int, EventItem, _Pending]] = []
    # Receptions first, so later events of a new dossier may come before it in the batch.
    ordered = sorted(parsed, key=lambda pair: pair[1].kind is not EventKind.RECEIVED)
    for index, item in ordered:
        if item.id in batch.existing_ids or item.id in seen:
            results[index] = ItemResult(item.id, ItemOutcome.DUPLICATE)
            continue
        try:
            dossier = batch.check(item)
        except ChangeRefused as error:
            results[index] = _rejected(item.id, error)
            continue
        seen.add(item.id)
        if item.kind is EventKind.RECEIVED:
            batch.dossiers[item.dossier] = dossier
        elif item.kind in CLOSING_KINDS and (
            dossier.closed_at is None or item.at < dossier.closed_at
        ):
            dossier.closed_at = item.at
        accepted.append((index, item, dossier))
        results[index] = ItemResult(item.id, ItemOutcome.ACCEPTED)

    try:
        touched = _write(session, source, accepted, check_keys, results, moment)
        if touched:
            refresh_states(session, touched, calendar or working_calendar(session), cache)
        session.commit()
    except BaseException:
        # All or nothing: the batch can be sent again as it is.
        session.rollback()
        raise
    return [result for result in results if result is not None]


def _rejected(item_id: str | None, error: ChangeRefused) -> ItemResult:
    return ItemResult(item_id, ItemOutcome.REJECTED, error.code, error.params, str(error))


def _reception_lost(
    session: Session,
    source: str,
    lost: Sequence[_Pending],
    accepted: Sequence[tuple[int, EventItem, _Pending]],
    results: list[ItemResult | None],
) -> None:
    """Another batch received these dossiers meanwhile (and committed): its reception stands.

    The batch's later events go to that dossier, locked like the others; the reception
    itself is a duplicate when it was the same event, else refused.
    """
    query = sa.select(Dossier.code, Dossier.id).where(
        Dossier.source == source, Dossier.code.in_([d.code for d in lost])
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Dossier.id).with_for_update()
    known = dict(session.execute(query).all())
    receptions = [d.item.id for d in lost if d.item is not None]
    stored = set(
        session.execute(
            sa.select(DossierEvent.source_event_id).where(
                DossierEvent.source == source, DossierEvent.source_event_id.in_(receptions)
            )
        ).scalars()
    )
    for d in lost:
        d.id = known[d.code]
        index = next(i for i, item, p in accepted if p is d and item is d.item)
        event_id = d.item.id if d.item is not None else None
        if event_id in stored:
            results[index] = ItemResult(event_id, ItemOutcome.DUPLICATE)
        else:
            results[index] = _rejected(
                event_id,
                ChangeRefused(
                    Refusal.DOSSIER_EXISTS,
                    f"dossier {d.code!r} was received already",
                    dossier=d.code,
                ),
            )


def _write(
    session: Session,
    source: str,
    accepted: Sequence[tuple[int, EventItem, _Pending]],
    keys: CheckKeys,
    results: list[ItemResult | None],
    now: datetime,
) -> set[int]:
    new = [d for _, item, d in accepted if d.id is None and d.item is item]
    if new:
        dossier_rows: list[dict[str, Any]] = [
            {
                "source": source,
                "code": d.code,
                "case_id": d.case_id,
                "version_id": d.version_id,
                "received_at": d.received_at,
                "channel": d.item.channel if d.item else None,
                "check_hash": keys.digest(source, d.code, d.item.check or "") if d.item else "",
                "created_at": now,
                "due_at": d.received_at,
                "last_event_at": d.received_at,
                "current_steps": [],
            }
            for d in new
        ]
        for chunk in _chunks(dossier_rows):
            stored = insert_rows(
                session,
                Dossier,
                chunk,
                skip_conflicts_on=["source", "code"],
                returning=["id", "code"],
            )
            created = {code: dossier_id for dossier_id, code in stored}
            for d in new:
                if d.code in created:
                    d.id = created[d.code]
        lost = [d for d in new if d.id is None]
        if lost:
            _reception_lost(session, source, lost, accepted, results)
    rows: list[dict[str, Any]] = []
    indexes: dict[str, int] = {}
    for index, item, dossier in accepted:
        result = results[index]
        if result is not None and result.result is not ItemOutcome.ACCEPTED:
            continue
        indexes[item.id] = index
        rows.append(
            {
                "source": source,
                "source_event_id": item.id,
                "dossier_id": dossier.id,
                "at": item.at,
                "kind": item.kind,
                "step_key": item.step,
                "unit_code": item.unit,
                "officer_email": item.officer,
                "note": item.note,
                "new_due": item.new_due,
                "recorded_at": now,
            }
        )
    inserted: set[str] = set()
    for chunk in _chunks(rows):
        stored = insert_rows(
            session,
            DossierEvent,
            chunk,
            skip_conflicts_on=["source", "source_event_id"],
            returning=["source_event_id"],
        )
        inserted.update(event_id for (event_id,) in stored)
    touched: set[int] = set()
    for row in rows:
        event_id = str(row["source_event_id"])
        if event_id in inserted:
            touched.add(row["dossier_id"])
        else:
            # Sent by a concurrent copy of this batch, which got there first.
            results[indexes[event_id]] = ItemResult(event_id, ItemOutcome.DUPLICATE)
    return touched
