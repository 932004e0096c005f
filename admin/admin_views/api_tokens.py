"""The API tokens page (superusers only): list, issue and revoke the tokens of source systems.

A token is shown once, on the page that answers the form issuing it: only its SHA-256 is
stored, so no later page, list, details, filter, search or CSV export can show it, nor
the sealed signing secret. The token never goes into a URL, a flashed message (a cookie)
or a log, and the page is not cached (``Cache-Control: no-store``). Tokens are revoked,
never edited or deleted, so the journal keeps saying which token did what. Each form
shown carries a mark kept in the session until it is sent, so resending it (reloading
the answer) issues no second token. Issuing and
revoking go through `workflow_model.api_tokens`, which checks and journals them, exactly
as ``sodo tokens`` does.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from workflow_model.api_tokens import ApiScope, create_token, revoke_token
from workflow_model.models import ApiToken, Role
from workflow_model.refusals import ChangeRefused

from ..config import secret_box
from ..vocabulary import FLAG_LABELS, refusal_message
from .accounts import ACTIONS, RECORD_TYPES
from .base import CsrfForm, SodoModelView, acting_user

SUPERUSERS = frozenset({Role.SUPERUSER})

SCOPE_LABELS = {
    ApiScope.EVENTS_WRITE: _l("Send the events of dossiers"),
    ApiScope.DOSSIERS_READ: _l("Read dossiers"),
}
"""What each scope lets a source system do, as the form offers it (its value beside it)."""

FIELD_RULES = {
    "source": _l(
        "A source system's name is 1 to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit, e.g. igate."
    ),
    "scopes": _l("Choose at least one scope."),
}
"""Why the domain refused a field (`ChangeRefused.params["field"]`), under that field."""

OPEN_FORMS = "sodo.token_forms"
"""Where the session keeps the marks of the token forms shown and not yet sent."""
MAX_OPEN_FORMS = 5
"""Forms open at once (tabs) whose marks are kept; an older one must be opened again."""
SENT_TWICE = _l(
    "This form was already sent: the token it issued is in the list. Open the form again "
    "to issue another."
)

# The journal's words for what this module adds to it.
ACTIONS.update({"revoke": _l("revoked")})
RECORD_TYPES.update({"api_token": _l("API token")})


class TokenForm(CsrfForm):
    """A new token: the source system, its scopes, and whether requests must be signed."""

    source = StringField(
        _l("Source system"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l(
            "The system whose events and dossiers the token is for, e.g. igate: "
            "1 to 64 letters, digits, '.', '_' or '-'."
        ),
    )
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    signed = BooleanField(
        _l("Signed requests"),
        description=_l(
            "Also issue a signing secret: every request must then carry X-Sodo-Signature, "
            "the HMAC-SHA256 of its body."
        ),
    )
    once = HiddenField()
    """This form's mark: sent once, it issues a token; sent again (a reload), nothing."""


def _open_form() -> str:
    """A new mark for a form shown now, remembered in the session with the other open ones."""
    mark = secrets.token_urlsafe(16)
    session[OPEN_FORMS] = [*session.get(OPEN_FORMS, [])[-(MAX_OPEN_FORMS - 1) :], mark]
    return mark


def _close_form(mark: str | None) -> bool:
    """Forget `mark`; True when it was the mark of a form shown and not yet sent."""
    marks = session.get(OPEN_FORMS, [])
    if not mark or mark not in marks:
        return False
    session[OPEN_FORMS] = [other for other in marks if other != mark]
    return True


class StateFilter(FilterEqual):
    """The active tokens, or the revoked ones."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Tokens without a revocation time (``active``), or with one."""
        column = self.get_column(alias)
        return query.filter(column.is_(None) if value == "active" else column.is_not(None))


def _state(model: ApiToken) -> Markup:
    if model.active:
        return Markup('<span class="badge badge-success sodo-token-active">{}</span>').format(
            _l("Active")
        )
    return Markup('<span class="badge badge-secondary sodo-token-revoked">{}</span>').format(
        _l("Revoked")
    )


def _state_text(model: ApiToken) -> str:
    return str(_l("Active") if model.active else _l("Revoked"))


def _revoke_button(model: ApiToken) -> Markup:
    if not model.active:
        return Markup("")
    return Markup(
        '<form method="post" action="{}" class="d-inline sodo-revoke">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-danger" data-sodo-confirm="{}">'
        "{}</button></form>"
    ).format(
        url_for("apitoken.revoke_view", token_id=model.id),
        generate_csrf(),
        _l("Revoke this token? The source system can no longer use it, at once."),
        _l("Revoke"),
    )


def _scopes(model: ApiToken) -> str:
    return ", ".join(model.scopes or ())


def _signed(model: ApiToken) -> str:
    return str(FLAG_LABELS[model.signing_secret is not None])


def _prefix(model: ApiToken) -> str:
    return f"{model.prefix}…"


# What any page or file shows of a token: never its hash or its signing secret.
SHOWN = (
    "source",
    "scopes",
    "prefix",
    "signed",
    "created_at",
    "created_by.username",
    "last_used_at",
    "revoked_at",
    "state",
)


class ApiTokenView(SodoModelView):
    """The tokens of source systems, for superusers: issued here, revoked, never edited."""

    read_roles = SUPERUSERS
    write_roles = SUPERUSERS
    allow_edit = False
    allow_delete = False
    create_template = "sodo/api_token_new.html"
    column_list = (*SHOWN, "revoke")
    column_details_list = ("id", *SHOWN)
    column_export_list = SHOWN
    # Loaded with the list: the CSV is streamed after the request's session is gone.
    column_select_related_list = (ApiToken.created_by,)
    column_exclude_list = ("token_hash", "signing_secret")
    column_details_exclude_list = ("token_hash", "signing_secret")
    column_export_exclude_list = ("token_hash", "signing_secret")
    column_searchable_list = ("source",)
    column_filters = (
        "source",
        StateFilter(
            ApiToken.revoked_at,
            _l("State"),
            options=[("active", _l("Active")), ("revoked", _l("Revoked"))],
        ),
    )
    column_sortable_list = ("source", "created_at", "last_used_at", "revoked_at")
    column_default_sort = [("created_at", True), ("id", True)]
    column_labels = {
        "id": _l("Token number"),
        "source": _l("Source system"),
        "scopes": _l("Scopes"),
        "prefix": _l("Token"),
        "signed": _l("Signed requests"),
        "created_at": _l("Created"),
        "created_by.username": _l("Created by"),
        "last_used_at": _l("Last used"),
        "revoked_at": _l("Revoked at"),
        "state": _l("State"),
        "revoke": "",
    }
    column_formatters = {
        "scopes": lambda view, context, model, name: _scopes(model),
        "prefix": lambda view, context, model, name: _prefix(model),
        "signed": lambda view, context, model, name: _signed(model),
        "state": lambda view, context, model, name: _state(model),
        "revoke": lambda view, context, model, name: _revoke_button(model),
    }
    column_formatters_export = {
        "scopes": lambda view, context, model, name: _scopes(model),
        "prefix": lambda view, context, model, name: _prefix(model),
        "signed": lambda view, context, model, name: _signed(model),
        "state": lambda view, context, model, name: _state_text(model),
    }

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> ResponseReturnValue:
        """Issue a token; the answer shows it, and its signing secret, this once."""
        form = TokenForm(request.form)
        refusal = None
        # A reload of the answer sends the form again, with a valid CSRF token: its mark,
        # forgotten when it was first sent, stops a second token.
        if request.method == "POST" and form.validate() and not _close_form(form.once.data):
            refusal = str(SENT_TWICE)
        elif request.method == "POST" and form.validate():
            signed = bool(form.signed.data)
            try:
                issued = create_token(
                    self.session,
                    form.source.data or "",
                    form.scopes.data or [],
                    by=acting_user(self.session),
                    box=secret_box(current_app.config) if signed else None,
                )
            except ChangeRefused as error:
                self.session.rollback()
                refusal = refusal_message(error)
                field = error.params.get("field")
                if field in FIELD_RULES:
                    form[field].errors = [str(FIELD_RULES[field])]
            else:
                self.session.commit()
                # Rendered here rather than after a redirect: the token is in this
                # answer alone, never in a URL, the session or a log.
                response = make_response(self.render("sodo/api_token_issued.html", issued=issued))
                response.headers["Cache-Control"] = "no-store"
                return response
        form.once.data = _open_form()
        return self.render(
            self.create_template,
            form=form,
            refusal=refusal,
            return_url=url_for(".index_view"),
        )

    @expose("/revoke/<int:token_id>", methods=("POST",))
    def revoke_view(self, token_id: int) -> ResponseReturnValue:
        """Revoke a token (superuser); it stops opening the API at once."""
        if not self.can_write():
            abort(403)
        if self.session.get(ApiToken, token_id) is None:
            abort(404)
        try:
            row = revoke_token(self.session, token_id, by=acting_user(self.session))
        except ChangeRefused as error:
            self.session.rollback()
            flash(refusal_message(error), "error")
            return redirect(url_for(".index_view"))
        self.session.commit()
        message = _l("The token %(prefix)s… of %(source)s is revoked.")
        flash(str(message) % {"prefix": row.prefix, "source": row.source}, "success")
        return redirect(url_for(".index_view"))
