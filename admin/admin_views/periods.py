"""The reporting period of the supervision pages (kỳ báo cáo), read from the URL.

One set of parameters for the dashboard, the periodic report and the configured-against-
actual page: ``period`` is ``week``, ``month``, ``quarter`` or ``custom``; ``day`` a day
inside the week, month or quarter (today by default); ``from`` and ``to`` the first and
last day of a custom period. `read_period` gives the `PeriodChoice` or raises
`PeriodInvalid` with a message for people; `period_or_default` is the pages' reaction to
it (the message said, the page's default period shown instead). The form itself is the
macro ``period_fields`` of ``sodo/_period.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from workflow_model.supervision import Period, PeriodError, PeriodKind

from .reading import query_text

PARAMETERS = ("period", "day", "from", "to")
"""The period's parameters, in the order the form has them."""
KIND_LABELS = {
    PeriodKind.WEEK: _l("Week"),
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.CUSTOM: _l("Custom dates"),
}
"""What the form calls each kind of period."""
SHOWN_INSTEAD = {
    PeriodKind.WEEK: _l("This week is shown instead."),
    PeriodKind.MONTH: _l("This month is shown instead."),
    PeriodKind.QUARTER: _l("This quarter is shown instead."),
}
"""What a page says when it shows its default period instead of the one asked."""


@dataclass(frozen=True)
class PeriodForm:
    """The period's fields as typed (bounded), to fill the form again."""

    kind: str = ""
    day: str = ""
    first: str = ""
    last: str = ""

    @classmethod
    def typed(cls, args: Mapping[str, str]) -> PeriodForm:
        """The fields as `args` (a query string or a form) give them."""
        return cls(*(query_text(args, name) for name in PARAMETERS))


@dataclass(frozen=True)
class PeriodChoice:
    """A period that makes sense, its kind, and what the form shows of it."""

    period: Period
    kind: PeriodKind
    form: PeriodForm

    def arguments(self) -> dict[str, str]:
        """The parameters naming this period again (in links and hidden fields)."""
        if self.kind is PeriodKind.CUSTOM:
            first, last = self.period.first.isoformat(), self.period.last.isoformat()
            return {"period": self.kind.value, "from": first, "to": last}
        found = {"period": self.kind.value}
        if self.form.day:
            found["day"] = self.form.day
        return found


class PeriodInvalid(ValueError):
    """The parameters make no period; `message` (translated) says why, `form` what was typed."""

    def __init__(self, message: Any, form: PeriodForm) -> None:
        super().__init__(str(message))
        self.message = message
        self.form = form


def kind_choices(kinds: Iterable[PeriodKind]) -> list[tuple[str, Any]]:
    """The form's options: each kind's parameter value and label."""
    return [(kind.value, KIND_LABELS[kind]) for kind in kinds]


def _day(text: str, form: PeriodForm) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodInvalid(_l("Give each day as a date (YYYY-MM-DD)."), form) from None


def read_period(
    args: Mapping[str, str],
    today: date,
    default_kind: PeriodKind,
    kinds: Iterable[PeriodKind] = tuple(PeriodKind),
) -> PeriodChoice:
    """The period `args` ask for, `default_kind` around `today` when they name none.

    Raises `PeriodInvalid` for a kind not among `kinds`, a day that is no date, a custom
    period without both days, ending before it begins, or longer than three years.
    """
    form = PeriodForm.typed(args)
    offered = tuple(kinds)
    if form.kind not in {"", *(kind.value for kind in offered)}:
        raise PeriodInvalid(_l("Choose one of the periods the form offers."), form)
    kind = PeriodKind(form.kind or default_kind.value)
    form = replace(form, kind=kind.value)
    if kind is not PeriodKind.CUSTOM:
        day = _day(form.day, form) if form.day else today
        return PeriodChoice(Period.of_kind(kind, day), kind, form)
    if not form.first or not form.last:
        raise PeriodInvalid(_l("A custom period needs its first and its last day."), form)
    first, last = _day(form.first, form), _day(form.last, form)
    if last < first:
        raise PeriodInvalid(_l("The period ends before it begins."), form)
    try:
        return PeriodChoice(Period(first, last), kind, form)
    except PeriodError:
        raise PeriodInvalid(_l("A period may cover at most three years."), form) from None


def period_or_default(
    args: Mapping[str, str],
    today: date,
    default_kind: PeriodKind,
    kinds: Iterable[PeriodKind] = tuple(PeriodKind),
) -> tuple[PeriodChoice, list[str]]:
    """The period `args` ask for, or the default one with what was wrong (a page's reaction).

    A page shows something useful for a mistyped or outdated link, and says what it shows
    instead; only what creates or exports something refuses (`read_period`).
    """
    try:
        return read_period(args, today, default_kind, kinds), []
    except PeriodInvalid as refused:
        default = PeriodChoice(
            Period.of_kind(default_kind, today),
            default_kind,
            PeriodForm(kind=default_kind.value),
        )
        return default, [str(refused.message), str(SHOWN_INSTEAD[default_kind])]
