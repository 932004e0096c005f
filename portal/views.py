"""Routes of the public pages: search, a procedure, its diagram, and the site map."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import Session

from exporters.svg import render_svg
from workflow_model import public
from workflow_model.db import APP_SESSIONS
from workflow_model.document.durations import format_duration
from workflow_model.models import Procedure

blueprint = Blueprint("portal", __name__, template_folder="templates")

EMBEDDABLE_POLICY = "default-src 'none'; frame-ancestors *"
"""The diagram's own policy: it loads and runs nothing, and any site may embed it."""


def _session() -> Session:
    session: Session = current_app.extensions[APP_SESSIONS]()
    return session


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "vi"


@blueprint.context_processor
def _data_language() -> dict[str, Markup]:
    # The catalogue and the processes are written in Vietnamese whatever the page's
    # language: an English page marks them, so a screen reader reads them as Vietnamese.
    return {"data_lang": Markup(' lang="vi"') if _language() != "vi" else Markup("")}


@blueprint.route("/thu-tuc/")
def index() -> ResponseReturnValue:
    """Search by code or name, without diacritics; filter by level, field and agency."""
    session = _session()
    text = request.args.get("q", "")[: public.MAX_QUERY]
    level = request.args.get("level", "")[:32]
    field = request.args.get("field", "")[:300]
    agency = request.args.get("agency", "")[:64]
    page = request.args.get("page", "1")
    found = public.search_procedures(
        session,
        text,
        level=level,
        field=field,
        agency=agency,
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )
    return render_template(
        "portal/index.html",
        found=found,
        text=text,
        level=level,
        levels=public.levels(session),
        field=field,
        fields=public.fields(session),
        agency=agency,
        agencies=public.agencies(session),
        duration=lambda case: format_duration(
            (case.legal_time_value, case.legal_time_unit), _language()
        ),
    )


def _procedure_or_404(code: str) -> tuple[Session, Procedure]:
    session = _session()
    procedure = public.find_procedure(session, code)
    if procedure is None:
        abort(404)
    return session, procedure


@blueprint.route("/thu-tuc/<code>")
def procedure(code: str) -> ResponseReturnValue:
    """A procedure's catalogue data, and per case its diagram and its steps as a table."""
    session, found = _procedure_or_404(code)
    cases = public.published_cases(session, found)
    language = _language()
    # Each picture names itself by its own title: its ids are the case's, not shared.
    diagrams = {
        item.case.id: Markup(
            render_svg(item.document, locale=language, ids=f"diagram-{item.case.id}").decode()
        )
        for item in cases
        if item.document is not None
    }
    return render_template(
        "portal/procedure.html",
        procedure=found,
        cases=cases,
        diagrams=diagrams,
        duration=lambda value: format_duration(value, language),
    )


@blueprint.route("/thu-tuc/<code>/so-do.svg")
def diagram(code: str) -> ResponseReturnValue:
    """The diagram of a case in force, to embed (``?case=KEY``; the first case by default).

    Any site may show it, in an ``<img>``, an ``<object>`` or a frame.

    Cached by the snapshot's SHA-256 and the officers the directory hides from it: an
    ``ETag``, and 304 when the client has it. Hiding an officer changes the tag, so no
    client keeps a picture that still shows them.
    """
    session, found = _procedure_or_404(code)
    cases = public.published_cases(session, found)
    wanted = request.args.get("case")
    chosen = next((item for item in cases if wanted is None or item.case.key == wanted[:64]), None)
    if chosen is None or chosen.document is None or chosen.sha256 is None:
        abort(404)
    language = _language()
    tag = f"{chosen.sha256[:32]}-{language}"
    if chosen.hidden:
        hidden = "\n".join(sorted(chosen.hidden)).encode("utf-8")
        tag += "-" + hashlib.sha256(hidden).hexdigest()[:16]
    if tag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    response = Response(render_svg(chosen.document, locale=language), mimetype="image/svg+xml")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Disposition"] = f'inline; filename="{found.code}.svg"'
    # Other sites (the province's portal) may frame it; `frame-ancestors` overrides the
    # site-wide X-Frame-Options in browsers. The picture needs nothing else to load.
    response.headers["Content-Security-Policy"] = EMBEDDABLE_POLICY
    return response


@blueprint.route("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    """Every public procedure page, for search engines."""
    codes = public.published_codes(_session())
    body = render_template(
        "portal/sitemap.xml",
        urls=[url_for(".procedure", code=code, _external=True) for code in codes],
    )
    return Response(body, mimetype="application/xml")


@blueprint.route("/robots.txt")
def robots() -> ResponseReturnValue:
    """Robots may read the public pages and nothing else."""
    site_map = url_for(".sitemap", _external=True)
    body = f"User-agent: *\nAllow: /thu-tuc/\nDisallow: /\nSitemap: {site_map}\n"
    return Response(body, mimetype="text/plain")
