"""The Flask-Admin interface: lists and forms for the directory, catalogue and accounts."""

from __future__ import annotations

import secrets
import warnings
from typing import Any

import flask_admin.translations
from flask import Flask, g
from flask_admin import Admin
from flask_admin import babel as fa_babel
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from workflow_model.models import (
    ApiToken,
    AuditEvent,
    DayOverride,
    Delivery,
    DeliveryTarget,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    Step,
    Transition,
    Unit,
    User,
)

from ..database import session_factory
from .accounts import AuditEventView, UserView
from .api_tokens import ApiTokenView
from .catalogue import FlowVersionView, ProcedureView
from .delivery import DeliveryTargetView, DeliveryView
from .directory import DayOverrideView, FieldView, LevelView, OfficerView, UnitView
from .dossiers import DossierView
from .exports import ExportView
from .flow_content import StepView, TransitionView
from .lifecycle_pages import VersionsView
from .pages import HomeView, ReportView
from .supervision import SupervisionView
from .supervision_report import SupervisionReportView
from .supervision_times import SupervisionTimesView


def csp_nonce() -> str:
    """The nonce of this request's Content-Security-Policy, made once per request."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _prefer_our_admin_catalogue(directory: str) -> None:
    # Flask-Babel merges catalogues in order, the last one winning, and Flask-Admin puts
    # `translations_path` first; so our corrected copy of its Vietnamese catalogue
    # (admin/translations/vi/LC_MESSAGES/admin.po) goes after Flask-Admin's own here.
    # tests/test_admin_i18n.py fails if a Flask-Admin upgrade stops honouring this.
    builtin = flask_admin.translations.__path__[0]
    fa_babel.domain._translation_directories = [builtin, directory]
    fa_babel.domain.cache = {}


def init_admin(app: Flask) -> Admin:
    """Mount the admin at the site's root, with a view per model and the report page."""
    session = session_factory(app)
    admin = Admin(
        app,
        name="Sơ Đồ",
        url="/",
        index_view=HomeView(name=_l("Home"), url="/", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="sodo/admin_base.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    _prefer_our_admin_catalogue(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    directory, catalogue, system = _l("Directory"), _l("Catalogue"), _l("System")
    with warnings.catch_warnings():
        # Flask-Admin 2.2 prefers a Flask-SQLAlchemy object; this project uses plain
        # SQLAlchemy sessions, which it still supports.
        warnings.filterwarnings("ignore", "Passing a session object", DeprecationWarning)
        views = _views(session, directory, catalogue, system)
    for view in views:
        admin.add_view(view)
    return admin


def _views(session: Any, directory: Any, catalogue: Any, system: Any) -> list[Any]:
    return [
        ProcedureView(
            Procedure, session, name=_l("Procedures"), category=catalogue, endpoint="procedure"
        ),
        FlowVersionView(
            FlowVersion,
            session,
            name=_l("Flow versions"),
            category=catalogue,
            endpoint="flowversion",
        ),
        StepView(Step, session, name=_l("Steps"), category=catalogue, endpoint="step"),
        TransitionView(
            Transition, session, name=_l("Transitions"), category=catalogue, endpoint="transition"
        ),
        FieldView(Field, session, name=_l("Fields"), category=catalogue, endpoint="field"),
        UnitView(Unit, session, name=_l("Units"), category=directory, endpoint="unit"),
        OfficerView(Officer, session, name=_l("Officers"), category=directory, endpoint="officer"),
        LevelView(Level, session, name=_l("Levels"), category=directory, endpoint="level"),
        DayOverrideView(
            DayOverride, session, name=_l("Calendar"), category=system, endpoint="calendar"
        ),
        UserView(User, session, name=_l("Users"), category=system, endpoint="user"),
        AuditEventView(AuditEvent, session, name=_l("Journal"), category=system, endpoint="audit"),
        ApiTokenView(
            ApiToken, session, name=_l("API tokens"), category=system, endpoint="apitoken"
        ),
        DeliveryTargetView(
            DeliveryTarget,
            session,
            name=_l("Delivery targets"),
            category=_l("Delivery"),
            endpoint="deliverytarget",
        ),
        DeliveryView(
            Delivery, session, name=_l("Deliveries"), category=_l("Delivery"), endpoint="delivery"
        ),
        DossierView(name=_l("Dossiers"), endpoint="dossiers", url="/dossiers"),
        SupervisionView(
            name=_l("Dashboard"),
            endpoint="supervision",
            url="/supervision",
            category=_l("Supervision"),
        ),
        ReportView(name=_l("Report"), endpoint="report", url="/report"),
        VersionsView(name=_l("Versions"), endpoint="versions", url="/versions"),
        ExportView(name=_l("Export"), endpoint="export", url="/export", category=system),
        SupervisionTimesView(
            name=_l("Configured against actual"),
            endpoint="supervision_times",
            url="/supervision/times",
            category=_l("Supervision"),
        ),
        SupervisionReportView(
            name=_l("Periodic report"),
            endpoint="supervision_report",
            url="/supervision/report",
            category=_l("Supervision"),
        ),
    ]
