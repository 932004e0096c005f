"""The graph editor: a Dash app at ``/editor/<version id>``, inside the Flask app.

`page` builds the frame and the pieces callbacks fill in, `elements` turns a flow
document into Cytoscape elements and styles, `state` reads a version for the editor.
`wiring` registers the callbacks; `gestures` (palette, tools, menu, drags, connect taps)
and `inspector` (the selected element's panel and its Save) map each user action onto
one `workflow_model.flow_editing` service call, run by `edit` and answered by name
through `answers`; `inputs` checks every value the browser sends before it is used.
The editor lives under the site's rules:

- every ``/editor/`` route needs a login (`admin.auth` sends pages to the login form and
  answers the editor's own requests, see `is_editor_call`, with 401);
- the Content-Security-Policy keeps ``script-src`` to ``'self'`` and this request's nonce,
  which `EditorDash` puts on the inline scripts of Dash's index page; clientside callbacks
  live in ``static/editor.js``, never in inline strings;
- callbacks are POSTs checked by Flask-WTF: the index page sets the cookie that
  dash-renderer copies into the ``X-CSRFToken`` header of each callback;
- a callback body Dash itself could not read gets a 400 (`envelope`), and every value
  in a readable one is checked by the callbacks (`inputs`) before it is used.
"""

from __future__ import annotations

import functools
import re

import dash
import dash_cytoscape as cyto
from flask import Flask, Response, current_app, request
from flask_wtf.csrf import generate_csrf

from ..admin_views import csp_nonce
from . import envelope, page, wiring
from .paths import version_id

__all__ = ["init_editor", "is_editor_call", "is_editor_path", "version_id"]

PREFIX = "/editor/"
"""Where the editor is mounted; its pages are ``/editor/<version id>``."""

CSRF_COOKIE = "_csrf_token"
"""The cookie dash-renderer reads the CSRF token from (Dash's ``csrf_token_name``)."""

_SCRIPT_TAG = re.compile(r"<script\b")
# Dash serves its index page at these rules under the prefix, the full rule as endpoint.
_PAGE_RULES = ("", "<path:path>")


class EditorDash(dash.Dash):
    """Dash whose index page fits the site's Content-Security-Policy.

    Dash writes the renderer's start (``new DashRenderer()``) as an inline script; here
    every ``<script>`` of the page gets this request's nonce, so ``script-src`` needs
    neither ``'unsafe-inline'`` nor hashes. The favicon is the site's.
    """

    def interpolate_index(self, **kwargs: str) -> str:
        """Build the index page as Dash does, with the nonce on its scripts."""
        nonce = f'<script nonce="{csp_nonce()}"'
        for part in ("scripts", "renderer"):
            kwargs[part] = _SCRIPT_TAG.sub(nonce, kwargs.get(part, ""))
        favicon = _static_url(self.server, "favicon.svg")
        kwargs["favicon"] = f'<link rel="icon" type="image/svg+xml" href="{favicon}">'
        return super().interpolate_index(**kwargs)


def _static_url(app: Flask, filename: str) -> str:
    # The URL of a file of the Flask app's static folder, known before any request comes.
    return f"{app.static_url_path}/{filename}"


def is_editor_call(path: str, method: str) -> bool:
    """Whether a request is the editor's JavaScript calling the server, not a page to show.

    Those are the POSTs (callbacks) and Dash's own routes, which all start with an
    underscore (``_dash-layout``, ``_dash-update-component``, ``_dash-component-suites/…``).
    A redirect to the login form means nothing to them: they get a 401 instead.
    """
    if not path.startswith(PREFIX):
        return False
    return method not in ("GET", "HEAD") or path.startswith(f"{PREFIX}_")


def is_editor_path(path: str) -> bool:
    """Whether `path` is served by the editor (pages, callbacks, bundles)."""
    return path.startswith(PREFIX)


def _set_csrf_cookie(response: Response) -> Response:
    """Give editor pages the CSRF cookie whose value dash-renderer sends with callbacks."""
    is_page = request.endpoint in {f"{PREFIX}{rule}" for rule in _PAGE_RULES}
    if is_page and response.status_code == 200:  # not on the redirect to the login form
        response.set_cookie(
            CSRF_COOKIE,
            generate_csrf(),
            path=PREFIX,
            # Behind a proxy that ends TLS the request looks like HTTP: production's
            # secure session cookie says the site is HTTPS.
            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=False,  # dash-renderer reads it from document.cookie
            samesite="Strict",
        )
    return response


def init_editor(app: Flask) -> dash.Dash:
    """Mount the editor on `app` at ``/editor/`` and return the Dash app.

    Every script and stylesheet is served by this site: Dash's bundles from its
    ``_dash-component-suites``, ours from Flask's ``static/`` (which the wheel ships as
    ``admin/static``), so nothing comes from a CDN and Dash's assets folder is unused.
    """
    cyto.load_extra_layouts()  # dagre, for the process flows
    dash_app = EditorDash(
        __name__,
        server=app,
        url_base_pathname=PREFIX,
        serve_locally=True,
        include_assets_files=False,
        external_scripts=[_static_url(app, "editor.js")],
        external_stylesheets=[_static_url(app, "editor.css")],
        title="Sơ Đồ",
        update_title=None,
        # The inspector's inputs and the palette come and go with the selection and the
        # version's status; their callbacks are declared once, up front.
        suppress_callback_exceptions=True,
    )
    dash_app.layout = page.frame
    wiring.register(dash_app)
    missing = {f"{PREFIX}{rule}" for rule in _PAGE_RULES} - app.view_functions.keys()
    if missing:
        raise RuntimeError(f"Dash no longer serves its index page at {sorted(missing)}")
    app.after_request(_set_csrf_cookie)
    # After the login and CSRF checks, which the app factory registered first.
    app.before_request(functools.partial(envelope.guard, dash_app, PREFIX))
    return dash_app
