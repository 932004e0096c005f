"""The working calendar of this deployment: the law's calendar plus the overrides stored."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .calendar import CalendarOverride, WorkingCalendar
from .models import DayOverride


def working_calendar(session: Session) -> WorkingCalendar:
    """Return the calendar with every `DayOverride` of the database applied."""
    rows = session.execute(sa.select(DayOverride).order_by(DayOverride.day)).scalars()
    return WorkingCalendar(
        overrides=[CalendarOverride(row.day, row.working, row.description) for row in rows]
    )
