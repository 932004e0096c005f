"""Flow versions and their content: steps, transitions, and the units and officers involved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..enums import Join, Split, StepKind, TimeUnit, VersionStatus
from .accounts import User
from .base import Base, enum_column_type, utcnow
from .catalogue import DossierComponent, ProcedureCase
from .directory import Officer, Unit


class FlowVersion(Base):
    """One numbered version of the internal process (quy trình nội bộ) of a procedure case.

    `lock_counter` is the optimistic lock: SQLAlchemy bumps it on every update of the
    row and refuses an update based on a stale value.
    """

    __tablename__ = "flow_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedure_cases.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(
        enum_column_type(VersionStatus, "version_status"), default=VersionStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_counter: Mapped[int] = mapped_column(default=1)
    source: Mapped[dict[str, Any] | None] = mapped_column()
    # Who last changed the draft and when: the "changed by NAME at TIME" of a conflict.
    updated_at: Mapped[datetime | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    validation: Mapped[dict[str, Any] | None] = mapped_column()
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    approval_comment: Mapped[str] = mapped_column(sa.String(2000), default="")
    effective_from: Mapped[datetime | None] = mapped_column()
    rejection_reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    # The canonical JSON of the document as submitted, and its SHA-256: what the approver
    # reviews and what approval freezes. Set by submit, cleared by approve and reject.
    submitted_snapshot: Mapped[str | None] = mapped_column(sa.Text)
    submitted_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The frozen canonical JSON of an approved version, and its SHA-256.
    snapshot: Mapped[str | None] = mapped_column(sa.Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    case: Mapped[ProcedureCase] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    units: Mapped[list[VersionUnit]] = relationship(
        order_by="VersionUnit.position", cascade="all, delete-orphan", passive_deletes=True
    )
    officers: Mapped[list[VersionOfficer]] = relationship(
        order_by="VersionOfficer.position", cascade="all, delete-orphan", passive_deletes=True
    )
    steps: Mapped[list[Step]] = relationship(
        back_populates="version",
        order_by="Step.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    transitions: Mapped[list[Transition]] = relationship(
        order_by="Transition.position", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": lock_counter}  # noqa: RUF012 - mapper configuration
    __table_args__ = (
        sa.UniqueConstraint("case_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    def __repr__(self) -> str:
        return f"<FlowVersion case={self.case_id} v{self.number} {self.status}>"

    def __str__(self) -> str:
        return f"#{self.id} v{self.number} ({self.status.value})"


class VersionUnit(Base):
    """A unit taking part in a flow version, under the key its flow document uses."""

    __tablename__ = "version_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.UniqueConstraint("version_id", "unit_id"),
    )


class VersionOfficer(Base):
    """An officer taking part in a flow version, under the key its flow document uses."""

    __tablename__ = "version_officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("officers.id", ondelete="RESTRICT"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)

    officer: Mapped[Officer] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.UniqueConstraint("version_id", "officer_id"),
    )


class Step(Base):
    """A step (bước) of a flow version: who does what, within how much working time."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[StepKind] = mapped_column(enum_column_type(StepKind, "step_kind"))
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    duration_value: Mapped[float] = mapped_column(sa.Float(53), default=0)
    duration_unit: Mapped[TimeUnit] = mapped_column(
        enum_column_type(TimeUnit, "time_unit"), default=TimeUnit.WORKING_DAY
    )
    split: Mapped[Split] = mapped_column(
        enum_column_type(Split, "split_kind"), default=Split.EXCLUSIVE
    )
    join: Mapped[Join] = mapped_column(enum_column_type(Join, "join_kind"), default=Join.ANY)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    x: Mapped[float | None] = mapped_column(sa.Float(53))
    y: Mapped[float | None] = mapped_column(sa.Float(53))
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[FlowVersion] = relationship(back_populates="steps")
    unit: Mapped[Unit | None] = relationship()
    officer_links: Mapped[list[StepOfficer]] = relationship(
        order_by="StepOfficer.position", cascade="all, delete-orphan", passive_deletes=True
    )
    document_links: Mapped[list[StepDocument]] = relationship(
        order_by="StepDocument.position", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        # Lets transitions reference (version, step) so both ends sit in one version.
        sa.UniqueConstraint("version_id", "id"),
        # The upper bound also rejects NaN and infinity, which PostgreSQL sorts above all.
        sa.CheckConstraint(
            "duration_value >= 0 AND duration_value <= 100000", name="duration_in_range"
        ),
        sa.CheckConstraint("length(key) > 0", name="key_not_empty"),
    )

    @property
    def officers(self) -> list[Officer]:
        """The officers who handle the step, the one in charge first."""
        return [link.officer for link in self.officer_links]

    @property
    def documents(self) -> list[DossierComponent]:
        """The dossier components (thành phần hồ sơ) the step checks."""
        return [link.component for link in self.document_links]

    def __repr__(self) -> str:
        return f"<Step {self.key} {self.kind}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class StepOfficer(Base):
    """An officer handling a step; `position` 0 is the officer in charge."""

    __tablename__ = "step_officers"

    step_id: Mapped[int] = mapped_column(
        sa.ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("officers.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    officer: Mapped[Officer] = relationship()


class StepDocument(Base):
    """A dossier component that a step checks."""

    __tablename__ = "step_documents"

    step_id: Mapped[int] = mapped_column(
        sa.ForeignKey("steps.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dossier_components.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    component: Mapped[DossierComponent] = relationship()


class Transition(Base):
    """A transition between two steps of the same version, with an optional label."""

    __tablename__ = "transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    from_step_id: Mapped[int] = mapped_column()
    to_step_id: Mapped[int] = mapped_column(index=True)
    label: Mapped[str] = mapped_column(sa.String(1000), default="")
    position: Mapped[int] = mapped_column(default=0)

    from_step: Mapped[Step] = relationship(foreign_keys=[version_id, from_step_id], viewonly=True)
    to_step: Mapped[Step] = relationship(foreign_keys=[version_id, to_step_id], viewonly=True)
    version: Mapped[FlowVersion] = relationship(viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("from_step_id", "to_step_id"),
        sa.ForeignKeyConstraint(
            ["version_id", "from_step_id"], ["steps.version_id", "steps.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "to_step_id"], ["steps.version_id", "steps.id"], ondelete="CASCADE"
        ),
    )


# Read with the version in the same SELECT, so lists of versions never count one by one.
# Added after both classes exist (it counts steps); the declarative metaclass maps it.
FlowVersion.step_count = column_property(
    sa.select(sa.func.count(Step.id))
    .where(Step.version_id == FlowVersion.id)
    .correlate_except(Step)
    .scalar_subquery(),
    deferred=False,
)
