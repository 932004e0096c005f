"""The supervision dashboard in a real Chromium, as a supervisor, under the CSP.

The five dossiers of `support.dossiers` on the demo site: the dashboard for March 2026
draws each figure with plotly.js (one ``svg.main-svg`` per figure, at least), every text
of the figures at least 12 CSS px; a headline figure's link lands on the dossier list
with the same count; the overdue workbook downloads and opens. No page or console error
(a CSP violation is one) may happen.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from conftest import LiveServer
from support.axe import axe_source, blocking, describe, run_axe
from support.browser import record_problems
from support.dossiers import five_dossiers
from support.editor import SMALLEST_TEXT

from workflow_model.db import make_engine, make_session_factory

pytestmark = pytest.mark.browser

MARCH = "/supervision/?period=custom&from=2026-03-01&to=2026-03-31"
FIGURES = ("fig-channels", "fig-verdicts", "fig-breakdown", "fig-trend")
FONTS = """() => [...document.querySelectorAll('.sodo-plot svg text')]
    .filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize)
               * (t.getScreenCTM() ? t.getScreenCTM().a : 1)])"""


@pytest.fixture
def supervisor(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str]]]:
    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            five_dossiers(session)
    finally:
        engine.dispose()
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "supervisor")
    page.fill("#password", live_server.passwords["supervisor"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("#counts")
    yield page, problems
    context.close()


def test_the_dashboard_draws_its_figures_and_drills_down(
    supervisor: tuple[Any, list[str]], live_server: LiveServer
) -> None:
    page, problems = supervisor
    page.click("#open-supervision")
    page.wait_for_selector("#headline-numbers")
    page.goto(f"{live_server.url}{MARCH}&by=unit")
    for figure in FIGURES:
        page.wait_for_selector(f"#{figure} svg.main-svg", state="attached")
        assert page.locator(f"#{figure} svg.main-svg").count() >= 1, figure
    # plotly drew the breakdown's bars: one per unit and verdict with a count.
    assert page.locator("#fig-breakdown .bars path").count() >= 1
    fonts = page.evaluate(FONTS)
    assert fonts, "no text drawn"
    small = [(text, size) for text, size in fonts if size < SMALLEST_TEXT]
    assert small == [], small
    # axe-core (WCAG 2.1 AA): nothing serious on the dashboard, figures drawn. Flask-Admin's
    # base template writes <html> without its lang, on every staff page: not this page's.
    serious = [v for v in blocking(run_axe(page, axe_source())) if v["id"] != "html-has-lang"]
    assert serious == [], describe(serious)

    late = page.locator("[data-figure='late'] a")
    count = int(late.inner_text())
    assert count == 1
    with page.expect_navigation():
        late.click()
    assert "/dossiers/" in page.url and "verdict=late" in page.url
    assert int(page.get_attribute("#dossier-count", "data-total")) == count
    assert page.locator("tr.sodo-dossier").count() == count
    assert page.locator("#active-filters .sodo-active-filter").count() == 3

    page.goto(f"{live_server.url}{MARCH}")
    with page.expect_download() as download:
        page.click("#overdue-xlsx")
    path = download.value.path()
    assert download.value.suggested_filename.startswith("ho-so-qua-han-")
    with open(path, "rb") as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read())).active
    assert sheet is not None
    codes = {row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert codes == {"H-002", "H-003"}
    assert problems == [], "\n".join(problems)
