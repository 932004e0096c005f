"""The site's main menu on the editor page, from the admin's own menu.

The admin pages draw their menu with Flask-Admin's templates and Bootstrap's script; the
editor is a Dash page with neither, so the same items (those the user may open) are drawn
here as links, each category as a ``<details>`` that opens without any script.
"""

from __future__ import annotations

from typing import Any

from dash import html
from flask import current_app, has_request_context, url_for
from flask_login import current_user


def _items() -> list[Any]:
    admins = current_app.extensions.get("admin") or []
    return admins[0].menu() if admins else []


def _link(item: Any, class_name: str) -> html.A | None:
    if not (item.is_accessible() and item.is_visible()):
        return None
    url = item.get_url()
    return html.A(str(item.name), href=url, className=class_name) if url else None


def menu_entries() -> list[Any]:
    """The menu's links and categories for the logged-in user; nothing without a request."""
    if not has_request_context() or not current_user.is_authenticated:
        return []
    entries: list[Any] = []
    for item in _items():
        if not item.is_category():
            link = _link(item, "sodo-menu-link")
            if link is not None:
                entries.append(link)
            continue
        links = [
            link
            for child in item.get_children()
            if not child.is_category() and (link := _link(child, "sodo-menu-item")) is not None
        ]
        if links:
            entries.append(
                html.Details(
                    [
                        html.Summary(str(item.name), className="sodo-menu-link"),
                        html.Div(links, className="sodo-menu-dropdown"),
                    ],
                    className="sodo-menu-category",
                )
            )
    return entries


def main_menu() -> html.Nav:
    """The site's name, linking home, then the main menu."""
    home = url_for("admin.index") if has_request_context() else "/"
    return html.Nav(
        [html.A("Sơ Đồ", href=home, className="sodo-menu-brand"), *menu_entries()],
        id="main-menu",
        className="sodo-main-menu",
    )
