"""A fixed history of twelve dossiers for the periodic report, seen from 1 May 2026.

Two procedures of the base flow (legal time four working days, agency "svh"): 1.000894
in the field "Văn hóa" and `TOURISM` in the field "Du lịch". Each dossier's comment says
what it is in March and April 2026; `tests/test_supervision_report.py` has the figures
worked out by hand.
"""

from __future__ import annotations

from typing import Any

from flow_samples import flow
from sqlalchemy.orm import Session

from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn
from workflow_model.tracking import ItemOutcome, ingest_events

NOW = vn(2026, 5, 1, 9)
"""When the history is ingested and, unless a test says otherwise, reported on."""
TOURISM = "1.000999"
"""A second procedure, in the field "Du lịch", with the same agency."""


def tourism(data: dict[str, Any]) -> None:
    data["procedure"]["code"] = TOURISM
    data["procedure"]["name"] = "Công nhận điểm du lịch"
    data["procedure"]["field"] = "Du lịch"


def history() -> list[dict[str, Any]]:
    """Twelve dossiers; legal time four working days (see each comment for its fate)."""
    other = {"procedure": TOURISM}
    return [
        # Received in February, result early on 2 March: carried over into March, early.
        item("1a", "received", vn(2026, 2, 27, 8), "D1"),
        item("1b", "result_ready", vn(2026, 3, 2, 9), "D1"),
        # Counter; passed through svh-qlvh; result on 20 March: late.
        item("2a", "received", vn(2026, 3, 2, 8), "D2", channel="counter"),
        item("2b", "step_completed", vn(2026, 3, 2, 9), "D2", step="s1", unit="tt"),
        item("2c", "step_started", vn(2026, 3, 2, 10), "D2", step="s2", unit="svh-qlvh"),
        item("2d", "result_ready", vn(2026, 3, 20, 9), "D2"),
        # Post; withdrawn the next day.
        item("3a", "received", vn(2026, 3, 9, 8), "D3", channel="post"),
        item("3b", "withdrawn", vn(2026, 3, 10, 8), "D3"),
        # Online; refused without a result.
        item("4a", "received", vn(2026, 3, 16, 8), "D4"),
        item("4b", "refused", vn(2026, 3, 17, 8), "D4"),
        # Online; open and overdue at the end of March, result late in April.
        item("5a", "received", vn(2026, 3, 23, 8), "D5"),
        item("5b", "result_ready", vn(2026, 4, 6, 9), "D5"),
        # Counter; due 2 April: within time at the end of March, early on 1 April.
        item("6a", "received", vn(2026, 3, 30, 8), "D6", channel="counter"),
        item("6b", "result_ready", vn(2026, 4, 1, 9), "D6"),
        # Online; result early, then refused: resolved early, not refused.
        item("7a", "received", vn(2026, 3, 25, 8), "D7"),
        item("7b", "result_ready", vn(2026, 3, 26, 9), "D7"),
        item("7c", "refused", vn(2026, 3, 27, 9), "D7"),
        # Online; waiting for a supplement asked before its due date: never overdue.
        item("8a", "received", vn(2026, 3, 2, 8), "D8"),
        item("8b", "supplement_requested", vn(2026, 3, 3, 9), "D8"),
        # Counter; paused after its due date had passed: overdue.
        item("9a", "received", vn(2026, 3, 2, 8), "D9", channel="counter"),
        item("9b", "paused", vn(2026, 3, 10, 9), "D9"),
        # Ended in February: in neither month.
        item("10a", "received", vn(2026, 2, 10, 8), "D10"),
        item("10b", "refused", vn(2026, 2, 12, 8), "D10"),
        # Received in April, open and overdue at the end of April.
        item("11a", "received", vn(2026, 4, 2, 8), "D11", channel="counter"),
        # The tourism procedure: online, early.
        item("12a", "received", vn(2026, 3, 4, 8), "D12", **other),
        item("12b", "result_ready", vn(2026, 3, 5, 9), "D12", **other),
    ]  # fmt: skip


def ingest_history(session: Session, *, procedure_name: str | None = None) -> None:
    """Both procedures in force since 1 January 2026 and `history` ingested (all accepted).

    `procedure_name` renames the tourism procedure (a name from outside, for the pages).
    """
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)

    def renamed(data: dict[str, Any]) -> None:
        tourism(data)
        if procedure_name is not None:
            data["procedure"]["name"] = procedure_name

    in_force(session, flow(renamed), vn(2026, 1, 1), people)
    results = ingest_events(session, SOURCE, history(), check_keys=KEYS, now=NOW)
    assert {r.result for r in results} == {ItemOutcome.ACCEPTED}, results
