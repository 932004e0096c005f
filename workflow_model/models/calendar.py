"""Working-calendar overrides kept in the database: an extra day off, or a day worked."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class DayOverride(Base):
    """One day that the working calendar treats differently from the law's default.

    `working` false: an extra day off (ngày nghỉ bù, nghỉ đột xuất); true: a Saturday
    or Sunday worked in exchange (ngày làm bù).
    """

    __tablename__ = "day_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, unique=True)
    working: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(sa.String(300), default="")

    def __repr__(self) -> str:
        return f"<DayOverride {self.day} working={self.working}>"
