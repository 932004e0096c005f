"""A procedure's lists as rows: its legal basis (căn cứ pháp lý) and its fees (phí, lệ phí).

The flow document keeps each legal document as one text, the way the national database
of procedures writes it ("Nghị định số 116/2021/NĐ-CP ngày 21/12/2021 của Chính phủ …"),
and each fee as ``{"name", "amount", "currency", "note"}``. The forms edit a legal
document as its number, date and title: `parse_reference` splits a text into those only
when `compose_reference` gives the very same text back, else the whole text stays the
title, so opening and saving a form never rewrites what was imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..document import Fee
from ..document.canonical import canonical_number

_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
# A document's number ends with its sign: 118/2025/NĐ-CP, 73/2021/QH14, 2077/QĐ-BYT.
_REFERENCE = re.compile(
    rf"(?P<number>.*?\d+/[^\s,;]+)(?: ngày (?P<date>{_DATE}))?(?: (?P<title>.+))?", re.DOTALL
)


@dataclass(frozen=True)
class LegalReference:
    """One legal document of a procedure's legal basis, as its form edits it."""

    number: str = ""
    date: str = ""
    title: str = ""


def compose_reference(reference: LegalReference) -> str:
    """The legal basis text of `reference`: number, "ngày" and date, then title.

    >>> compose_reference(LegalReference("Nghị định 118/2025/NĐ-CP", "09/6/2025", "về thủ tục"))
    'Nghị định 118/2025/NĐ-CP ngày 09/6/2025 về thủ tục'
    """
    parts = [reference.number.strip()]
    if reference.date.strip():
        parts.append(f"ngày {reference.date.strip()}")
    parts.append(reference.title.strip())
    return " ".join(part for part in parts if part)


def parse_reference(text: str) -> LegalReference:
    """Split a legal basis text into number, date and title, losing nothing.

    >>> parse_reference("Nghị định số 85/2013/NĐ-CP ngày 29/7/2013 của Chính phủ")
    LegalReference(number='Nghị định số 85/2013/NĐ-CP', date='29/7/2013', title='của Chính phủ')
    >>> parse_reference("Luật Giám định tư pháp năm 2012")
    LegalReference(number='', date='', title='Luật Giám định tư pháp năm 2012')
    """
    match = _REFERENCE.fullmatch(text)
    if match is not None:
        found = LegalReference(match["number"], match["date"] or "", match["title"] or "")
        if compose_reference(found) == text:
            return found
    return LegalReference(title=text)


def date_problem(text: str) -> bool:
    """True unless `text` is empty or a real date written day/month/year.

    >>> [date_problem(t) for t in ("", "29/7/2013", "31/02/2025", "2013-07-29")]
    [False, False, True, True]
    """
    if not text.strip():
        return False
    if re.fullmatch(_DATE, text.strip()) is None:
        return True
    day, month, year = (int(part) for part in text.strip().split("/"))
    try:
        date(year, month, day)
    except ValueError:
        return True
    return False


def fee_row(fee: Fee) -> dict[str, Any]:
    """A fee as the procedure's `fees` column stores it (a note only when given)."""
    row: dict[str, Any] = {
        "name": fee.name,
        "amount": canonical_number(fee.amount),
        "currency": fee.currency,
    }
    if fee.note:
        row["note"] = fee.note
    return row


def fee_entry(row: dict[str, Any]) -> Fee:
    """The document's `Fee` of a stored row (older rows have no currency or note)."""
    return Fee(
        row["name"],
        canonical_number(row["amount"]),
        row.get("currency", "VND"),
        row.get("note", ""),
    )
