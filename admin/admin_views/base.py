"""The base of every admin list and form: roles, CSRF, folded search, the service layer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import BaseForm
from flask_admin.model import typefmt
from flask_admin.model.form import converts
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FloatField, Form
from wtforms.validators import StopValidation, ValidationError

from workflow_model import editing
from workflow_model.contacts import email_problem, is_valid_phone
from workflow_model.editing import parent_outranked
from workflow_model.models import Role, User
from workflow_model.refusals import ChangeRefused, Refusal
from workflow_model.text import fold

from ..bounds import list_arguments_in_range
from ..i18n import wtforms_translations
from ..vocabulary import (
    EMPTY_CHOICE,
    ENUM_LABELS,
    FLAG_LABELS,
    REFUSAL_MESSAGES,
    refusal_message,
)

WRITE_VIEWS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})
# The flag that must be on for each view; a view its list does not offer is refused (403).
VIEW_FLAGS = {
    "create_view": "can_create",
    "edit_view": "can_edit",
    "ajax_update": "can_edit",
    "delete_view": "can_delete",
    "details_view": "can_view_details",
    "export": "can_export",
}

# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"), tab and
# carriage return included, since some programs skip them before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet runs: text starting like a formula gets a ``'``.

    Numbers and other non-text values are left as they are; text keeps every character.

    >>> print(csv_safe('=HYPERLINK("http://x.example","Bấm")'))
    '=HYPERLINK("http://x.example","Bấm")
    >>> print(csv_safe("+cmd|' /C calc'!A0"))
    '+cmd|' /C calc'!A0
    >>> csv_safe("Sở Tài chính"), csv_safe(-5)
    ('Sở Tài chính', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def required(message: Any) -> Any:
    """WTForms validator: a value must be given, refused with `message`.

    WTForms' own `DataRequired` keeps a lazy message as it is, and Flask-Admin shows only
    errors that are plain text, so the refusal was silent; this one says it.
    """

    def check(_form: Form, field: Any) -> None:
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()):
            raise StopValidation(str(message))

    check.field_flags = {"required": True}  # type: ignore[attr-defined]
    return check


def phone_field_check(_form: Form, field: Any) -> None:
    """WTForms validator: the same check as the validators' invalid-phone rule."""
    if not is_valid_phone(field.data or ""):
        raise ValidationError(str(REFUSAL_MESSAGES[Refusal.INVALID_PHONE]))


def email_field_check(_form: Form, field: Any) -> None:
    """WTForms validator: the same check as the validators' invalid-email rule."""
    if email_problem(field.data or "") is not None:
        raise ValidationError(str(REFUSAL_MESSAGES[Refusal.INVALID_EMAIL]))


def parent_level_check(form: Form, field: Any) -> None:
    """WTForms validator: a unit's parent is at its level or above (the service's rule)."""
    level = getattr(form, "level", None)
    if (
        field.data is not None
        and level is not None
        and parent_outranked(level.data, field.data.level)
    ):
        raise ValidationError(str(REFUSAL_MESSAGES[Refusal.PARENT_LEVEL]))


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


class CsrfForm(BaseForm):
    """Flask-Admin's form with the CSRF token of Flask-WTF, the one `CSRFProtect` checks.

    Flask-Admin's `SecureForm` has a token of its own under the same field name, and the
    pages also carry Flask-WTF's: a browser then sends two tokens, and each check reads the
    one meant for the other, so every create, edit and delete was refused.
    """

    class Meta(FlaskForm.Meta):
        """Flask-WTF's CSRF settings; WTForms' messages from our catalogue (it has no vi)."""

        def get_translations(self, form: Any) -> Any:
            """WTForms' messages in the user's language."""
            return wtforms_translations(form)


def _enum_value(value: Any) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)


class SodoModelConverter(AdminModelConverter):
    """Flask-Admin's converter, with enum choices that match the values stored."""

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column: Any, field_args: Any, **extra: Any) -> Any:
        """A select of the enum's values that shows the row's value as selected.

        Flask-Admin compares the member's *name* (``START``) with the choices, which are
        the stored values (``start``): no option was selected, so saving a form as it
        came changed every step to the first kind, unit of time, split and join.
        """
        field = super().convert_enum(column, field_args, **extra)
        field.kwargs["coerce"] = _enum_value
        # Shown in the user's words ("Xử lý", "ngày làm việc"), stored as the value.
        field.kwargs["choices"] = [
            (value, ENUM_LABELS.get(value, value)) for value, _ in field.kwargs["choices"]
        ]
        return field

    def _model_select_field(
        self, prop: Any, multiple: Any, remote_model: Any, **kwargs: Any
    ) -> Any:
        # WTForms 3.3 shows an option's value when its label is empty: Flask-Admin's blank
        # choice then read "__None".
        kwargs.setdefault("blank_text", EMPTY_CHOICE)
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)

    @converts("sqlalchemy.sql.sqltypes.Float")
    def convert_float(self, column: Any, field_args: Any, **extra: Any) -> Any:
        """A number field for a `Float` column (a step's duration).

        Since SQLAlchemy 2.1 `Float` is no `Numeric`, so Flask-Admin's converter for numbers
        no longer matched it, and the column silently had no field.
        """
        return FloatField(**field_args)


class SodoModelView(ModelView):
    """A list with search, filters, sorting, pages and CSV, whose changes go through services.

    `read_roles` may list and view; `write_roles` may also create, edit and delete.
    Every change is checked and journaled by `workflow_model.editing`.
    """

    form_base_class = CsrfForm
    model_form_converter = SodoModelConverter
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
    column_type_formatters = {
        **typefmt.BASE_FORMATTERS,
        enum.Enum: lambda view, value, name: str(ENUM_LABELS.get(value.value, value.value)),
        datetime: lambda view, value, name: format_datetime(value, "short"),
    }
    column_type_formatters_detail = {
        **typefmt.DETAIL_FORMATTERS,
        enum.Enum: lambda view, value, name: str(ENUM_LABELS.get(value.value, value.value)),
        datetime: lambda view, value, name: format_datetime(value, "medium"),
        bool: lambda view, value, name: str(FLAG_LABELS[value]),
    }
    column_type_formatters_export = {
        **typefmt.EXPORT_FORMATTERS,
        enum.Enum: lambda view, value, name: str(ENUM_LABELS.get(value.value, value.value)),
        bool: lambda view, value, name: str(FLAG_LABELS[value]),
    }

    def get_export_value(self, model: Any, name: str) -> Any:
        """The cell of a CSV export, neutralised if a spreadsheet would run it as a formula."""
        return csv_safe(super().get_export_value(model, name))

    def search_placeholder(self) -> str | None:
        """One hint for every list: the search ignores diacritics."""
        return str(_l("Search, with or without diacritics"))

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

    # Flask-Admin declares can_create, can_edit and can_delete as plain class attributes;
    # they are properties here on purpose, to follow the logged-in user's roles on each
    # request, hence [override]. Flask-Admin ships no type information, so mypy sees that
    # clash only with --follow-untyped-imports, hence [unused-ignore] for the default run.
    @property
    def can_create(self) -> bool:  # type: ignore[override, unused-ignore]
        """Create only with a write role (checked again on the server for every POST)."""
        return self.can_write() and self.allow_create

    @property
    def can_edit(self) -> bool:  # type: ignore[override, unused-ignore]  # as can_create
        """Edit only with a write role."""
        return self.can_write() and self.allow_edit

    @property
    def can_delete(self) -> bool:  # type: ignore[override, unused-ignore]  # as can_create
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
        flag = VIEW_FLAGS.get(name)
        if flag is not None and not getattr(self, flag):
            abort(403)
        return None

    def _get_list_extra_args(self) -> Any:
        # Flask-Admin passes these numbers on as they are: out of range, the database
        # breaks on them (an OFFSET beyond its integers), so they are refused first.
        args = super()._get_list_extra_args()
        if not list_arguments_in_range(
            args.page, args.page_size, args.sort, tuple(self.page_size_options)
        ):
            abort(400)
        return args

    def _apply_search(self, query, count_query, joins, count_joins, search):  # noqa: ANN001, ANN202
        # The search column holds folded text, so the term is folded the same way; other
        # columns (a step's name, a transition's label) hold the text as written.
        if "search_text" in (self.column_searchable_list or ()):
            search = fold(search)
        return super()._apply_search(query, count_query, joins, count_joins, search)

    def _refused(self, error: ChangeRefused) -> None:
        if isinstance(error, editing.InUse):
            flash(describe_usages(error), "error")
        else:
            flash(refusal_message(error), "error")

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
            with self.session.no_autoflush:  # the form's changes are flushed by the service
                user = acting_user(self.session)
            editing.save(self.session, user, model, before)
        except ChangeRefused as error:
            self._refused(error)
            return False
        self.after_model_change(form, model, before is None)
        return True

    def delete_model(self, model: Any) -> bool:
        """Delete through the service layer, which refuses rows still in use."""
        try:
            editing.delete(self.session, acting_user(self.session), model)
        except ChangeRefused as error:
            self._refused(error)
            return False
        return True
