"""Editor URLs: which version a page shows."""

from __future__ import annotations

import re

import dash

from .inputs import MAX_INT

_ID = re.compile(r"/*([0-9]{1,10})/*")


def version_id(dash_app: dash.Dash, pathname: object) -> int | None:
    """The flow version id of an editor page's path: 5 for ``/editor/5``, else None.

    Whatever the page's location sends: a path elsewhere, or a number too large for the
    database, names no version.
    """
    prefix = dash_app.config.requests_pathname_prefix.rstrip("/")
    if not isinstance(pathname, str) or not pathname.startswith(prefix):
        return None
    match = _ID.fullmatch(pathname[len(prefix) :])
    if match is None or int(match[1]) > MAX_INT:
        return None
    return int(match[1])
