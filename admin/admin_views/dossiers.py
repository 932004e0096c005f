"""The staff's dossier pages: the list with its filters, a dossier, its control slip.

Read-only: the filters are a GET form and nothing here changes a row. Every staff role
may read dossiers (`STAFF_ROLES`: administrators, approvers, exporters, superusers); a
logged-in account without a role gets 403, an anonymous visitor the login form. Names,
labels and notes come from the processing software and the directory, so the templates
escape them like any text; the receipt's check hash is never read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from exporters.control_slip import control_slip_xlsx, slip_filename
from exporters.svg import STATES, render_svg
from workflow_model.models import DossierStatus, Role, Unit
from workflow_model.supervision import Scope
from workflow_model.supervision.access import dossier_in_scope
from workflow_model.tracking import (
    DossierFilter,
    DossierRecord,
    StepState,
    control_slip,
    dossier_record,
    list_dossiers,
    step_states,
)
from workflow_model.tracking.listing import NO_AGENCY, PAGE_SIZE, FilterError
from workflow_model.tracking.wording import (
    CHANNEL_WORDS,
    EVENT_WORDS,
    STATE_WORDS,
    STATUS_WORDS,
    VERDICT_WORDS,
    label,
    step_notes,
    working_time,
)

from ..bounds import MAX_PAGE
from ..database import db_session
from .base import has_any_role
from .reading import TEXT_LIMIT, page_language, query_text, reader_scope

STAFF_ROLES = frozenset(Role)
"""Who may read dossiers: every staff role."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(name: str) -> str:
    return query_text(request.args, name)


def _page() -> int:
    text = _text("page")
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


FILTER_LABELS = {
    "procedure": _l("Procedure code"),
    "case": _l("Case"),
    "unit": _l("Unit"),
    "unit_now": _l("holding it now"),
    "status": _l("Status"),
    "late": _l("late only"),
    "received_from": _l("Received from"),
    "received_to": _l("Received until"),
    "finished_from": _l("Resolved from"),
    "finished_to": _l("Resolved until"),
    "verdict": _l("Outcome"),
    "channel": _l("Channel"),
    "step": _l("Step"),
    "officer": _l("Officer"),
    "run_verdict": _l("Outcome of the step"),
    "run_finished_from": _l("Step finished from"),
    "run_finished_to": _l("Step finished until"),
    "open_now": _l("Open now"),
    "overdue_now": _l("Overdue now"),
    "agency": _l("Implementing agency"),
}
"""What each drill-down filter of the list is called on the page."""
FORM_FIELDS = frozenset(
    {"procedure", "case", "unit", "unit_now", "status", "late", "received_from", "received_to"}
)
"""The filters the list's own form has; the others come from a drill-down link."""


def read_filters(scope: Scope) -> tuple[DossierFilter, str | None]:
    """The list's filters from the query string, inside `scope`, and what was wrong.

    A value that cannot be read (`DossierFilter.from_query` says which) lists every
    dossier of the scope, with the reason on the page, rather than failing.
    """
    query = {key: value for key, value in request.args.items() if key != "page"}
    try:
        filters = DossierFilter.from_query(query)
    except FilterError as error:
        name = FILTER_LABELS.get(error.parameter, error.parameter)
        message = _l(
            "“%(name)s” cannot be “%(value)s”, so every dossier is listed.",
            name=name,
            value=error.value[:TEXT_LIMIT],
        )
        return DossierFilter(scope=scope), str(message)
    return replace(filters, scope=scope), None


def _diagram(record: DossierRecord, language: str) -> tuple[Markup, dict[str, StepState]]:
    """The pinned diagram coloured by the dossier's step states, a note on the steps in hand."""
    progress = record.dossier.progress
    states = step_states(record.document, progress)
    svg = render_svg(
        record.document,
        locale=language,
        overlay={key: state.value for key, state in states.items()},
        notes=step_notes(progress, language),
        ids="dossier-diagram",
    )
    # The picture is built by ElementTree, which escapes every text and attribute.
    return Markup(svg.decode()), states


class DossierView(BaseView):
    """The dossier list, a dossier's page, and its control slip (HTML to print, XLSX)."""

    def is_accessible(self) -> bool:
        """Every staff role may read dossiers."""
        return has_any_role(STAFF_ROLES)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login form; logged in without a role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def _helpers(self, language: str) -> dict[str, Any]:
        return {
            "status_words": lambda value: label(STATUS_WORDS, value, language),
            "verdict_words": lambda value: label(VERDICT_WORDS, value, language),
            "event_words": lambda value: label(EVENT_WORDS, value, language),
            "channel_words": lambda value: label(CHANNEL_WORDS, value, language),
            "state_words": lambda value: label(STATE_WORDS, value, language),
            "hours": lambda value: working_time(value, language),
        }

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """The dossiers matching the filters, newest first, a page at a time."""
        session = db_session()
        scope = reader_scope()
        filters, problem = read_filters(scope)
        found = list_dossiers(session, filters, page=_page(), page_size=PAGE_SIZE)
        units = session.execute(
            sa.select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.name, Unit.code)
        ).all()
        arguments = {key: value for key, value in request.args.items() if key != "page" and value}
        language = page_language()
        active = filters.to_query()
        return self.render(
            "sodo/dossiers.html",
            found=found,
            filters=filters,
            problem=problem,
            scope=scope,
            active=[
                (FILTER_LABELS.get(key, key), self._shown(key, value, language))
                for key, value in active.items()
            ],
            hidden={key: value for key, value in active.items() if key not in FORM_FIELDS},
            units=units,
            statuses=list(DossierStatus),
            page_url=lambda page: url_for(".index", page=page, **arguments),
            **self._helpers(language),
        )

    @staticmethod
    def _shown(key: str, value: str, language: str) -> str:
        """A filter's value as the page says it (words for statuses, verdicts, channels)."""
        tables: dict[str, Any] = {
            "status": STATUS_WORDS,
            "verdict": VERDICT_WORDS,
            "run_verdict": VERDICT_WORDS,
            "channel": CHANNEL_WORDS,
        }
        if key in tables:
            return label(tables[key], value, language)
        if key == "agency" and value == NO_AGENCY:
            return str(_l("none"))
        if value == "1" and key in {"unit_now", "late", "open_now", "overdue_now"}:
            return "✓"
        return value

    def _record(self, dossier_id: int) -> DossierRecord:
        # Outside the user's scope is "not found", as an unknown id: nothing is said of it.
        if not dossier_in_scope(db_session(), dossier_id, reader_scope()):
            abort(404)
        record = dossier_record(db_session(), dossier_id)
        if record is None:
            abort(404)
        return record

    @expose("/<int:dossier_id>")
    def dossier(self, dossier_id: int) -> ResponseReturnValue:
        """One dossier: its summary, its coloured diagram, its event log and step runs."""
        record = self._record(dossier_id)
        language = page_language()
        diagram, states = _diagram(record, language)
        legend = [
            (state, STATES[state.value]) for state in StepState if state in set(states.values())
        ]
        return self.render(
            "sodo/dossier.html",
            record=record,
            d=record.dossier,
            p=record.dossier.progress,
            diagram=diagram,
            legend=legend,
            runs=[(run, record.party(run)) for run in record.dossier.progress.runs],
            **self._helpers(language),
        )

    @expose("/<int:dossier_id>/phieu-kiem-soat")
    def slip(self, dossier_id: int) -> ResponseReturnValue:
        """The control slip as a page to print on A4."""
        record = self._record(dossier_id)
        return self.render(
            "sodo/control_slip.html",
            slip=control_slip(record),
            dossier_id=dossier_id,
            **self._helpers(page_language()),
        )

    @expose("/<int:dossier_id>/phieu-kiem-soat.xlsx")
    def slip_xlsx(self, dossier_id: int) -> ResponseReturnValue:
        """The control slip as a workbook, named after the dossier's code."""
        record = self._record(dossier_id)
        data = control_slip_xlsx(control_slip(record), page_language())
        response = Response(data, mimetype=XLSX)
        name = slip_filename(record.dossier.code)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
