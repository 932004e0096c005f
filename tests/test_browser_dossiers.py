"""The staff's dossier page and its control slip in a real Chromium, under the CSP.

A dossier of the demo's Hà Tĩnh flow, handed over once and being handled: from the list
to its page, whose diagram shows each step's state with every text at least 12 CSS px
as drawn; then the control slip, which in print media hides its links, keeps its table
and prints to a PDF. No page or console error (a CSP violation is one) may happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import record_problems
from support.editor import SMALLEST_TEXT
from support.tracking import KEYS

from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, VersionStatus, utcnow
from workflow_model.tracking import ingest_events

pytestmark = pytest.mark.browser

CODE = "1.013871"  # Hà Tĩnh's flow, in force in the demo: steps s1…s9

WORDS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
FONTS = """() => [...document.querySelectorAll('#diagram svg text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1))"""


def ingest_one_dossier(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            since = session.scalar(
                sa.select(FlowVersion.effective_from)
                .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(Procedure.code == CODE, FlowVersion.status == VersionStatus.APPROVED)
            )
            assert since is not None
            # Minutes ago, so s2 has not used up its time whenever the test runs.
            start = max(since, utcnow() - timedelta(minutes=10)) + timedelta(seconds=1)
            at = [(start + timedelta(minutes=i)).isoformat() for i in range(3)]
            base = {"dossier": "HT-0042"}
            items = [
                {**base, "id": "b1", "kind": "received", "at": at[0], "procedure": CODE,
                 "channel": "counter", "check": "1234"},
                {**base, "id": "b2", "kind": "step_completed", "at": at[1], "step": "s1",
                 "unit": "ttpvhcc", "note": "<b>Đủ hồ sơ</b>"},
                {**base, "id": "b3", "kind": "step_started", "at": at[2], "step": "s2"},
            ]  # fmt: skip
            results = ingest_events(session, "igate", items, check_keys=KEYS)
            assert [r.result.value for r in results] == ["accepted"] * 3, results
    finally:
        engine.dispose()


@pytest.fixture
def staff(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str]]]:
    ingest_one_dossier(live_server.database_url)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "approver")
    page.fill("#password", live_server.passwords["approver"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("#counts")
    yield page, problems
    context.close()


def test_the_dossier_page_and_its_printed_slip(
    staff: tuple[Any, list[str]], live_server: LiveServer
) -> None:
    page, problems = staff
    page.goto(f"{live_server.url}/dossiers/?procedure={CODE}")
    page.click("tr[data-code='HT-0042'] a")
    page.wait_for_selector("#diagram svg")
    states = page.eval_on_selector_all(
        "#diagram g.sodo-step",
        "gs => Object.fromEntries(gs.map(g => [g.dataset.key, g.dataset.state]))",
    )
    # s1 is judged (how depends on the hour the test runs and s1's allotted time).
    assert states["s1"] in WORDS and states["s2"] == "current"
    fonts = page.evaluate(FONTS)
    assert fonts and min(fonts) >= SMALLEST_TEXT, min(fonts)
    # The note is text, not markup.
    assert (
        page.locator("tr[data-kind=step_completed] td.sodo-note").inner_text() == "<b>Đủ hồ sơ</b>"
    )

    page.click("#slip-link")
    page.wait_for_selector("#slip-table")
    page.emulate_media(media="print")
    assert page.eval_on_selector(".slip-tools", "e => getComputedStyle(e).display") == "none"
    assert page.locator("tr.slip-row").count() == 1
    assert page.locator("tr.slip-row td.verdict").inner_text().strip() == WORDS[states["s1"]]
    assert "PHIẾU KIỂM SOÁT" in page.locator("h1").inner_text()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert problems == []
