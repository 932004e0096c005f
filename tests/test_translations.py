"""Every user-facing string is in the Vietnamese catalogue, translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = {
    lang: ROOT / "admin" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    for lang in ("vi", "en")
}
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None, "gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "admin"),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    )
    return {msgid if isinstance(msgid, str) else msgid[0] for _, _, msgid, _, _ in found}


def catalogue(lang: str = "vi") -> dict[str, Message]:
    with CATALOGUES[lang].open("rb") as handle:
        messages = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): m for m in messages if m.id and not m.fuzzy
    }


def test_every_source_string_is_in_the_vietnamese_catalogue() -> None:
    messages = source_messages()
    assert "Wrong username or password." in messages  # the extraction really ran
    missing = messages - set(catalogue())
    assert not missing, f"run pybabel extract/update: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_catalogue_entry_is_translated(lang: str) -> None:
    assert set(catalogue(lang)) >= source_messages()
    untranslated = [
        msgid
        for msgid, message in catalogue(lang).items()
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))
    ]
    assert untranslated == []


def test_placeholders_survive_translation() -> None:
    for msgid, message in catalogue().items():
        text = message.string if isinstance(message.string, str) else message.string[0]
        for placeholder in ("%(num)d", "%(code)d"):
            assert (placeholder in msgid) == (placeholder in text), msgid
