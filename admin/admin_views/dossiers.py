"""The staff's dossier pages: the list with its filters, a dossier, its control slip.

Read-only: the filters are a GET form and nothing here changes a row. Every staff role
may read dossiers (`STAFF_ROLES`: administrators, approvers, exporters, superusers); a
logged-in account without a role gets 403, an anonymous visitor the login form. Names,
labels and notes come from the processing software and the directory, so the templates
escape them like any text; the receipt's check hash is never read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import BaseView, expose
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from exporters.control_slip import control_slip_xlsx, slip_filename
from exporters.svg import STATES, render_svg
from workflow_model.models import DossierStatus, Role, Unit
from workflow_model.tracking import (
    DossierFilter,
    DossierRecord,
    StepState,
    control_slip,
    dossier_record,
    list_dossiers,
    step_states,
)
from workflow_model.tracking.listing import PAGE_SIZE
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

STAFF_ROLES = frozenset(Role)
"""Who may read dossiers: every staff role."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEXT_LIMIT = 64


def _language() -> str:
    return str(get_locale() or "vi")


def _text(name: str) -> str:
    return request.args.get(name, "").strip()[:_TEXT_LIMIT]


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(_text(name)) if _text(name) else None
    except ValueError:
        return None


def _page() -> int:
    text = _text("page")
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_PAGE else 1


def read_filters() -> DossierFilter:
    """The list's filters from the query string; a value that makes no sense is left out."""
    status = _text("status")
    return DossierFilter(
        procedure=_text("procedure"),
        case=_text("case") or None,
        unit=_text("unit"),
        unit_now=bool(_text("unit_now")),
        status=DossierStatus(status) if status in set(DossierStatus) else None,
        late=bool(_text("late")),
        received_from=_day("received_from"),
        received_to=_day("received_to"),
    )


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
        filters = read_filters()
        found = list_dossiers(session, filters, page=_page(), page_size=PAGE_SIZE)
        units = session.execute(
            sa.select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.name, Unit.code)
        ).all()
        arguments = {key: value for key, value in request.args.items() if key != "page" and value}
        language = _language()
        return self.render(
            "sodo/dossiers.html",
            found=found,
            filters=filters,
            units=units,
            statuses=list(DossierStatus),
            page_url=lambda page: url_for(".index", page=page, **arguments),
            **self._helpers(language),
        )

    def _record(self, dossier_id: int) -> DossierRecord:
        record = dossier_record(db_session(), dossier_id)
        if record is None:
            abort(404)
        return record

    @expose("/<int:dossier_id>")
    def dossier(self, dossier_id: int) -> ResponseReturnValue:
        """One dossier: its summary, its coloured diagram, its event log and step runs."""
        record = self._record(dossier_id)
        language = _language()
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
            **self._helpers(_language()),
        )

    @expose("/<int:dossier_id>/phieu-kiem-soat.xlsx")
    def slip_xlsx(self, dossier_id: int) -> ResponseReturnValue:
        """The control slip as a workbook, named after the dossier's code."""
        record = self._record(dossier_id)
        data = control_slip_xlsx(control_slip(record), _language())
        response = Response(data, mimetype=XLSX)
        name = slip_filename(record.dossier.code)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
