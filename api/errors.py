"""The API's errors as problem details (RFC 9457), titled in the client's language.

``{"type": "about:blank", "title": …, "status": …, "code": …}`` with the media type
``application/problem+json``: `code` is the stable word clients test, `title` the
sentence a person reads (Vietnamese, or English with ``Accept-Language: en``).
"""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

URL_PREFIX = "/api/v1"
PROBLEM = "application/problem+json"

# One message per status the API answers with; the code is what clients test.
ERRORS = {
    400: ("bad-request", _l("The request could not be understood.")),
    401: ("unauthorized", _l("A valid API token is required.")),
    403: ("forbidden", _l("This token does not allow this.")),
    404: ("not-found", _l("There is nothing at this address.")),
    405: ("method-not-allowed", _l("This method is not allowed here.")),
    413: ("too-large", _l("The request body is too large.")),
    415: ("unsupported-media-type", _l("Send JSON (Content-Type: application/json).")),
}


def is_api_path(path: str) -> bool:
    """Whether `path` is under the API, where errors are JSON, not pages.

    >>> is_api_path("/api/v1/dossiers/H12-1"), is_api_path("/apitoken/"), is_api_path("/")
    (True, False, False)
    """
    return path == URL_PREFIX or path.startswith(URL_PREFIX + "/")


def error_response(error: HTTPException, trace_id: str | None = None) -> Response:
    """`error` as problem details with its status.

    A bug's answer also carries the `trace_id` under which it was logged.
    """
    status = error.code or 500
    code, title = ERRORS.get(status, ("error", _l("Something went wrong.")))
    body: dict[str, object] = {"type": "about:blank", "title": str(title), "status": status}
    body["code"] = code
    if trace_id is not None:
        body["trace_id"] = trace_id
    response = jsonify(body)
    response.mimetype = PROBLEM
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sodo"'
    return response
