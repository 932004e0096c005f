"""The periodic report page (báo cáo định kỳ): a GET form, the table, its workbook.

Read-only, for administrators and supervisors (`REPORT_ROLES`); an anonymous visitor
gets the login form, any other account 403. The period is a quarter or a month (the one
holding a chosen day, today by default) or custom dates, with the parameters of
`periods`; the unit select lists only the units within the reader's scope, and the
service refuses any other (`workflow_model.supervision.periodic_report`), so a scoped
supervisor never widens their view by editing the address. A period that makes none is
said on the page, which shows this quarter instead; the workbook is refused with the
message (400), as is a unit that is not one or outside the scope, with nothing counted
or exported. Names come from the catalogue and the directory, so the template escapes
them like any text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
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
from workflow_model.models import Role, utcnow
from workflow_model.supervision import (
    Period,
    PeriodicReport,
    PeriodKind,
    Scope,
    UnitOutOfScope,
    UnknownUnit,
    periodic_report,
    today_in_vietnam,
    units_in_scope,
)

from ..database import db_session
from .base import has_any_role
from .dossiers import XLSX
from .periods import (
    PeriodForm,
    PeriodInvalid,
    kind_choices,
    period_or_default,
    read_period,
)
from .reading import page_language, query_text, reader_scope

REPORT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""Who may read the periodic report."""
KINDS = (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.CUSTOM)
"""The periods the form offers (a week is too short for this report)."""
DEFAULT_KIND = PeriodKind.QUARTER
"""The period shown when none is asked for (or, on the page, the one asked makes none)."""


class BadUnit(ValueError):
    """A unit the form may not ask for; `message` says why, for people."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def read_unit(args: Mapping[str, str]) -> int | None:
    """The unit id `args` ask for (None: the whole scope); `BadUnit` when not one."""
    text = query_text(args, "unit")
    if not text:
        return None
    if not text.isdigit():
        raise BadUnit(_l("There is no such unit."))
    return int(text)


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

    def _report(self, period: Period, scope: Scope) -> PeriodicReport:
        try:
            unit_id = read_unit(request.args)
            return periodic_report(db_session(), period, scope, unit_id=unit_id, now=utcnow())
        except UnknownUnit:
            raise BadUnit(_l("There is no such unit.")) from None
        except UnitOutOfScope:
            raise BadUnit(_l("This unit is outside what you may see.")) from None

    def _page(
        self,
        form: PeriodForm,
        scope: Scope,
        report: PeriodicReport | None,
        *,
        problems: list[str] | None = None,
        error: Any = None,
        download: str = "",
    ) -> ResponseReturnValue:
        language = language_of(page_language())
        page = self.render(
            "sodo/supervision_report.html",
            form=form,
            unit=query_text(request.args, "unit"),
            kinds=kind_choices(KINDS),
            units=units_in_scope(db_session(), scope),
            report=report,
            problems=problems or [],
            error=error,
            words=REPORT_WORDS.get(language, REPORT_WORDS["vi"]),
            groups=GROUPS,
            columns=COLUMNS,
            roman=roman,
            download=download,
        )
        return (page, 400) if error is not None else page

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The form and the report's table; a period that makes none: said, this quarter shown.

        A unit that is not one, or outside the reader's scope, is refused (400).
        """
        scope = reader_scope()
        today = today_in_vietnam(utcnow())
        choice, problems = period_or_default(request.args, today, DEFAULT_KIND, KINDS)
        try:
            report = self._report(choice.period, scope)
        except BadUnit as refused:
            return self._page(choice.form, scope, None, error=refused.message)
        # The workbook of what the page shows: the period shown, not a mistyped one.
        unit = query_text(request.args, "unit")
        download = url_for(".xlsx", **choice.arguments(), **({"unit": unit} if unit else {}))
        return self._page(choice.form, scope, report, problems=problems, download=download)

    @expose("/report.xlsx")
    def xlsx(self) -> ResponseReturnValue:
        """The report as a workbook; the form with its message (400) when a parameter is wrong.

        Unlike the page, a workbook is never made for another period than the one asked.
        """
        scope = reader_scope()
        today = today_in_vietnam(utcnow())
        try:
            choice = read_period(request.args, today, DEFAULT_KIND, KINDS)
        except PeriodInvalid as refused:
            return self._page(refused.form, scope, None, error=refused.message)
        try:
            report = self._report(choice.period, scope)
        except BadUnit as refused:
            return self._page(choice.form, scope, None, error=refused.message)
        data = periodic_report_xlsx(report, page_language())
        response = Response(data, mimetype=XLSX)
        name = report_filename(report)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
