"""Configured against actual (`/supervision/times`): each step's time against its runs.

For supervisors and administrators (anonymous visitors: the login form; other roles:
403). A GET form chooses the period (the week, month or quarter holding a day, or custom
dates, with the parameters of `periods`; this quarter by default, and a period that makes
none is said and this quarter shown); the table lists, per procedure case of a version
in force, each step's configured time, the median and 90th percentile of the working
hours its runs used, the late rate and the dossiers, with the flags as words; the cases
with a flagged step come first. Figures come from
`workflow_model.supervision.configured_vs_actual`, in the user's scope, with the
thresholds of the settings (`config.supervision_thresholds`).

An administrator gets, for each flagged case, a POST form (CSRF) that opens a new draft
with the suggested times (`draft_with_suggested_times`) and leads to that draft's review
page, which shows what changed and its findings. The suggestions are computed again on
the server from the case and the period the form names: nothing the browser sends is
taken as a time.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_percent
from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workflow_model.document.durations import format_duration
from workflow_model.models import Role, utcnow
from workflow_model.refusals import ChangeRefused
from workflow_model.supervision import (
    CaseCalibration,
    Period,
    PeriodKind,
    by_case,
    configured_vs_actual,
    draft_with_suggested_times,
    today_in_vietnam,
)
from workflow_model.tracking.wording import working_time
from workflow_model.version_rules import open_version

from ..config import supervision_thresholds
from ..database import db_session
from ..vocabulary import STATUS_LABELS, refusal_message
from .base import acting_user, has_any_role
from .periods import PeriodInvalid, kind_choices, period_or_default, read_period
from .reading import page_language, reader_scope

READ_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
"""Who may read the page."""
DRAFT_ROLES = frozenset({Role.ADMIN})
"""Who may open a draft with the suggested times."""
DEFAULT_KIND = PeriodKind.QUARTER
"""The period shown when none is asked for (or the one asked makes none)."""


def _change_text(case: CaseCalibration, language: str) -> str:
    """What a draft with the case's suggestions changes, step by step, in `language`."""
    return "; ".join(
        f"{step.step_name} ({step.step_key}): {format_duration(step.configured, language)} → "
        f"{format_duration(step.suggested, language)}"
        for step in case.steps
        if step.changes_time and step.suggested is not None
    )


class SupervisionTimesView(BaseView):
    """The configured times against the actual ones, and the drafts they suggest."""

    def is_accessible(self) -> bool:
        """Supervisors and administrators."""
        return has_any_role(READ_ROLES)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login form; logged in without the role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def _cases(self, period: Period, case_id: int | None = None) -> tuple[CaseCalibration, ...]:
        rows = configured_vs_actual(
            db_session(),
            period,
            reader_scope(),
            supervision_thresholds(current_app.config),
            case_id=case_id,
        )
        return by_case(rows)

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The period's form and the table, flagged cases first."""
        language = page_language()
        today = today_in_vietnam(utcnow())
        choice, problems = period_or_default(request.args, today, DEFAULT_KIND)
        period = choice.period
        cases = self._cases(period)
        can_draft = has_any_role(DRAFT_ROLES)
        # Said before the click: a case with an open version gets no new draft.
        session = db_session()
        opened = {
            case.first.case_id: found
            for case in cases
            if can_draft
            and case.suggestions
            and (found := open_version(session, case.first.case_id)) is not None
        }
        return self.render(
            "sodo/supervision_times.html",
            period=period,
            choice=choice,
            problems=problems,
            cases=cases,
            kinds=kind_choices(PeriodKind),
            thresholds=supervision_thresholds(current_app.config),
            can_draft=can_draft,
            opened=opened,
            status_labels=STATUS_LABELS,
            duration=lambda value: format_duration(value, language),
            hours=lambda value: "–" if value is None else working_time(value, language),
            percent=lambda value: "–" if value is None else format_percent(value, locale=language),
        )

    @expose("/case/<int:case_id>/draft", methods=("POST",))
    def draft(self, case_id: int) -> ResponseReturnValue:
        """Open a new draft of the case with its suggested times, then show its review page.

        The period comes with the form, and the suggestions are computed again here.
        """
        if not has_any_role(DRAFT_ROLES):
            abort(403)
        today = today_in_vietnam(utcnow())
        try:
            choice = read_period(request.form, today, DEFAULT_KIND)
        except PeriodInvalid as refused:
            flash(str(refused.message), "error")
            return redirect(url_for(".index"))
        back = url_for(".index", **choice.arguments())
        found = self._cases(choice.period, case_id)
        case = found[0] if found else None
        if case is None or not case.suggestions:
            flash(str(_l("This case has no suggested time in this period.")), "error")
            return redirect(back)
        session = db_session()
        try:
            draft = draft_with_suggested_times(
                session, case_id, case.suggestions, acting_user(session)
            )
        except ChangeRefused as error:
            session.rollback()
            flash(refusal_message(error), "error")
            return redirect(back)
        flash(
            str(
                _l(
                    "Draft v%(number)s is open with the suggested times: %(changes)s. "
                    "Nothing is submitted; check its findings and edit it.",
                    number=draft.number,
                    changes=_change_text(case, page_language()),
                )
            ),
            "success",
        )
        return redirect(url_for("versions.review", version_id=draft.id))
