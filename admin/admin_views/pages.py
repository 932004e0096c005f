"""The home page and the version report, in the admin's layout."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from flask.typing import ResponseReturnValue
from flask_admin import AdminIndexView, BaseView, expose
from flask_login import current_user

from workflow_model.models import Role
from workflow_model.overview import (
    counts_by_level_and_status,
    drafts_of,
    open_drafts,
    waiting_for_review,
)

from ..database import db_session
from ..reporting import version_report
from ..vocabulary import STATUS_LABELS
from .base import has_any_role


class HomeView(AdminIndexView):
    """What each role needs first: drafts and their errors, versions to review, counts."""

    def is_accessible(self) -> bool:
        """Any logged-in user."""
        return current_user.is_authenticated

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The home page of the logged-in user."""
        session = db_session()
        mine = (
            drafts_of(session, int(current_user.id))
            if has_any_role(frozenset({Role.ADMIN}))
            else []
        )
        drafts = open_drafts(session) if has_any_role(frozenset({Role.ADMIN})) else []
        reviews = waiting_for_review(session) if has_any_role(frozenset({Role.APPROVER})) else []
        return self.render(
            "sodo/home.html",
            my_drafts=mine,
            drafts=drafts,
            reviews=reviews,
            counts=counts_by_level_and_status(session),
            status_labels=STATUS_LABELS,
            is_admin=has_any_role(frozenset({Role.ADMIN})),
            is_approver=has_any_role(frozenset({Role.APPROVER})),
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
        """No version chosen: nothing to show."""
        abort(404)

    @expose("/<int:version_id>")
    def version_report(self, version_id: int) -> ResponseReturnValue:
        """The report of `version_id`, with due dates as if a dossier arrived now."""
        session = db_session()
        report = version_report(session, version_id, datetime.now().astimezone())
        if report is None:
            abort(404)
        return self.render("sodo/report.html", r=report, status_labels=STATUS_LABELS)
