"""The app in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

from conftest import LiveServer
from support.browser import record_problems


def test_log_in_and_see_the_procedure_list(browser, live_server: LiveServer) -> None:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.goto(f"{live_server.url}/")
    # Anonymous visitors land on the public catalogue; staff log in from its footer.
    assert page.url == f"{live_server.url}/thu-tuc/"
    page.get_by_role("link", name="Cán bộ đăng nhập").click()
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
