"""The app in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from conftest import LiveServer, missing_part


def record_problems(page, problems: list[str]) -> None:
    """Collect page errors and console errors (CSP violations among them) into `problems`."""
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console ({page.url}): {message.text}")
            if message.type == "error"
            else None
        ),
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        missing_part("SODO_REQUIRE_BROWSER", f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_part("SODO_REQUIRE_BROWSER", "the playwright package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def test_log_in_and_see_the_procedure_list(browser, live_server: LiveServer) -> None:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.fill("#username", "admin")
    page.fill("#password", live_server.passwords["admin"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("#counts")
    page.goto(f"{live_server.url}/procedure/")
    codes = page.locator("table.model-list td.col-code").all_inner_texts()
    assert "1.009645.H05" in [code.strip() for code in codes] and len(codes) == 11
    assert page.get_by_text("Thủ tục Chấm dứt việc chăm sóc thay thế cho trẻ em").is_visible()
    # Our stylesheet loaded under the Content-Security-Policy.
    background = page.evaluate(
        "getComputedStyle(document.querySelector('nav.navbar')).backgroundColor"
    )
    assert background == "rgb(139, 26, 26)"
    assert problems == []
    context.close()
