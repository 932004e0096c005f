"""A version's life in a real headless Chromium, under the Content-Security-Policy.

The administrator opens a new draft of a procedure without one, shortens a step, and
submits it; the approver finds it waiting, sees the changed duration highlighted, and
approves it through the confirm dialog; the old version is then superseded. Every page
error and console error is recorded for the whole session and must not happen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import LiveServer
from support.browser import Visit

from workflow_model.db import make_engine
from workflow_model.models import (
    FlowVersion,
    Procedure,
    ProcedureCase,
    Step,
    StepKind,
    VersionStatus,
)

pytestmark = pytest.mark.browser

CODE = "1.009644.H05"  # approved v1 in force, no open draft in the demo
SAVE = "form.admin-form input[type=submit].btn-primary"
DRAFT_OPEN_VI = "Bản nháp đã được mở."
SUBMITTED_VI = "Đã trình duyệt phiên bản."
APPROVED_VI = "Đã phê duyệt và khóa phiên bản."
SUPERSEDED_VI = "Đã được thay thế"
APPROVED_LABEL_VI = "Đã phê duyệt"
NEW_GREEN = "rgb(227, 249, 229)"  # td.sodo-new in static/sodo-admin.css


@pytest.fixture
def visit(browser: Any, live_server: LiveServer) -> Iterator[Visit]:
    """A Vietnamese browser context on the demo site, recording every error."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    session = Visit(page, live_server.url)
    session.watch()
    yield session
    context.close()


def versions_of(database_url: str) -> dict[int, tuple[int, VersionStatus, str | None]]:
    """The versions of CODE: number -> (id, status, SHA-256 of the snapshot)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    FlowVersion.number,
                    FlowVersion.id,
                    FlowVersion.status,
                    FlowVersion.snapshot_sha256,
                )
                .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
                .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
                .where(Procedure.code == CODE)
            )
            return {number: (vid, status, sha) for number, vid, status, sha in rows}
    finally:
        engine.dispose()


def longest_task(database_url: str, version_id: int) -> tuple[int, str, float]:
    """The longest task of a version: its id, key and duration."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(Step.id, Step.key, Step.duration_value)
                .where(Step.version_id == version_id, Step.kind == StepKind.TASK)
                .order_by(Step.duration_value.desc(), Step.position)
                .limit(1)
            ).one()
            return row.id, row.key, row.duration_value
    finally:
        engine.dispose()


def version_row(page: Any, number: int) -> Any:
    return page.locator(f"tr.version-row[data-number='{number}']")


def status_of(page: Any, number: int) -> tuple[str, str]:
    """The status of a version's row: its class and its label as shown."""
    badge = version_row(page, number).locator("span[class*='status-']")
    value = re.search(r"status-(\w+)", badge.get_attribute("class") or "")
    assert value, badge.get_attribute("class")
    return value.group(1), badge.inner_text().strip()


def in_force(page: Any, number: int) -> bool:
    return version_row(page, number).locator(".badge-success").count() == 1


def as_number(text: str) -> float:
    match = re.search(r"\d+(?:[.,]\d+)?", text)
    assert match, text
    return float(match.group(0).replace(",", "."))


def open_versions_page(visit: Visit) -> str:
    """From the procedure list to the procedure's versions page; return its path."""
    visit.go(f"/procedure/?search={CODE}")
    visit.click_and_wait(visit.page.locator("td.col-code a", has_text=CODE))
    path = visit.page.url.removeprefix(visit.url)
    assert re.fullmatch(r"/versions/procedure/\d+", path), path
    return path


def author_drafts_and_submits(
    visit: Visit, live_server: LiveServer
) -> tuple[str, str, float, float]:
    page = visit.page
    visit.log_in("admin", live_server.passwords["admin"])
    versions_path = open_versions_page(visit)
    assert sorted(versions_of(live_server.database_url)) == [1]
    assert status_of(page, 1)[0] == "approved" and in_force(page, 1)

    # New draft: the button below the table, outside any version's row.
    visit.click_and_wait("section.sodo-case > form button[type=submit]")
    assert DRAFT_OPEN_VI in visit.alert()
    assert status_of(page, 2)[0] == "draft"
    draft_id = versions_of(live_server.database_url)[2][0]

    # The draft's steps, and the edit form of its longest task.
    visit.click_and_wait(version_row(page, 2).locator("a", has_text=re.compile(r"^\s*v2\s*$")))
    assert "/step/" in page.url, page.url
    step_id, key, old = longest_task(live_server.database_url, draft_id)
    visit.click_and_wait(page.locator(f"a[href*='/step/edit/?id={step_id}&']").first)
    # The form of that step (a step keeps its key: the edit form does not offer it).
    assert f"id={step_id}&" in page.url, page.url
    assert page.locator("#duration_value").count() == 1 and page.locator("#key").count() == 0
    assert as_number(page.locator("#duration_value").input_value()) == old
    new = old - 0.5
    page.fill("#duration_value", f"{new:g}")
    visit.click_and_wait(SAVE)
    assert "/step/" in page.url and "/edit/" not in page.url, page.url
    assert visit.alert(), "no message after saving the step"

    # Back to the versions page, and submit.
    visit.go(versions_path)
    submit = version_row(page, 2).locator("form[action$='/submit'] button[type=submit]")
    visit.click_and_wait(submit)
    assert SUBMITTED_VI in visit.alert(), visit.alert("danger")
    assert status_of(page, 2)[0] == "submitted"
    assert versions_of(live_server.database_url)[2][1] is VersionStatus.SUBMITTED
    visit.log_out()
    return versions_path, key, old, new


def approver_reviews_and_approves(
    visit: Visit, live_server: LiveServer, key: str, old: float, new: float, shots: Path
) -> None:
    page = visit.page
    visit.log_in("approver", live_server.passwords["approver"])
    draft_id = versions_of(live_server.database_url)[2][0]
    link = page.locator(f"#reviews a[href='/versions/{draft_id}/review']")
    assert CODE in link.inner_text()
    visit.click_and_wait(link)

    row = page.locator("#diff tr.sodo-changed", has_text=f"({key})")
    assert row.count() == 1, page.locator("#diff").inner_text()
    before, after = row.locator("td.sodo-old"), row.locator("td.sodo-new")
    assert as_number(before.inner_text()) == old
    assert as_number(after.inner_text()) == new
    # Highlighted: the new value on green, the old one struck through.
    assert after.evaluate("cell => getComputedStyle(cell).backgroundColor") == NEW_GREEN
    assert "line-through" in before.evaluate("cell => getComputedStyle(cell).textDecorationLine")
    page.screenshot(path=shots / "review.png", full_page=True)

    page.fill("#comment", "Đồng ý rút ngắn 0,5 ngày.")
    visit.click_and_wait("#approve")
    assert len(visit.dialogs) == 1 and visit.dialogs[0], visit.dialogs
    assert APPROVED_VI in visit.alert(), visit.alert("danger")


def test_a_draft_from_author_to_approval(
    visit: Visit, live_server: LiveServer, tmp_path: Path
) -> None:
    versions_path, key, old, new = author_drafts_and_submits(visit, live_server)
    assert visit.dialogs == []
    approver_reviews_and_approves(visit, live_server, key, old, new, tmp_path)

    page = visit.page
    assert page.url == f"{visit.url}{versions_path}"
    assert status_of(page, 1) == ("superseded", SUPERSEDED_VI)
    assert status_of(page, 2) == ("approved", APPROVED_LABEL_VI)
    assert in_force(page, 2) and not in_force(page, 1)
    page.screenshot(path=tmp_path / "versions.png", full_page=True)
    versions = versions_of(live_server.database_url)
    assert versions[1][1] is VersionStatus.SUPERSEDED
    assert versions[2][1] is VersionStatus.APPROVED and versions[2][2]
    assert visit.problems == []
