"""The base of every admin list and form: roles, CSRF, folded search, the service layer."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.form import SecureForm
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import Form
from wtforms.validators import ValidationError

from workflow_model import editing
from workflow_model.contacts import email_problem, is_valid_phone
from workflow_model.models import Role, User
from workflow_model.text import fold

WRITE_VIEWS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})

REFUSALS = {
    "invalid-phone": _l(
        "The phone number is not a Vietnamese number: 10 digits starting with 0, or 11 "
        "digits starting with 02 (+84 may replace the leading 0)."
    ),
    "invalid-email": _l("The email address is not valid."),
    "duplicate": _l("Another record already has this code, key or email."),
    "not-draft": _l("Only a draft version can be changed; create a new draft instead."),
}
USAGE_KINDS = {
    "step": _l("step"),
    "officer": _l("officer"),
    "unit": _l("unit"),
    "procedure": _l("procedure"),
    "version": _l("flow versions"),
    "row": _l("record"),
}


def acting_user(session: Any) -> User | None:
    """The database row of the logged-in user, for the journal."""
    if not current_user.is_authenticated:
        return None
    return session.get(User, int(current_user.id))


def has_any_role(roles: frozenset[Role]) -> bool:
    """True when the logged-in user holds one of `roles`."""
    return current_user.is_authenticated and bool(set(current_user.roles) & roles)


def phone_field_check(_form: Form, field: Any) -> None:
    """WTForms validator: the same check as the validators' invalid-phone rule."""
    if not is_valid_phone(field.data or ""):
        raise ValidationError(str(REFUSALS["invalid-phone"]))


def email_field_check(_form: Form, field: Any) -> None:
    """WTForms validator: the same check as the validators' invalid-email rule."""
    if email_problem(field.data or "") is not None:
        raise ValidationError(str(REFUSALS["invalid-email"]))


class FoldedAjaxLoader(QueryAjaxModelLoader):
    """An ajax picker that finds "Sở Tài chính" when the user types "so tai chinh"."""

    def get_list(self, term: str, offset: int = 0, limit: int = 10) -> list[Any]:
        """Search the folded search column with the folded term."""
        return super().get_list(fold(term), offset, limit)


def describe_usages(error: editing.InUse) -> Markup:
    """A refusal message listing where a row is still used (names escaped)."""
    lines = []
    for usage in error.usages[:10]:
        where = f" — {usage.procedure} v{usage.version}" if usage.procedure else ""
        lines.append(
            f"{escape(USAGE_KINDS.get(usage.kind, usage.kind))} {escape(usage.name)}{escape(where)}"
        )
    more = len(error.usages) - len(lines)
    head = escape(_l("It is still used, so it cannot be deleted; deactivate it instead:"))
    and_more = _l("and %(count)d more", count=more)
    tail = f"<br>{escape(and_more)}" if more > 0 else ""
    return Markup(f"{head}<br>" + "<br>".join(lines) + tail)


class SodoModelView(ModelView):
    """A list with search, filters, sorting, pages and CSV, whose changes go through services.

    `read_roles` may list and view; `write_roles` may also create, edit and delete.
    Every change is checked and journaled by `workflow_model.editing`.
    """

    form_base_class = SecureForm
    read_roles: frozenset[Role] = frozenset(Role)
    write_roles: frozenset[Role] = frozenset({Role.ADMIN})
    page_size = 50
    can_set_page_size = True
    can_export = True
    export_types = ("csv",)
    can_view_details = True
    column_display_pk = False
    column_exclude_list = ("search_text",)
    form_excluded_columns = ("search_text",)
    column_details_exclude_list = ("search_text",)
    column_export_exclude_list = ("search_text",)

    def is_accessible(self) -> bool:
        """Logged in with a role that may read this list."""
        return has_any_role(self.read_roles)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Anonymous: to the login page; logged in without the role: 403."""
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def can_write(self) -> bool:
        """True when the logged-in user may change these rows."""
        return has_any_role(self.write_roles)

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        """Create only with a write role (checked again on the server for every POST)."""
        return self.can_write() and self.allow_create

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        """Edit only with a write role."""
        return self.can_write() and self.allow_edit

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        """Delete only with a write role."""
        return self.can_write() and self.allow_delete

    allow_create = True
    allow_edit = True
    allow_delete = True

    def _handle_view(self, name: str, **kwargs: Any) -> ResponseReturnValue | None:
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        if name in WRITE_VIEWS and not self.can_write():
            abort(403)
        return None

    def _apply_search(self, query, count_query, joins, count_joins, search):  # noqa: ANN001, ANN202
        # The search column holds folded text, so the term is folded the same way.
        return super()._apply_search(query, count_query, joins, count_joins, fold(search))

    def _refused(self, error: editing.ChangeRefused) -> None:
        if isinstance(error, editing.InUse):
            flash(describe_usages(error), "error")
        else:
            flash(REFUSALS.get(error.code, str(error)), "error")

    def create_model(self, form: Form) -> Any:
        """Build the row from the form and store it through the service layer."""
        model = self.build_new_instance()
        form.populate_obj(model)
        return model if self._save(form, model, None) else False

    def update_model(self, form: Form, model: Any) -> bool:
        """Apply the form to the row and store it through the service layer."""
        before = editing.entity_state(model)
        form.populate_obj(model)
        return self._save(form, model, before)

    def _save(self, form: Form, model: Any, before: dict[str, Any] | None) -> bool:
        try:
            editing.save(self.session, acting_user(self.session), model, before)
        except editing.ChangeRefused as error:
            self._refused(error)
            return False
        self.after_model_change(form, model, before is None)
        return True

    def delete_model(self, model: Any) -> bool:
        """Delete through the service layer, which refuses rows still in use."""
        try:
            editing.delete(self.session, acting_user(self.session), model)
        except editing.ChangeRefused as error:
            self._refused(error)
            return False
        return True
