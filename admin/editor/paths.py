"""Editor URLs: which version a page shows."""

from __future__ import annotations

import dash


def version_id(dash_app: dash.Dash, pathname: str | None) -> int | None:
    """The flow version id of an editor page's path: 5 for ``/editor/5``, else None."""
    rest = dash_app.strip_relative_path(pathname)
    return int(rest) if rest and rest.isdigit() else None
