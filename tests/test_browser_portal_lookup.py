"""The dossier lookup in a real Chromium, as a citizen uses it, on a laptop and a phone.

The form is filled by its labels and sent with the button; the answer shows the
coloured diagram with every text at least 12 CSS px as drawn, the legend of the states
visible, and nothing serious for axe-core, in Vietnamese and in English, with the
page's own Content-Security-Policy and no console error. On a phone the page stays
within the screen: the diagram scrolls inside its frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer
from support.axe import axe_source, blocking, describe, run_axe
from support.editor import SMALLEST_TEXT
from support.lookup import CHECK, CODE, SECRET_KEY, in_force_since_january, report

from workflow_model.db import make_engine, make_session_factory

pytestmark = pytest.mark.browser

LABELS = {
    "vi": ("Mã hồ sơ", "Mã tra cứu trên giấy tiếp nhận", "Tra cứu"),
    "en": ("Dossier code", "Lookup code on the receipt", "Look up"),
}

SHOWN = """() => {
    const svg = document.querySelector('.portal-diagram svg');
    const legend = [...document.querySelectorAll('.portal-legend li')];
    const size = el => parseFloat(getComputedStyle(el).fontSize);
    return {
        fonts: [...svg.querySelectorAll('text')].map(t => size(t)
            * (t.getScreenCTM() ? t.getScreenCTM().a : 1)),
        states: [...svg.querySelectorAll('g.sodo-step')].map(g => g.dataset.state),
        legend: legend.map(li => ({
            state: li.dataset.state,
            text: li.textContent.trim(),
            size: size(li),
            swatch: li.querySelector('svg').getBoundingClientRect().width,
            shown: li.getBoundingClientRect().height > 0,
        })),
        page: [document.documentElement.scrollWidth, window.innerWidth],
    };
}"""


@pytest.fixture
def live_config() -> dict[str, Any]:
    # The secret the tracking tests' check keys come from, so the receipt's value matches.
    return {"SECRET_KEY": SECRET_KEY}


@pytest.fixture
def dossier_server(live_server: LiveServer) -> LiveServer:
    """The demo served, with the Hà Tĩnh dossier of `support.lookup` reported into it."""
    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            in_force_since_january(session)
            report(session)
    finally:
        engine.dispose()
    return live_server


@pytest.fixture
def citizen(screen_pages: Any) -> Any:
    return screen_pages


def look_up(page: Any, url: str, language: str) -> None:
    """Open the lookup from the search page's link, and send the receipt's values."""
    page.goto(f"{url}/thu-tuc/")
    if language == "en":
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
    code, check, button = LABELS[language]
    with page.expect_navigation():
        page.locator(".portal-lookup-link a").click()
    assert page.url.endswith("/tra-cuu-ho-so")
    page.get_by_label(code).fill(CODE)
    page.get_by_label(check).fill(CHECK)
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    # The values were posted: the address stays the page's own.
    assert page.url.endswith("/tra-cuu-ho-so")


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_answer_is_readable_and_accessible(
    citizen: Any, dossier_server: LiveServer, axe: str, language: str, tmp_path: Path
) -> None:
    page, problems = citizen("laptop")
    look_up(page, dossier_server.url, language)
    shown = page.evaluate(SHOWN)
    assert shown["fonts"] and min(shown["fonts"]) >= SMALLEST_TEXT, min(shown["fonts"])
    assert "current" in shown["states"] or "overdue" in shown["states"]
    legend = shown["legend"]
    assert len(legend) == 7 and all(item["shown"] and item["text"] for item in legend)
    assert min(item["size"] for item in legend) >= SMALLEST_TEXT
    assert all(item["swatch"] > 0 for item in legend)
    assert set(shown["states"]) <= {item["state"] for item in legend}
    serious = blocking(run_axe(page, axe))
    assert not serious, describe(serious)
    page.screenshot(path=tmp_path / f"lookup-{language}.png", full_page=True)
    assert problems == []


def test_the_form_is_accessible_and_the_answer_fits_a_phone(
    citizen: Any, dossier_server: LiveServer, axe: str, tmp_path: Path
) -> None:
    page, problems = citizen("phone")
    page.goto(f"{dossier_server.url}/tra-cuu-ho-so")
    serious = blocking(run_axe(page, axe))
    assert not serious, describe(serious)
    look_up(page, dossier_server.url, "vi")
    shown = page.evaluate(SHOWN)
    width, window = shown["page"]
    assert width <= window
    assert page.locator(".portal-legend").is_visible()
    page.screenshot(path=tmp_path / "lookup-phone.png", full_page=True)
    assert problems == []
