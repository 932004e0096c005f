"""The admin pages in a real headless Chromium, under the Content-Security-Policy.

One session as an administrator would live it: log in, switch to English and back, search
an officer without diacritics, create an officer (a wrong phone first, refused in
Vietnamese), find the change in the journal, and delete the officer through the confirm
dialog. Every page error and console error (a Content-Security-Policy violation is one) is
recorded for the whole session and must not happen. Screenshots of the officer list and of
a version report go to the test's temporary folder, to be looked at by a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import record_problems

from workflow_model.db import make_engine
from workflow_model.models import AuditEvent, Officer

pytestmark = pytest.mark.browser

NEW_NAME = "Đặng Thị Thu Hà"
NEW_EMAIL = "ha.dtt@example.gov.vn"
PHONE_ERROR_VI = "Số điện thoại không phải số Việt Nam"
CONFIRM_VI = "Bạn có chắc bạn muốn xóa bản ghi này không?"
SAVE = "form.admin-form input[type=submit].btn-primary"


@dataclass
class AdminSession:
    """A logged-in page, with what went wrong in the browser and the dialogs it showed."""

    page: object
    url: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    accept_dialogs: bool = True

    def go(self, path: str) -> None:
        """Open a page of the site and check it answered without an HTTP error."""
        response = self.page.goto(f"{self.url}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def on_dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)
        if self.accept_dialogs:
            dialog.accept()
        else:
            dialog.dismiss()


@pytest.fixture
def admin(browser, live_server: LiveServer) -> Iterator[AdminSession]:
    """The demo administrator logged in, in Vietnamese, with every error recorded."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    session = AdminSession(page, live_server.url)
    record_problems(page, session.problems)
    page.on("dialog", session.on_dialog)
    session.go("/login")
    page.fill("#username", "admin")
    page.fill("#password", live_server.passwords["admin"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("#counts")
    yield session
    context.close()


def officers_named(database_url: str, name: str) -> list[Officer]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.select(Officer).where(Officer.full_name == name)))
    finally:
        engine.dispose()


def officer_row(page: object, name: str) -> object:
    """The row of the officer list whose full name is exactly `name`."""
    cell = page.locator("td.col-full_name", has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
    return page.locator("table.model-list tbody tr").filter(has=cell)


def switch_language_twice(admin: AdminSession) -> None:
    page = admin.page
    assert page.locator("#switch-language").inner_text().strip() == "English"
    page.click("#switch-language")
    page.wait_for_selector("#switch-language:has-text('Tiếng Việt')")
    heading = page.locator("h4").first.inner_text().strip()
    assert heading == "Home", heading
    assert page.get_by_text("Procedures by level and status").is_visible()
    assert page.get_by_role("link", name="Directory").is_visible()
    page.click("#switch-language")
    page.wait_for_selector("#switch-language:has-text('English')")
    assert page.locator("h4").first.inner_text().strip() == "Trang chủ"
    assert page.get_by_text("Số thủ tục theo cấp và trạng thái").is_visible()


def search_officers(admin: AdminSession, term: str) -> None:
    """Type `term` in the search box of the officer list and send it."""
    page = admin.page
    box = page.locator("form[role=search] input[name=search]")
    box.fill(term)
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.startswith(f"{admin.url}/officer/?")
    assert page.locator("form[role=search] input[name=search]").input_value() == term


def search_without_diacritics(admin: AdminSession) -> None:
    page = admin.page
    admin.go("/officer/")
    total = page.locator("table.model-list tbody tr").count()
    search_officers(admin, "nguyen van nam")
    assert officer_row(page, "Nguyễn Văn Nam").is_visible()
    found = page.locator("table.model-list tbody tr").count()
    assert 1 <= found < total, (found, total)


def pick_unit(page: object, typed: str) -> str:
    """Choose a unit in the select2 ajax picker by typing `typed`; return its name."""
    page.click("#s2id_unit .select2-choice")
    search = page.locator(".select2-drop-active input.select2-input")
    search.press_sequentially(typed, delay=30)
    choice = page.locator(".select2-drop-active .select2-results li.select2-result-selectable")
    choice.first.wait_for()
    name = choice.first.inner_text().strip()
    assert "trung tâm" in name.lower(), name
    choice.first.click()
    assert page.locator("#s2id_unit .select2-chosen").inner_text().strip() == name
    assert page.locator("input#unit").input_value() != ""
    return name


def create_officer(admin: AdminSession, database_url: str) -> int:
    page = admin.page
    admin.go("/officer/new/")
    page.fill("#full_name", NEW_NAME)
    page.fill("#title", "Chuyên viên")
    unit = pick_unit(page, "trung tam")
    page.fill("#phone", "12345")
    page.fill("#email", NEW_EMAIL)
    with page.expect_navigation():
        page.click(SAVE)
    error = page.locator(".form-group:has(#phone) .invalid-feedback", has_text=PHONE_ERROR_VI)
    error.first.wait_for()
    assert error.first.is_visible()
    assert "is-invalid" in (page.locator("#phone").get_attribute("class") or "")
    assert officers_named(database_url, NEW_NAME) == []
    # The form kept what was typed, the unit included.
    assert page.locator("#full_name").input_value() == NEW_NAME
    assert page.locator("#s2id_unit .select2-chosen").inner_text().strip() == unit
    page.fill("#phone", "0912 345 678")
    with page.expect_navigation():
        page.click(SAVE)
    assert re.search(r"/officer/(\?.*)?$", page.url), page.url
    assert page.locator(".alert-success").first.is_visible()
    # The list sorts "Đ" after "Z", beyond the first page of 50: search for the new name.
    search_officers(admin, "dang thi thu ha")
    row = officer_row(page, NEW_NAME)
    assert row.is_visible()
    assert row.locator("td.col-unit").inner_text().strip() == unit
    assert row.locator("td.col-email").inner_text().strip() == NEW_EMAIL
    (created,) = officers_named(database_url, NEW_NAME)
    assert created.phone == "0912 345 678"
    return created.id


def see_the_journal_entry(admin: AdminSession, officer_id: int) -> None:
    page = admin.page
    admin.go("/audit/")
    rows = page.locator("table.model-list tbody tr").filter(
        has=page.locator("td.col-entity_type", has_text=re.compile(r"^\s*cán bộ\s*$"))
    )
    # Newest first: the officer just created is at the top, above the demo's own entries.
    first = rows.first
    # The journal names actions and record types in the user's language.
    assert first.locator("td.col-action").inner_text().strip() == "tạo mới"
    assert first.locator("td.col-entity_id").inner_text().strip() == str(officer_id)
    assert first.locator("td.col-user\\.username").inner_text().strip() == "admin"
    first.locator("a[href*='/audit/details/']").click()
    page.wait_for_url(re.compile(r"/audit/details/"))
    after = page.locator("table tr", has=page.locator("td", has_text=re.compile(r"^\s*Sau\s*$")))
    assert NEW_NAME in after.inner_text()
    assert NEW_EMAIL in after.inner_text()


def delete_through_the_dialog(admin: AdminSession, database_url: str, officer_id: int) -> None:
    page = admin.page
    admin.go("/officer/?search=thu+ha")
    row = officer_row(page, NEW_NAME)
    assert row.count() == 1
    admin.accept_dialogs = False
    page.evaluate("window.sodoSamePage = true")
    row.locator("button[data-sodo-confirm]").click()
    assert admin.dialogs == [CONFIRM_VI]
    page.wait_for_timeout(500)  # a form sent anyway would have replaced the page by now
    assert page.evaluate("window.sodoSamePage === true")
    assert officer_row(page, NEW_NAME).count() == 1
    assert len(officers_named(database_url, NEW_NAME)) == 1
    admin.accept_dialogs = True
    with page.expect_navigation():
        row.locator("button[data-sodo-confirm]").click()
    assert admin.dialogs == [CONFIRM_VI, CONFIRM_VI]
    assert page.locator(".alert-success").first.is_visible()
    # Back on the same search (Flask-Admin adds the page size).
    assert page.url.startswith(f"{admin.url}/officer/?search=thu+ha")
    assert officer_row(page, NEW_NAME).count() == 0
    assert officers_named(database_url, NEW_NAME) == []
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            actions = connection.execute(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_type == "officer")
                .where(AuditEvent.entity_id == str(officer_id))
            ).scalars()
            assert sorted(actions) == ["create", "delete"]
    finally:
        engine.dispose()


def test_an_administrator_session(admin: AdminSession, live_server: LiveServer) -> None:
    switch_language_twice(admin)
    search_without_diacritics(admin)
    officer_id = create_officer(admin, live_server.database_url)
    see_the_journal_entry(admin, officer_id)
    delete_through_the_dialog(admin, live_server.database_url, officer_id)
    assert admin.problems == []


def test_screenshots_of_the_officer_list_and_a_report(admin: AdminSession, tmp_path: Path) -> None:
    page = admin.page
    admin.go("/officer/")
    page.screenshot(path=tmp_path / "officers.png", full_page=True)
    # static/sodo-admin.css: menu entries readable on the red bar, phones on one line.
    menu_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.navbar-nav .nav-link')).color"
    )
    assert menu_colour == "rgba(255, 255, 255, 0.85)"
    phone = page.locator("table.model-list td.col-phone").first
    assert phone.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"
    admin.go("/flowversion/")
    # A version with errors when the demo has one: its report shows every section.
    links = page.locator("td.col-validity a[href*='/report/']")
    with_errors = links.and_(page.locator("a.text-danger"))
    href = (with_errors if with_errors.count() else links).first.get_attribute("href")
    assert href is not None
    admin.go(href)
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    # Nothing runs off the right edge of the window.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    for name in ("officers.png", "report.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    print(f"screenshots in {tmp_path}")
    assert admin.problems == []
