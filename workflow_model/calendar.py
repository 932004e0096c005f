"""The working calendar: when a dossier received at some moment is due.

Legal times are counted in working days and working hours (one working day is 8 working
hours), so a due date depends on the office sessions, weekends, the Vietnamese public
holidays (lunar Tết included) and the days swapped by government decision. The public
holidays and the official swaps come from the `holidays` package; a deployment adds its
own extra days off or worked Saturdays as `CalendarOverride`s.

Pure functions and classes: no Flask, no database.

>>> calendar = WorkingCalendar()
>>> received = datetime(2026, 2, 13, 15, 0, tzinfo=TIMEZONE)  # Friday before Tết 2026
>>> calendar.add_working_days(received, 3).isoformat()
'2026-02-25T15:00:00+07:00'
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from .document import FlowDocument
from .enums import HOURS_PER_WORKING_DAY
from .flowgraph import CriticalPath, FlowGraph, step_hours

__all__ = [
    "DEFAULT_SESSIONS",
    "TIMEZONE",
    "CalendarDay",
    "CalendarOverride",
    "DayOrigin",
    "DueDates",
    "WorkingCalendar",
    "due_dates",
]

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Every result of the calendar is in Vietnamese time."""

DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 30), time(17, 30)),
)
"""The office sessions of a working day: 07:30–11:30 and 13:30–17:30, 8 hours."""

# Whole microseconds, so that adding and measuring are exact inverses of each other.
_MICROS_PER_HOUR = 3_600_000_000
_MICROS_PER_DAY = 24 * _MICROS_PER_HOUR


@dataclass(frozen=True)
class CalendarOverride:
    """A deployment's own exception to the calendar; it wins over everything else.

    `working=False` is an extra day off; `working=True` a day worked although it would
    not be, typically a Saturday worked in exchange for a day off (ngày làm bù).

    >>> CalendarOverride(date(2026, 3, 14), True, "Làm bù cho thứ Hai 16/3").working
    True
    """

    day: date
    working: bool
    description: str = ""

    def __post_init__(self) -> None:
        # A datetime is a date too, but it never equals the date it falls on, so it would
        # silently never match a day of the calendar.
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise TypeError(f"an override's day must be a date, got {self.day!r}")


class DayOrigin(enum.StrEnum):
    """Why a day of the year is listed: the law's calendar, or this deployment's override."""

    HOLIDAY = "holiday"
    """A public holiday (or a day off given in exchange), from the `holidays` package."""
    SWAPPED = "swapped"
    """A Saturday or Sunday worked in exchange, decided by the government."""
    OVERRIDE = "override"
    """A day the deployment stored (`CalendarOverride`); it wins over the two above."""


@dataclass(frozen=True)
class CalendarDay:
    """One day of a year that is not an ordinary weekday or weekend, as the calendar counts it.

    `working` is the answer of `WorkingCalendar.is_working_day`; `name` says why.
    """

    day: date
    name: str
    working: bool
    origin: DayOrigin


class WorkingCalendar:
    """Working days and office hours: Monday to Friday, minus holidays, plus overrides.

    Built from the Vietnamese public holidays of the `holidays` package (which also
    knows the official swaps, e.g. Saturday 22 Aug 2026 worked for Monday 31 Aug 2026),
    the office `sessions` of a working day, and the deployment's `overrides`. Holiday
    names are in `language` (Vietnamese by default; the package would otherwise follow
    the process locale).

    >>> calendar = WorkingCalendar()
    >>> calendar.is_working_day(date(2026, 8, 22)), calendar.is_working_day(date(2026, 8, 31))
    (True, False)
    """

    def __init__(
        self,
        *,
        sessions: Sequence[tuple[time, time]] = DEFAULT_SESSIONS,
        overrides: Iterable[CalendarOverride] = (),
        language: str = "vi",
    ) -> None:
        self._sessions = _check_sessions(sessions)
        self._spans = tuple((_micros(start), _micros(end)) for start, end in self._sessions)
        self._day_micros = sum(end - start for start, end in self._spans)
        self._overrides = MappingProxyType(_merge_overrides(overrides))
        self._holidays = holidays.country_holidays("VN", language=language)
        # The package fills a year in on first use, mutating itself; two request threads
        # sharing one calendar could otherwise see a year half filled in.
        self._lock = threading.Lock()
        self._working: dict[date, bool] = {}
        self._years: dict[int, list[int]] = {}

    @property
    def sessions(self) -> tuple[tuple[time, time], ...]:
        """The office sessions of a working day, sorted."""
        return self._sessions

    @property
    def overrides(self) -> Mapping[date, CalendarOverride]:
        """The overrides by day (read-only)."""
        return self._overrides

    @property
    def hours_per_day(self) -> float:
        """Office hours in one working day (8 with the default sessions).

        >>> WorkingCalendar(sessions=[(time(8), time(12))]).hours_per_day
        4.0
        """
        return self._day_micros / _MICROS_PER_HOUR

    def is_working_day(self, day: date) -> bool:
        """Return True when `day` is worked; an aware datetime counts by its Vietnamese date.

        >>> WorkingCalendar().is_working_day(date(2026, 2, 17))  # Tết
        False
        """
        day = _as_day(day)
        known = self._working.get(day)
        if known is None:
            override = self._overrides.get(day)
            if override is not None:
                known = override.working
            else:
                with self._lock:
                    known = self._holidays.is_working_day(day)
            self._working[day] = known
        return known

    def holiday_name(self, day: date) -> str | None:
        """Why `day` is special: an override's description, else the public holiday's name.

        None for an ordinary day. Whether the day is worked is `is_working_day`'s answer:
        a worked Saturday override may carry a description too.

        >>> WorkingCalendar().holiday_name(date(2026, 2, 17))
        'Tết Nguyên Đán'
        """
        day = _as_day(day)
        override = self._overrides.get(day)
        if override is not None and override.description:
            return override.description
        with self._lock:
            name = self._holidays.get(day)
        return str(name) if name is not None else None

    def special_days(self, year: int) -> tuple[CalendarDay, ...]:
        """The holidays, swapped working days and overrides in force in `year`, by date.

        An override replaces the law's entry for its day, and is marked as such.

        >>> days = WorkingCalendar().special_days(2026)
        >>> [(d.day.isoformat(), d.working, d.origin.value) for d in days][5:7]
        [('2026-02-20', False, 'holiday'), ('2026-04-26', False, 'holiday')]
        >>> [d.day.isoformat() for d in days if d.origin is DayOrigin.SWAPPED]
        ['2026-08-22']
        """
        if isinstance(year, bool) or not isinstance(year, int):
            raise TypeError(f"expected a year, got {year!r}")
        if not date.min.year <= year <= date.max.year:
            raise ValueError(f"year {year} is outside the calendar")
        found: dict[date, CalendarDay] = {}
        with self._lock:
            # Asking for a day of the year loads the whole year, swaps included.
            self._holidays.get(date(year, 1, 1))
            named = [(day, str(name)) for day, name in self._holidays.items() if day.year == year]
            swapped = [
                day for day in getattr(self._holidays, "weekend_workdays", ()) if day.year == year
            ]
        for day, name in named:
            found[day] = CalendarDay(day, name, False, DayOrigin.HOLIDAY)
        for day in swapped:
            found[day] = CalendarDay(day, self.holiday_name(day) or "", True, DayOrigin.SWAPPED)
        for day, override in self._overrides.items():
            if day.year == year:
                known = found.get(day)
                name = override.description or (known.name if known else "")
                found[day] = CalendarDay(day, name, override.working, DayOrigin.OVERRIDE)
        return tuple(found[day] for day in sorted(found))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """Return the moment `hours` working hours after `start`, in Vietnamese time.

        A start outside office hours first moves to the next session start. A result
        that falls exactly on the end of a session stays there (17:30, not the next
        morning). Zero hours returns `start` itself, only converted.

        >>> received = datetime(2026, 3, 9, 10, 30, tzinfo=TIMEZONE)  # a Monday
        >>> WorkingCalendar().add_working_hours(received, 4).isoformat()  # across lunch
        '2026-03-09T16:30:00+07:00'
        """
        moment = _local(start, "start")
        remaining = round(_check_hours(hours) * _MICROS_PER_HOUR)
        if remaining == 0:
            return moment
        day = moment.date()
        if self.is_working_day(day):
            end, remaining = self._spend(day, _offset(moment), remaining)
            if end is not None:
                return end
        # Whole days are counted, not walked; the last day takes what is left, from more
        # than nothing up to a whole day, so that a remainder of exactly one day ends at
        # the last session's end rather than the next morning.
        whole = (remaining - 1) // self._day_micros
        day = self._nth_working_day(_next_day(day), whole + 1)
        end, _ = self._spend(day, 0, remaining - whole * self._day_micros)
        assert end is not None  # at most one day's worth is left
        return end

    def _spend(self, day: date, offset: int, remaining: int) -> tuple[datetime | None, int]:
        """Spend `remaining` in the sessions of working `day` from `offset`.

        The moment it runs out that day, or None and what is still left.
        """
        for session_start, session_end in self._spans:
            if offset >= session_end:
                continue
            begin = max(offset, session_start)
            available = session_end - begin
            if remaining <= available:
                return _at(day, begin + remaining), 0
            remaining -= available
        return None, remaining

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """Return the moment `days` working days after `start`; one day is 8 working hours.

        The legal day is 8 hours whatever the sessions, so with shorter sessions a
        working day spans more than one calendar day.

        >>> received = datetime(2026, 3, 9, 7, 30, tzinfo=TIMEZONE)
        >>> WorkingCalendar().add_working_days(received, 0.25).isoformat()
        '2026-03-09T09:30:00+07:00'
        """
        return self.add_working_hours(start, _check_hours(days) * HOURS_PER_WORKING_DAY)

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Return the working hours in [a, b); negative when `b` is before `a`.

        >>> calendar = WorkingCalendar()
        >>> friday = datetime(2026, 3, 13, 16, 30, tzinfo=TIMEZONE)
        >>> monday = datetime(2026, 3, 16, 8, 30, tzinfo=TIMEZONE)
        >>> calendar.working_hours_between(friday, monday)
        2.0
        >>> calendar.working_hours_between(monday, friday)
        -2.0
        """
        first, last = _local(a, "a"), _local(b, "b")
        if last < first:
            return -self.working_hours_between(last, first)
        first_day, last_day = first.date(), last.date()
        if first_day == last_day:
            total = self._within(first_day, _offset(first), _offset(last))
        else:
            total = (
                self._within(first_day, _offset(first), _MICROS_PER_DAY)
                + self._working_days(first_day + timedelta(days=1), last_day) * self._day_micros
                + self._within(last_day, 0, _offset(last))
            )
        return total / _MICROS_PER_HOUR

    def _within(self, day: date, low: int, high: int) -> int:
        """The office time of `day` between the offsets `low` and `high`, in microseconds."""
        if not self.is_working_day(day):
            return 0
        return sum(max(0, min(end, high) - max(start, low)) for start, end in self._spans)

    def _year(self, year: int) -> list[int]:
        """Entry i: how many of the first i days of `year` are worked (from 0 to the total)."""
        counts = self._years.get(year)
        if counts is None:
            first = date(year, 1, 1)
            counts = [0]
            for n in range(date(year, 12, 31).timetuple().tm_yday):
                counts.append(counts[-1] + self.is_working_day(first + timedelta(days=n)))
            # Two threads may both build a year; they build the same list.
            self._years[year] = counts
        return counts

    def _working_days(self, start: date, end: date) -> int:
        """How many days of [start, end) are worked."""
        total = 0
        while start.year < end.year:
            counts = self._year(start.year)
            total += counts[-1] - counts[_day_of_year(start)]
            start = date(start.year + 1, 1, 1)
        counts = self._year(end.year)
        return total + counts[_day_of_year(end)] - counts[_day_of_year(start)]

    def _nth_working_day(self, start: date, n: int) -> date:
        """The `n`-th (from 1) working day on or after `start`."""
        year, counts = start.year, self._year(start.year)
        wanted = counts[_day_of_year(start)] + n
        while counts[-1] < wanted:
            if year == date.max.year:
                raise _past_the_end()
            wanted -= counts[-1]
            year += 1
            counts = self._year(year)
        # counts[i] first reaches `wanted` with the i-th day of the year, index i - 1.
        return date(year, 1, 1) + timedelta(days=bisect.bisect_left(counts, wanted) - 1)


@dataclass(frozen=True)
class DueDates:
    """When a dossier received at `received_at` is due, step by step and as a whole.

    `steps` follows the critical path: each step key with the moment by which it must be
    done, the durations of the steps before it included. `process` is `received_at` plus
    the procedure's legal time. With no critical path `steps` is empty.
    """

    received_at: datetime
    steps: tuple[tuple[str, datetime], ...]
    process: datetime
    critical_path: CriticalPath | None


def due_dates(
    doc: FlowDocument, received_at: datetime, calendar: WorkingCalendar | None = None
) -> DueDates:
    """Compute the due dates of a dossier of `doc`'s procedure received at `received_at`.

    A negative or non-finite legal time counts 0, as step durations do in `step_hours`:
    the validators report it, and a due-date display must not fail on it. Steps off the
    critical path get no due date: parallel branches finish no later than it does.
    """
    calendar = calendar or _default_calendar()
    received = _local(received_at, "received_at")
    graph = FlowGraph(doc)
    path = graph.critical_path
    steps: list[tuple[str, datetime]] = []
    if path is not None:
        elapsed = 0.0
        for key in path.steps:
            elapsed += step_hours(graph.steps[key])
            # Counted from the reception each time rather than chained, so rounding to the
            # microsecond never accumulates along a long path.
            steps.append((key, calendar.add_working_hours(received, elapsed)))
    legal = doc.procedure.legal_time.hours
    legal = legal if math.isfinite(legal) and legal >= 0 else 0.0
    return DueDates(
        received_at=received,
        steps=tuple(steps),
        process=calendar.add_working_hours(received, legal),
        critical_path=path,
    )


@functools.cache
def _default_calendar() -> WorkingCalendar:
    # One shared instance, so the holidays of a year are computed once per process.
    return WorkingCalendar()


def _check_sessions(sessions: Iterable[tuple[object, object]]) -> tuple[tuple[time, time], ...]:
    # The pairs are checked, not trusted: callers that are not type-checked pass anything.
    checked: list[tuple[time, time]] = []
    for start, end in sessions:
        if not isinstance(start, time) or not isinstance(end, time):
            raise TypeError(f"an office session is a pair of times, got {(start, end)!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(
                f"office session {_show(start, end)}: times are Vietnamese wall-clock times "
                "and must not carry a timezone"
            )
        if start >= end:
            raise ValueError(
                f"office session {_show(start, end)}: the start must be before the end"
            )
        checked.append((start, end))
    if not checked:
        raise ValueError("a working calendar needs at least one office session")
    for (start, end), (next_start, next_end) in itertools.pairwise(checked):
        if next_start < end:
            raise ValueError(
                "office sessions must be sorted and must not overlap: "
                f"{_show(next_start, next_end)} starts before {_show(start, end)} ends"
            )
    return tuple(checked)


def _show(start: time, end: time) -> str:
    return f"{start.isoformat('minutes')}–{end.isoformat('minutes')}"


def _merge_overrides(overrides: Iterable[CalendarOverride]) -> dict[date, CalendarOverride]:
    merged: dict[date, CalendarOverride] = {}
    for override in overrides:
        if not isinstance(override, CalendarOverride):
            raise TypeError(f"expected a CalendarOverride, got {override!r}")
        known = merged.get(override.day)
        if known is None:
            merged[override.day] = override
        elif known.working != override.working:
            raise ValueError(
                f"conflicting overrides for {override.day.isoformat()}: one makes it a "
                "working day, another a day off"
            )
        elif not known.description:
            # Two overrides that agree are one; keep the one that says why.
            merged[override.day] = override
    return merged


def _check_hours(hours: float) -> float:
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise TypeError(f"expected a number of hours or days, got {hours!r}")
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"expected a finite number ≥ 0 of hours or days, got {hours!r}")
    return float(hours)


def _local(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, got the naive {moment.isoformat()}; "
            "e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh'))"
        )
    return moment.astimezone(TIMEZONE)


def _as_day(day: date) -> date:
    if isinstance(day, datetime):
        return _local(day, "day").date()
    if not isinstance(day, date):
        raise TypeError(f"expected a date, got {day!r}")
    return day


def _micros(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


def _offset(moment: datetime) -> int:
    return _micros(moment.time())


def _at(day: date, offset: int) -> datetime:
    # Wall-clock arithmetic is exact here: Vietnam has kept UTC+7 without daylight saving
    # since 1975.
    midnight = datetime(day.year, day.month, day.day, tzinfo=TIMEZONE)
    return midnight + timedelta(microseconds=offset)


def _day_of_year(day: date) -> int:
    """From 0 on 1 January."""
    return day.toordinal() - date(day.year, 1, 1).toordinal()


def _next_day(day: date) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:
        raise _past_the_end() from None


def _past_the_end() -> ValueError:
    return ValueError("the working time runs past the end of the calendar (year 9999)")
