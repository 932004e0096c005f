"""Languages: Vietnamese by default, English on request; catalogues compiled at start."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, format_datetime, format_decimal, get_locale

LANGUAGES = ("vi", "en")
SOURCE_DIR = Path(__file__).with_name("translations")


def compile_catalogues(target: Path) -> Path:
    """Compile every ``.po`` catalogue under admin/translations into `target`, when stale.

    Compiled ``.mo`` files are build output, so they live in the instance folder and
    are not committed.
    """
    for po_path in SOURCE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCE_DIR).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalogue = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalogue)
    return target


def select_locale() -> str:
    """Return the language of this request: the one chosen in the session, else Vietnamese."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request and request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    return "vi"


def init_i18n(app: Flask) -> None:
    """Set up Flask-Babel with the compiled catalogues of this app."""
    compiled = compile_catalogues(Path(app.config["SODO_INSTANCE"]) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["format_decimal"] = format_decimal
    app.jinja_env.filters["datetimeformat"] = format_datetime
