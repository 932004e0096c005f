"""The web layer of `sodo`: app factory, login, pages, the `sodo` command line.

`create_app` is loaded on first use, not on importing the package: the console script
(`admin.cli`) starts without the app's pages and editor (Flask-Admin, Dash) for the
commands that need none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
