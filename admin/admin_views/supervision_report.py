"""The periodic report page (báo cáo định kỳ): a GET form, the table, its workbook.

Read-only, for administrators and supervisors (`REPORT_ROLES`); an anonymous visitor
gets the login form, any other account 403. The period is a quarter or a month (the one
holding a chosen day, today by default) or custom dates; the unit select lists only the
units within the reader's scope, and the service refuses any other
(`workflow_model.supervision.periodic_report`), so a scoped supervisor never widens
their view by editing the address. A parameter that makes no sense gets a message and
a 400, with nothing counted or exported. Names come from the catalogue and the
directory, so the template escapes them like any text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from exporters.periodic_report_xlsx import (
    COLUMNS,
    GROUPS,
    REPORT_WORDS,
    periodic_report_xlsx,
    report_filename,
    roman,
)
from workflow_model.document.durations import language_of
from workflow_model.models import Role, User, utcnow
from workflow_model.supervision import (
    Period,
    PeriodError,
    PeriodicReport,
    PeriodKind,
    Scope,
    UnitOutOfScope,
    UnknownUnit,
    periodic_report,
    scope_of_user,
    today_in_vietnam,
    units_in_scope,
)

from ..database import db_session
from .base import has_any_role

REPORT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""Who may read the periodic report."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.CUSTOM)
"""The periods the form offers (a week is too short for this report)."""
KIND_LABELS = {
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.CUSTOM: _l("Custom dates"),
}
_TEXT_LIMIT = 32


class BadRequest(ValueError):
    """A parameter of the form that makes no sense; `message` says which, for people."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Asked:
    """What the form asked, as typed (to fill it again), and the unit chosen."""

    kind: str
    on: str
    first: str
    last: str
    unit: str


def _text(name: str) -> str:
    return request.args.get(name, "").strip()[:_TEXT_LIMIT]


def _asked() -> Asked:
    return Asked(_text("kind"), _text("on"), _text("first"), _text("last"), _text("unit"))


def _day(text: str, default: date | None = None) -> date:
    if not text and default is not None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(_l("Give each day as a date (YYYY-MM-DD).")) from None


def read_period(asked: Asked, today: date) -> Period:
    """The period the form asks for; `BadRequest` with a message when it makes no sense."""
    if asked.kind not in {"", *(kind.value for kind in KINDS)}:
        raise BadRequest(_l("Choose the period: a quarter, a month or custom dates."))
    kind = PeriodKind(asked.kind or PeriodKind.QUARTER.value)
    if kind is not PeriodKind.CUSTOM:
        return Period.of_kind(kind, _day(asked.on, today))
    if not asked.first or not asked.last:
        raise BadRequest(_l("A custom period needs its first and its last day."))
    first, last = _day(asked.first), _day(asked.last)
    if last < first:
        raise BadRequest(_l("The period ends before it begins."))
    try:
        return Period(first, last)
    except PeriodError:
        raise BadRequest(_l("A period may cover at most three years.")) from None


def read_unit(asked: Asked) -> int | None:
    """The unit id the form asks for (None: the whole scope); `BadRequest` when not one."""
    if not asked.unit:
        return None
    if not asked.unit.isdigit():
        raise BadRequest(_l("There is no such unit."))
    return int(asked.unit)


def _reader_scope() -> Scope:
    """What the logged-in reader may see, from their account as it is stored now."""
    session = db_session()
    user = session.get(User, int(current_user.id))
    if user is None:
        abort(403)
    return scope_of_user(session, user)


class SupervisionReportView(BaseView):
    """The periodic report of a period and a unit: the table on the page, and as XLSX."""

    def is_accessible(self) -> bool:
        """Administrators and supervisors."""
        return has_any_role(REPORT_ROLES)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login form; logged in without the role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def _report(self, asked: Asked, scope: Scope) -> PeriodicReport:
        now = utcnow()
        period = read_period(asked, today_in_vietnam(now))
        try:
            return periodic_report(db_session(), period, scope, unit_id=read_unit(asked), now=now)
        except UnknownUnit:
            raise BadRequest(_l("There is no such unit.")) from None
        except UnitOutOfScope:
            raise BadRequest(_l("This unit is outside what you may see.")) from None

    def _page(
        self, asked: Asked, scope: Scope, report: PeriodicReport | None, error: Any
    ) -> ResponseReturnValue:
        language = language_of(str(get_locale() or "vi"))
        page = self.render(
            "sodo/supervision_report.html",
            asked=asked,
            kinds=[(kind.value, KIND_LABELS[kind]) for kind in KINDS],
            units=units_in_scope(db_session(), scope),
            report=report,
            error=error,
            words=REPORT_WORDS.get(language, REPORT_WORDS["vi"]),
            groups=GROUPS,
            columns=COLUMNS,
            roman=roman,
            download=url_for(".xlsx", **request.args),
        )
        return (page, 400) if error is not None else page

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The form and, when its parameters make sense, the report's table."""
        asked = _asked()
        scope = _reader_scope()
        try:
            report = self._report(asked, scope)
        except BadRequest as refused:
            return self._page(asked, scope, None, refused.message)
        return self._page(asked, scope, report, None)

    @expose("/report.xlsx")
    def xlsx(self) -> ResponseReturnValue:
        """The report as a workbook; the form with its message when a parameter is wrong."""
        asked = _asked()
        scope = _reader_scope()
        try:
            report = self._report(asked, scope)
        except BadRequest as refused:
            return self._page(asked, scope, None, refused.message)
        data = periodic_report_xlsx(report, str(get_locale() or "vi"))
        response = Response(data, mimetype=XLSX)
        name = report_filename(report)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
