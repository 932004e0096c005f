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
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, Role, Unit, VersionStatus
from workflow_model.overview import procedure_history
from workflow_model.refusals import ChangeRefused, Refusal
from workflow_model.starting_points import (
    DraftStart,
    StartingPoint,
    one_stop_units,
    versions_in_force_matching,
)

from ..database import db_session
from ..redirects import local_path
from ..vocabulary import (
    CORRUPT_MARK,
    FIELD_LABELS,
    REFUSAL_MESSAGES,
    STARTING_POINT_LABELS,
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


def _row_id(name: str) -> int | None:
    """The row id a form field names; an id beyond the column's range names no row."""
    text = request.form.get(name, "")
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _chosen(session: Any, point: StartingPoint) -> DraftStart | None:
    """The starting point the first-draft form chose, or None after flashing what is missing."""
    if point is StartingPoint.COPY:
        source_id = _row_id("source")
        source = session.get(FlowVersion, source_id) if source_id is not None else None
        if source is None:
            flash(str(_l("Choose the version to copy.")), "error")
            return None
        return DraftStart(point, source=source)
    unit = None
    if point is StartingPoint.SKELETON and request.form.get("one_stop"):
        unit_id = _row_id("one_stop")
        unit = session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            flash(refusal_message(ChangeRefused(Refusal.NOT_ONE_STOP, "no such unit")), "error")
            return None
    return DraftStart(point, one_stop=unit)


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
        user = acting_user(session)
        blocked: set[int] = set()
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
            # Four eyes, said before the click: the approver sees who must approve instead.
            if has_any_role(ROLES["approve"]) and user is not None:
                blocked.update(
                    v.id
                    for v in versions
                    if v.status is VersionStatus.SUBMITTED
                    and lifecycle.four_eyes_refusal(session, v, user) is not None
                )
            # While a version is open, no other draft can be opened (restore, new draft).
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
                    # Nothing to copy and nothing open: the draft needs a starting point.
                    "first": open_version is None and in_force is None,
                }
            )
        can_edit = has_any_role(ROLES["submit"])
        search = request.args.get("q", "").strip()[:200]
        needs_start = can_edit and any(item["first"] for item in cases)
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
            can_edit=can_edit,
            can_approve=has_any_role(ROLES["approve"]),
            waiting_other=blocked,
            can_export=has_any_role(EXPORT_ROLES),
            starting_points=STARTING_POINT_LABELS,
            search=search,
            copies=versions_in_force_matching(session, search) if needs_start else [],
            one_stop_units=one_stop_units(session, procedure) if needs_start else [],
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
        can_decide = has_any_role(ROLES["approve"]) and version.status is VersionStatus.SUBMITTED
        user = acting_user(session)
        four_eyes = (
            lifecycle.four_eyes_refusal(session, version, user)
            if can_decide and user is not None
            else None
        )
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
            can_decide=can_decide,
            four_eyes=REFUSAL_MESSAGES[four_eyes] if four_eyes is not None else None,
        )

    @expose("/case/<int:case_id>/first-draft", methods=("POST",))
    def first_draft(self, case_id: int) -> ResponseReturnValue:
        """Open a case's first draft from the chosen starting point, then show it in the editor.

        A starting point the form does not offer, or a copy without its version, is
        refused with a message and nothing is created.
        """
        if not has_any_role(ROLES["new-draft"]):
            abort(403)
        session = db_session()
        case = session.get(ProcedureCase, case_id)
        if case is None:
            abort(404)
        back = url_for(".procedure", procedure_id=case.procedure_id)
        try:
            start = StartingPoint(request.form.get("start", ""))
        except ValueError:
            flash(str(_l("Choose where the first draft starts.")), "error")
            return redirect(back)
        chosen = _chosen(session, start)
        if chosen is None:
            return redirect(back)
        try:
            draft = lifecycle.new_draft(session, case, acting_user(session), start=chosen)
        except ChangeRefused as error:
            session.rollback()
            flash(refusal_message(error), "error")
            return redirect(back)
        flash(str(DONE["new-draft"]), "success")
        return redirect(f"/editor/{draft.id}")

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
