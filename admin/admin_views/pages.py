"""The home page and the version report, in the admin's layout."""

from __future__ import annotations

from datetime import datetime

from flask import abort, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_admin import AdminIndexView, BaseView, expose
from flask_login import current_user

from workflow_model.lifecycle import four_eyes_refusal
from workflow_model.models import FlowVersion, Role
from workflow_model.overview import (
    counts_by_level_and_status,
    drafts_of,
    failed_deliveries,
    open_drafts,
    recently_approved,
    rejected_versions,
    target_states,
    waiting_for_review,
)

from ..database import db_session
from ..reporting import version_report
from ..vocabulary import STATUS_LABELS, duration_text, hours_as_days_text
from .base import acting_user, has_any_role


class HomeView(AdminIndexView):
    """What each role needs first: drafts and their errors, versions to review, counts."""

    def is_accessible(self) -> bool:
        """Any logged-in user."""
        return current_user.is_authenticated

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The home page of the logged-in user: one section per role held, then the counts."""
        session = db_session()
        is_admin = has_any_role(frozenset({Role.ADMIN}))
        is_approver = has_any_role(frozenset({Role.APPROVER}))
        is_exporter = has_any_role(frozenset({Role.EXPORTER}))
        is_supervisor = has_any_role(frozenset({Role.SUPERVISOR}))
        reviews = waiting_for_review(session) if is_approver else []
        user = acting_user(session)
        # Four eyes, said before the click: the versions this approver may not approve.
        blocked = {
            row.id
            for row in reviews
            if user is not None
            and (version := session.get(FlowVersion, row.id)) is not None
            and four_eyes_refusal(session, version, user) is not None
        }
        return self.render(
            "sodo/home.html",
            my_drafts=drafts_of(session, int(current_user.id)) if is_admin else [],
            drafts=open_drafts(session) if is_admin else [],
            rejected=rejected_versions(session) if is_admin else [],
            reviews=reviews,
            blocked=blocked,
            approved=recently_approved(session) if is_exporter else [],
            failed=failed_deliveries(session) if is_exporter else [],
            targets=target_states(session) if is_exporter else [],
            counts=counts_by_level_and_status(session),
            status_labels=STATUS_LABELS,
            is_admin=is_admin,
            is_approver=is_approver,
            is_exporter=is_exporter,
            is_supervisor=is_supervisor,
            user_id=int(current_user.id),
        )


class ReportView(BaseView):
    """The validation report of one version: findings, critical path, time, due dates."""

    def is_accessible(self) -> bool:
        """Any logged-in user."""
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        """Reached from the version list, not from the menu."""
        return False

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """No version chosen: to the version list, whose rows link to their reports."""
        return redirect(url_for("flowversion.index_view"))

    @expose("/<int:version_id>")
    def version_report(self, version_id: int) -> ResponseReturnValue:
        """The report of `version_id`, with due dates as if a dossier arrived now."""
        session = db_session()
        report = version_report(session, version_id, datetime.now().astimezone())
        if report is None:
            abort(404)
        return self.render(
            "sodo/report.html",
            r=report,
            status_labels=STATUS_LABELS,
            duration_text=duration_text,
            days_text=hours_as_days_text,
        )
