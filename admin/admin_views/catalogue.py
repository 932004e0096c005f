"""Catalogue views: procedures with their dossier components, flow versions, steps."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload
from wtforms.validators import NumberRange

from workflow_model.conversion.catalogue_lists import fee_entry
from workflow_model.lifecycle import CorruptSnapshot
from workflow_model.models import (
    DossierComponent,
    FlowVersion,
    Procedure,
    ProcedureCase,
    Role,
)
from workflow_model.overview import procedures_with_drift

from ..reporting import version_checks
from ..vocabulary import CORRUPT_MARK, STATUS_LABELS, fee_text
from .base import SodoModelView
from .catalogue_lists import FeesField, LegalBasisField, fees_list, legal_basis_list


class DossierComponentInline(InlineFormAdmin):
    """Dossier components (thành phần hồ sơ) edited inside their procedure."""

    form_columns = ("id", "key", "name", "originals", "copies", "form_name", "position")
    form_label = _l("Dossier component")
    column_labels = {
        "key": _l("Key"),
        "name": _l("Name"),
        "originals": _l("Originals"),
        "copies": _l("Copies"),
        "form_name": _l("Form"),
        "position": _l("Order"),
    }


class ProcedureCaseInline(InlineFormAdmin):
    """The cases (trường hợp) of a procedure, each with its own legal time."""

    form_columns = ("id", "key", "name", "legal_time_value", "legal_time_unit", "position")
    form_label = _l("Case and legal time")
    column_labels = {
        "key": _l("Key (empty for a procedure without cases)"),
        "name": _l("Name"),
        "legal_time_value": _l("Legal time"),
        "legal_time_unit": _l("Unit of time"),
        "position": _l("Order"),
    }
    form_args = {"legal_time_value": {"validators": [NumberRange(min=0, max=100000)]}}


class ProcedureView(SodoModelView):
    """Procedures of the catalogue (thủ tục hành chính), found by code or name."""

    column_list = ("code", "name", "level", "field", "active", "drift")
    column_select_related_list = (Procedure.level, Procedure.field)

    def get_list(self, *args: Any, **kwargs: Any) -> tuple[int | None, list[Any]]:
        """The page of procedures, with which ones drifted from their directory (one query)."""
        count, rows = super().get_list(*args, **kwargs)
        g.sodo_drift = procedures_with_drift(self.session, [row.id for row in rows])
        return count, rows

    column_searchable_list = ("search_text",)
    column_sortable_list = ("code", "name", ("level", "level.position"), ("field", "field.name"))
    column_default_sort = "code"
    column_filters = ("level.name", "field.name", "active")
    column_labels = {
        "level.name": _l("Level"),  # the filters' names
        "field.name": _l("Field"),
        "drift": _l("Directory"),
        "code": _l("Code"),
        "name": _l("Name"),
        "level": _l("Level"),
        "field": _l("Field"),
        "lead_unit": _l("Lead unit"),
        "applicants": _l("Who may apply"),
        "result": _l("Result"),
        "legal_basis": _l("Legal basis"),
        "fees": _l("Fees"),
        "accepts_direct": _l("Submitted in person"),
        "accepts_online": _l("Submitted online"),
        "accepts_postal": _l("Submitted by post"),
        "active": _l("Active"),
        "dossier_components": _l("Dossier components"),
    }
    form_columns = (
        "code",
        "name",
        "level",
        "field",
        "lead_unit",
        "applicants",
        "result",
        "legal_basis",
        "fees",
        "accepts_direct",
        "accepts_online",
        "accepts_postal",
        "active",
    )
    form_overrides = {"legal_basis": LegalBasisField, "fees": FeesField}
    inline_models = (
        ProcedureCaseInline(ProcedureCase),
        DossierComponentInline(DossierComponent),
    )
    column_formatters_export = {
        "legal_basis": lambda view, context, model, name: "; ".join(model.legal_basis or ()),
        "fees": lambda view, context, model, name: "; ".join(
            fee_text(fee_entry(row)) for row in model.fees or ()
        ),
        "code": lambda view, context, model, name: model.code,
        "drift": lambda view, context, model, name: (
            "x" if model.id in g.get("sodo_drift", ()) else ""
        ),
    }
    column_formatters = {
        "legal_basis": legal_basis_list,
        "fees": fees_list,
        "drift": lambda view, context, model, name: (
            Markup('<a class="badge badge-warning" href="{}">{}</a>').format(
                url_for("versions.procedure", procedure_id=model.id),
                _l("directory changed since approval"),
            )
            if model.id in g.get("sodo_drift", ())
            else ""
        ),
        "code": lambda view, context, model, name: Markup(
            '<a href="{}">{}</a>'.format(
                escape(url_for("versions.procedure", procedure_id=model.id)), escape(model.code)
            )
        ),
    }


def _status(view: Any, context: Any, model: Any, name: str) -> str:
    return str(STATUS_LABELS.get(model.status.value, model.status.value))


class FlowVersionView(SodoModelView):
    """Versions of each procedure's process, with their status, size and validity."""

    read_roles = frozenset(Role)
    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = False
    column_list = (
        "case.procedure.code",
        "case.key",
        "number",
        "status",
        "created_by.username",
        "created_at",
        "step_count",
        "validity",
        "diagram",
    )
    column_sortable_list = (
        ("case.procedure.code", "case.procedure.code"),
        "number",
        "status",
        "created_at",
    )
    column_default_sort = [("created_at", True)]
    column_filters = ("case.procedure.code", "status", "created_by.username")
    column_labels = {
        "case.procedure.code": _l("Procedure"),
        "case.key": _l("Case"),
        "number": _l("Version"),
        "status": _l("Status"),
        "created_by.username": _l("Author"),
        "created_at": _l("Created"),
        "step_count": _l("Steps"),
        "validity": _l("Validity"),
        "diagram": _l("Diagram"),
    }

    column_formatters_export = {
        "status": _status,
        "number": lambda view, context, model, name: model.number,
        "validity": lambda view, context, model, name: view._validity_text(model),
        "diagram": lambda view, context, model, name: f"/editor/{model.id}",
    }

    def get_query(self) -> Any:
        """Versions with their procedure and author, loaded in the same query."""
        return (
            super()
            .get_query()
            .options(
                joinedload(FlowVersion.case).joinedload(ProcedureCase.procedure),
                joinedload(FlowVersion.created_by),
            )
        )

    def get_list(self, *args: Any, **kwargs: Any) -> tuple[int | None, list[Any]]:
        """The page of versions with their cached checks (validated once, then cached)."""
        count, rows = super().get_list(*args, **kwargs)
        # Per request, not on the view object, which every request shares.
        g.sodo_version_checks = version_checks(self.session, [row.id for row in rows])
        return count, rows

    def _validity_text(self, model: Any) -> str:
        check = g.get("sodo_version_checks", {}).get(model.id)
        if check is None:
            return ""
        if isinstance(check, CorruptSnapshot):
            return str(CORRUPT_MARK)
        return str(_l("Valid") if check.ok else _l("%(count)d errors", count=check.errors))

    def _validity(self, context: Any, model: Any, name: str) -> Markup:
        link = url_for("report.version_report", version_id=model.id)
        check = g.get("sodo_version_checks", {}).get(model.id)
        if isinstance(check, CorruptSnapshot):
            css = "text-danger sodo-corrupt-snapshot"
        else:
            css = "" if check is None else ("text-success" if check.ok else "text-danger")
        text = self._validity_text(model) or _l("Report")
        return Markup('<a class="{}" href="{}">{}</a>').format(css, link, text)

    column_formatters = {
        "status": _status,
        "validity": lambda view, context, model, name: view._validity(context, model, name),
        "diagram": lambda view, context, model, name: Markup(
            '<a class="sodo-open-editor" href="/editor/{}">{}</a>'.format(
                int(model.id), escape(_l("Diagram"))
            )
        ),
        "number": lambda view, context, model, name: Markup(
            '<a href="{}">v{}</a>'.format(
                escape(url_for("step.index_view", flt1_0=model.id)), model.number
            )
        ),
    }
