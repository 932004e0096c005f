"""The procedure's versions page, the review page, and the lifecycle actions behind them.

Every button posts to `action`, which only maps the form to a `workflow_model.lifecycle`
call; refusals come back as messages in the user's language, never as a 500 page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from exporters import FORMATS
from validators import validate
from workflow_model import lifecycle
from workflow_model.conversion import document_from_version
from workflow_model.diff import DocumentChange, diff_versions, directory_drift
from workflow_model.models import FlowVersion, Procedure, Role, VersionStatus
from workflow_model.overview import procedure_history
from workflow_model.refusals import ChangeRefused

from ..database import db_session
from ..redirects import local_path
from ..vocabulary import (
    CORRUPT_MARK,
    FIELD_LABELS,
    STATUS_LABELS,
    change_text,
    refusal_message,
    value_label,
)
from .accounts import ACTIONS, RECORD_TYPES
from .base import acting_user, has_any_role
from .exports import EXPORT_ROLES, FORMAT_LABELS

DONE = {
    "submit": _l("The version was submitted for review."),
    "approve": _l("The version was approved and frozen."),
    "reject": _l("The version was sent back to its author."),
    "retire": _l("The version was retired."),
    "new-draft": _l("The draft is open."),
}
ROLES = {
    "submit": frozenset({Role.ADMIN}),
    "new-draft": frozenset({Role.ADMIN}),
    "approve": frozenset({Role.APPROVER}),
    "reject": frozenset({Role.APPROVER}),
    "retire": frozenset({Role.APPROVER}),
}


def _local_time(value: str | None) -> datetime | None:
    """The form's date and time, read in the user's time zone (a datetime-local is naive).

    Raises ValueError for text that is not an ISO date and time.
    """
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(str(get_timezone())))
    return moment


class VersionsView(BaseView):
    """A procedure's versions with the actions each role may take, its drift and history."""

    def is_accessible(self) -> bool:
        """Any logged-in user may look; actions check their roles."""
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        """Reached from the procedure list and the home page."""
        return False

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """No procedure chosen: back to the list."""
        return redirect(url_for("procedure.index_view"))

    @expose("/procedure/<int:procedure_id>")
    def procedure(self, procedure_id: int) -> ResponseReturnValue:
        """The versions of each case, what each role may do, drift and the journal."""
        session = db_session()
        procedure = session.get(Procedure, procedure_id)
        if procedure is None:
            abort(404)
        cases: list[dict[str, Any]] = []
        for case in procedure.cases:
            versions = sorted(
                session.query(FlowVersion).filter(FlowVersion.case_id == case.id),
                key=lambda v: -v.number,
            )
            in_force = lifecycle.version_in_force(session, case.id)
            # A corrupt snapshot is marked on its own row; the other versions still show.
            corrupt: dict[int, str] = {}
            for v in versions:
                try:
                    lifecycle.check_snapshot(v)
                except lifecycle.CorruptSnapshot as error:
                    corrupt[v.id] = refusal_message(error)
            drift: tuple[DocumentChange, ...] = ()
            if in_force is not None and in_force.snapshot is not None:
                try:
                    drift = directory_drift(
                        lifecycle.version_document(session, in_force),
                        document_from_version(session, in_force),
                    )
                except lifecycle.CorruptSnapshot as error:
                    corrupt[in_force.id] = refusal_message(error)
            # While a version is open, "restore" would only answer with that version.
            open_version = next((v for v in versions if v.status.open), None)
            cases.append(
                {
                    "case": case,
                    "versions": versions,
                    "in_force": in_force,
                    "open": open_version,
                    # Said as the review page says a change: field names in the reader's words.
                    "drift": [change_text(change) for change in drift],
                    "corrupt": corrupt,
                }
            )
        return self.render(
            "sodo/versions.html",
            procedure=procedure,
            cases=cases,
            history=procedure_history(session, procedure_id),
            numbers={str(v.id): v.number for item in cases for v in item["versions"]},
            actions=ACTIONS,
            record_types=RECORD_TYPES,
            status_labels=STATUS_LABELS,
            readable=value_label,
            corrupt_mark=CORRUPT_MARK,
            can_edit=has_any_role(ROLES["submit"]),
            can_approve=has_any_role(ROLES["approve"]),
            can_export=has_any_role(EXPORT_ROLES),
            export_formats=list(FORMATS),
            export_labels=FORMAT_LABELS,
            now=datetime.now().astimezone(),
        )

    @expose("/<int:version_id>/review")
    def review(self, version_id: int) -> ResponseReturnValue:
        """The version against the one in force: what changed, its findings, the decision.

        A submitted version is shown as it was submitted (the document approval would
        freeze), with what the directory or catalogue changed since as drift; the
        approval form posts the submitted document's SHA-256, which approval checks.
        """
        session = db_session()
        version = session.get(FlowVersion, version_id)
        if version is None:
            abort(404)
        document = lifecycle.submitted_document(version) or lifecycle.version_document(
            session, version
        )
        drift = lifecycle.submission_drift(session, version)
        in_force = lifecycle.version_in_force(session, version.case_id)
        diff = None
        if in_force is not None and in_force.id != version.id:
            diff = diff_versions(lifecycle.version_document(session, in_force), document)
        return self.render(
            "sodo/review.html",
            version=version,
            in_force=in_force,
            diff=diff,
            report=validate(document),
            drift=[change_text(change) for change in drift],
            field_labels=FIELD_LABELS,
            readable=value_label,
            status_labels=STATUS_LABELS,
            can_decide=has_any_role(ROLES["approve"]) and version.status is VersionStatus.SUBMITTED,
        )

    @expose("/<int:version_id>/<action>", methods=("POST",))
    def action(self, version_id: int, action: str) -> ResponseReturnValue:
        """Carry out one lifecycle action on a version (or its case) and come back."""
        if action not in ROLES:
            abort(404)
        if not has_any_role(ROLES[action]):
            abort(403)
        session = db_session()
        version = session.get(FlowVersion, version_id)
        if version is None:
            abort(404)
        user = acting_user(session)
        back = local_path(request.form.get("next")) or url_for(
            ".procedure", procedure_id=version.case.procedure_id
        )
        try:
            lock = int(request.form["lock"]) if request.form.get("lock") else None
            effective = _local_time(request.form.get("effective_from"))
        except ValueError:
            abort(400)
        try:
            if lock is not None:
                lifecycle.check_lock(session, version, lock)
            self._do(session, version, user, action, effective)
        except ChangeRefused as error:
            session.rollback()
            flash(refusal_message(error), "error")
            return redirect(back)
        flash(str(DONE[action]), "success")
        return redirect(
            back
            if not back.endswith("/review")
            else url_for(".procedure", procedure_id=version.case.procedure_id)
        )

    def _do(
        self,
        session: Any,
        version: FlowVersion,
        user: Any,
        action: str,
        effective: datetime | None,
    ) -> None:
        form = request.form
        if action == "submit":
            lifecycle.submit(session, version, user, validate=validate)
        elif action == "approve":
            lifecycle.approve(
                session,
                version,
                user,
                form.get("comment", ""),
                effective,
                reviewed_sha256=form.get("sha256", ""),
                validate=validate,
            )
        elif action == "reject":
            lifecycle.reject(session, version, user, form.get("reason", ""))
        elif action == "retire":
            lifecycle.retire(session, version, user)
        elif action == "new-draft":
            source = version if form.get("restore") else None
            lifecycle.new_draft(session, version.case, user, from_version=source)
