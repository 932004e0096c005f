"""Durations as people read them, in Vietnamese or English: the one duration formatter.

Exporters (Excel, BPMN documentation), the editor, the review page's diff and the other
pages all say a duration through `format_duration`, so "0,5 ngày làm việc" reads the
same everywhere. Numbers follow the language's conventions (a decimal comma in
Vietnamese); the unit words live in `UNIT_WORDS`, one row per language, because the
exporters run without a web request to translate in.
"""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_decimal

from ..enums import HOURS_PER_WORKING_DAY, TimeUnit
from .types import Duration

# (singular, plural) by language, unit and style.
UNIT_WORDS: dict[str, dict[tuple[TimeUnit, bool], tuple[str, str]]] = {
    "vi": {
        (TimeUnit.WORKING_DAY, False): ("ngày làm việc", "ngày làm việc"),
        (TimeUnit.WORKING_HOUR, False): ("giờ làm việc", "giờ làm việc"),
        (TimeUnit.WORKING_DAY, True): ("ngày", "ngày"),
        (TimeUnit.WORKING_HOUR, True): ("giờ", "giờ"),
    },
    "en": {
        (TimeUnit.WORKING_DAY, False): ("working day", "working days"),
        (TimeUnit.WORKING_HOUR, False): ("working hour", "working hours"),
        (TimeUnit.WORKING_DAY, True): ("day", "days"),
        (TimeUnit.WORKING_HOUR, True): ("hour", "hours"),
    },
}
DEFAULT_LANGUAGE = "vi"


def language_of(locale: str | None) -> str:
    """The language of `locale` that has unit words, else Vietnamese.

    >>> language_of("en_GB"), language_of("fr"), language_of(None)
    ('en', 'vi', 'vi')
    """
    language = (locale or DEFAULT_LANGUAGE).replace("-", "_").split("_")[0]
    return language if language in UNIT_WORDS else DEFAULT_LANGUAGE


@lru_cache(maxsize=1024)
def format_number(value: float, locale: str | None = DEFAULT_LANGUAGE) -> str:
    """A number as `locale` writes it, without trailing zeros.

    Remembered (a catalogue says the same few durations over and over, and Babel's
    formatting costs more than drawing the box they go in).

    >>> format_number(16.5), format_number(16.5, "en"), format_number(1234.25, "vi")
    ('16,5', '16.5', '1.234,25')
    """
    return format_decimal(value, format="#,##0.####", locale=language_of(locale))


def format_duration(
    duration: Duration | tuple[float, TimeUnit | str],
    locale: str | None = DEFAULT_LANGUAGE,
    *,
    short: bool = False,
) -> str:
    """A duration for people: its number in `locale`'s style and its unit's words.

    `short` drops "làm việc" / "working", for the diagram's small labels.

    >>> format_duration(Duration(0.5, TimeUnit.WORKING_DAY))
    '0,5 ngày làm việc'
    >>> format_duration((1, "working_hour"), "en"), format_duration((4, "working_hour"), "en")
    ('1 working hour', '4 working hours')
    >>> format_duration((2.5, TimeUnit.WORKING_DAY), "en", short=True)
    '2.5 days'
    """
    value, unit = (duration.value, duration.unit) if isinstance(duration, Duration) else duration
    language = language_of(locale)
    singular, plural = UNIT_WORDS[language][(TimeUnit(unit), short)]
    return f"{format_number(value, language)} {singular if value == 1 else plural}"


def format_hours_as_days(hours: float, locale: str | None = DEFAULT_LANGUAGE) -> str:
    """Working hours said in working days, e.g. a critical path's length.

    >>> format_hours_as_days(132)
    '16,5 ngày làm việc'
    """
    return format_duration(Duration(hours / HOURS_PER_WORKING_DAY, TimeUnit.WORKING_DAY), locale)
