"""The admin's menus and list editors in a real headless Chromium, under the CSP.

Every page error and console error (a Content-Security-Policy violation is one) is
recorded and must not happen: opening each menu dropdown once logged one per click.
The procedure form's legal basis and fee lists get rows added, filled, one removed and
one refused in Vietnamese, and the detail page lists what was saved.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import Visit

from workflow_model.db import make_engine
from workflow_model.models import Procedure

pytestmark = pytest.mark.browser

SAVE = "form.admin-form input[type=submit].btn-primary"


@pytest.fixture
def admin(browser, live_server: LiveServer) -> Iterator[Visit]:
    """The demo administrator logged in, in Vietnamese, at 1440×900."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    session = Visit(page, live_server.url)
    session.watch()
    session.log_in("admin", live_server.passwords["admin"])
    yield session
    context.close()


def test_menu_dropdowns_open_without_a_csp_violation(admin: Visit) -> None:
    page = admin.page
    toggles = page.locator(".navbar .dropdown-toggle")
    assert toggles.count() >= 3
    for index in range(toggles.count()):
        toggle = toggles.nth(index)
        toggle.click()
        menu = toggle.locator("xpath=following-sibling::*[contains(@class,'dropdown-menu')]")
        menu.wait_for(state="visible")
        assert page.url.rstrip("/") == admin.url, "a toggle must not navigate"
        toggle.click()  # and closed again
    # The list's own dropdowns (page size) too.
    admin.go("/procedure/")
    page.locator("a.dropdown-toggle", has_text="dòng").first.click()
    page.locator(".dropdown-menu a.dropdown-item", has_text="20").first.wait_for(state="visible")
    assert admin.problems == []


def _procedure_id(live_server: LiveServer, code: str) -> int:
    engine = make_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.select(Procedure.id).where(Procedure.code == code)
            ).scalar_one()
    finally:
        engine.dispose()


def _stored(live_server: LiveServer, procedure_id: int) -> tuple[list, list]:
    engine = make_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(Procedure.legal_basis, Procedure.fees).where(Procedure.id == procedure_id)
            ).one()
            return list(row[0]), list(row[1])
    finally:
        engine.dispose()


def test_legal_basis_and_fees_are_edited_as_rows(admin: Visit, live_server: LiveServer) -> None:
    page = admin.page
    procedure_id = _procedure_id(live_server, "1.009645.H05")
    admin.go(f"/procedure/edit/?id={procedure_id}")
    assert page.locator("textarea#legal_basis, input#legal_basis").count() == 0, "no JSON box"

    page.click("[data-sodo-inline-add='legal_basis']")
    page.click("[data-sodo-inline-add='legal_basis']")
    rows = page.locator("#legal_basis .inline-field-list > .inline-field")
    assert rows.count() == 2
    first, second = rows.nth(0), rows.nth(1)
    first.locator("input[name$='-number']").fill("Nghị định 118/2025/NĐ-CP")
    first.locator("input[name$='-date']").fill("09/6/2025")
    first.locator("input[name$='-title']").fill("về thực hiện thủ tục hành chính")
    second.locator("input[name$='-number']").fill("Dòng sẽ bị xóa 1/2025/X")
    second.locator(".inline-remove-field").click()
    assert rows.count() == 1

    page.click("[data-sodo-inline-add='fees']")
    fee = page.locator("#fees .inline-field-list > .inline-field").nth(0)
    fee.locator("input[name$='-name']").fill("Lệ phí")
    fee.locator("input[name$='-amount']").fill("1.500.000")
    assert fee.locator("input[name$='-currency']").input_value() == "VND"
    fee.locator("input[name$='-note']").fill("mỗi dự án")

    # A wrong date is refused in Vietnamese, and nothing is stored.
    first.locator("input[name$='-date']").fill("31/02/2025")
    page.click(SAVE)
    page.get_by_text("Ngày ban hành ghi theo dạng ngày/tháng/năm").wait_for()
    assert _stored(live_server, procedure_id) == ([], [])

    page.locator("#legal_basis input[name$='-date']").first.fill("09/6/2025")
    page.click(SAVE)
    page.wait_for_url(lambda url: "/procedure/edit/" not in url)
    assert _stored(live_server, procedure_id) == (
        ["Nghị định 118/2025/NĐ-CP ngày 09/6/2025 về thực hiện thủ tục hành chính"],
        [{"name": "Lệ phí", "amount": 1500000, "currency": "VND", "note": "mỗi dự án"}],
    )
    assert any("xóa" in message for message in admin.dialogs)

    admin.go(f"/procedure/details/?id={procedure_id}")
    lists = page.locator("ul.sodo-list li").all_inner_texts()
    assert "Nghị định 118/2025/NĐ-CP ngày 09/6/2025 về thực hiện thủ tục hành chính" in lists
    assert "Lệ phí: 1.500.000 VND (mỗi dự án)" in lists
    assert '"amount"' not in page.content()
    assert admin.problems == []
