"""The review page signs off what the approver reviewed, over HTTP.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL, from the
demo catalogue (`support.admin_site`): an approver who edited the draft is refused; the
review page shows the document as submitted, the drift of the directory and catalogue
since, and posts the hash of what it showed; every refusal shows in Vietnamese with
nothing changed in the database.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from support.admin_site import Browser, Site, messages
from support.html import csrf_token, page_forms
from werkzeug.test import TestResponse

from workflow_model.accounts import create_user
from workflow_model.document import load_document
from workflow_model.models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Role,
    Step,
    VersionOfficer,
    VersionStatus,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

# The demo: 1.009642.H05 has v1 in force and v2 submitted; 1.013871 has a v2 draft.
WAITING = "1.009642.H05"
DRAFTED = "1.013871"
SUBMITTED_VI = "Đã trình duyệt phiên bản."
APPROVED_VI = "Đã phê duyệt và khóa phiên bản."
EDITOR_VI = "Bạn đã sửa nội dung phiên bản này nên không được tự phê duyệt"
CHANGED_VI = "Phiên bản đã thay đổi kể từ khi được trình duyệt"
LEGAL_TIME_VI = "Thời hạn giải quyết: 17 ngày làm việc → 1 ngày làm việc"
NEW_NAME = "Nguyễn Thị Đổi Tên"


def version(site: Site, code: str, number: int) -> FlowVersion:
    """Version `number` of the procedure `code` (one case), read now (detached)."""
    with site.session() as s:
        found = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code, FlowVersion.number == number)
        )
        assert found is not None, (code, number)
        return found


def log_in_new_user(site: Site, username: str, roles: list[Role]) -> Browser:
    password = f"{username} has a long password"
    with site.session() as s:
        create_user(s, username, password, roles, full_name=username)
        s.commit()
    browser = site.browser()
    browser.login(username, password)
    return browser


def the_form(html: str, action: str) -> dict[str, Any]:
    (form,) = [f for f in page_forms(html) if f["action"] == action]
    return form


def send(browser: Browser, form: dict[str, Any]) -> TestResponse:
    """Submit a form as the page served it, and follow to the next page."""
    response = browser.client.post(form["action"], data=dict(form["fields"]), follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response


def test_an_approver_who_edited_the_draft_is_refused(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    both = log_in_new_user(site, "ca.hai", [Role.ADMIN, Role.APPROVER])
    with site.session() as s:
        step_id = s.scalar(sa.select(Step.id).filter_by(version_id=draft.id).order_by(Step.id))
    response = both.submit(f"/step/edit/?id={step_id}", {"name": "Tiếp nhận hồ sơ (sửa)"})
    assert response.status_code == 302, messages(response)
    # The author submits the draft the other user edited.
    admin = site.browser("admin")
    with site.session() as s:
        procedure_id = s.get(FlowVersion, draft.id).case.procedure_id
    html = admin.text(f"/versions/procedure/{procedure_id}")
    assert SUBMITTED_VI in messages(send(admin, the_form(html, f"/versions/{draft.id}/submit")))

    review = both.text(f"/versions/{draft.id}/review")
    # Said before the click: no approve form, the reason under a disabled button.
    assert not [f for f in page_forms(review) if f["action"] == f"/versions/{draft.id}/approve"]
    assert EDITOR_VI in text_of(review[review.index('id="four-eyes"') :])
    # The server check stays: the approval posted anyway is refused.
    submitted = version(site, DRAFTED, 2)
    forged = {
        "action": f"/versions/{draft.id}/approve",
        "fields": [
            ("csrf_token", csrf_token(review)),
            ("lock", str(submitted.lock_counter)),
            ("sha256", submitted.submitted_sha256 or ""),
        ],
    }
    before = site.rows()
    response = send(both, forged)
    assert EDITOR_VI in messages(response), messages(response)
    assert site.rows() == before
    assert version(site, DRAFTED, 2).status is VersionStatus.SUBMITTED
    # The plain approver, who touched nothing, approves it.
    approver = site.browser("approver")
    review = approver.text(f"/versions/{draft.id}/review")
    response = send(approver, the_form(review, f"/versions/{draft.id}/approve"))
    assert APPROVED_VI in messages(response)
    assert version(site, DRAFTED, 2).status is VersionStatus.APPROVED


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def drift_box(html: str) -> list[str]:
    """The lines of the review page's box of changes since submission (none: no box)."""
    box = re.search(
        r'<div class="alert alert-warning" id="submission-drift">(.*?)</div>', html, re.S
    )
    if box is None:
        return []
    return [text_of(line) for line in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)]


def test_a_change_after_the_review_opened_refuses_the_approval_and_shows_as_drift(
    site: Site,
) -> None:
    """Issue 12: reviewed at lock 2 and 17 days; 1 day and a renamed officer approved."""
    waiting = version(site, WAITING, 2)
    assert waiting.status is VersionStatus.SUBMITTED and waiting.submitted_sha256
    approver, admin = site.browser("approver"), site.browser("admin")
    review = approver.text(f"/versions/{waiting.id}/review")
    form = the_form(review, f"/versions/{waiting.id}/approve")
    fields = dict(form["fields"])
    assert fields["lock"] == "2"
    assert fields["sha256"] == waiting.submitted_sha256
    assert waiting.submitted_sha256 in review and drift_box(review) == []

    # Meanwhile: the case's legal time becomes 1 day (by whatever path allows it) and an
    # administrator renames an officer of the flow in the directory.
    with site.session() as s:
        s.get(FlowVersion, waiting.id).case.legal_time_value = 1
        s.commit()
        officer = s.scalars(
            sa.select(Officer)
            .join(VersionOfficer, VersionOfficer.officer_id == Officer.id)
            .where(VersionOfficer.version_id == waiting.id)
            .order_by(VersionOfficer.position)
        ).first()
        assert officer is not None
        officer_id, old_name = officer.id, officer.full_name
    response = admin.submit(f"/officer/edit/?id={officer_id}", {"full_name": NEW_NAME})
    assert response.status_code == 302, messages(response)
    assert version(site, WAITING, 2).lock_counter == 2

    before = site.rows()
    shown = messages(send(approver, form))
    assert CHANGED_VI in shown, shown
    assert LEGAL_TIME_VI in shown, shown
    assert f"{old_name} – Tên: {old_name} → {NEW_NAME}" in shown, shown
    assert site.rows() == before
    after = version(site, WAITING, 2)
    assert after.status is VersionStatus.SUBMITTED and after.snapshot is None
    assert version(site, WAITING, 1).status is VersionStatus.APPROVED

    # Opened again, the review shows the document as submitted, and the drift.
    review = approver.text(f"/versions/{waiting.id}/review")
    lines = drift_box(review)
    assert LEGAL_TIME_VI in lines, lines
    assert f"{old_name} – Tên: {old_name} → {NEW_NAME}" in lines, lines
    findings = re.search(r'<section class="mb-4" id="findings">(.*?)</section>', review, re.S)
    assert findings is not None and "time-budget-exceeded" not in findings.group(1)
    submitted = load_document(after.submitted_snapshot or "")
    assert submitted.procedure.legal_time.value == 17
    assert NEW_NAME not in text_of(review.split('id="submission-drift"')[0])
    # Its form still carries the submitted hash, and approving from it is still refused.
    fresh = the_form(review, f"/versions/{waiting.id}/approve")
    assert dict(fresh["fields"])["sha256"] == waiting.submitted_sha256
    assert CHANGED_VI in messages(send(approver, fresh))
    assert site.rows() == before


def test_a_forged_hash_is_refused(site: Site) -> None:
    waiting = version(site, WAITING, 2)
    approver = site.browser("approver")
    before = site.rows()
    response = approver.post(
        f"/versions/{waiting.id}/approve",
        {"lock": waiting.lock_counter, "sha256": "0" * 64},
        follow=True,
    )
    assert "Đây không phải phiên bản bạn đã xem xét" in messages(response), messages(response)
    assert site.rows() == before
