"""The period a supervision figure or report covers (kỳ báo cáo): whole Vietnamese days.

A `Period` is a first and a last calendar day, both included, read in Vietnam's time
zone, so "this month" means the same days in Hà Nội whatever the server's clock says.
`starts_at` and `ends_at` are the aware instants that bound it, for queries over the
stored UTC times: ``starts_at <= at < ends_at``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..calendar import TIMEZONE

__all__ = ["MAX_PERIOD_DAYS", "Period", "PeriodError", "PeriodKind", "today_in_vietnam"]

MAX_PERIOD_DAYS = 3 * 366
"""The longest custom period accepted: three years."""


class PeriodError(ValueError):
    """A period that cannot be used: reversed, empty or too long."""


class PeriodKind(enum.StrEnum):
    """The periods the dashboard offers."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """The days from `first` to `last`, both included.

    >>> Period.quarter_of(date(2026, 5, 14))
    Period(first=datetime.date(2026, 4, 1), last=datetime.date(2026, 6, 30))
    """

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"the period ends ({self.last}) before it begins ({self.first})")
        if (self.last - self.first).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodError(f"a period may cover at most {MAX_PERIOD_DAYS} days")

    @property
    def starts_at(self) -> datetime:
        """Midnight at the start of `first`, in Vietnam."""
        return datetime.combine(self.first, time(0, 0), tzinfo=TIMEZONE)

    @property
    def ends_at(self) -> datetime:
        """Midnight at the end of `last`, in Vietnam (the first instant after the period)."""
        return datetime.combine(self.last + timedelta(days=1), time(0, 0), tzinfo=TIMEZONE)

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one begins."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def contains(self, moment: datetime) -> bool:
        """True when the aware `moment` falls within the period."""
        return self.starts_at <= moment < self.ends_at

    @classmethod
    def week_of(cls, day: date) -> Period:
        """Monday to Sunday of the week holding `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6))

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The calendar month holding `day`."""
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The calendar quarter holding `day` (Q1 is January to March)."""
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        following = (first + timedelta(days=95)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def of_kind(cls, kind: PeriodKind, today: date) -> Period:
        """The week, month or quarter holding `today` (a custom period has its own days)."""
        if kind is PeriodKind.WEEK:
            return cls.week_of(today)
        if kind is PeriodKind.MONTH:
            return cls.month_of(today)
        if kind is PeriodKind.QUARTER:
            return cls.quarter_of(today)
        raise PeriodError("a custom period needs its first and last day")


def today_in_vietnam(now: datetime) -> date:
    """The calendar day in Vietnam at the aware instant `now`."""
    return now.astimezone(TIMEZONE).date()
