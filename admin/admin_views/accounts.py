"""Accounts and journal views: users (superuser only) and the read-only audit trail."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_admin.contrib.sqla.filters import (
    DateTimeBetweenFilter,
    DateTimeGreaterFilter,
    DateTimeSmallerFilter,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import PasswordField, SelectMultipleField
from wtforms.validators import EqualTo, InputRequired, Length

from workflow_model.accounts import hash_password, set_password
from workflow_model.models import AuditEvent, Role, UserRole

from ..vocabulary import journal_value
from .base import CsrfForm, SodoModelView, acting_user, has_any_role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.APPROVER: _l("Approver"),
    Role.EXPORTER: _l("IT / exports"),
    Role.SUPERUSER: _l("Superuser"),
    Role.SUPERVISOR: _l("Supervisor"),
}
MIN_PASSWORD = 10


class PasswordForm(CsrfForm):
    """A new password, typed twice; it is never shown again."""

    password = PasswordField(
        _l("New password"), validators=[InputRequired(), Length(min=MIN_PASSWORD, max=256)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("The passwords differ."))],
    )


class UserView(SodoModelView):
    """Users and their roles; passwords are set through their own form, never shown."""

    read_roles = frozenset({Role.SUPERUSER})
    write_roles = frozenset({Role.SUPERUSER})
    allow_delete = False
    can_export = False
    column_list = ("username", "full_name", "email", "roles", "locale", "active")
    # Never shown, not even its hash.
    column_details_exclude_list = ("search_text", "password_hash", "session_epoch")
    column_export_exclude_list = ("search_text", "password_hash")
    column_searchable_list = ("search_text",)
    column_sortable_list = ("username", "full_name", "active")
    column_filters = ("active", "locale")
    column_labels = {
        "username": _l("Username"),
        "full_name": _l("Full name"),
        "email": _l("Email"),
        "roles": _l("Roles"),
        "locale": _l("Language"),
        "active": _l("Active"),
        "role_choices": _l("Roles"),
        "scope_unit": _l("Supervises (unit and units under it)"),
    }
    column_descriptions = {
        "scope_unit": _l(
            "For a supervisor: what the supervision pages and dossier lists show. "
            "Leave empty for the whole province."
        ),
    }
    # The extra fields must be listed: with `form_columns`, Flask-Admin adds only those.
    form_columns = (
        "username",
        "full_name",
        "email",
        "locale",
        "active",
        "role_choices",
        "scope_unit",
        "new_password",
    )
    # The languages the interface has, each named in itself; the database allows no other.
    form_choices = {"locale": [("vi", "Tiếng Việt"), ("en", "English")]}
    form_extra_fields = {
        "role_choices": SelectMultipleField(
            _l("Roles"), choices=[(role.value, label) for role, label in ROLE_LABELS.items()]
        ),
        # No longer than the login form accepts, or the user could never log in.
        "new_password": PasswordField(_l("Password (new users)"), validators=[Length(max=256)]),
    }
    column_formatters = {
        "roles": lambda view, context, model, name: ", ".join(
            str(ROLE_LABELS[role]) for role in sorted(model.roles)
        ),
    }
    list_template = "admin/model/list.html"

    def on_form_prefill(self, form: Any, id: Any) -> None:
        """Show the roles the user holds."""
        model = self.get_one(id)
        form.role_choices.data = [role.value for role in model.roles]

    def create_model(self, form: Any) -> Any:
        """A new user needs a password of at least 10 characters."""
        if len(form.new_password.data or "") < MIN_PASSWORD:
            flash(_l("A new user needs a password of at least 10 characters."), "error")
            return False
        return super().create_model(form)

    def _save(self, form: Any, model: Any, before: dict[str, Any] | None) -> bool:
        if before is None:
            model.password_hash = hash_password(form.new_password.data)
        chosen = {Role(value) for value in (form.role_choices.data or [])}
        model.role_links = [link for link in model.role_links if link.role in chosen] + [
            UserRole(role=role) for role in sorted(chosen - model.roles)
        ]
        return super()._save(form, model, before)

    @expose("/password/<int:user_id>", methods=("GET", "POST"))
    def password_view(self, user_id: int) -> ResponseReturnValue:
        """Set a user's password (superuser only), journaled without the password."""
        user = self.get_one(str(user_id))
        if user is None:
            abort(404)
        form = PasswordForm(request.form)
        if request.method == "POST" and form.validate():
            set_password(self.session, user, form.password.data or "", acting_user(self.session))
            self.session.commit()
            flash(_l("The password was changed."), "success")
            return redirect(url_for(".index_view"))
        return self.render("sodo/password.html", form=form, user=user)


ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "import": _l("imported"),
    "set-status": _l("status set"),
    "set-password": _l("password set"),
    "set-locale": _l("language set"),
    "lock-out": _l("locked out"),
    "submit": _l("submitted"),
    "approve": _l("approved"),
    "reject": _l("sent back"),
    "retire": _l("retired"),
    "supersede": _l("superseded"),
    "new-draft": _l("draft opened"),
    "reopen": _l("reopened as a draft"),
}
RECORD_TYPES = {
    "unit": _l("unit"),
    "officer": _l("officer"),
    "level": _l("level"),
    "field": _l("field"),
    "procedure": _l("procedure"),
    "dossier_component": _l("dossier component"),
    "flow_version": _l("flow version"),
    "step": _l("step"),
    "transition": _l("transition"),
    "user": _l("user"),
    "day_override": _l("calendar day"),
    "login": _l("login"),
}


#: Journal entries about accounts (emails, names, roles, usernames tried at a lockout)
#: and API tokens (source systems, scopes),
#: which only a superuser sees.
ACCOUNT_RECORD_TYPES = ("user", "login", "api_token")


def _state_table(state: dict[str, Any] | None) -> Markup:
    """A journaled state as a table of fields and their values in the user's words."""
    if not state:
        return Markup("")
    rows = Markup("").join(
        Markup("<tr><th>{}</th><td>{}</td></tr>").format(key, journal_value(key, value))
        for key, value in state.items()
    )
    return Markup('<table class="table table-sm mb-0 sodo-journal-state">{}</table>').format(rows)


class AuditEventView(SodoModelView):
    """The journal: who changed what, when, with the states before and after. Read-only.

    Account events are left out of every query (list, count, details, export) for anyone
    but a superuser: hiding them in the page alone would leave them one URL away.
    """

    allow_create = False
    allow_edit = False
    allow_delete = False
    column_list = ("at", "user.username", "action", "entity_type", "entity_id")
    column_select_related_list = (AuditEvent.user,)
    column_details_list = (
        "at",
        "user.username",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "after",
    )
    column_sortable_list = ("at", "action", "entity_type")
    column_default_sort = ("at", True)
    column_filters = (
        "user.username",
        "entity_type",
        "action",
        DateTimeBetweenFilter(AuditEvent.at, _l("When")),
        DateTimeGreaterFilter(AuditEvent.at, _l("When")),
        DateTimeSmallerFilter(AuditEvent.at, _l("When")),
    )
    column_formatters = {
        "action": lambda view, context, model, name: str(ACTIONS.get(model.action, model.action)),
        "entity_type": lambda view, context, model, name: str(
            RECORD_TYPES.get(model.entity_type, model.entity_type)
        ),
    }
    column_formatters_export = column_formatters
    column_formatters_detail = {
        **column_formatters,
        "before": lambda view, context, model, name: _state_table(model.before),
        "after": lambda view, context, model, name: _state_table(model.after),
    }
    column_labels = {
        "at": _l("When"),
        "user.username": _l("User"),
        "action": _l("Action"),
        "entity_type": _l("Record type"),
        "entity_id": _l("Record id"),
        "before": _l("Before"),
        "after": _l("After"),
    }

    def _visible(self, query: Any) -> Any:
        if has_any_role(frozenset({Role.SUPERUSER})):
            return query
        return query.filter(AuditEvent.entity_type.not_in(ACCOUNT_RECORD_TYPES))

    def get_query(self) -> Any:
        """The entries this user may read."""
        return self._visible(super().get_query())

    def get_count_query(self) -> Any:
        """Counted over the entries this user may read, so the pages add up."""
        return self._visible(super().get_count_query())

    def get_one(self, id: Any) -> Any:
        """One entry, or None (404) when this user may not read it."""
        if not str(id).isdigit():
            return None
        return self._visible(super().get_query()).filter(AuditEvent.id == int(id)).one_or_none()
