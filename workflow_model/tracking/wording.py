"""What tracking says to people, in Vietnamese and English: the one label table.

The citizen's lookup page, the staff's dossier pages, the control slip's spreadsheet and
the diagram's legend all name a status, a verdict, an event or a step's state through
these tables, so "quá hạn" reads the same everywhere. They are plain tables by language,
like `workflow_model.document.durations.UNIT_WORDS`, because the exporters run without
a web request to translate in.

>>> label(VERDICT_WORDS, Verdict.LATE, "vi"), label(VERDICT_WORDS, "late", "en")
('Quá hạn', 'Late')
>>> working_time(5.25, "vi"), working_time(20, "en"), working_time(0.2, "en")
('5,2 giờ', '2.5 days', '0.2 hours')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from ..document.durations import UNIT_WORDS, format_number, language_of
from ..enums import HOURS_PER_WORKING_DAY, TimeUnit
from ..models.tracking import Channel, DossierStatus, EventKind, Verdict
from .overlay import StepState
from .progress import DossierProgress

__all__ = [
    "CHANNEL_WORDS",
    "EVENT_WORDS",
    "NOTE_WORDS",
    "STATE_WORDS",
    "STATUS_WORDS",
    "VERDICT_WORDS",
    "label",
    "step_notes",
    "working_time",
]

E = TypeVar("E", bound=enum.Enum)

STATUS_WORDS: dict[str, dict[DossierStatus, str]] = {
    "vi": {
        DossierStatus.IN_PROGRESS: "Đang giải quyết",
        DossierStatus.PAUSED: "Tạm dừng",
        DossierStatus.WAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
        DossierStatus.RESULT_READY: "Có kết quả, chờ trả",
        DossierStatus.RETURNED: "Đã trả kết quả",
        DossierStatus.REFUSED: "Từ chối giải quyết",
        DossierStatus.WITHDRAWN: "Đã rút hồ sơ",
    },
    "en": {
        DossierStatus.IN_PROGRESS: "In progress",
        DossierStatus.PAUSED: "Paused",
        DossierStatus.WAITING_SUPPLEMENT: "Waiting for a supplement",
        DossierStatus.RESULT_READY: "Result ready to collect",
        DossierStatus.RETURNED: "Result returned",
        DossierStatus.REFUSED: "Refused",
        DossierStatus.WITHDRAWN: "Withdrawn",
    },
}

VERDICT_WORDS: dict[str, dict[Verdict, str]] = {
    "vi": {Verdict.EARLY: "Trước hạn", Verdict.ON_TIME: "Đúng hạn", Verdict.LATE: "Quá hạn"},
    "en": {Verdict.EARLY: "Early", Verdict.ON_TIME: "On time", Verdict.LATE: "Late"},
}

STATE_WORDS: dict[str, dict[StepState, str]] = {
    "vi": {
        StepState.EARLY: "Hoàn thành trước hạn",
        StepState.ON_TIME: "Hoàn thành đúng hạn",
        StepState.LATE: "Hoàn thành quá hạn",
        StepState.CURRENT: "Đang xử lý",
        StepState.OVERDUE: "Đang xử lý, đã quá hạn",
        StepState.PENDING: "Chưa đến",
        StepState.SKIPPED: "Nhánh không đi qua",
    },
    "en": {
        StepState.EARLY: "Done early",
        StepState.ON_TIME: "Done on time",
        StepState.LATE: "Done late",
        StepState.CURRENT: "Being handled",
        StepState.OVERDUE: "Being handled, overdue",
        StepState.PENDING: "Not reached yet",
        StepState.SKIPPED: "Branch not taken",
    },
}

EVENT_WORDS: dict[str, dict[EventKind, str]] = {
    "vi": {
        EventKind.RECEIVED: "Tiếp nhận hồ sơ",
        EventKind.STEP_STARTED: "Bắt đầu xử lý",
        EventKind.STEP_COMPLETED: "Chuyển bước",
        EventKind.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung hồ sơ",
        EventKind.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
        EventKind.PAUSED: "Tạm dừng",
        EventKind.RESUMED: "Tiếp tục xử lý",
        EventKind.REFUSED: "Từ chối giải quyết",
        EventKind.WITHDRAWN: "Rút hồ sơ",
        EventKind.RESULT_READY: "Có kết quả",
        EventKind.RETURNED: "Trả kết quả",
        EventKind.APOLOGY_SENT: "Gửi phiếu xin lỗi và hẹn lại ngày trả",
    },
    "en": {
        EventKind.RECEIVED: "Received",
        EventKind.STEP_STARTED: "Handling started",
        EventKind.STEP_COMPLETED: "Handed over",
        EventKind.SUPPLEMENT_REQUESTED: "Supplement requested",
        EventKind.SUPPLEMENT_RECEIVED: "Supplement received",
        EventKind.PAUSED: "Paused",
        EventKind.RESUMED: "Resumed",
        EventKind.REFUSED: "Refused",
        EventKind.WITHDRAWN: "Withdrawn",
        EventKind.RESULT_READY: "Result ready",
        EventKind.RETURNED: "Result returned",
        EventKind.APOLOGY_SENT: "Apology slip sent with a new return date",
    },
}

CHANNEL_WORDS: dict[str, dict[Channel, str]] = {
    "vi": {Channel.ONLINE: "Trực tuyến", Channel.COUNTER: "Trực tiếp", Channel.POST: "Bưu chính"},
    "en": {Channel.ONLINE: "Online", Channel.COUNTER: "At the counter", Channel.POST: "By post"},
}

# The line a step in hand gets on the diagram: (within its time, past it) by language.
NOTE_WORDS: dict[str, tuple[str, str]] = {
    "vi": ("Đã dùng {used} · còn {left}", "Đã dùng {used} · quá {over}"),
    "en": ("Used {used} · {left} left", "Used {used} · {over} over"),
}


def label(table: Mapping[str, Mapping[E, str]], value: E | str, locale: str) -> str:
    """`value`'s words in `locale` (Vietnamese when the language has none).

    >>> label(STATUS_WORDS, "waiting_supplement", "en")
    'Waiting for a supplement'
    """
    words = table.get(language_of(locale)) or table["vi"]
    return words[value]  # type: ignore[index]  # a StrEnum member and its value are one key


def working_time(hours: float, locale: str) -> str:
    """Working hours as people say them: hours below a working day, days above, one decimal.

    >>> working_time(8, "vi"), working_time(1, "en"), working_time(-3, "en")
    ('1 ngày', '1 hour', '3 hours')
    """
    hours = abs(hours)
    if hours < HOURS_PER_WORKING_DAY:
        value, unit = round(hours, 1), TimeUnit.WORKING_HOUR
    else:
        value, unit = round(hours / HOURS_PER_WORKING_DAY, 1), TimeUnit.WORKING_DAY
    one, several = UNIT_WORDS[language_of(locale)][(unit, True)]
    return f"{format_number(value, locale)} {one if value == 1 else several}"


def step_notes(progress: DossierProgress, locale: str) -> dict[str, str]:
    """A line for each step in hand: the working time it has used, and has left or is over.

    The citizen's lookup and the staff's dossier page both give these to `render_svg`.

    >>> from datetime import datetime
    >>> from workflow_model.calendar import TIMEZONE
    >>> from workflow_model.models.tracking import DossierStatus
    >>> from workflow_model.tracking.progress import StepRun
    >>> at = datetime(2026, 3, 9, 8, tzinfo=TIMEZONE)
    >>> runs = (StepRun("s1", at, None, 4.0, 1.5, at, None),
    ...     StepRun("s2", at, None, 2, 3, at, None))
    >>> progress = DossierProgress(DossierStatus.IN_PROGRESS, at, 40.0, at, 1.0, 39.0, 0.0,
    ...     None, None, None, None, None, ("s1", "s2"), runs, at, at)
    >>> step_notes(progress, "vi")
    {'s1': 'Đã dùng 1,5 giờ · còn 2,5 giờ', 's2': 'Đã dùng 3 giờ · quá 1 giờ'}
    """
    within, past = NOTE_WORDS.get(language_of(locale)) or NOTE_WORDS["vi"]
    notes = {}
    for run in progress.runs:
        if run.finished_at is not None:
            continue
        left = run.allotted_hours - run.used_hours
        used = working_time(run.used_hours, locale)
        rest = working_time(left, locale)
        notes[run.key] = (
            past.format(used=used, over=rest) if left < 0 else within.format(used=used, left=rest)
        )
    return notes
