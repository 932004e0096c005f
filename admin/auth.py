"""Login and logout with Flask-Login; every page but the public assets needs a login.

Anonymous visitors are sent to the login form, except the graph editor's own requests
(callbacks and Dash's routes under ``/editor/``), which get a 401.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from api import is_api_path
from workflow_model.accounts import end_sessions, session_is_current
from workflow_model.accounts import login as check_login
from workflow_model.models import User

from .database import db_session
from .editor import is_editor_call
from .i18n import WTFormsTranslations, wtforms_translations
from .redirects import local_path

blueprint = Blueprint("auth", __name__)
#: The session key holding the user's `session_epoch` at login.
EPOCH_KEY = "sodo_epoch"
# The language switch is public too: the login page offers it.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "catalogue.choose_language"})
PUBLIC_BLUEPRINT = "portal"
"""The public pages (`portal`): read-only, for anyone, without login."""


class SessionUser(UserMixin):
    """The logged-in user as Flask-Login sees it: an id and what the pages show."""

    def __init__(self, user: User) -> None:
        self.id = str(user.id)
        self.username = user.username
        self.full_name = user.full_name or user.username
        self.roles = user.roles


class LoginForm(FlaskForm):
    """Username and password, with the CSRF token of Flask-WTF."""

    class Meta:
        """WTForms' messages in the user's language."""

        def get_translations(self, form: object) -> WTFormsTranslations:
            """Our catalogue, since WTForms has no Vietnamese one."""
            return wtforms_translations(form)

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an absolute URL here would be an open redirect.
    return local_path(target) or url_for("admin.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on valid credentials, log in and go where the user was going.

    Too many failures lock the username out for a while (429), whatever the password.
    """
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = check_login(db_session(), form.username.data or "", form.password.data or "")
        if result.user is not None:
            login_user(SessionUser(result.user))
            session[EPOCH_KEY] = result.user.session_epoch
            session["lang"] = result.user.locale
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_until is not None:
            flash(
                _l(
                    "Too many failed logins. This account is locked until %(time)s.",
                    time=format_time(result.locked_until),
                ),
                "danger",
            )
            status = 429
        else:
            flash(_l("Wrong username or password."), "danger")
    if form.errors and request.method == "POST":
        status = 400
    return render_template("login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Log out (a POST with the CSRF token, so no other site can log a user out).

    Every session of the user ends, so a copy of this session's cookie stops working too.
    """
    if current_user.is_authenticated:
        user = db_session().get(User, int(current_user.id))
        if user is not None:
            end_sessions(db_session(), user)
            db_session().commit()
    logout_user()
    session.pop(EPOCH_KEY, None)
    return redirect(url_for("auth.login"))


def init_auth(app: Flask) -> None:
    """Set up Flask-Login and require a login on every endpoint but the public ones."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to continue.")
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_id: str) -> SessionUser | None:
        if not user_id.isdigit():
            return None
        # Every request, the editor's Dash calls too: a session from before a logout, a
        # new password or a change of roles holds an older epoch, and is anonymous.
        user = db_session().get(User, int(user_id))
        if user is None or not session_is_current(user, session.get(EPOCH_KEY)):
            return None
        return SessionUser(user)

    @app.before_request
    def _require_login() -> ResponseReturnValue | None:
        if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
            return None
        if request.blueprint == PUBLIC_BLUEPRINT:
            return None
        if is_api_path(request.path):
            # Machines present a token, which the API checks itself on every request.
            return None
        if request.path == "/" and request.method == "GET":
            # The site's landing page for anonymous visitors is the public catalogue;
            # staff reach the login form from its footer.
            return redirect(url_for(f"{PUBLIC_BLUEPRINT}.index"))
        if is_editor_call(request.path, request.method):
            # The editor's scripts (callbacks, layout, bundles) cannot follow a redirect
            # to the login form: they are told plainly.
            abort(401)
        return manager.unauthorized()

    app.register_blueprint(blueprint)
