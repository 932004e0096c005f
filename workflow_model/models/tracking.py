"""Dossier tracking: dossiers (hồ sơ), their events, and the state derived from them.

A `Dossier` is pinned to the flow version in force when it was received, and judged
against that version's frozen snapshot for good. Its `DossierEvent`s are what the
processing software reported, append-only; everything else on the dossier (status, due
date, verdict, current steps) and its `DossierStepRun`s is derived from those events by
`workflow_model.tracking.derive` and stored at ingest, so a lookup reads a few rows.
No applicant's name, identity number or address is kept anywhere.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column_type, utcnow
from .catalogue import ProcedureCase
from .flow import FlowVersion

CODE_LENGTH = 64
"""A dossier code's and a source name's longest length."""
EVENT_ID_LENGTH = 100
"""The longest event id a source may send."""
NOTE_LENGTH = 2000
"""The longest note an event may carry."""
EMAIL_LENGTH = 254
"""The longest officer email (RFC 5321's path limit)."""


class Channel(enum.StrEnum):
    """How a dossier reached the one-stop desk."""

    ONLINE = "online"
    COUNTER = "counter"
    POST = "post"


class EventKind(enum.StrEnum):
    """What the processing software reports about a dossier; the values never change."""

    RECEIVED = "received"
    STEP_STARTED = "step_started"
    STEP_COMPLETED = "step_completed"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    PAUSED = "paused"
    RESUMED = "resumed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    APOLOGY_SENT = "apology_sent"


CLOSING_KINDS = frozenset({EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.RETURNED})
"""The events that close a dossier: nothing may happen to it after them."""


class DossierStatus(enum.StrEnum):
    """Where a dossier stands, as the citizen and the control slip say it."""

    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    WAITING_SUPPLEMENT = "waiting_supplement"
    RESULT_READY = "result_ready"
    """Done and waiting for the applicant to collect the result."""
    RETURNED = "returned"
    """The result was handed over: done and closed."""
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Verdict(enum.StrEnum):
    """The control slip's judgement of a step or a dossier (trước hạn / đúng hạn / quá hạn)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def _enum(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    # Room for the longer event kinds ("supplement_requested").
    return enum_column_type(enum_class, name, length=32)


class Dossier(Base):
    """A citizen's dossier as one source system reported it, with its derived state.

    The first block of columns is set once, by the `received` event; the second is
    derived from all the dossier's events and rewritten at each ingest that touches it
    (`workflow_model.tracking.store`). `check_hash` is the keyed hash of the lookup value
    printed on the receipt (`workflow_model.tracking.checks`), never the value.
    """

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(CODE_LENGTH))
    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), index=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedure_cases.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="RESTRICT"), index=True
    )
    received_at: Mapped[datetime]
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "dossier_channel"))
    check_hash: Mapped[str] = mapped_column(sa.String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Derived from the events.
    status: Mapped[DossierStatus] = mapped_column(
        _enum(DossierStatus, "dossier_status"), default=DossierStatus.IN_PROGRESS, index=True
    )
    due_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    verdict: Mapped[Verdict | None] = mapped_column(_enum(Verdict, "dossier_verdict"))
    apology_due: Mapped[datetime | None] = mapped_column()
    clock_stopped_since: Mapped[datetime | None] = mapped_column()
    stopped_hours: Mapped[float] = mapped_column(sa.Float(53), default=0)
    legal_hours: Mapped[float] = mapped_column(sa.Float(53), default=0)
    used_hours: Mapped[float] = mapped_column(sa.Float(53), default=0)
    current_steps: Mapped[list[Any]] = mapped_column(default=list)
    last_event_at: Mapped[datetime]

    case: Mapped[ProcedureCase] = relationship()
    version: Mapped[FlowVersion] = relationship()
    step_runs: Mapped[list[DossierStepRun]] = relationship(
        order_by="DossierStepRun.position", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("source", "code"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
        sa.CheckConstraint("stopped_hours >= 0", name="stopped_hours_not_negative"),
        # The staff's dossier list: newest first, over everything or one procedure's cases.
        sa.Index("ix_dossiers_received_at", "received_at"),
        sa.Index("ix_dossiers_case_received", "case_id", "received_at"),
        # Supervision: the dossiers resolved in a period.
        sa.Index("ix_dossiers_finished_at", "finished_at"),
    )

    def __repr__(self) -> str:
        return f"<Dossier {self.source}:{self.code} {self.status}>"


class DossierEvent(Base):
    """One event a source system reported; append-only, unique by (source, event id).

    `at` is when it happened (stored in UTC), `recorded_at` when it arrived.
    """

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(CODE_LENGTH))
    source_event_id: Mapped[str] = mapped_column(sa.String(EVENT_ID_LENGTH))
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="RESTRICT"))
    at: Mapped[datetime]
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "dossier_event_kind"))
    step_key: Mapped[str | None] = mapped_column(sa.String(64))
    unit_code: Mapped[str | None] = mapped_column(sa.String(64))
    officer_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_LENGTH))
    note: Mapped[str] = mapped_column(sa.String(NOTE_LENGTH), default="")
    new_due: Mapped[datetime | None] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # The event id leads, so looking up a batch's ids is an index range per id
        # however many events the source sent before.
        sa.UniqueConstraint("source_event_id", "source"),
        sa.Index("ix_dossier_events_dossier_at", "dossier_id", "at"),
    )


@sa.event.listens_for(DossierEvent, "before_update")
@sa.event.listens_for(DossierEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, event: DossierEvent) -> None:
    # What the source reported is the record the state is rebuilt from: never rewritten.
    raise ValueError(f"dossier event {event.source}:{event.source_event_id} is append-only")


class DossierStepRun(Base):
    """One run of a step for a dossier (a step run twice after a loop has two), derived.

    `deadline_at` is when its allotted time runs out, moved by the dossier's pauses and
    supplement waits; `used_hours` counts working hours up to its finish (or up to the
    dossier's last event while it runs).
    """

    __tablename__ = "dossier_step_runs"

    dossier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    step_key: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column()
    deadline_at: Mapped[datetime]
    allotted_hours: Mapped[float] = mapped_column(sa.Float(53))
    used_hours: Mapped[float] = mapped_column(sa.Float(53))
    verdict: Mapped[Verdict | None] = mapped_column(_enum(Verdict, "step_verdict"))
    unit_code: Mapped[str | None] = mapped_column(sa.String(64))
    officer_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_LENGTH))

    __table_args__ = (
        # The staff's dossier list filtered by a unit: the dossiers a unit has held.
        sa.Index("ix_dossier_step_runs_unit", "unit_code", "dossier_id"),
        # Supervision: the step runs finished in a period.
        sa.Index("ix_dossier_step_runs_finished_at", "finished_at"),
    )
