"""The public procedure page in a real Chromium, without login, on a laptop and a phone.

For the largest demo flow: every text of the diagram is at least 12 CSS px as drawn, no
two steps and no two lanes overlap, a diagram wider than the screen scrolls inside its
frame (the page itself does not), and no page or console error (CSP included) happens.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS_DIR, LiveServer
from support.browser import SCREENS
from support.editor import SMALLEST_TEXT, overlap

pytestmark = pytest.mark.browser

# The largest demo flow (13 steps), in force in the demo.
LARGEST = max(
    sorted(FLOWS_DIR.glob("*.json")), key=lambda path: len(json.loads(path.read_bytes())["steps"])
)

MEASURE = """() => {
    const svg = document.querySelector('.portal-diagram svg');
    const frame = document.querySelector('.portal-diagram');
    const box = el => {
        const b = el.getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom];
    };
    return {
        fonts: [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize)
            * (t.getScreenCTM() ? t.getScreenCTM().a : 1)),
        steps: Object.fromEntries([...svg.querySelectorAll('g.sodo-step')].map(
            g => [g.dataset.key, box(g.querySelector('rect'))])),
        lanes: [...svg.querySelectorAll('g.sodo-lane rect')].map(box),
        frame: [frame.scrollWidth, frame.clientWidth],
        page: [document.documentElement.scrollWidth, window.innerWidth],
    };
}"""


@pytest.fixture
def visitor(screen_pages: Any) -> Any:
    return screen_pages


def procedure_code(path: Path) -> str:
    return str(json.loads(path.read_bytes())["procedure"]["code"])


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_largest_flow_is_readable_without_login(
    visitor: Any, live_server: LiveServer, screen: str, tmp_path: Path
) -> None:
    page, problems = visitor(screen)
    response = page.goto(f"{live_server.url}/thu-tuc/{procedure_code(LARGEST)}")
    assert response is not None and response.ok
    assert "/login" not in page.url
    shown = page.evaluate(MEASURE)
    assert shown["fonts"] and min(shown["fonts"]) >= SMALLEST_TEXT, min(shown["fonts"])
    steps = list(shown["steps"].values())
    assert len(steps) == len(json.loads(LARGEST.read_bytes())["steps"])
    assert not [(a, b) for i, a in enumerate(steps) for b in steps[i + 1 :] if overlap(a, b)]
    lanes = shown["lanes"]
    assert not [(a, b) for i, a in enumerate(lanes) for b in lanes[i + 1 :] if overlap(a, b)]
    # Wider than the screen: the frame scrolls, the page does not.
    frame_width, frame_visible = shown["frame"]
    page_width, window = shown["page"]
    assert frame_width > frame_visible
    assert page_width <= window
    page.screenshot(path=tmp_path / f"portal-{screen}.png", full_page=True)
    assert problems == []


def test_the_cases_are_tabs_the_keyboard_moves_between(
    visitor: Any, live_server: LiveServer
) -> None:
    page, problems = visitor("laptop")
    page.goto(f"{live_server.url}/thu-tuc/1.009646.H05")
    tabs = page.get_by_role("tab")
    assert tabs.count() == 2
    panels = page.locator(".portal-case")
    first, second = tabs.nth(0), tabs.nth(1)
    assert first.get_attribute("aria-selected") == "true"
    assert panels.nth(0).is_visible() and not panels.nth(1).is_visible()
    first.focus()
    page.keyboard.press("ArrowRight")
    assert second.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab"
    assert panels.nth(1).is_visible() and not panels.nth(0).is_visible()
    # The second case's own diagram is readable, and the address names the case.
    fonts = (
        panels.nth(1)
        .locator("svg text")
        .evaluate_all("ts => ts.map(t => parseFloat(getComputedStyle(t).fontSize))")
    )
    assert fonts and min(fonts) >= SMALLEST_TEXT
    assert page.url.endswith(f"#{panels.nth(1).get_attribute('id')}")
    page.keyboard.press("Home")
    assert first.get_attribute("aria-selected") == "true"
    # A link to a case opens on its tab.
    page.goto(f"{live_server.url}/thu-tuc/1.009646.H05#{panels.nth(1).get_attribute('id')}")
    page.reload()
    assert page.get_by_role("tab").nth(1).get_attribute("aria-selected") == "true"
    second.click()
    assert panels.nth(1).is_visible()
    assert problems == []


def test_another_site_may_embed_the_diagram(visitor: Any, live_server: LiveServer) -> None:
    page, problems = visitor("laptop")
    url = f"{live_server.url}/thu-tuc/{procedure_code(LARGEST)}/so-do.svg"
    html = (
        f'<iframe src="{url}" width="800" height="400" title="x"></iframe><img src="{url}" alt="x">'
    ).encode()

    class Embedder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    # A page of another origin (another port), framing the picture and showing it.
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Embedder)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        page.wait_for_function("document.querySelector('img').complete")
        assert page.evaluate("document.querySelector('img').naturalWidth") > 0
        assert page.frame_locator("iframe").locator("svg text").first.text_content()
    finally:
        other.shutdown()
    assert problems == []


def test_search_on_a_phone_keeps_the_page_within_the_screen(
    visitor: Any, live_server: LiveServer
) -> None:
    page, problems = visitor("phone")
    page.goto(f"{live_server.url}/thu-tuc/?q=dieu+chinh")
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window  # the filters fit; the results table scrolls inside itself
    # Names wrap between words, never inside one (no "Cấ|p").
    name = page.locator(".portal-results td:nth-child(2)").first.bounding_box()
    assert name is not None and name["width"] >= 11 * 16 - 1
    assert problems == []
