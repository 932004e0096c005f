"""The cached outcome of validating each version, so lists show validity without re-checking."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class VersionCheck(Base):
    """How many errors and warnings the validators found in a version, when last checked.

    A derived cache: `workflow_model.check_cache` deletes the row as soon as anything the
    version's document is made of changes, and the next reader validates again.
    """

    __tablename__ = "version_checks"

    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flow_versions.id", ondelete="CASCADE"), primary_key=True
    )
    errors: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("errors >= 0 AND warnings >= 0", name="counts_not_negative"),
    )

    @property
    def ok(self) -> bool:
        """True when the version had no error."""
        return self.errors == 0
