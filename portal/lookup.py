"""The citizen's dossier lookup (``/tra-cuu-ho-so``): a receipt's code and check value.

The form is posted, never sent in the address, so the code and the check value land in
no server log, browser history or ``Referer``; the answer is not stored by the browser
or a proxy (``Cache-Control: no-store``). A wrong check value and an unknown code get
the same page, byte for byte, after the same work (`workflow_model.public.track_dossier`).
Lookups are limited per client address (Flask-Limiter, `init_lookup`); the form itself
is CSRF-protected like every form of the app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from markupsafe import Markup
from werkzeug.exceptions import TooManyRequests

from exporters.svg import STATES, render_svg
from workflow_model import public
from workflow_model.models.tracking import CODE_LENGTH
from workflow_model.tracking import CheckKeys, StepState
from workflow_model.tracking.wording import (
    EVENT_WORDS,
    STATE_WORDS,
    STATUS_WORDS,
    VERDICT_WORDS,
    label,
    step_notes,
    working_time,
)

from .views import _language, _session, blueprint

CHECK_KEYS = "sodo.portal.check_keys"
"""Where the app keeps the `CheckKeys` that hash receipts' check values."""
LIMITER = "sodo.portal.limiter"
LOOKUP_LIMIT = "10 per minute"
"""Lookups one client address may post, unless ``SODO_LOOKUP_LIMIT`` says otherwise."""
MAX_CHECK = 64
"""The longest check value read; a receipt prints a few digits or letters."""
ENDPOINT = "portal.lookup"
DATE_TIME = "dd/MM/yyyy HH:mm"
"""How the page writes a moment, in Vietnam's time, as receipts do: 30/04/2026 16:00."""


def init_lookup(app: Flask, *, check_keys: CheckKeys) -> Limiter:
    """Give the lookup its keys and its rate limit on `app` (after the blueprint is registered).

    The limit (``SODO_LOOKUP_LIMIT``, e.g. ``"10 per minute"``) counts the lookups
    posted from one client address (`request.remote_addr`); the counters are kept in
    memory unless ``RATELIMIT_STORAGE_URI`` names a shared storage (``redis://…``), as
    several server processes need. Only this page is limited: each app gets its own
    limiter, with no default limit for the other pages.
    """
    app.extensions[CHECK_KEYS] = check_keys
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
        headers_enabled=True,
    )
    limited = limiter.limit(
        lambda: str(app.config.get("SODO_LOOKUP_LIMIT") or LOOKUP_LIMIT), methods=["POST"]
    )
    # This app's view only: another app made in the same process keeps its own counters.
    app.view_functions[ENDPOINT] = limited(app.view_functions[ENDPOINT])
    app.extensions[LIMITER] = limiter
    return limiter


def _when(moment: datetime | None) -> str:
    return format_datetime(moment, DATE_TIME) if moment is not None else ""


def _page(status: int = 200, **context: Any) -> ResponseReturnValue:
    shown = {"result": None, "not_found": False, "incomplete": False, "limited": False}
    body = render_template("portal/lookup.html", legend=_legend(), **(shown | context))
    response = Response(body, status=status, mimetype="text/html")
    # What a citizen looked up stays with them: not kept by the browser or a proxy, and
    # the address of this page not handed to the next site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _legend() -> list[dict[str, Any]]:
    language = _language()
    return [
        {"state": state.value, "label": label(STATE_WORDS, state, language), "style": STATES[state]}
        for state in StepState
    ]


@blueprint.route("/tra-cuu-ho-so", methods=["GET", "POST"])
def lookup() -> ResponseReturnValue:
    """The lookup form; posted, the dossier's progress on its diagram, or one "not found"."""
    if request.method == "GET":
        return _page()
    code = request.form.get("code", "").strip()[:CODE_LENGTH]
    check = request.form.get("check", "").strip()[:MAX_CHECK]
    if not code or not check:
        return _page(incomplete=True)
    keys: CheckKeys = current_app.extensions[CHECK_KEYS]
    found = public.track_dossier(_session(), code, check, keys)
    if found is None:
        # One answer for a wrong value and an unknown code: nothing says which it was.
        return _page(not_found=True)
    return _page(result=_result(found))


def _result(found: public.PublicDossier) -> dict[str, Any]:
    language = _language()
    progress = found.dossier.progress
    steps = {step.key: step for step in found.document.steps}
    svg = render_svg(
        found.document,
        locale=language,
        overlay={key: state.value for key, state in found.states.items()},
        notes=step_notes(progress, language),
        ids="lookup-diagram",
    )
    return {
        "dossier": found.dossier,
        "procedure": found.document.procedure,
        "case_name": found.case_name,
        "status": label(STATUS_WORDS, progress.status, language),
        "received": _when(progress.received_at),
        "due": _when(progress.due_at),
        "apology_due": _when(progress.apology_due),
        "finished": _when(progress.finished_at),
        "verdict": label(VERDICT_WORDS, progress.verdict, language) if progress.verdict else "",
        "closed": progress.closed_at is not None,
        "used": working_time(progress.used_hours, language),
        "left": working_time(progress.left_hours, language),
        "over": progress.left_hours < 0,
        "svg": Markup(svg.decode("utf-8")),
        "timeline": [
            {
                "at": _when(entry.at),
                "event": label(EVENT_WORDS, entry.kind, language),
                "unit": entry.unit,
                "step": entry.step,
                "new_due": _when(entry.new_due),
            }
            for entry in found.timeline
        ],
        "handlers": [
            {"step": steps[key].name, "officers": officers}
            for key, officers in found.handlers.items()
        ],
    }


@blueprint.errorhandler(TooManyRequests)
def _too_many(_error: TooManyRequests) -> ResponseReturnValue:
    return _page(status=429, limited=True)
