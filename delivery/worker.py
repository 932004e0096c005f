"""The delivery worker: send the deliveries that are due, once or in a loop.

It needs both the domain (the outbox of `workflow_model.delivery`) and the exporters
(`delivery.exporting.export_version` makes the bytes, `delivery.transports` sends them),
and no web layer: ``sodo deliver`` only reads its options and starts it. For each due
delivery it claims the row and commits the claim (a lease), exports the approved version,
ends its database transaction, makes one attempt, then records the outcome in a new
transaction: no row lock is held while the network call runs.

Several ``sodo deliver --loop`` processes may run at once on PostgreSQL: each claim
skips the rows another worker is locking (``SELECT … FOR UPDATE SKIP LOCKED``) or holds
under a lease. A worker killed mid-send leaves its lease to run out (``--lease``), after
which another worker sends the delivery again, with the same ``Idempotency-Key``. On
SQLite run a single worker: SQLite has no row locks and serialises every writer.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import FrameType

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from exporters import ExportOptions
from workflow_model.delivery import (
    Claim,
    RetryPolicy,
    claim_next,
    claimed_delivery,
    finish_attempt,
)
from workflow_model.models import DeliveryStatus, utcnow
from workflow_model.target_secrets import SecretBox, SecretUnreadable

from .exporting import export_version, options
from .transports import (
    Outcome,
    Payload,
    TargetLimits,
    TargetSettings,
    send,
    target_problems,
)

log = logging.getLogger("sodo.delivery")

Transport = Callable[[Payload, TargetSettings], Outcome]


def default_worker_id() -> str:
    """``host:pid:random``, naming this worker in claims and in the attempts' log."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Worker:
    """Sends due deliveries: claim, export, one attempt, record, until nothing is due.

    `clock` and `rng` may be replaced (tests move time forward instead of sleeping);
    `timeout` bounds each connection and each read; `lease` must outlast an attempt.
    `secrets` opens the targets' stored secrets (none: a target with a secret fails);
    `limits` bound where targets may point (``SODO_DELIVERY_ALLOW``, ``…_ROOT``).
    """

    sessions: sessionmaker[Session]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0
    lease: float = 300.0
    worker_id: str = field(default_factory=default_worker_id)
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    transport: Transport = send
    secrets: SecretBox | None = None
    limits: TargetLimits = field(default_factory=TargetLimits)
    # The export options (the working calendar) of the current round, read once per round.
    _options: ExportOptions | None = field(default=None, init=False, repr=False)

    def deliver_due(self, stop: threading.Event | None = None) -> Counter[str]:
        """Send every delivery that is due now (retries that fall due meanwhile too).

        Returns how many attempts ended in each status (``delivered``, ``pending``,
        ``failed``). Stops early, between two attempts, once `stop` is set.
        """
        done: Counter[str] = Counter()
        with self.sessions() as session:
            self._options = options(session)
        while stop is None or not stop.is_set():
            with self.sessions() as session:
                claim = claim_next(
                    session,
                    self.worker_id,
                    lease=self.lease,
                    policy=self.policy,
                    now=self.clock(),
                )
            if claim is None:
                break
            done[self.deliver(claim).value] += 1
        return done

    def deliver(self, claim: Claim) -> DeliveryStatus:
        """Make the claimed attempt and record its outcome; return the delivery's status."""
        payload, settings, label = self._prepare(claim)
        if isinstance(payload, Outcome):
            outcome = payload
        else:
            try:
                outcome = self.transport(payload, settings)
            except Exception as error:  # a bug in a transport must not stop the worker
                outcome = Outcome(False, True, error=f"transport error: {type(error).__name__}")
        with self.sessions() as session:
            status = finish_attempt(
                session, claim, outcome, policy=self.policy, now=self.clock(), rng=self.rng
            )
        shown = f"HTTP {outcome.status_code}" if outcome.status_code else outcome.error or "ok"
        log.log(
            logging.WARNING if status is DeliveryStatus.FAILED else logging.INFO,
            "delivery %d (%s), attempt %d: %s (%s, %.2f s)",
            claim.delivery_id,
            label,
            claim.attempt,
            status.value if outcome.ok or status is not DeliveryStatus.PENDING else "will retry",
            shown,
            outcome.duration,
        )
        return status

    def _prepare(self, claim: Claim) -> tuple[Payload | Outcome, TargetSettings, str]:
        """The bytes to send and where, read in one transaction that ends before sending."""
        with self.sessions() as session:
            delivery = claimed_delivery(session, claim)
            target, version = delivery.target, delivery.version
            procedure = version.case.procedure
            settings = TargetSettings(
                target.kind.value, target.address, "", self.timeout, self.limits
            )
            label = f"{procedure.code} v{version.number} → {target.name}"
            problems = target_problems(
                target.kind.value, delivery.format, target.address, self.limits
            )
            if problems:
                refused = Outcome(False, error="target misconfigured: " + ", ".join(problems))
                return refused, settings, label
            if target.has_secret:
                if self.secrets is None:
                    refused = Outcome(False, error="target misconfigured: no key for its secret")
                    return refused, settings, label
                try:
                    secret = target.read_secret(self.secrets)
                except SecretUnreadable as error:
                    return Outcome(False, error=f"target misconfigured: {error}"), settings, label
                settings = replace(settings, secret=secret)
            try:
                exported = export_version(session, version, delivery.format, chosen=self._options)
            except Exception as error:  # refused or broken: sending again would not help
                return Outcome(False, error=f"export failed: {error}"[:2000]), settings, label
            payload = Payload(
                content=exported.content,
                media_type=exported.media_type,
                file_name=exported.name,
                idempotency_key=delivery.idempotency_key,
                procedure_code=procedure.code,
                version_number=version.number,
                case_key=version.case.key,
            )
        # The session is closed here: its transaction ends before anything is sent.
        return payload, settings, label

    def run(self, stop: threading.Event, interval: float) -> None:
        """Deliver what is due every `interval` seconds until `stop` is set.

        A database that cannot be reached is logged and tried again at the next turn.
        """
        while not stop.is_set():
            try:
                self.deliver_due(stop)
            except sa.exc.DBAPIError as error:
                log.error("database error, trying again later: %s", str(error).splitlines()[0])
            stop.wait(interval)


def log_to_stderr() -> None:
    """Log the worker's attempts to stderr, one line each, unless logging is set up already."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def run_until_stopped(worker: Worker, interval: float) -> None:
    """Run `worker` every `interval` seconds until SIGTERM or Ctrl+C.

    Either signal lets the current attempt end, then the worker stops.
    """
    stop = threading.Event()

    def _stop(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker %s started", worker.worker_id)
    worker.run(stop, interval)
    log.info("worker %s stopped", worker.worker_id)
