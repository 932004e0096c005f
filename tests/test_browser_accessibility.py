"""The public pages are accessible: axe-core finds nothing serious, the keyboard reaches
everything with a visible focus, and a procedure prints one A4 landscape page per case.

axe-core (from npm, like bpmnlint: ``make node-tools``) runs in the real Chromium, with
the pages' own Content-Security-Policy, on the search page, search results with and
without a filter, a procedure with its diagrams in force and one without a published
process, in Vietnamese and in English, on SQLite and PostgreSQL: WCAG 2.1 A and AA and
axe's best practices, no serious or critical violation. One server per backend and one
browser serve the whole module.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import BACKENDS, DemoTemplate
from support.admin_site import KnownState, restore
from support.axe import axe_source, blocking, describe, run_axe
from support.browser import record_problems, wait_until
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

TWO_CASES = "1.009646.H05"  # two cases, each with a version in force
UNPUBLISHED = "2.002760"  # a draft only: the catalogue and no diagram
LARGEST = "1.009642.H05"  # 13 steps: its diagram is wider than a laptop's screen
PAGES = {
    "home": "/thu-tuc/",
    "results": "/thu-tuc/?" + urlencode({"q": "dieu chinh du an"}),
    "filtered": "/thu-tuc/?" + urlencode({"q": "", "level": "commune", "field": "Trẻ em"}),
    "two-cases": f"/thu-tuc/{TWO_CASES}",
    "wide-diagram": f"/thu-tuc/{LARGEST}",
    "unpublished": f"/thu-tuc/{UNPUBLISHED}",
}
LANGUAGES = ("vi", "en")
LAPTOP = {"width": 1366, "height": 768}


@dataclass
class Portal:
    """The demo served over real HTTP, one browser page per language on it, their errors."""

    url: str
    pages: dict[str, Any]
    problems: list[str]

    def open(self, language: str, path: str) -> Any:
        """The page of `language`, at `path` of the site; its problems from now on only."""
        self.problems.clear()
        page = self.pages[language]
        response = page.goto(f"{self.url}{path}")
        assert response is not None and response.ok, (path, response and response.status)
        assert page.evaluate("document.documentElement.lang") == language
        return page


@pytest.fixture(scope="module", params=BACKENDS)
def portal(
    request: pytest.FixtureRequest,
    browser: Any,
    sqlite_demo_template: DemoTemplate,
    instance_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Portal]:
    """The demo on SQLite, then on PostgreSQL, served once for the whole module."""
    from admin import create_app

    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("portal") / "demo.db"
        shutil.copyfile(sqlite_demo_template.path, path)
        url = f"sqlite:///{path}"
    else:
        known: KnownState = request.getfixturevalue("known_state")
        restore(request.getfixturevalue("pg_engine"), known)
        url = request.getfixturevalue("pg_url")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t", "SODO_INSTANCE": str(instance_dir)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    contexts, pages, problems = [], {}, []
    try:
        for language in LANGUAGES:
            context = browser.new_context(locale="vi-VN", viewport=LAPTOP)
            contexts.append(context)
            page = context.new_page()
            record_problems(page, problems)
            pages[language] = page
            if language != "vi":  # as a person does: the switch on the page
                page.goto(f"{base}/thu-tuc/")
                with page.expect_navigation():
                    page.get_by_role("button", name="English").click()
        yield Portal(base, pages, problems)
    finally:
        for context in contexts:
            context.close()
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["sodo.engine"].dispose()


# 1. axe-core -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's script: without it the axe tests skip (fail with SODO_REQUIRE_AXE=1)."""
    return axe_source()


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_nothing_serious(axe: str, portal: Portal, name: str, language: str) -> None:
    page = portal.open(language, PAGES[name])
    if name in ("results", "filtered"):
        assert page.locator(".portal-results tbody tr").count() >= 1, "no result to check"
    if name in ("two-cases", "wide-diagram"):
        assert page.locator(".portal-diagram svg").count() >= 1
    serious = blocking(run_axe(page, axe))
    assert not serious, f"{PAGES[name]} ({language}):\n{describe(serious)}"
    assert portal.problems == []


NAMES = """() => [...document.querySelectorAll('.portal-diagram svg')].map(svg => ({
    role: svg.getAttribute('role'),
    names: (svg.getAttribute('aria-labelledby') || '').split(' ').map(id => {
        const named = document.getElementById(id);
        return named && svg.contains(named) ? named.textContent : null;
    }),
    title: svg.querySelector('title').textContent,
    frame: svg.closest('.portal-diagram').getAttribute('aria-label'),
}))"""


def test_each_diagram_is_an_image_named_by_its_own_title(portal: Portal) -> None:
    page = portal.open("vi", PAGES["two-cases"])
    diagrams = page.evaluate(NAMES)
    assert len(diagrams) == 2
    for shown, case in zip(diagrams, ("2.1", "2.2"), strict=True):
        assert shown["role"] == "img"
        # Title and description, both inside this picture: not the first picture's.
        assert len(shown["names"]) == 2 and None not in shown["names"], shown
        assert shown["names"][0] == shown["title"]
        assert shown["frame"].startswith(f"Sơ đồ: Trường hợp {case}:"), shown["frame"]
    assert diagrams[0]["title"] != diagrams[1]["title"]
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# 2. The keyboard ---------------------------------------------------------------------------

FOCUS = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return {
        at: [...document.querySelectorAll('*')].indexOf(e),
        tag: e.tagName.toLowerCase(),
        id: e.id,
        role: e.getAttribute('role') || '',
        text: (e.innerText || '').trim().slice(0, 80),
        href: e.getAttribute('href') || '',
        label: e.getAttribute('aria-label') || '',
        ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none',
        seen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
            && box.left < innerWidth && box.top < innerHeight,
    };
}"""


def press(page: Any, key: str) -> dict[str, Any]:
    """Press `key`; the element that then has the focus, which must show it."""
    page.keyboard.press(key)
    focused: dict[str, Any] = page.evaluate(FOCUS)
    assert focused["tag"] != "body", f"{key}: the focus left the page"
    assert focused["ring"] and focused["seen"], f"{key}: the focus is not visible on {focused}"
    return focused


def tab_until(page: Any, wanted: Any, limit: int = 300) -> dict[str, Any]:
    """Tab (each stop showing its focus) until the focused element is `wanted`."""
    for _ in range(limit):
        focused = press(page, "Tab")
        if wanted(focused):
            return focused
    raise AssertionError(f"not reached with {limit} Tabs")


def tab_through(page: Any, limit: int = 400) -> list[dict[str, Any]]:
    """Every stop of Tab from the top of the page to its end, each showing its focus."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUS)
        if focused["tag"] == "body" or (stops and focused["at"] == stops[0]["at"]):
            return stops
        assert focused["ring"] and focused["seen"], f"the focus is not visible on {focused}"
        stops.append(focused)
    raise AssertionError(f"the page has more than {limit} stops")


def choose(page: Any, element_id: str, value: str) -> None:
    """Choose an option of the focused list with the arrow keys, as a keyboard user does."""
    for _ in range(30):
        if page.evaluate(f"document.getElementById('{element_id}').value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value!r} is not an option of #{element_id}")


def test_the_keyboard_alone_finds_a_procedure_and_its_contacts(
    portal: Portal, browser: Any
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=LAPTOP)
    try:
        page = context.new_page()
        problems: list[str] = []
        record_problems(page, problems)
        page.goto(f"{portal.url}/thu-tuc/")
        # The first stop skips the header, to the search field.
        skip = press(page, "Tab")
        assert (skip["href"], skip["text"]) == ("#content", "Chuyển đến nội dung chính")
        page.keyboard.press("Enter")
        # Following a fragment link is asynchronous: the address changes a moment later.
        page.wait_for_url(f"{portal.url}/thu-tuc/#content", timeout=5000)
        assert press(page, "Tab")["id"] == "q"
        page.keyboard.type("dieu chinh")
        assert press(page, "Tab")["id"] == "level"
        choose(page, "level", "province")
        assert press(page, "Tab")["id"] == "field"
        choose(page, "field", "Đầu tư tại Việt Nam")
        assert press(page, "Shift+Tab")["id"] == "level"
        assert press(page, "Tab")["id"] == "field"
        assert press(page, "Tab")["id"] == "agency"
        assert press(page, "Tab")["text"] == "Tìm kiếm"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('field').value") == "Đầu tư tại Việt Nam"
        assert "q=dieu+chinh" in page.url and "level=province" in page.url

        target = f"/thu-tuc/{TWO_CASES}"
        tab_until(page, lambda focused: focused["href"] == target)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{portal.url}{target}"

        stops = tab_through(page)
        assert [s["text"] for s in stops[:4]] == [
            "Chuyển đến nội dung chính",
            "Thủ tục hành chính",
            "Tra cứu hồ sơ",
            "English",
        ]
        # The cases are tabs: one stop for the tab list, then the chosen case only.
        tabs = [s for s in stops if s["role"] == "tab"]
        frames = [s for s in stops if s["label"].startswith("Sơ đồ: ")]
        downloads = [s for s in stops if "/so-do.svg" in s["href"]]
        assert len(tabs) == len(frames) == len(downloads) == 1, stops
        assert frames[0]["label"].startswith(f"Sơ đồ: {tabs[0]['text']}")
        assert any(s["href"].startswith("tel:") for s in stops)
        assert any(s["href"].startswith("mailto:") for s in stops)
        # Shift+Tab walks back the same way.
        page.goto(f"{portal.url}{target}")
        tab_until(page, lambda focused: focused["at"] == downloads[0]["at"])
        assert press(page, "Shift+Tab")["at"] == frames[0]["at"]
        # The focused diagram scrolls sideways with the arrow keys.
        before = page.evaluate("document.activeElement.scrollLeft")
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        # Chromium scrolls smoothly: the frame gets there in a moment.
        wait_until(page, f"document.activeElement.scrollLeft > {before}", timeout=5)

        # The arrow keys choose the other case; Tab then enters its diagram.
        page.goto(f"{portal.url}{target}")
        tab_until(page, lambda focused: focused["role"] == "tab")
        second = press(page, "ArrowRight")
        assert second["role"] == "tab" and second["text"] != tabs[0]["text"]
        assert press(page, "Tab")["label"].startswith(f"Sơ đồ: {second['text']}")

        # The language switch, from the top of the page.
        page.goto(f"{portal.url}{target}")
        tab_until(page, lambda focused: focused["text"] == "English")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.url == f"{portal.url}{target}"
        assert problems == []
    finally:
        context.close()


# 3. Print ----------------------------------------------------------------------------------

MM = 96 / 25.4  # CSS px per millimetre
PRINTABLE = {"width": int(277 * MM), "height": int(190 * MM)}  # A4 landscape, 10 mm margins
PRINTED = """() => ({
    cases: [...document.querySelectorAll('.portal-case')].map(section => {
        const svg = section.querySelector('.portal-diagram svg');
        const box = svg.getBoundingClientRect();
        return {
            display: getComputedStyle(section).display,
            diagram: [box.left, box.top, box.width, box.height],
        };
    }),
    hidden: ['.portal-skip', '.portal-top', '.portal-language', '.portal-download']
        .flatMap(selector => [...document.querySelectorAll(selector)])
        .filter(e => e.getClientRects().length > 0).map(e => e.className),
})"""


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF Chromium wrote: its page objects, checked by its count."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    # The root of the page tree counts them all; inner nodes count their own.
    counts = [int(count) for count in re.findall(rb"/Count (\d+)", data)]
    assert counts and max(counts) == pages, (counts, pages)
    return pages


def test_each_case_prints_on_its_own_a4_landscape_page(portal: Portal, browser: Any) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PRINTABLE)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}/thu-tuc/")
        page.emulate_media(media="print")
        assert page.locator(".portal-search").is_hidden()
        assert page.locator(".portal-top").is_hidden()

        page.emulate_media(media="screen")
        page.goto(f"{portal.url}/thu-tuc/{TWO_CASES}")
        # As the case tabs do on screen: only the first case's panel is shown.
        page.evaluate("document.querySelectorAll('.portal-case')[1].hidden = true")
        assert page.locator(".portal-case").nth(1).is_hidden()
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED)
        assert printed["hidden"] == []
        assert len(printed["cases"]) == 2
        for case in printed["cases"]:
            left, _top, width, height = case["diagram"]
            assert case["display"] == "block"
            assert left >= 0 and left + width <= PRINTABLE["width"], case
            assert 0 < height < PRINTABLE["height"], case
        pdf = page.pdf(format="A4", landscape=True)
        assert pdf_pages(pdf) == 2
        # Every demo procedure: the catalogue facts fit on the first case's page.
        page.goto(f"{portal.url}/thu-tuc/")
        links = page.eval_on_selector_all(".portal-results a", "all => all.map(a => a.href)")
        assert len(links) >= 10
        printed_pages = {}
        for link in links:
            page.goto(link)
            printed_pages[link] = (
                pdf_pages(page.pdf(format="A4", landscape=True)),
                page.locator(".portal-case").count(),
            )
        assert [link for link, (pages, cases) in printed_pages.items() if pages != cases] == []
    finally:
        context.close()
