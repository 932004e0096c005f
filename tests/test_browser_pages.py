"""What each role sees on its pages, in a real headless Chromium at 1440×900.

The home page of each role, the report (rule codes muted after the Vietnamese text, the
late steps highlighted, review, report and diagram one click from each other), the
approve button an author cannot press, the calendar page with the year's holidays and
its form, and `/report/` without a version. Every page error and console error (a CSP
violation among them) is recorded and must not happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import record_problems

from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import (
    FlowVersion,
    Procedure,
    ProcedureCase,
    Role,
    User,
    UserRole,
    VersionStatus,
)

pytestmark = pytest.mark.browser

SON_LA = "2.002760"  # a draft: 40 working days against 30
WAITING = "1.009642.H05"  # v2 submitted by admin
MUTED_GREY = "rgb(108, 117, 125)"  # Bootstrap 4's .text-muted
LATE_RED = "rgb(245, 198, 203)"  # Bootstrap 4's .table-danger


@dataclass
class Visit:
    """One browser context on the demo site, and what went wrong in it."""

    page: Any
    url: str
    problems: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        response = self.page.goto(f"{self.url}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def click_and_wait(self, target: Any) -> None:
        assert target.count() == 1, target
        with self.page.expect_navigation():
            target.click()

    def log_in(self, username: str, password: str) -> None:
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.click_and_wait(self.page.locator("button[type=submit].primary"))
        self.page.wait_for_selector("#counts")

    def log_out(self) -> None:
        self.click_and_wait(self.page.locator("form[action='/logout'] button[type=submit]"))


@pytest.fixture
def visit(browser: Any, live_server: LiveServer) -> Iterator[Visit]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    session = Visit(page, live_server.url)
    record_problems(page, session.problems)
    # A confirm dialog would mean the author could still press "Phê duyệt".
    page.on("dialog", lambda dialog: session.problems.append(f"dialog: {dialog.message}"))
    yield session
    context.close()
    assert session.problems == []


def version_id(live_server: LiveServer, code: str, number: int) -> int:
    engine = make_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            found = connection.scalar(
                sa.select(FlowVersion.id)
                .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(Procedure.code == code, FlowVersion.number == number)
            )
            assert found is not None
            return found
    finally:
        engine.dispose()


def visible_texts(page: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


def test_each_role_finds_its_own_home_page(visit: Visit, live_server: LiveServer) -> None:
    page = visit.page
    visit.log_in("admin", live_server.passwords["admin"])
    assert page.locator("#my-drafts").is_visible() and page.locator("#rejected").is_visible()
    assert page.locator("#reviews").count() == 0 and page.locator("#targets").count() == 0
    son_la = version_id(live_server, SON_LA, 1)
    row = page.locator(f"tr.sodo-my-draft[data-version='{son_la}']")
    assert "Bản nháp" in row.inner_text()
    # From the home page straight into the editor of a draft.
    visit.click_and_wait(row.locator("a.sodo-open-editor"))
    assert page.url.endswith(f"/editor/{son_la}"), page.url
    page.wait_for_selector(".sodo-title")
    visit.go("/")
    counted = visible_texts(page, "#counts tr.sodo-count td:last-child")
    assert counted and "Mỗi thủ tục được đếm một lần" in page.locator("#counts").inner_text()
    visit.log_out()

    visit.log_in("approver", live_server.passwords["approver"])
    waiting = version_id(live_server, WAITING, 2)
    review = page.locator(f"#reviews li.sodo-review[data-version='{waiting}'] a")
    assert review.is_visible() and page.locator("#my-drafts").count() == 0
    visit.click_and_wait(review)
    assert page.url.endswith(f"/versions/{waiting}/review")
    assert page.locator("button#approve").is_enabled()
    visit.log_out()

    visit.log_in("exporter", live_server.passwords["exporter"])
    for section in ("#approved", "#failed-deliveries", "#targets"):
        assert page.locator(section).is_visible(), section
    assert len(visible_texts(page, "#approved li.sodo-approved")) == 11
    assert (
        "Không có lượt chuyển giao nào thất bại." in page.locator("#failed-deliveries").inner_text()
    )
    assert "Chưa cấu hình nơi nhận nào." in page.locator("#targets").inner_text()


def test_the_report_reads_in_vietnamese_and_links_review_and_diagram(
    visit: Visit, live_server: LiveServer
) -> None:
    page = visit.page
    visit.log_in("admin", live_server.passwords["admin"])
    son_la = version_id(live_server, SON_LA, 1)
    visit.go(f"/report/{son_la}")
    finding = page.locator("#findings li.list-group-item").first
    code = finding.locator(".sodo-rule-code")
    # The Vietnamese text comes first; the rule code is small and grey, after it.
    assert finding.inner_text().strip().startswith("Đường dài nhất")
    assert code.evaluate("e => getComputedStyle(e).color") == MUTED_GREY
    code_size = float(code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    text_size = float(finding.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert code_size < text_size
    assert finding.get_attribute("title") == "Quy tắc: time-budget-exceeded"
    # One list of steps; those due after the legal deadline stand out in red.
    assert page.locator("#critical-path ol").count() == 0
    rows = page.locator("#path-steps tr.sodo-path-step")
    assert rows.count() == 8
    late = page.locator("#path-steps tr.sodo-late")
    assert 0 < late.count() < 8
    background = late.first.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == LATE_RED
    assert "sau hạn trả kết quả" in late.first.inner_text()
    explained = page.locator("#deadline-explained").inner_text()
    assert "Bước cuối của đường găng có hạn" in explained and "sau hạn đó" in explained

    # Report -> review -> report -> diagram -> report.
    visit.click_and_wait(page.locator("a.sodo-review-link"))
    assert page.url.endswith(f"/versions/{son_la}/review")
    assert (
        page.locator("#findings .sodo-rule-code").first.evaluate("e => getComputedStyle(e).color")
        == MUTED_GREY
    )
    visit.click_and_wait(page.locator("a.sodo-report-link"))
    assert page.url.endswith(f"/report/{son_la}")
    visit.click_and_wait(page.locator(".sodo-page-links a.sodo-open-editor"))
    assert page.url.endswith(f"/editor/{son_la}")
    link = page.locator("a.sodo-report-link")
    link.wait_for()
    visit.click_and_wait(link)
    assert page.url.endswith(f"/report/{son_la}")
    visit.go(f"/editor/{son_la}")
    page.locator("a.sodo-review-link").wait_for()
    visit.click_and_wait(page.locator("a.sodo-review-link"))
    assert page.url.endswith(f"/versions/{son_la}/review")

    # No version chosen: the version list, not a 404.
    visit.go("/report/")
    assert page.url.endswith("/flowversion/"), page.url


def test_the_author_sees_waiting_for_another_approver_instead_of_approve(
    visit: Visit, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.database_url)
    with make_session_factory(engine)() as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        assert admin is not None
        admin.role_links.append(UserRole(role=Role.APPROVER))
        session.commit()
    engine.dispose()
    page = visit.page
    visit.log_in("admin", live_server.passwords["admin"])
    waiting = version_id(live_server, WAITING, 2)
    assert visible_texts(page, f"#reviews li[data-version='{waiting}'] .sodo-waiting-other") == [
        "chờ người khác phê duyệt"
    ]
    visit.go(f"/versions/{waiting}/review")
    button = page.locator("#approve")
    assert button.is_visible() and button.is_disabled()
    assert button.inner_text().strip() == "Chờ người khác phê duyệt"
    assert "Một người phê duyệt khác phải phê duyệt" in page.locator("#four-eyes").inner_text()
    button.click(force=True)  # a disabled button does nothing: no dialog, no request
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/versions/{waiting}/review")
    engine = make_engine(live_server.database_url)
    with engine.connect() as connection:
        status = connection.scalar(sa.select(FlowVersion.status).where(FlowVersion.id == waiting))
    engine.dispose()
    assert status is VersionStatus.SUBMITTED


def test_the_calendar_page_shows_the_year_and_adds_an_override(
    visit: Visit, live_server: LiveServer
) -> None:
    page = visit.page
    visit.log_in("admin", live_server.passwords["admin"])
    visit.go("/calendar/")
    page.fill("#year", "2026")
    visit.click_and_wait(page.locator("#calendar-year-form button[type=submit]"))
    tet = page.locator("#calendar-days tr[data-day='2026-02-17']")
    assert "Tết Nguyên Đán" in tet.inner_text() and "ngày lễ" in tet.inner_text()
    assert "làm bù" in page.locator("#calendar-days tr[data-day='2026-08-22']").inner_text()

    page.fill("#override-day", "2026-12-31")
    page.select_option("#override-working", "0")
    page.fill("#override-description", "Nghỉ tất niên")
    visit.click_and_wait(page.locator("#add-override button[type=submit]"))
    assert "Đã thêm ngày điều chỉnh vào lịch." in page.locator(".alert-success").inner_text()
    added = page.locator("#calendar-days tr.sodo-override[data-day='2026-12-31']")
    assert "Nghỉ tất niên" in added.inner_text()
    assert added.locator(".badge-warning").inner_text().strip() == "điều chỉnh của trung tâm"

    # The same day again: refused, said clearly, nothing added.
    page.fill("#override-day", "2026-12-31")
    visit.click_and_wait(page.locator("#add-override button[type=submit]"))
    assert "Ngày này đã có điều chỉnh" in page.locator(".alert-danger").inner_text()
    assert page.locator("#calendar-days tr[data-day='2026-12-31']").count() == 1
