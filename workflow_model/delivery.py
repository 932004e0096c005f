"""The delivery outbox: what to deliver where, who sends it, and what came of each attempt.

`enqueue` adds one `Delivery` per enabled target to the session; `lifecycle.approve`
calls it before its commit, so an approval and its deliveries are stored together or not
at all. `push_again` does the same on demand for an approved version, and `retry_now`
gives a failed delivery a new round of attempts.

A worker (``sodo deliver``, in the admin layer since it needs the exporters) loops over
`claim_next`, which takes one due delivery, and `finish_attempt`, which records what came
of sending it:

- `claim_next` selects a due pending row with ``SELECT … FOR UPDATE SKIP LOCKED`` (on
  PostgreSQL; SQLite has no row locks), sets a lease on it (``claimed_by``,
  ``claimed_until``) with a conditional update, counts the attempt, logs it as started,
  and commits, all before anything is sent: no row lock is held during the network call,
  and other workers skip the row while the lease runs. A lease that runs out (the worker
  was killed) makes the row claimable again; the receiver then gets the same
  ``Idempotency-Key`` once more, which is how it recognises a repeat.
- `finish_attempt` stores the outcome: delivered; pending again after an exponential
  backoff with jitter, while attempts remain and the failure is worth retrying; or
  failed, with the status code, the error and a short excerpt of the answer
  (`answer_excerpt`: 300 characters at most, controls replaced, so a receiver's page
  cannot fill or shape ours).

Several workers may run at once on PostgreSQL. On SQLite one worker is supported: the
database serialises writers, and a second worker would mostly wait on locks.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .audit import record_event
from .models import (
    ApiToken,
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryOrigin,
    DeliveryStatus,
    DeliveryTarget,
    FlowVersion,
    User,
    VersionStatus,
    utcnow,
)
from .refusals import ChangeRefused, Refusal
from .target_secrets import SecretBox, SecretUnreadable

ANSWER_LIMIT = 300
"""How much of a receiver's answer is kept: a short excerpt, shown as text only."""
ERROR_LIMIT = 2000
PUSHABLE = (VersionStatus.APPROVED,)
"""Versions that may be pushed again by hand: the approved ones."""


class AttemptResult(Protocol):
    """What a transport says of one attempt (`delivery.transports.Outcome` is one)."""

    @property
    def ok(self) -> bool:
        """Delivered."""

    @property
    def retryable(self) -> bool:
        """Not delivered, but another attempt may succeed."""

    @property
    def status_code(self) -> int | None:
        """The receiver's HTTP status, if it answered."""

    @property
    def body(self) -> str:
        """The start of the receiver's answer."""

    @property
    def error(self) -> str:
        """What went wrong, in words."""

    @property
    def duration(self) -> float:
        """How long the attempt took, in seconds."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is retried.

    The n-th retry waits ``min(backoff_max, backoff_base * 2**(n-1))`` seconds, times a
    random factor between 0.5 and 1 (jitter, so that deliveries failing together do not
    come back together). After `max_attempts` attempts the delivery fails.
    """

    max_attempts: int = 8
    backoff_base: float = 30.0
    backoff_max: float = 3600.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 for the first).

        >>> RetryPolicy(backoff_base=10, backoff_max=60).delay(1, random.Random(1)) <= 10
        True
        >>> RetryPolicy(backoff_base=10, backoff_max=60).delay(9, random.Random(1)) <= 60
        True
        """
        exponent = min(max(attempt - 1, 0), 32)
        ceiling = min(self.backoff_max, self.backoff_base * 2**exponent)
        factor: float = (rng or random).uniform(0.5, 1.0)
        return float(ceiling * factor)


@dataclass(frozen=True)
class Claim:
    """A delivery a worker holds for one attempt: the delivery, the attempt's row, its number."""

    delivery_id: int
    attempt_id: int
    attempt: int
    worker: str


def answer_excerpt(body: str, limit: int = ANSWER_LIMIT) -> str:
    r"""The start of a receiver's answer as one line of text: at most `limit` characters.

    Control characters and runs of white space become one space, and a cut is marked
    with "…": enough to tell an error page from a JSON error, never a page to render.

    >>> answer_excerpt("<h1>Lỗi</h1>\r\n\x1b[31m  mã   sai")
    '<h1>Lỗi</h1> [31m mã sai'
    >>> answer_excerpt("x" * 400, 10)
    'xxxxxxxxx…'
    """
    text = "".join(ch if ch.isprintable() else " " for ch in body)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def idempotency_key(version: FlowVersion, format_name: str) -> str:
    """``<SHA-256 of the frozen snapshot>:<format>``: the same for every attempt and push."""
    return f"{version.snapshot_sha256}:{format_name}"


def enabled_targets(session: Session) -> list[DeliveryTarget]:
    """The targets approved versions are delivered to, by name."""
    return list(
        session.execute(
            sa.select(DeliveryTarget)
            .where(DeliveryTarget.enabled.is_(True))
            .order_by(DeliveryTarget.name)
        ).scalars()
    )


def enqueue(
    session: Session,
    version: FlowVersion,
    user: User | None,
    origin: DeliveryOrigin = DeliveryOrigin.APPROVAL,
    now: datetime | None = None,
) -> list[Delivery]:
    """Add one pending delivery of `version` per enabled target, due now; do not commit.

    Called by `lifecycle.approve` inside the approval's transaction: both are stored
    together, or neither.
    """
    moment = now or utcnow()
    added = []
    for target in enabled_targets(session):
        fmt = target.delivery_format
        delivery = Delivery(
            version_id=version.id,
            target_id=target.id,
            format=fmt,
            idempotency_key=idempotency_key(version, fmt),
            origin=origin,
            status=DeliveryStatus.PENDING,
            created_at=moment,
            created_by_id=user.id if user is not None else None,
            next_attempt_at=moment,
            attempts=0,
        )
        session.add(delivery)
        added.append(delivery)
    return added


def push_again(session: Session, version: FlowVersion, user: User | None) -> list[Delivery]:
    """Deliver an approved version again to every enabled target; journal it and commit.

    Refused (``not-approved``) for a version that is not approved. Returns the new
    deliveries: none when no target is enabled.
    """
    if version.status not in PUSHABLE or version.snapshot_sha256 is None:
        raise ChangeRefused(
            Refusal.NOT_APPROVED,
            f"version {version.number} is {version.status.value}: only approved versions "
            "are delivered",
        )
    added = enqueue(session, version, user, DeliveryOrigin.MANUAL)
    session.flush()
    if added:
        record_event(
            session,
            user,
            "push-again",
            "flow_version",
            version.id,
            after={"deliveries": [d.id for d in added], "targets": [d.target_id for d in added]},
        )
    session.commit()
    return added


def retry_now(
    session: Session, delivery_ids: Iterable[int], user: User | None, now: datetime | None = None
) -> list[Delivery]:
    """Make failed deliveries pending and due now, for a new round of attempts; commit.

    Deliveries that did not fail are left as they are. Returns those retried.
    """
    moment = now or utcnow()
    ids = list(delivery_ids)
    if not ids:
        return []
    retried = list(
        session.execute(
            sa.select(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == DeliveryStatus.FAILED)
            .order_by(Delivery.id)
        ).scalars()
    )
    for delivery in retried:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = moment
        delivery.attempts = 0
        delivery.claimed_by = delivery.claimed_until = None
        record_event(
            session,
            user,
            "retry-delivery",
            "delivery",
            delivery.id,
            before={"status": "failed"},
            after={"status": "pending"},
        )
    session.commit()
    return retried


def _due(now: datetime) -> sa.Select[int, int]:
    return (
        sa.select(Delivery.id, Delivery.attempts)
        .join(DeliveryTarget, Delivery.target_id == DeliveryTarget.id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now,
            sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            DeliveryTarget.enabled.is_(True),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(1)
        # Rows another worker is claiming right now are skipped, not waited for.
        .with_for_update(skip_locked=True, of=Delivery)
    )


def _row_count(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE matched (a `CursorResult` knows; the typed API hides it)."""
    count: int = getattr(result, "rowcount", -1)
    return count


def _claimable(delivery_id: int, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Delivery.id == delivery_id,
        Delivery.status == DeliveryStatus.PENDING,
        sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
    )


def claim_next(
    session: Session,
    worker: str,
    *,
    lease: float,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the next due delivery for `worker` for `lease` seconds, and commit the claim.

    Returns None when nothing is due. A delivery whose attempts ran out while no attempt
    finished (workers killed mid-send) fails instead of being claimed.
    """
    moment = now or utcnow()
    while True:
        row = session.execute(_due(moment)).first()
        if row is None:
            session.commit()
            return None
        delivery_id, attempts = row
        if attempts >= policy.max_attempts:
            _give_up_interrupted(session, delivery_id, attempts, moment)
            continue
        claimed = session.execute(
            sa.update(Delivery)
            .where(_claimable(delivery_id, moment))
            .values(
                claimed_by=worker,
                claimed_until=moment + timedelta(seconds=lease),
                attempts=Delivery.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if _row_count(claimed) != 1:  # taken meanwhile (only possible without row locks)
            session.rollback()
            continue
        _close_open_attempts(session, delivery_id)
        attempt = DeliveryAttempt(delivery_id=delivery_id, started_at=moment, worker=worker)
        session.add(attempt)
        session.flush()
        claim = Claim(delivery_id, attempt.id, attempts + 1, worker)
        session.commit()
        return claim


def _close_open_attempts(session: Session, delivery_id: int) -> None:
    """Attempts left open by a worker that stopped were interrupted: say so."""
    session.execute(
        sa.update(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery_id, DeliveryAttempt.outcome.is_(None))
        .values(error="interrupted: the worker stopped before the attempt ended")
        .execution_options(synchronize_session=False)
    )


def _give_up_interrupted(
    session: Session, delivery_id: int, attempts: int, moment: datetime
) -> None:
    _close_open_attempts(session, delivery_id)
    session.execute(
        sa.update(Delivery)
        .where(_claimable(delivery_id, moment))
        .values(
            status=DeliveryStatus.FAILED,
            claimed_by=None,
            claimed_until=None,
            last_error=f"gave up after {attempts} attempts that did not end",
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


def finish_attempt(
    session: Session,
    claim: Claim,
    result: AttemptResult,
    *,
    policy: RetryPolicy,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> DeliveryStatus:
    """Record what came of a claimed attempt, release the claim, commit; return the status.

    If the lease ran out and another worker claimed the delivery meanwhile, only the
    attempt is recorded: the other worker's attempt decides.
    """
    moment = now or utcnow()
    delivery = session.execute(
        sa.select(Delivery).where(Delivery.id == claim.delivery_id).with_for_update()
    ).scalar_one()
    if result.ok:
        outcome = AttemptOutcome.DELIVERED
    elif result.retryable and delivery.attempts < policy.max_attempts:
        outcome = AttemptOutcome.RETRY
    else:
        outcome = AttemptOutcome.FAILED
    attempt = session.get(DeliveryAttempt, claim.attempt_id)
    if attempt is not None:
        attempt.outcome = outcome
        attempt.status_code = result.status_code
        attempt.duration_ms = max(0, round(result.duration * 1000))
        attempt.error = (result.error or "")[:ERROR_LIMIT]
    still_ours = delivery.claimed_by == claim.worker and delivery.status is DeliveryStatus.PENDING
    if still_ours:
        delivery.last_status_code = result.status_code
        delivery.last_error = (result.error or "")[:ERROR_LIMIT]
        delivery.response_body = answer_excerpt(result.body or "")
        delivery.claimed_by = delivery.claimed_until = None
        if outcome is AttemptOutcome.DELIVERED:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = moment
        elif outcome is AttemptOutcome.RETRY:
            wait = policy.delay(delivery.attempts, rng)
            delivery.next_attempt_at = moment + timedelta(seconds=wait)
        else:
            delivery.status = DeliveryStatus.FAILED
    status = delivery.status
    session.commit()
    return status


def claimed_delivery(session: Session, claim: Claim) -> Delivery:
    """The claimed delivery with its version and target, to export and send."""
    delivery = session.get(Delivery, claim.delivery_id)
    if delivery is None:  # pragma: no cover - a claimed row is not deleted
        raise LookupError(f"delivery {claim.delivery_id} vanished")
    return delivery


@dataclass(frozen=True)
class Resealed:
    """What `reseal_secrets` did: targets re-encrypted, already current, and unreadable."""

    resealed: list[str]
    current: list[str]
    unreadable: list[str]


def reseal_secrets(session: Session, box: SecretBox) -> Resealed:
    """Re-encrypt every target's secret and API token's signing secret under `box`'s key.

    The step of a key rotation: once `SECRET_KEY` is new and the old one is listed in
    ``SODO_OLD_SECRET_KEYS``, this makes every secret readable with the new key alone, so
    the old one can be dropped. A secret no key opens is left as it is and named; the
    secrets themselves do not change, so neither does `secret_updated_at`.
    """
    done = Resealed([], [], [])
    targets = session.execute(sa.select(DeliveryTarget).order_by(DeliveryTarget.name)).scalars()
    for target in targets:
        if target.has_secret:
            target.secret = _reseal(box, target.secret, target.name, done)
    # API tokens' signing secrets are sealed with the same key, so they rotate with it.
    tokens = session.execute(
        sa.select(ApiToken).where(ApiToken.signing_secret.is_not(None)).order_by(ApiToken.id)
    ).scalars()
    for token in tokens:
        sealed = token.signing_secret or ""
        token.signing_secret = _reseal(box, sealed, f"API token {token.id} ({token.source})", done)
    session.commit()
    return done


def _reseal(box: SecretBox, sealed: str, name: str, done: Resealed) -> str:
    if box.is_current(sealed):
        done.current.append(name)
        return sealed
    try:
        resealed = box.reseal(sealed)
    except SecretUnreadable:
        done.unreadable.append(name)
        return sealed
    done.resealed.append(name)
    return resealed
