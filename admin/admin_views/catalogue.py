"""Catalogue views: procedures with their dossier components, flow versions, steps."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_admin.model.form import InlineFormAdmin
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from validators import validate
from workflow_model.conversion import documents_from_versions
from workflow_model.models import (
    DossierComponent,
    FlowVersion,
    Procedure,
    ProcedureCase,
    Role,
    Step,
    Transition,
)

from .base import SodoModelView

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "superseded": _l("Superseded"),
    "retired": _l("Retired"),
}


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


class ProcedureView(SodoModelView):
    """Procedures of the catalogue (thủ tục hành chính), found by code or name."""

    column_list = ("code", "name", "level", "field", "active")
    column_select_related_list = (Procedure.level, Procedure.field)
    column_searchable_list = ("search_text",)
    column_sortable_list = ("code", "name", ("level", "level.position"), ("field", "field.name"))
    column_default_sort = "code"
    column_filters = ("level.name", "field.name", "active")
    column_labels = {
        "code": _l("Code"),
        "name": _l("Name"),
        "level": _l("Level"),
        "field": _l("Field"),
        "lead_unit": _l("Lead unit"),
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
        "result",
        "legal_basis",
        "fees",
        "accepts_direct",
        "accepts_online",
        "accepts_postal",
        "active",
    )
    inline_models = (DossierComponentInline(DossierComponent),)
    column_formatters_export = {"code": lambda view, context, model, name: model.code}
    column_formatters = {
        "code": lambda view, context, model, name: Markup(
            '<a href="{}">{}</a>'.format(
                escape(url_for("flowversion.index_view", flt1_0=model.code)), escape(model.code)
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
    }

    column_formatters_export = {
        "status": _status,
        "number": lambda view, context, model, name: model.number,
        "validity": lambda view, context, model, name: view._validity_text(model),
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
        """The page of versions, each validated in one batch (no query per row)."""
        count, rows = super().get_list(*args, **kwargs)
        documents = documents_from_versions(self.session, [row.id for row in rows])
        self._reports = {key: validate(doc) for key, doc in documents.items()}
        return count, rows

    def _validity_text(self, model: Any) -> str:
        report = getattr(self, "_reports", {}).get(model.id)
        if report is None:
            return ""
        errors = sum(1 for f in report.findings if f.severity.value == "error")
        return str(_l("Valid") if report.ok else _l("%(count)d errors", count=errors))

    def _validity(self, context: Any, model: Any, name: str) -> Markup:
        report = getattr(self, "_reports", {}).get(model.id)
        link = url_for("report.version_report", version_id=model.id)
        if report is None:
            return Markup('<a href="{}">{}</a>').format(link, _l("Report"))
        errors = sum(1 for f in report.findings if f.severity.value == "error")
        text = _l("Valid") if report.ok else _l("%(count)d errors", count=errors)
        css = "text-success" if report.ok else "text-danger"
        return Markup('<a class="{}" href="{}">{}</a>').format(css, link, text)

    column_formatters = {
        "status": _status,
        "validity": lambda view, context, model, name: view._validity(context, model, name),
        "number": lambda view, context, model, name: Markup(
            '<a href="{}">v{}</a>'.format(
                escape(url_for("step.index_view", flt1_0=model.id)), model.number
            )
        ),
    }


class StepView(SodoModelView):
    """Steps of the versions; only a draft's steps can be changed."""

    column_list = ("version.id", "key", "name", "kind", "unit", "duration_value", "duration_unit")
    column_select_related_list = (Step.version, Step.unit)
    column_sortable_list = ("key", "name", "kind", "duration_value")
    column_default_sort = [("version_id", False), ("position", False)]
    column_searchable_list = ("name", "key")
    column_filters = ("version.id", "kind", "unit.name")
    column_labels = {
        "version.id": _l("Version id"),
        "key": _l("Key"),
        "name": _l("Name"),
        "kind": _l("Kind"),
        "unit": _l("Unit"),
        "duration_value": _l("Duration"),
        "duration_unit": _l("Unit of time"),
        "split": _l("Split"),
        "join": _l("Join"),
        "description": _l("Description"),
    }
    form_columns = (
        "version",
        "key",
        "name",
        "kind",
        "unit",
        "duration_value",
        "duration_unit",
        "split",
        "join",
        "description",
        "position",
    )


class TransitionView(SodoModelView):
    """Transitions between the steps of a version; only a draft's can be changed."""

    column_list = ("version_id", "from_step.key", "to_step.key", "label")
    column_select_related_list = (Transition.from_step, Transition.to_step)
    column_filters = ("version_id",)
    column_searchable_list = ("label",)
    column_labels = {
        "version_id": _l("Version id"),
        "from_step.key": _l("From step"),
        "to_step.key": _l("To step"),
        "label": _l("Label"),
    }
    form_columns = ("version_id", "from_step_id", "to_step_id", "label", "position")
