"""Languages: Vietnamese by default, English on request; catalogues compiled at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, Domain, format_datetime, format_decimal, get_locale
from wtforms.i18n import messages_path

from api import is_api_path

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
    """Return the language of this request: the one chosen in the session, else Vietnamese.

    An API request has no session: its ``Accept-Language`` chooses, Vietnamese by default.
    """
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request and request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    if request and is_api_path(request.path):
        # Machines keep no session: their client says which language its people read.
        return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"
    return "vi"


def init_i18n(app: Flask) -> None:
    """Set up Flask-Babel with the compiled catalogues of this app."""
    compiled = compile_catalogues(Path(app.config["SODO_INSTANCE"]) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.extensions["sodo.wtforms_domain"] = Domain(
        translation_directories=[messages_path(), str(compiled)], domain="wtforms"
    )
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["format_decimal"] = format_decimal
    app.jinja_env.filters["datetimeformat"] = format_datetime


class WTFormsTranslations:
    """WTForms' own messages ("This field is required.") in the user's language.

    WTForms ships no Vietnamese catalogue, so ours (translations/vi/LC_MESSAGES/
    wtforms.po) is merged after WTForms' own. Used as `Meta.get_translations` by the
    login form and every admin form.
    """

    def _catalogue(self) -> Any:
        return current_app.extensions["sodo.wtforms_domain"].get_translations()

    def gettext(self, string: str) -> str:
        """Translate one message."""
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a number."""
        return self._catalogue().ungettext(singular, plural, n)


def wtforms_translations(_form: object = None) -> WTFormsTranslations:
    """The `get_translations` of a form's Meta: WTForms' messages in the user's language."""
    return WTFormsTranslations()
