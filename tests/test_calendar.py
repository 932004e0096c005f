"""The working calendar: holidays, swapped days, overrides, office sessions and due dates."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow_model.calendar import (
    DEFAULT_SESSIONS,
    TIMEZONE,
    CalendarOverride,
    DueDates,
    WorkingCalendar,
    due_dates,
)
from workflow_model.document import load_document

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# Hypothesis forbids function-scoped fixtures in its tests; one calendar serves them all.
_SHARED = WorkingCalendar()


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


# --- Working days -------------------------------------------------------------------------


def test_timezone_is_vietnam() -> None:
    assert TIMEZONE == VN
    assert vn(2026, 1, 1).utcoffset() == timedelta(hours=7)


def test_weekdays_are_worked_and_weekends_are_not(calendar: WorkingCalendar) -> None:
    week = [date(2026, 3, 9) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
    assert [calendar.is_working_day(day) for day in week] == [True] * 5 + [False] * 2


def test_tet_2026_is_off(calendar: WorkingCalendar) -> None:
    tet = [date(2026, 2, 16) + timedelta(days=n) for n in range(5)]  # Monday to Friday
    assert not any(calendar.is_working_day(day) for day in tet)
    assert calendar.is_working_day(date(2026, 2, 13))
    assert calendar.is_working_day(date(2026, 2, 23))


def test_official_swap_of_august_2026_comes_from_the_package(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2026, 8, 22))  # Saturday worked in exchange
    assert not calendar.is_working_day(date(2026, 8, 31))  # for this Monday
    assert not calendar.is_working_day(date(2026, 8, 29))  # an ordinary Saturday stays off
    assert not calendar.is_working_day(date(2026, 9, 1))
    assert not calendar.is_working_day(date(2026, 9, 2))


def test_observed_holiday_moves_to_monday(calendar: WorkingCalendar) -> None:
    # Hùng Kings' day 2026 falls on a Sunday; the Monday after is off instead.
    assert not calendar.is_working_day(date(2026, 4, 27))
    assert calendar.holiday_name(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"


def test_is_working_day_takes_an_aware_datetime_by_its_vietnamese_date(
    calendar: WorkingCalendar,
) -> None:
    # 20:00 UTC on Friday 13 Feb 2026 is 03:00 on Saturday 14 Feb in Vietnam.
    assert not calendar.is_working_day(datetime(2026, 2, 13, 20, tzinfo=UTC))
    assert calendar.is_working_day(datetime(2026, 2, 13, 10, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_working_day(datetime(2026, 2, 13, 10))


def test_holiday_names(calendar: WorkingCalendar) -> None:
    assert calendar.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert calendar.holiday_name(date(2026, 9, 2)) == "Quốc khánh"
    assert calendar.holiday_name(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert calendar.holiday_name(date(2026, 3, 10)) is None
    english = WorkingCalendar(language="en_US")
    assert english.holiday_name(date(2026, 2, 17)) == "Lunar New Year"


# --- Overrides ----------------------------------------------------------------------------


def test_extra_day_off_on_a_tuesday_delays_the_result(calendar: WorkingCalendar) -> None:
    received = vn(2026, 3, 9, 15)  # Monday
    assert calendar.add_working_hours(received, 8) == vn(2026, 3, 10, 15)
    off = WorkingCalendar(overrides=[CalendarOverride(date(2026, 3, 10), False, "Ngày hội tỉnh")])
    assert not off.is_working_day(date(2026, 3, 10))
    assert off.holiday_name(date(2026, 3, 10)) == "Ngày hội tỉnh"
    assert off.add_working_hours(received, 8) == vn(2026, 3, 11, 15)


def test_saturday_worked_by_override_advances_the_result(calendar: WorkingCalendar) -> None:
    received = vn(2026, 3, 13, 15)  # Friday
    assert calendar.add_working_hours(received, 8) == vn(2026, 3, 16, 15)
    worked = WorkingCalendar(overrides=[CalendarOverride(date(2026, 3, 14), True, "Làm bù")])
    assert worked.is_working_day(date(2026, 3, 14))
    assert worked.add_working_hours(received, 8) == vn(2026, 3, 14, 15)
    assert worked.working_hours_between(vn(2026, 3, 14), vn(2026, 3, 15)) == 8.0


def test_overrides_win_over_the_package() -> None:
    custom = WorkingCalendar(
        overrides=[
            CalendarOverride(date(2026, 8, 22), False),  # the official worked Saturday
            CalendarOverride(date(2026, 2, 17), True),  # a Tết day
        ]
    )
    assert not custom.is_working_day(date(2026, 8, 22))
    assert custom.is_working_day(date(2026, 2, 17))
    # Without a description the package's name still says what the day is.
    assert custom.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_agreeing_duplicate_overrides_are_one() -> None:
    day = date(2026, 3, 10)
    custom = WorkingCalendar(
        overrides=[CalendarOverride(day, False), CalendarOverride(day, False, "Bão")]
    )
    assert custom.overrides == {day: CalendarOverride(day, False, "Bão")}
    assert not custom.is_working_day(day)


def test_conflicting_overrides_are_refused() -> None:
    day = date(2026, 3, 14)
    with pytest.raises(ValueError, match=r"conflicting overrides for 2026-03-14"):
        WorkingCalendar(overrides=[CalendarOverride(day, True), CalendarOverride(day, False)])


def test_override_day_must_be_a_date() -> None:
    with pytest.raises(TypeError, match="must be a date"):
        CalendarOverride(datetime(2026, 3, 14, tzinfo=VN), True)


# --- Adding working hours -----------------------------------------------------------------


def test_three_days_across_tet_2026(calendar: WorkingCalendar) -> None:
    received = vn(2026, 2, 13, 15)  # Friday before Tết
    due = calendar.add_working_hours(received, 24)
    assert due == vn(2026, 2, 25, 15)  # Wednesday
    assert due.tzinfo == VN
    assert calendar.add_working_days(received, 3) == due


def test_the_swapped_saturday_of_august_2026_is_counted(calendar: WorkingCalendar) -> None:
    # Friday 15:00 + 3 days: 2.5 h Friday, 8 h on the worked Saturday, 8 h Monday, 5.5 h.
    assert calendar.add_working_hours(vn(2026, 8, 21, 15), 24) == vn(2026, 8, 25, 15)
    # Friday 28 Aug: Monday 31 Aug (swapped) and 1–2 Sep (National Day) are all off.
    assert calendar.add_working_hours(vn(2026, 8, 28, 15), 24) == vn(2026, 9, 7, 15)
    assert calendar.working_hours_between(vn(2026, 8, 17), vn(2026, 9, 7)) == 13 * 8


def test_fractional_days(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(vn(2026, 3, 9, 7, 30), 0.25) == vn(2026, 3, 9, 9, 30)
    # Half a day from 10:30: one hour before the two-hour lunch break, three after.
    assert calendar.add_working_days(vn(2026, 3, 9, 10, 30), 0.5) == vn(2026, 3, 9, 16, 30)
    assert calendar.add_working_hours(vn(2026, 3, 9, 10, 30), 4) == vn(2026, 3, 9, 16, 30)
    # With a one-hour lunch break (08:00–12:00, 13:00–17:00) the same half day ends 15:30.
    short_lunch = WorkingCalendar(sessions=[(time(8), time(12)), (time(13), time(17))])
    assert short_lunch.add_working_days(vn(2026, 3, 9, 10, 30), 0.5) == vn(2026, 3, 9, 15, 30)
    assert calendar.add_working_hours(vn(2026, 3, 9, 7, 30), 0.1) == vn(2026, 3, 9, 7, 36)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (vn(2026, 3, 9, 19), 1, vn(2026, 3, 10, 8, 30)),  # Monday evening
        (vn(2026, 3, 10, 5), 1, vn(2026, 3, 10, 8, 30)),  # before the office opens
        (vn(2026, 3, 14, 10), 1, vn(2026, 3, 16, 8, 30)),  # Saturday
        (vn(2026, 3, 15, 23, 59), 2, vn(2026, 3, 16, 9, 30)),  # Sunday night
        (vn(2026, 3, 9, 12), 1, vn(2026, 3, 9, 14, 30)),  # lunch break
        (vn(2026, 3, 9, 11, 30), 1, vn(2026, 3, 9, 14, 30)),  # the end of a session
        (vn(2026, 3, 9, 17, 30), 8, vn(2026, 3, 10, 17, 30)),  # the end of the day
    ],
)
def test_start_outside_office_hours_moves_to_the_next_session(
    calendar: WorkingCalendar, start: datetime, hours: float, expected: datetime
) -> None:
    assert calendar.add_working_hours(start, hours) == expected


def test_result_at_a_session_end_stays_there(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_hours(vn(2026, 3, 9, 15, 30), 2) == vn(2026, 3, 9, 17, 30)
    assert calendar.add_working_hours(vn(2026, 3, 9, 7, 30), 8) == vn(2026, 3, 9, 17, 30)
    assert calendar.add_working_hours(vn(2026, 3, 9, 7, 30), 16) == vn(2026, 3, 10, 17, 30)
    assert calendar.add_working_hours(vn(2026, 3, 9, 9, 30), 2) == vn(2026, 3, 9, 11, 30)
    # A Friday afternoon's last hours end on Friday, not on Monday morning.
    assert calendar.add_working_hours(vn(2026, 3, 13, 13, 30), 4) == vn(2026, 3, 13, 17, 30)


def test_zero_hours_returns_the_start_converted(calendar: WorkingCalendar) -> None:
    saturday_evening = vn(2026, 3, 14, 20)
    assert calendar.add_working_hours(saturday_evening, 0) == saturday_evening
    utc = datetime(2026, 3, 14, 13, 0, tzinfo=UTC)
    result = calendar.add_working_hours(utc, 0)
    assert result == utc
    assert result.tzinfo == VN
    assert (result.hour, result.minute) == (20, 0)


def test_other_timezones_are_converted(calendar: WorkingCalendar) -> None:
    start = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    result = calendar.add_working_hours(start, 2)
    assert result.tzinfo == VN
    assert result.replace(tzinfo=None) == datetime(2026, 3, 9, 10, 0)


def test_long_durations(calendar: WorkingCalendar) -> None:
    start = vn(2026, 1, 5, 7, 30)  # Monday
    due = calendar.add_working_hours(start, 2000)  # 250 working days
    assert calendar.working_hours_between(start, due) == 2000.0
    assert due.time() == time(17, 30)
    assert calendar.is_working_day(due.date())
    # 2026 has 261 weekdays, 13 of them holidays, and one worked Saturday: 249 days, of
    # which 248 from 5 Jan; then 1 Jan 2027 is off, so the 250th day is Tuesday 5 Jan 2027.
    assert calendar.working_hours_between(vn(2026, 1, 1), vn(2027, 1, 1)) == 249 * 8
    assert due == vn(2027, 1, 5, 17, 30)


def test_custom_sessions() -> None:
    morning_only = WorkingCalendar(sessions=[(time(8), time(12))])
    assert morning_only.hours_per_day == 4.0
    assert morning_only.add_working_hours(vn(2026, 3, 9, 11), 2) == vn(2026, 3, 10, 9)
    # The legal working day stays 8 hours, here two mornings.
    assert morning_only.add_working_days(vn(2026, 3, 9, 8), 1) == vn(2026, 3, 10, 12)
    touching = WorkingCalendar(sessions=[(time(8), time(10)), (time(10), time(12))])
    assert touching.add_working_hours(vn(2026, 3, 9, 8), 2) == vn(2026, 3, 9, 10)
    assert touching.add_working_hours(vn(2026, 3, 9, 8), 3) == vn(2026, 3, 9, 11)
    assert WorkingCalendar().sessions == DEFAULT_SESSIONS


# --- Working hours between ----------------------------------------------------------------


def test_working_hours_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_hours_between(vn(2026, 3, 9), vn(2026, 3, 10)) == 8.0
    assert calendar.working_hours_between(vn(2026, 3, 9, 10, 30), vn(2026, 3, 9, 16, 30)) == 4.0
    assert calendar.working_hours_between(vn(2026, 3, 9, 12), vn(2026, 3, 9, 13)) == 0.0
    assert calendar.working_hours_between(vn(2026, 3, 14), vn(2026, 3, 16)) == 0.0
    assert calendar.working_hours_between(vn(2026, 2, 13, 15), vn(2026, 2, 25, 15)) == 24.0
    assert calendar.working_hours_between(vn(2026, 2, 25, 15), vn(2026, 2, 13, 15)) == -24.0
    assert calendar.working_hours_between(vn(2026, 3, 9, 9), vn(2026, 3, 9, 9)) == 0.0
    # Half open: the very instant `b` does not count, `a` does.
    assert calendar.working_hours_between(vn(2026, 3, 9, 7, 30), vn(2026, 3, 9, 7, 31)) == (
        pytest.approx(1 / 60)
    )


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31, 23, 59),
        timezones=st.sampled_from([VN, UTC, ZoneInfo("Europe/Paris")]),
    ),
    quarters=st.integers(min_value=0, max_value=2000),
)
def test_between_inverts_add(start: datetime, quarters: int) -> None:
    # Time outside office hours counts nothing, so measuring from the raw start is the same
    # as measuring from the start moved to the next session.
    calendar = _SHARED
    hours = quarters / 4
    due = calendar.add_working_hours(start, hours)
    assert due >= start
    assert due.tzinfo == VN
    assert calendar.working_hours_between(start, due) == pytest.approx(hours, abs=1e-6)
    assert calendar.working_hours_between(due, start) == pytest.approx(-hours, abs=1e-6)
    if hours > 0:
        # The result lies inside a session or at its end, on a working day.
        assert calendar.is_working_day(due.date())
        clock = due.timetz().replace(tzinfo=None)
        assert any(begin < clock <= end for begin, end in calendar.sessions)
        # And adding a little less never gives a later moment.
        assert calendar.add_working_hours(start, hours - 0.25) <= due


@settings(max_examples=200, deadline=None)
@given(
    a=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    b=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
)
def test_between_is_antisymmetric_and_additive(a: datetime, b: datetime) -> None:
    calendar = _SHARED
    a, b = a.replace(tzinfo=VN), b.replace(tzinfo=VN)
    middle = min(a, b) + (max(a, b) - min(a, b)) / 3
    forward = calendar.working_hours_between(a, b)
    assert forward == pytest.approx(-calendar.working_hours_between(b, a), abs=1e-9)
    assert forward >= 0 if b >= a else forward <= 0
    low, high = min(a, b), max(a, b)
    assert calendar.working_hours_between(low, high) == pytest.approx(
        calendar.working_hours_between(low, middle) + calendar.working_hours_between(middle, high),
        abs=1e-6,
    )


# --- Bad input ----------------------------------------------------------------------------


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    naive = datetime(2026, 3, 9, 8)
    with pytest.raises(ValueError, match=r"start must be timezone-aware.*naive 2026-03-09T08"):
        calendar.add_working_hours(naive, 1)
    with pytest.raises(ValueError, match="b must be timezone-aware"):
        calendar.working_hours_between(vn(2026, 3, 9), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_dates(load_document(DOCUMENT), naive)


def test_a_date_is_not_a_datetime(calendar: WorkingCalendar) -> None:
    with pytest.raises(TypeError, match="must be a datetime"):
        # A wrong type on purpose: the refusal at run time is what is tested.
        calendar.add_working_hours(date(2026, 3, 9), 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("hours", [-1, -0.25, math.nan, math.inf, -math.inf])
def test_bad_hours_are_refused(calendar: WorkingCalendar, hours: float) -> None:
    with pytest.raises(ValueError, match="finite number ≥ 0"):
        calendar.add_working_hours(vn(2026, 3, 9, 8), hours)
    with pytest.raises(ValueError, match="finite number ≥ 0"):
        calendar.add_working_days(vn(2026, 3, 9, 8), hours)


def test_non_numbers_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(TypeError, match="number of hours"):
        # A wrong type on purpose, as above.
        calendar.add_working_hours(vn(2026, 3, 9, 8), "4")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        ([], "at least one office session"),
        ([(time(12), time(8))], r"12:00–08:00: the start must be before the end"),
        ([(time(8), time(8))], "the start must be before the end"),
        (
            [(time(7, 30), time(11, 30)), (time(11), time(17))],
            r"must not overlap: 11:00–17:00 starts before 07:30–11:30 ends",
        ),
        ([(time(13, 30), time(17, 30)), (time(7, 30), time(11, 30))], "must be sorted"),
        ([(time(8, tzinfo=UTC), time(12))], "must not carry a timezone"),
    ],
)
def test_bad_sessions_are_refused(sessions: list[tuple[time, time]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(sessions=sessions)


def test_running_past_year_9999_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="past the end of the calendar"):
        calendar.add_working_hours(datetime(9999, 12, 31, 8, tzinfo=VN), 100)


# --- Due dates of a flow ------------------------------------------------------------------

DOCUMENT = {
    "format": "sodo.flow/1",
    "procedure": {
        "code": "1.000001",
        "name": "Thủ tục thử",
        "level": "commune",
        "field": "Thử nghiệm",
        "legal_time": {"value": 5, "unit": "working_day"},
        "result": "Giấy xác nhận",
        "legal_basis": [],
        "fees": [],
        "dossier_components": [],
    },
    "units": [
        {
            "key": "tt",
            "name": "Bộ phận một cửa",
            "level": "commune",
            "one_stop": True,
            "parent": None,
        }
    ],
    "officers": [],
    "steps": [
        {
            "key": "s1",
            "name": "Tiếp nhận",
            "kind": "start",
            "unit": "tt",
            "officers": [],
            "duration": {"value": 0.5, "unit": "working_day"},
        },
        {
            "key": "s2",
            "name": "Thụ lý",
            "kind": "task",
            "unit": "tt",
            "officers": [],
            "duration": {"value": 2, "unit": "working_day"},
        },
        {
            "key": "s3",
            "name": "Xin ý kiến",
            "kind": "task",
            "unit": "tt",
            "officers": [],
            "duration": {"value": 4, "unit": "working_hour"},
        },
        {
            "key": "s4",
            "name": "Trả kết quả",
            "kind": "end",
            "unit": "tt",
            "officers": [],
            "duration": {"value": 0.5, "unit": "working_day"},
        },
    ],
    "transitions": [
        {"from": "s1", "to": "s2"},
        {"from": "s1", "to": "s3"},
        {"from": "s2", "to": "s4"},
        {"from": "s3", "to": "s4"},
    ],
}


def test_due_dates_follow_the_critical_path() -> None:
    doc = load_document(DOCUMENT)
    result = due_dates(doc, vn(2026, 3, 9, 8))  # Monday 08:00
    assert isinstance(result, DueDates)
    assert result.critical_path is not None
    assert result.critical_path.steps == ("s1", "s2", "s4")
    assert result.received_at == vn(2026, 3, 9, 8)
    assert result.steps == (
        ("s1", vn(2026, 3, 9, 14)),  # 4 h
        ("s2", vn(2026, 3, 11, 14)),  # 4 + 16 h
        ("s4", vn(2026, 3, 12, 8)),  # 4 + 16 + 4 h
    )
    assert result.process == vn(2026, 3, 16, 8)  # five working days
    calendar = WorkingCalendar()
    received = result.received_at
    elapsed = [calendar.working_hours_between(received, due) for _, due in result.steps]
    assert elapsed == [4.0, 20.0, 24.0]
    assert calendar.working_hours_between(received, result.process) == 40.0


def test_due_dates_use_the_given_calendar_and_convert_the_reception() -> None:
    doc = load_document(DOCUMENT)
    received = datetime(2026, 3, 13, 8, tzinfo=UTC)  # Friday 15:00 in Vietnam
    plain = due_dates(doc, received)
    assert plain.received_at == vn(2026, 3, 13, 15)
    assert plain.received_at.tzinfo == VN
    assert plain.steps[0] == ("s1", vn(2026, 3, 16, 9))  # 2.5 h Friday, 1.5 h Monday
    worked = WorkingCalendar(overrides=[CalendarOverride(date(2026, 3, 14), True)])
    assert due_dates(doc, received, worked).steps[0] == ("s1", vn(2026, 3, 14, 9))


def test_due_dates_across_tet() -> None:
    procedure = {**DOCUMENT["procedure"], "legal_time": {"value": 3, "unit": "working_day"}}
    doc = load_document({**DOCUMENT, "procedure": procedure})
    result = due_dates(doc, vn(2026, 2, 13, 15))
    assert result.process == vn(2026, 2, 25, 15)
    assert result.steps[-1] == ("s4", vn(2026, 2, 25, 15))


def test_due_dates_without_a_critical_path() -> None:
    steps = [step for step in DOCUMENT["steps"] if step["kind"] != "end"]
    transitions = [t for t in DOCUMENT["transitions"] if t["to"] != "s4"]
    doc = load_document({**DOCUMENT, "steps": steps, "transitions": transitions})
    result = due_dates(doc, vn(2026, 3, 9, 8))
    assert result.critical_path is None
    assert result.steps == ()
    assert result.process == vn(2026, 3, 16, 8)
