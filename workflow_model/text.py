"""Text folding for search without diacritics: "nguyen van an" finds "Nguyễn Văn An"."""

from __future__ import annotations

import unicodedata

# đ/Đ are letters of their own, not d with a mark, so decomposition leaves them alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Return `text` lower-cased, without diacritics, with single spaces.

    >>> fold("  Nguyễn   Văn An – Đội 1 ")
    'nguyen van an – doi 1'
    >>> fold("CẤP BẢN SAO")
    'cap ban sao'
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


def search_text(*parts: object) -> str:
    """Return the folded search text of several fields, separated by " | ".

    >>> search_text("1.009645", "Chấp thuận chủ trương đầu tư", None)
    '1.009645 | chap thuan chu truong dau tu'
    """
    return " | ".join(fold(str(part)) for part in parts if part not in (None, ""))
