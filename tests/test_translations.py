"""Every user-facing string is in the Vietnamese catalogue, translated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "admin" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None, "gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "admin"),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    )
    return {msgid if isinstance(msgid, str) else msgid[0] for _, _, msgid, _, _ in found}


def catalogue() -> dict[str, object]:
    with CATALOGUE.open("rb") as handle:
        messages = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): m for m in messages if m.id and not m.fuzzy
    }


def test_every_source_string_is_in_the_vietnamese_catalogue() -> None:
    messages = source_messages()
    assert "Wrong username or password." in messages  # the extraction really ran
    missing = messages - set(catalogue())
    assert not missing, f"run pybabel extract/update: {sorted(missing)}"


def test_every_catalogue_entry_is_translated() -> None:
    untranslated = [
        msgid
        for msgid, message in catalogue().items()
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))  # type: ignore[attr-defined]
    ]
    assert untranslated == []


def test_placeholders_survive_translation() -> None:
    for msgid, message in catalogue().items():
        text = message.string if isinstance(message.string, str) else message.string[0]  # type: ignore[attr-defined]
        for placeholder in ("%(num)d", "%(code)d"):
            assert (placeholder in msgid) == (placeholder in text), msgid
