"""Delivery pages, for the IT staff (exporter role): targets, deliveries and their attempts.

Targets are configured here; their secret is write-only (the pages say whether one is
set, never what it is; a blank field keeps it) and stored encrypted. Changing a target's
URL, folder or kind removes its secret unless a new one is typed in the same form: a
secret given for one receiver is never sent to another. A URL must reach a public
address unless ``SODO_DELIVERY_ALLOW`` names it, a folder must lie in
``SODO_DELIVERY_ROOT``; a receiver's answer is shown as its status and a short excerpt,
as text. The deliveries list shows the outbox
with its status, filters by status, target and procedure, each delivery's attempts on
its details page, and "retry now" for those that failed. "Push again" (a button of the
versions page) queues an approved version for every enabled target. Every action checks
the role on the server; a superuser may look, not act.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, Form, PasswordField
from wtforms.validators import InputRequired, Length, ValidationError

from delivery.transports import address_problems
from exporters import FORMATS
from workflow_model import delivery as outbox
from workflow_model.editing import ChangeRefused
from workflow_model.models import (
    AttemptOutcome,
    Delivery,
    DeliveryOrigin,
    DeliveryStatus,
    FlowVersion,
    ProcedureCase,
    Role,
    TargetKind,
    utcnow,
)

from ..config import delivery_limits, secret_box
from ..redirects import local_path
from .accounts import ACTIONS, RECORD_TYPES
from .base import SodoModelView, acting_user, has_any_role

EXPORTERS = frozenset({Role.EXPORTER})
READERS = frozenset({Role.EXPORTER, Role.SUPERUSER})

KIND_LABELS = {
    TargetKind.HTTP: _l("HTTP POST, signed"),
    TargetKind.CAMUNDA7: _l("Camunda 7 deployment (BPMN)"),
    TargetKind.DIRECTORY: _l("File in a folder"),
}
STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Pending"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Failed"),
}
STATUS_BADGES = {
    DeliveryStatus.PENDING: "badge-warning",
    DeliveryStatus.DELIVERED: "badge-success",
    DeliveryStatus.FAILED: "badge-danger",
}
ORIGIN_LABELS = {
    DeliveryOrigin.APPROVAL: _l("Approval"),
    DeliveryOrigin.MANUAL: _l("Pushed again"),
}
OUTCOME_LABELS = {
    AttemptOutcome.DELIVERED: _l("Delivered"),
    AttemptOutcome.RETRY: _l("To retry"),
    AttemptOutcome.FAILED: _l("Failed"),
    None: _l("Interrupted"),
}
ADDRESS_PROBLEMS = {
    "bad-url": _l("Enter an http:// or https:// URL."),
    "blocked-host": _l(
        "This address is local or private (loopback, private network, link-local): "
        "deliveries go to public addresses only, unless SODO_DELIVERY_ALLOW names it."
    ),
    "relative-path": _l("Enter an absolute folder path (starting with /)."),
    "no-directory-root": _l(
        "Folder targets are off: SODO_DELIVERY_ROOT names no folder they may write into."
    ),
    "outside-root": _l(
        "This folder is outside the delivery folder (SODO_DELIVERY_ROOT), once its links "
        "and '..' are resolved."
    ),
}

# The journal's words for what this module adds to it.
ACTIONS.update({"push-again": _l("pushed again"), "retry-delivery": _l("delivery retried")})
RECORD_TYPES.update({"delivery_target": _l("delivery target"), "delivery": _l("delivery")})


def _address_check(form: Form, field: Any) -> None:
    """WTForms validator: a URL for http and camunda7, an absolute folder for directory."""
    limits = delivery_limits(current_app.config)
    problems = address_problems(form.kind.data or "", field.data or "", limits)
    if problems:
        raise ValidationError(str(ADDRESS_PROBLEMS[problems[0]]))


def _secret_state(has_secret: bool) -> Markup:
    if has_secret:
        return Markup('<span class="sodo-secret-state" data-set="1">{}</span>').format(_l("set"))
    return Markup('<span class="sodo-secret-state" data-set="0"></span>')


class DeliveryTargetView(SodoModelView):
    """Where approved versions are delivered: a URL, Camunda 7, or a folder."""

    read_roles = READERS
    write_roles = EXPORTERS
    column_list = ("name", "kind", "format", "address", "enabled", "has_secret")
    column_details_list = (
        "name",
        "kind",
        "format",
        "address",
        "enabled",
        "has_secret",
        "secret_updated_at",
        "created_at",
    )
    # The secret is in no list, page or export: only whether one is set.
    column_export_list = ("name", "kind", "format", "address", "enabled", "has_secret")
    column_exclude_list = ("secret", "search_text")
    column_details_exclude_list = ("secret", "search_text")
    column_export_exclude_list = ("secret", "search_text")
    column_searchable_list = ("name", "address")
    column_sortable_list = ("name", "kind", "format", "enabled")
    column_default_sort = "name"
    column_filters = ("enabled",)
    column_labels = {
        "name": _l("Name"),
        "kind": _l("Kind of target"),
        "format": _l("Format"),
        "address": _l("URL or folder"),
        "enabled": _l("Enabled"),
        "has_secret": _l("Secret"),
        "secret_updated_at": _l("Secret changed"),
        "created_at": _l("Created"),
        "new_secret": _l("Secret"),
        "clear_secret": _l("Remove the secret"),
    }
    column_descriptions = {
        "address": _l(
            "http: the receiver's URL; camunda7: the REST API's base (…/engine-rest); "
            "directory: an absolute folder path."
        ),
        "format": _l("A Camunda 7 target always receives BPMN."),
        "enabled": _l("Approved versions are delivered to enabled targets only."),
    }
    form_columns = ("name", "kind", "format", "address", "enabled", "new_secret", "clear_secret")
    form_choices = {
        "kind": [(kind.value, label) for kind, label in KIND_LABELS.items()],
        "format": [(name, name) for name in FORMATS],
    }
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=100)]},
        "address": {"validators": [InputRequired(), Length(max=2000), _address_check]},
    }
    form_extra_fields = {
        "new_secret": PasswordField(
            _l("Secret"),
            validators=[Length(max=500)],
            render_kw={"autocomplete": "new-password"},
        ),
        "clear_secret": BooleanField(_l("Remove the secret")),
    }
    column_formatters = {
        "kind": lambda view, context, model, name: str(KIND_LABELS.get(model.kind, model.kind)),
        "has_secret": lambda view, context, model, name: _secret_state(model.has_secret),
    }
    column_formatters_export = {
        "kind": lambda view, context, model, name: model.kind.value,
        "has_secret": lambda view, context, model, name: "x" if model.has_secret else "",
    }

    def _describe_secret(self, form: Any, has_secret: bool) -> None:
        hint = (
            _l(
                "A secret is set. Leave the field blank to keep it, or type a new one. "
                "Changing the URL, folder or kind removes it: type it again then if the "
                "new receiver needs one."
            )
            if has_secret
            else _l(
                "No secret is set. An http target's requests are signed with it "
                "(HMAC-SHA256); for camunda7 it is user:password."
            )
        )
        form.new_secret.description = Markup("{} {}").format(_secret_state(has_secret), hint)

    def create_form(self, obj: Any = None) -> Any:
        """The new target's form, saying that no secret is set yet."""
        form = super().create_form(obj)
        self._describe_secret(form, False)
        return form

    def edit_form(self, obj: Any = None) -> Any:
        """The target's form, saying whether a secret is set (never what it is)."""
        form = super().edit_form(obj)
        self._describe_secret(form, obj is not None and obj.has_secret)
        return form

    def _save(self, form: Any, model: Any, before: dict[str, Any] | None) -> bool:
        model.kind = TargetKind(model.kind)
        if model.kind is TargetKind.CAMUNDA7:
            model.format = "bpmn"
        # The model removed the secret if the form pointed the target elsewhere.
        dropped = before is not None and bool(sa.inspect(model).attrs.secret.history.deleted)
        typed = form.new_secret.data or ""
        if typed:
            model.set_secret(typed, secret_box(current_app.config), utcnow())
        elif form.clear_secret.data:
            model.remove_secret(utcnow())
        # Not kept on the row object beyond this request.
        for name in ("new_secret", "clear_secret"):
            model.__dict__.pop(name, None)
        saved = super()._save(form, model, before)
        if saved and dropped and not typed and not form.clear_secret.data:
            flash(
                _l(
                    "The secret was removed, since the URL, folder or kind changed: "
                    "type it again if the new receiver needs one."
                ),
                "warning",
            )
        return saved


class StatusFilter(FilterEqual):
    """The deliveries of one status, named in the user's language."""

    def clean(self, value: str) -> Any:
        """The status the option stands for."""
        return DeliveryStatus(value)


def _status_badge(model: Delivery) -> Markup:
    return Markup('<span class="badge {} sodo-delivery-{}">{}</span>').format(
        STATUS_BADGES[model.status], model.status.value, STATUS_LABELS[model.status]
    )


def _procedure(model: Delivery) -> Markup:
    case = model.version.case
    label = case.procedure.code + (f" ({case.key})" if case.key else "")
    return Markup('<a href="{}">{}</a>').format(
        url_for("versions.procedure", procedure_id=case.procedure_id), label
    )


def _retry_button(model: Delivery) -> Markup:
    if model.status is not DeliveryStatus.FAILED or not has_any_role(EXPORTERS):
        return Markup("")
    return Markup(
        '<form method="post" action="{}" class="d-inline sodo-retry">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-primary">{}</button></form>'
    ).format(url_for("delivery.retry_view", delivery_id=model.id), generate_csrf(), _l("Retry now"))


def _answer(model: Delivery) -> Markup:
    """A receiver's answer as text: its excerpt (stored short, cut again here), escaped."""
    excerpt = outbox.answer_excerpt(model.response_body or "")
    return Markup('<code class="sodo-answer">{}</code>').format(excerpt) if excerpt else Markup()


class DeliveryView(SodoModelView):
    """The outbox: each version to deliver to each target, its status and its attempts."""

    read_roles = READERS
    write_roles = EXPORTERS
    allow_create = False
    allow_edit = False
    allow_delete = False
    details_template = "sodo/delivery_details.html"
    column_list = (
        "created_at",
        "procedure",
        "version.number",
        "target.name",
        "format",
        "origin",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "retry",
    )
    column_details_list = (
        "id",
        "procedure",
        "version.number",
        "target.name",
        "format",
        "origin",
        "status",
        "idempotency_key",
        "created_at",
        "created_by.username",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "response_body",
    )
    # The list's columns but the "retry now" button.
    column_export_list = tuple(name for name in column_list if name != "retry")
    column_sortable_list = (
        "created_at",
        ("target.name", "target.name"),
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    )
    column_default_sort = [("created_at", True), ("id", True)]
    column_filters = (
        StatusFilter(
            Delivery.status,
            _l("Status"),
            options=[(status.value, label) for status, label in STATUS_LABELS.items()],
        ),
        "target.name",
        "version.case.procedure.code",
    )
    column_labels = {
        "id": _l("Delivery"),
        "created_at": _l("Created"),
        "procedure": _l("Procedure"),
        "version.case.procedure.code": _l("Procedure"),
        "version.number": _l("Version"),
        "target.name": _l("Target"),
        "format": _l("Format"),
        "origin": _l("Why"),
        "status": _l("Status"),
        "idempotency_key": _l("Idempotency key"),
        "created_by.username": _l("By"),
        "attempts": _l("Attempts"),
        "next_attempt_at": _l("Next attempt"),
        "delivered_at": _l("Delivered at"),
        "last_status_code": _l("HTTP status"),
        "last_error": _l("Last error"),
        "response_body": _l("Answer (excerpt)"),
        "retry": "",
    }
    column_formatters = {
        "response_body": lambda view, context, model, name: _answer(model),
        "status": lambda view, context, model, name: _status_badge(model),
        "origin": lambda view, context, model, name: str(ORIGIN_LABELS[model.origin]),
        "procedure": lambda view, context, model, name: _procedure(model),
        "retry": lambda view, context, model, name: _retry_button(model),
    }
    column_formatters_export = {
        "status": lambda view, context, model, name: model.status.value,
        "origin": lambda view, context, model, name: model.origin.value,
        "procedure": lambda view, context, model, name: model.version.case.procedure.code,
    }

    def get_query(self) -> Any:
        """Deliveries with their version, procedure and target, loaded in the same query."""
        return (
            super()
            .get_query()
            .options(
                joinedload(Delivery.version)
                .joinedload(FlowVersion.case)
                .joinedload(ProcedureCase.procedure),
                joinedload(Delivery.target),
            )
        )

    def is_action_allowed(self, name: str) -> bool:
        """The bulk "retry now" is for the exporter role only."""
        return self.can_write() and super().is_action_allowed(name)

    def render(self, template: str, **kwargs: Any) -> str:
        """Every page of the view knows the labels of attempts' outcomes."""
        kwargs.setdefault("outcome_labels", OUTCOME_LABELS)
        kwargs.setdefault("can_retry", self.can_write())
        return super().render(template, **kwargs)

    def _retry(self, ids: list[int]) -> int:
        retried = outbox.retry_now(self.session, ids, acting_user(self.session))
        if retried:
            flash(
                ngettext(
                    "%(num)d delivery will be tried again now.",
                    "%(num)d deliveries will be tried again now.",
                    len(retried),
                ),
                "success",
            )
        else:
            flash(_l("Only failed deliveries can be retried."), "error")
        return len(retried)

    @action(
        "retry",
        _l("Retry now"),
        _l("Try the selected failed deliveries again now?"),
    )
    def action_retry(self, ids: list[str]) -> None:
        """Bulk action: make the selected failed deliveries pending and due now."""
        self._retry([int(i) for i in ids if str(i).isdigit()])

    @expose("/retry/<int:delivery_id>", methods=("POST",))
    def retry_view(self, delivery_id: int) -> ResponseReturnValue:
        """Retry one failed delivery now (exporter role)."""
        if not self.can_write():
            abort(403)
        if self.session.get(Delivery, delivery_id) is None:
            abort(404)
        self._retry([delivery_id])
        back = local_path(request.form.get("next")) or url_for(".index_view")
        return redirect(back)

    @expose("/push/<int:version_id>", methods=("POST",))
    def push_view(self, version_id: int) -> ResponseReturnValue:
        """Deliver an approved version again to every enabled target (exporter role)."""
        if not self.can_write():
            abort(403)
        version = self.session.get(FlowVersion, version_id)
        if version is None:
            abort(404)
        back = local_path(request.form.get("next")) or url_for(
            "versions.procedure", procedure_id=version.case.procedure_id
        )
        try:
            added = outbox.push_again(self.session, version, acting_user(self.session))
        except ChangeRefused:
            self.session.rollback()
            flash(_l("Only an approved version can be pushed."), "error")
            return redirect(back)
        if added:
            flash(
                ngettext(
                    "%(num)d delivery was queued.",
                    "%(num)d deliveries were queued.",
                    len(added),
                ),
                "success",
            )
        else:
            flash(_l("No delivery target is enabled: nothing was queued."), "warning")
        return redirect(back)
