"""Delivery of approved versions to other software: targets, the outbox, its attempts.

Approving a version adds one `Delivery` per enabled `DeliveryTarget` in the approval's
own transaction (an outbox): a crash after the approval loses nothing, since the rows
wait in the database until a `sodo deliver` worker sends them and logs each
`DeliveryAttempt`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .accounts import User
from .base import Base, enum_column_type, utcnow
from .flow import FlowVersion

if TYPE_CHECKING:
    from ..target_secrets import SecretBox

SECRET_TOKEN_LENGTH = 4000
"""Room for the Fernet token of a 500-character secret, whatever its script."""


class TargetKind(enum.StrEnum):
    """How a target receives a version's export."""

    HTTP = "http"
    """POST of the exported bytes, signed with the target's secret."""
    CAMUNDA7 = "camunda7"
    """A deployment of the BPMN file through Camunda 7's REST API."""
    DIRECTORY = "directory"
    """The file written, atomically, into a folder."""


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands: waiting (due now or later), delivered, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryOrigin(enum.StrEnum):
    """Why a delivery was made: an approval, or someone pushing a version again."""

    APPROVAL = "approval"
    MANUAL = "manual"


class AttemptOutcome(enum.StrEnum):
    """What came of one attempt; an attempt without an outcome was interrupted."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"


class DeliveryTarget(Base):
    """Somewhere approved versions are delivered, configured by the IT staff.

    `address` is a URL (``http``, ``camunda7``: the REST API's base, e.g.
    ``http://camunda:8080/engine-rest``) or an absolute folder (``directory``).
    `secret` signs what an ``http`` target receives (HMAC-SHA256) and is
    ``user:password`` for a ``camunda7`` target behind basic authentication. It is
    write-only: never shown, journaled, logged or exported; `secret_updated_at` tells
    when it last changed, which the journal does show.

    The `secret` column holds the secret encrypted (a Fernet token, see
    `workflow_model.target_secrets`), never the secret itself: `set_secret` seals it,
    `read_secret` opens it, and assigning anything but a token is refused. The secret
    belongs to the receiver it was given for: changing a stored target's address or kind
    removes it, unless a new one is set in the same change.
    """

    __tablename__ = "delivery_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[TargetKind] = mapped_column(
        enum_column_type(TargetKind, "target_kind"), default=TargetKind.HTTP
    )
    format: Mapped[str] = mapped_column(sa.String(16), default="json")
    address: Mapped[str] = mapped_column(sa.String(2000))
    enabled: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(sa.String(SECRET_TOKEN_LENGTH), default="")
    secret_updated_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint("length(address) > 0", name="address_not_empty"),
    )

    @property
    def has_secret(self) -> bool:
        """True when a secret is set (what the pages show instead of the secret)."""
        return bool(self.secret)

    def set_secret(self, plain: str, box: SecretBox, now: datetime | None = None) -> None:
        """Store `plain` encrypted with `box` ("" removes the secret), noting when."""
        self.secret = box.seal(plain)
        self.secret_updated_at = now or utcnow()

    def remove_secret(self, now: datetime | None = None) -> None:
        """Remove the secret, if one is set, noting when."""
        if self.secret:
            self.secret = ""
            self.secret_updated_at = now or utcnow()

    def read_secret(self, box: SecretBox) -> str:
        """The secret in the clear, to sign or authenticate with ("" when none is set).

        Raises `target_secrets.SecretUnreadable` when no key of `box` opens it.
        """
        return box.open(self.secret)

    @validates("secret")
    def _only_sealed(self, _key: str, value: str) -> str:
        # Whatever path writes the row, a secret in the clear never reaches the database.
        from ..target_secrets import looks_sealed

        if value and not looks_sealed(value):
            raise ValueError("a target's secret is stored sealed: use set_secret")
        return value

    @validates("address", "kind")
    def _forget_secret_on_new_receiver(self, key: str, value: Any) -> Any:
        # A secret given for one receiver must not be sent to another: a stored target
        # pointed elsewhere loses it, unless this same change sets a new one.
        state = sa.inspect(self)
        changed = state.persistent and self.secret and value != getattr(self, key)
        if changed and not state.attrs.secret.history.added:
            self.remove_secret()
        return value

    @property
    def delivery_format(self) -> str:
        """The format this target receives: always BPMN for a Camunda 7 deployment."""
        return "bpmn" if self.kind is TargetKind.CAMUNDA7 else self.format

    def __repr__(self) -> str:
        return f"<DeliveryTarget {self.name} {self.kind.value}>"

    def __str__(self) -> str:
        return self.name


class Delivery(Base):
    """One version to deliver to one target (a row of the outbox), and how it went.

    A worker claims a due pending row by setting `claimed_by` and `claimed_until` (a
    lease) and committing before it sends anything; a lease that has run out makes the
    row claimable again, so a worker that died mid-send delays a delivery, never loses
    it. `attempts` counts the attempts of the current round ("retry now" starts a new
    one); `last_status_code`, `last_error` and `response_body` (at most 2 KB of what the
    receiver answered) describe the latest.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery_targets.id", ondelete="RESTRICT"), index=True
    )
    format: Mapped[str] = mapped_column(sa.String(16))
    idempotency_key: Mapped[str] = mapped_column(sa.String(100))
    origin: Mapped[DeliveryOrigin] = mapped_column(
        enum_column_type(DeliveryOrigin, "delivery_origin"), default=DeliveryOrigin.APPROVAL
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column_type(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(2000), default="")
    response_body: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[FlowVersion] = relationship()
    target: Mapped[DeliveryTarget] = relationship()
    created_by: Mapped[User | None] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery",
        order_by="DeliveryAttempt.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # What a worker looks for: the pending rows that are due.
        sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.id} version={self.version_id} target={self.target_id}>"

    def __str__(self) -> str:
        return f"#{self.id}"


class DeliveryAttempt(Base):
    """One attempt at a delivery: when, by which worker, how long, what came back.

    The row is written when a worker claims the delivery and completed when the attempt
    ends; one left without `outcome` was interrupted (the worker stopped).
    """

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(sa.String(100), default="")
    outcome: Mapped[AttemptOutcome | None] = mapped_column(
        enum_column_type(AttemptOutcome, "attempt_outcome")
    )
    status_code: Mapped[int | None] = mapped_column()
    duration_ms: Mapped[int | None] = mapped_column()
    error: Mapped[str] = mapped_column(sa.String(2000), default="")

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")

    __table_args__ = (
        sa.CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration_not_negative"),
    )
