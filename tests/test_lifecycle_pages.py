"""The versions and review pages, and the lifecycle actions behind them, over HTTP.

Through Flask's test client with CSRF protection on, on SQLite and PostgreSQL, from the
demo catalogue (the same known state as `test_admin_views`): who sees which button, each
action posted as the page serves its form, and every refusal shown as a message in
Vietnamese with nothing changed in the database.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from support.admin_site import NOT_DRAFT, Browser, Site, messages
from support.html import csrf_token, page_forms
from werkzeug.test import TestResponse

from workflow_model.accounts import create_user
from workflow_model.conversion import document_from_version
from workflow_model.document import load_document
from workflow_model.models import (
    AuditEvent,
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

# The demo: 1.009642.H05 has v1 in force and v2 submitted; 1.013871 has v1 in force and a
# v2 draft; Sơn La's 2.002760 stays a draft with an error; 1.009644.H05 has no open draft.
WAITING = "1.009642.H05"
DRAFTED = "1.013871"
SON_LA = "2.002760"
QUIET = "1.009644.H05"

STATUS_VI = {
    "draft": "Bản nháp",
    "submitted": "Đã trình duyệt",
    "approved": "Đã phê duyệt",
    "rejected": "Bị từ chối",
    "superseded": "Đã được thay thế",
    "retired": "Đã bãi bỏ",
}
SUBMITTED_VI = "Đã trình duyệt phiên bản."
APPROVED_VI = "Đã phê duyệt và khóa phiên bản."
REJECTED_VI = "Đã trả phiên bản về cho người soạn."
DRAFT_OPEN_VI = "Bản nháp đã được mở."
HAS_ERRORS_VI = "Phiên bản còn lỗi nên chưa trình duyệt được:"
OVER_TIME_VI = "vượt thời hạn"
FOUR_EYES_VI = "không được tự phê duyệt"
REASON_VI = "Từ chối cần ghi rõ lý do."
RETIRED_SOURCE_VI = "Không thể khôi phục một phiên bản đã bãi bỏ."
CONFLICT_VI = re.compile(r"Phiên bản này vừa được (\S+) sửa lúc (.+?); hãy tải lại trang\.")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BOTH_PASSWORD = "two roles, one person"
SECOND_ADMIN_PASSWORD = "another administrator"


# --- looking things up ---------------------------------------------------------------


def procedure_id(site: Site, code: str) -> int:
    with site.session() as s:
        found = s.scalar(sa.select(Procedure.id).where(Procedure.code == code))
        assert found is not None, code
        return found


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


def statuses(site: Site, code: str) -> dict[int, str]:
    """The status of each version of a procedure, by number."""
    with site.session() as s:
        rows = s.execute(
            sa.select(FlowVersion.number, FlowVersion.status)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code)
        )
        return {number: status.value for number, status in rows}


def journal_actions(site: Site, version_id: int) -> list[str]:
    with site.session() as s:
        return list(
            s.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_type == "flow_version")
                .where(AuditEvent.entity_id == str(version_id))
                .order_by(AuditEvent.id)
            )
        )


def add_user(site: Site, username: str, password: str, roles: list[Role]) -> None:
    with site.session() as s:
        create_user(s, username, password, roles, full_name=username)
        s.commit()
    site.passwords[username] = password


def log_in(site: Site, username: str) -> Browser:
    browser = site.browser()
    browser.login(username, site.passwords[username])
    return browser


# --- reading the pages -----------------------------------------------------------------


def versions_url(site: Site, code: str) -> str:
    return f"/versions/procedure/{procedure_id(site, code)}"


def version_rows(html: str) -> dict[int, str]:
    """The HTML of each row of the versions table, by version number."""
    rows = re.findall(r'<tr class="version-row" data-number="(\d+)">(.*?)</tr>', html, re.S)
    return {int(number): body for number, body in rows}


def status_label(row: str) -> tuple[str, str]:
    """The status of a row: its value (from the class) and its label as shown."""
    match = re.search(r'class="badge badge-secondary status-(\w+)">([^<]*)<', row)
    assert match, row
    return match.group(1), match.group(2).strip()


def in_force_badge(row: str) -> bool:
    return 'class="badge badge-success"' in row


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def history_rows(html: str) -> list[list[str]]:
    """The journal of the versions page, oldest first: when, user, action, record."""
    section = re.search(r'<section id="history">(.*?)</section>', html, re.S)
    assert section, "no journal"
    body = re.search(r"<tbody>(.*?)</tbody>", section.group(1), re.S)
    assert body
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[text_of(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def find_form(html: str, action: str, **fields: str) -> dict[str, Any]:
    """The one form of `html` posting to `action` whose hidden fields include `fields`."""
    found = []
    for form in page_forms(html):
        values = dict(form["fields"])
        if form["action"] == action and all(values.get(k) == v for k, v in fields.items()):
            found.append(form)
    if not fields:  # without a distinguishing field, prefer a form without "restore"
        plain = [f for f in found if "restore" not in dict(f["fields"])]
        found = plain or found
    assert len(found) == 1, (action, fields, len(found))
    return found[0]


def send(
    browser: Browser, form: dict[str, Any], changes: dict[str, str] | None = None
) -> TestResponse:
    """Submit a form as the page served it, with `changes`, and follow to the next page."""
    data = dict(form["fields"])
    data.update(changes or {})
    response = browser.client.post(form["action"], data=data, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response


def changed_rows(html: str) -> list[list[str]]:
    """The cells of each highlighted change of the review page, as text."""
    rows = re.findall(r'<tr class="sodo-changed">(.*?)</tr>', html, re.S)
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows
    ]


def number(text: str) -> float:
    """The first number of a text, read with a decimal point or a decimal comma."""
    match = re.search(r"\d+(?:[.,]\d+)?", text)
    assert match, text
    return float(match.group(0).replace(",", "."))


# --- the versions page ---------------------------------------------------------------


def test_the_versions_page_offers_each_role_its_actions(site: Site) -> None:
    waiting = version(site, WAITING, 2)
    draft = version(site, DRAFTED, 2)
    submit_action = f"/versions/{draft.id}/submit"
    review_button = f'class="btn btn-sm btn-success" href="/versions/{waiting.id}/review"'
    before = site.rows()
    for role in ("admin", "approver", "exporter"):
        browser = site.browser(role)
        html = browser.text(versions_url(site, DRAFTED))
        rows = version_rows(html)
        assert sorted(rows) == [1, 2], role
        assert status_label(rows[1]) == ("approved", STATUS_VI["approved"])
        assert status_label(rows[2]) == ("draft", STATUS_VI["draft"])
        assert in_force_badge(rows[1]) and not in_force_badge(rows[2])
        offers_submit = any(f["action"] == submit_action for f in page_forms(html))
        assert offers_submit == (role == "admin"), role
        assert f'action="{submit_action}"' in rows[2] or role != "admin"

        html = browser.text(versions_url(site, WAITING))
        rows = version_rows(html)
        assert status_label(rows[1]) == ("approved", STATUS_VI["approved"])
        assert status_label(rows[2]) == ("submitted", STATUS_VI["submitted"])
        assert (review_button in rows[2]) == (role == "approver"), role
        # A submitted version cannot be submitted again.
        assert f"/versions/{waiting.id}/submit" not in html

        html = browser.text(versions_url(site, SON_LA))
        assert status_label(version_rows(html)[1]) == ("draft", STATUS_VI["draft"])
    assert site.rows() == before


def test_an_unknown_procedure_or_version_is_not_found(site: Site) -> None:
    admin = site.browser("admin")
    assert admin.get("/versions/procedure/999999").status_code == 404
    assert admin.get("/versions/999999/review").status_code == 404
    assert admin.post("/versions/999999/submit", {}).status_code == 404
    assert admin.post(f"/versions/{version(site, DRAFTED, 2).id}/publish", {}).status_code == 404


# --- submit ----------------------------------------------------------------------------


def test_admin_submits_a_valid_draft(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    admin = site.browser("admin")
    html = admin.text(versions_url(site, DRAFTED))
    form = find_form(html, f"/versions/{draft.id}/submit")
    assert dict(form["fields"])["lock"] == str(draft.lock_counter)
    response = send(admin, form)
    assert SUBMITTED_VI in messages(response)
    assert status_label(version_rows(response.get_data(as_text=True))[2])[0] == "submitted"
    after = version(site, DRAFTED, 2)
    assert after.status is VersionStatus.SUBMITTED
    assert after.submitted_by_id is not None and after.submitted_at is not None
    assert after.validation is not None and after.validation["ok"] is True
    assert journal_actions(site, draft.id)[-1] == "submit"
    # The journal below names the action in words and the version by its number.
    _when, user, action, record = history_rows(response.get_data(as_text=True))[-1]
    assert (user, record.split()[-1]) == ("admin", "v2")
    assert action not in ("", "submit") and "flow_version" not in record
    # The approver now finds it on the home page, waiting for review.
    home = site.browser("approver").text("/")
    assert f'href="/versions/{draft.id}/review"' in home


def test_a_draft_with_errors_cannot_be_submitted(site: Site) -> None:
    draft = version(site, SON_LA, 1)
    admin = site.browser("admin")
    html = admin.text(versions_url(site, SON_LA))
    form = find_form(html, f"/versions/{draft.id}/submit")
    before = site.rows()
    response = send(admin, form)
    shown = messages(response)
    assert HAS_ERRORS_VI in shown
    assert OVER_TIME_VI in shown, shown
    assert "40" in shown and "30" in shown  # the critical path against the legal time
    assert site.rows() == before
    assert version(site, SON_LA, 1).status is VersionStatus.DRAFT


# --- review and approve ----------------------------------------------------------------


def steps_of(version_id: int) -> sa.Select[tuple[Step]]:
    return sa.select(Step).where(Step.version_id == version_id).order_by(Step.position)


def duration_change(site: Site) -> tuple[str, float, float]:
    """The step of 1.009642.H05 whose duration v2 changes: key, old and new duration."""
    old, new = version(site, WAITING, 1), version(site, WAITING, 2)
    with site.session() as s:
        before = {
            st.key: st.duration_value
            for st in s.scalars(sa.select(Step).filter_by(version_id=old.id))
        }
        after = {
            st.key: st.duration_value
            for st in s.scalars(sa.select(Step).filter_by(version_id=new.id))
        }
    (key,) = [k for k in after if after[k] != before.get(k)]
    return key, before[key], after[key]


def test_the_approver_approves_through_the_review_page(site: Site) -> None:
    v1, v2 = version(site, WAITING, 1), version(site, WAITING, 2)
    key, old, new = duration_change(site)
    approver = site.browser("approver")
    html = approver.text(f"/versions/{v2.id}/review")
    rows = {cells[1]: cells for cells in changed_rows(html) if f"({key})" in cells[0]}
    # The demo's draft changes that step's duration and its description.
    assert set(rows) == {"Thời gian", "Mô tả"}, rows
    row = rows["Thời gian"]
    assert number(row[2]) == old and number(row[3]) == new, row
    assert "ngày làm việc" in row[3], row
    assert re.search(r'<td class="sodo-old">[^<]*</td><td class="sodo-new">', html)
    assert 'id="decision"' in html
    form = find_form(html, f"/versions/{v2.id}/approve")
    assert dict(form["fields"])["lock"] == str(v2.lock_counter)

    response = send(approver, form, {"comment": "Đồng ý rút ngắn thời gian thẩm định."})
    assert APPROVED_VI in messages(response)
    rows = version_rows(response.get_data(as_text=True))
    assert status_label(rows[2]) == ("approved", STATUS_VI["approved"])
    assert status_label(rows[1]) == ("superseded", STATUS_VI["superseded"])
    assert in_force_badge(rows[2]) and not in_force_badge(rows[1])
    assert "Đồng ý rút ngắn thời gian thẩm định." in rows[2]

    approved = version(site, WAITING, 2)
    assert approved.status is VersionStatus.APPROVED
    assert approved.snapshot is not None
    assert approved.snapshot_sha256 == hashlib.sha256(approved.snapshot.encode()).hexdigest()
    assert approved.approval_comment == "Đồng ý rút ngắn thời gian thẩm định."
    assert approved.effective_from is not None
    frozen = {s.key: s.duration.value for s in load_document(approved.snapshot).steps}
    assert frozen[key] == new
    assert version(site, WAITING, 1).status is VersionStatus.SUPERSEDED
    assert journal_actions(site, v2.id)[-1] == "approve"
    assert journal_actions(site, v1.id)[-1] == "supersede"
    # Nothing is waiting any more; the review page shows no decision for a decided version.
    assert f"/versions/{v2.id}/review" not in approver.text("/")
    assert 'id="decision"' not in approver.text(f"/versions/{v2.id}/review")


def test_a_later_effective_date_keeps_the_version_in_force(site: Site) -> None:
    v2 = version(site, WAITING, 2)
    approver = site.browser("approver")
    form = find_form(approver.text(f"/versions/{v2.id}/review"), f"/versions/{v2.id}/approve")
    # The form's date is local time in Vietnam (UTC+7), whatever the server's zone.
    response = send(approver, form, {"effective_from": "2099-01-01T08:00"})
    assert APPROVED_VI in messages(response)
    approved = version(site, WAITING, 2)
    assert approved.status is VersionStatus.APPROVED
    assert approved.effective_from == datetime(2099, 1, 1, 1, 0, tzinfo=UTC)
    assert version(site, WAITING, 1).status is VersionStatus.APPROVED
    rows = version_rows(response.get_data(as_text=True))
    assert in_force_badge(rows[1]) and not in_force_badge(rows[2])


def test_four_eyes_a_user_cannot_approve_what_they_submitted(site: Site) -> None:
    add_user(site, "both", BOTH_PASSWORD, [Role.ADMIN, Role.APPROVER])
    draft = version(site, DRAFTED, 2)
    both = log_in(site, "both")
    send(both, find_form(both.text(versions_url(site, DRAFTED)), f"/versions/{draft.id}/submit"))
    assert version(site, DRAFTED, 2).status is VersionStatus.SUBMITTED
    html = both.text(f"/versions/{draft.id}/review")
    # The page says so before any click: no approve form, the reason under a disabled button.
    assert not [f for f in page_forms(html) if f["action"] == f"/versions/{draft.id}/approve"]
    assert FOUR_EYES_VI in text_of(html[html.index('id="four-eyes"') :])
    # The server check stays: the approval posted anyway is refused.
    submitted = version(site, DRAFTED, 2)
    form = {
        "action": f"/versions/{draft.id}/approve",
        "fields": [
            ("csrf_token", csrf_token(html)),
            ("lock", str(submitted.lock_counter)),
            ("sha256", submitted.submitted_sha256 or ""),
        ],
    }
    before = site.rows()
    response = send(both, form)
    assert FOUR_EYES_VI in messages(response), messages(response)
    assert site.rows() == before
    assert version(site, DRAFTED, 2).status is VersionStatus.SUBMITTED


def test_a_rejection_needs_a_reason_which_the_versions_page_shows(site: Site) -> None:
    v2 = version(site, WAITING, 2)
    approver = site.browser("approver")
    html = approver.text(f"/versions/{v2.id}/review")
    form = find_form(html, f"/versions/{v2.id}/reject")
    before = site.rows()
    response = send(approver, form, {"reason": "   "})
    assert REASON_VI in messages(response)
    assert site.rows() == before

    reason = "Thiếu căn cứ pháp lý cho việc rút ngắn thời gian."
    response = send(approver, form, {"reason": reason})
    assert REJECTED_VI in messages(response)
    rejected = version(site, WAITING, 2)
    assert rejected.status is VersionStatus.REJECTED
    assert rejected.rejection_reason == reason
    assert journal_actions(site, v2.id)[-1] == "reject"
    row = version_rows(site.browser("admin").text(versions_url(site, WAITING)))[2]
    assert status_label(row) == ("rejected", STATUS_VI["rejected"])
    assert reason in text_of(row)


# --- who may act, and stale pages ------------------------------------------------------


def test_actions_are_refused_to_roles_without_them(site: Site) -> None:
    draft, waiting = version(site, DRAFTED, 2), version(site, WAITING, 2)
    before = site.rows()
    exporter, admin = site.browser("exporter"), site.browser("admin")
    for action in ("submit", "new-draft"):
        response = exporter.post(f"/versions/{draft.id}/{action}", {"lock": draft.lock_counter})
        assert response.status_code == 403, action
    for action in ("approve", "reject", "retire"):
        data = {"lock": waiting.lock_counter, "reason": "x"}
        assert exporter.post(f"/versions/{waiting.id}/{action}", data).status_code == 403
        assert admin.post(f"/versions/{waiting.id}/{action}", data).status_code == 403
    approver = site.browser("approver")
    assert approver.post(f"/versions/{draft.id}/submit", {}).status_code == 403
    # The exporter sees no decision form on the review page.
    assert 'id="decision"' not in exporter.text(f"/versions/{waiting.id}/review")
    assert site.rows() == before


def test_an_anonymous_visitor_is_sent_to_login(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    visitor = site.browser()
    token = visitor.token("/login")
    before = site.rows()
    for url in (versions_url(site, DRAFTED), f"/versions/{draft.id}/review"):
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    response = visitor.client.post(
        f"/versions/{draft.id}/submit", data={"csrf_token": token, "lock": draft.lock_counter}
    )
    assert response.status_code == 302 and "/login" in response.location
    assert site.rows() == before


def test_a_post_without_csrf_token_is_refused(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    admin = site.browser("admin")
    before = site.rows()
    response = admin.client.post(f"/versions/{draft.id}/submit", data={"lock": draft.lock_counter})
    assert response.status_code == 400
    assert site.rows() == before


def test_a_stale_page_is_refused_naming_who_changed_the_version(site: Site) -> None:
    add_user(site, "bien", SECOND_ADMIN_PASSWORD, [Role.ADMIN])
    draft = version(site, DRAFTED, 2)
    admin = site.browser("admin")
    stale = find_form(admin.text(versions_url(site, DRAFTED)), f"/versions/{draft.id}/submit")
    # Meanwhile another administrator edits a step of the draft.
    with site.session() as s:
        step_id = s.scalar(sa.select(Step.id).filter_by(version_id=draft.id).order_by(Step.id))
    other = log_in(site, "bien")
    response = other.submit(f"/step/edit/?id={step_id}", {"name": "Tiếp nhận hồ sơ (sửa)"})
    assert response.status_code == 302, messages(response)
    assert version(site, DRAFTED, 2).lock_counter != draft.lock_counter
    before = site.rows()
    response = send(admin, stale)
    match = CONFLICT_VI.search(messages(response))
    assert match, messages(response)
    assert match.group(1) == "bien"
    # When, in the time of Vietnam as the pages show times, not a raw UTC timestamp.
    changed_at = version(site, DRAFTED, 2).updated_at
    assert changed_at is not None
    assert f"{changed_at.astimezone(VIETNAM):%H:%M}" in match.group(2), match.group(2)
    assert "+00:00" not in match.group(2)
    assert site.rows() == before
    assert version(site, DRAFTED, 2).status is VersionStatus.DRAFT
    # The page reloaded carries the new lock, and submitting from it works.
    fresh = find_form(response.get_data(as_text=True), f"/versions/{draft.id}/submit")
    assert SUBMITTED_VI in messages(send(admin, fresh))


def test_a_bad_lock_or_date_is_a_bad_request(site: Site) -> None:
    waiting = version(site, WAITING, 2)
    approver = site.browser("approver")
    before = site.rows()
    response = approver.post(f"/versions/{waiting.id}/approve", {"lock": "abc"})
    assert response.status_code == 400
    response = approver.post(
        f"/versions/{waiting.id}/approve",
        {"lock": waiting.lock_counter, "effective_from": "next tuesday"},
    )
    assert response.status_code == 400
    assert site.rows() == before


def test_the_page_to_come_back_to_stays_on_this_site(site: Site) -> None:
    draft = version(site, DRAFTED, 2)
    admin = site.browser("admin")
    response = admin.post(
        f"/versions/{draft.id}/submit",
        {"lock": draft.lock_counter, "next": "https://example.com/phish"},
    )
    assert response.status_code == 302
    assert response.location.startswith("/") and not response.location.startswith("//")
    assert "example.com" not in response.location


def test_a_forged_edit_of_an_approved_version_is_refused(site: Site) -> None:
    approved = version(site, WAITING, 1)
    with site.session() as s:
        step = s.scalar(sa.select(Step).filter_by(version_id=approved.id).order_by(Step.id))
        assert step is not None
    admin = site.browser("admin")
    before = site.rows()
    # The step list offers no edit for a frozen version; the form is posted anyway.
    response = admin.submit(
        f"/step/edit/?id={step.id}",
        {"duration_value": str(step.duration_value + 3), "name": "Bước đã sửa"},
    )
    assert NOT_DRAFT in messages(response)
    assert site.rows() == before
    assert version(site, WAITING, 1).snapshot_sha256 == approved.snapshot_sha256


# --- drift and restore -----------------------------------------------------------------


def test_drift_of_the_directory_and_a_new_draft_with_the_live_values(site: Site) -> None:
    in_force = version(site, QUIET, 1)
    with site.session() as s:
        officer = s.scalar(
            sa.select(Officer)
            .join(VersionOfficer, VersionOfficer.officer_id == Officer.id)
            .where(VersionOfficer.version_id == in_force.id)
            .order_by(VersionOfficer.position)
        )
        assert officer is not None
    old_phone, new_phone = officer.phone, "0912 345 678"
    assert old_phone != new_phone
    admin = site.browser("admin")
    assert 'id="drift"' not in admin.text(versions_url(site, QUIET))
    response = admin.submit(f"/officer/edit/?id={officer.id}", {"phone": new_phone})
    assert response.status_code == 302, messages(response)

    html = admin.text(versions_url(site, QUIET))
    drift = re.search(r'<div class="alert alert-warning" id="drift">(.*?)</div>', html, re.S)
    assert drift, "no drift box"
    lines = re.findall(r"<li>(.*?)</li>", drift.group(1), re.S)
    # The field is named in the reader's words, never by its key.
    (line,) = [li for li in lines if "Điện thoại" in li]
    assert not [li for li in lines if "phone" in li]
    assert officer.full_name in line and old_phone in line and new_phone in line
    # Only administrators are offered a new draft.
    assert f"/versions/{in_force.id}/new-draft" not in site.browser("approver").text(
        versions_url(site, QUIET)
    )

    form = find_form(drift.group(1), f"/versions/{in_force.id}/new-draft")
    response = send(admin, form)
    assert DRAFT_OPEN_VI in messages(response)
    assert statuses(site, QUIET) == {1: "approved", 2: "draft"}
    draft = version(site, QUIET, 2)
    with site.session() as s:
        live = document_from_version(s, s.get(FlowVersion, draft.id))
    phones = {o.name: o.phone for o in live.officers}
    assert phones[officer.full_name] == new_phone
    frozen = version(site, QUIET, 1)
    assert frozen.snapshot_sha256 == in_force.snapshot_sha256
    snapshot_phones = {o.name: o.phone for o in load_document(frozen.snapshot).officers}
    assert snapshot_phones[officer.full_name] == old_phone
    assert journal_actions(site, draft.id) == ["new-draft"]


def test_restore_a_superseded_version_but_not_a_retired_one(site: Site) -> None:
    v1, v2 = version(site, WAITING, 1), version(site, WAITING, 2)
    key, old, _new = duration_change(site)
    approver, admin = site.browser("approver"), site.browser("admin")
    # While v2 waits for review, no version can be restored: v2 is the open one.
    assert 'name="restore"' not in admin.text(versions_url(site, WAITING))
    send(
        approver,
        find_form(approver.text(f"/versions/{v2.id}/review"), f"/versions/{v2.id}/approve"),
    )
    assert statuses(site, WAITING) == {1: "superseded", 2: "approved"}

    # The approver retires v2: the procedure is left with no version in force.
    html = approver.text(versions_url(site, WAITING))
    response = send(approver, find_form(html, f"/versions/{v2.id}/retire"))
    assert statuses(site, WAITING) == {1: "superseded", 2: "retired"}
    rows = version_rows(response.get_data(as_text=True))
    assert status_label(rows[2]) == ("retired", STATUS_VI["retired"])
    assert not in_force_badge(rows[1]) and not in_force_badge(rows[2])

    html = admin.text(versions_url(site, WAITING))
    # No restore button for the retired version; a forged one is refused.
    assert f"/versions/{v2.id}/new-draft" not in version_rows(html)[2]
    before = site.rows()
    response = admin.post(
        f"/versions/{v2.id}/new-draft",
        {"lock": version(site, WAITING, 2).lock_counter, "restore": "1"},
        follow=True,
    )
    assert RETIRED_SOURCE_VI in messages(response)
    assert site.rows() == before

    form = find_form(version_rows(html)[1], f"/versions/{v1.id}/new-draft", restore="1")
    response = send(admin, form)
    assert DRAFT_OPEN_VI in messages(response)
    assert statuses(site, WAITING) == {1: "superseded", 2: "retired", 3: "draft"}
    restored = version(site, WAITING, 3)
    with site.session() as s:
        document = document_from_version(s, s.get(FlowVersion, restored.id))
    superseded = load_document(version(site, WAITING, 1).snapshot)
    assert {st.key: st.duration.value for st in document.steps}[key] == old
    assert [st.key for st in document.steps] == [st.key for st in superseded.steps]
    assert document.transitions == superseded.transitions
    with site.session() as s:
        event = s.scalar(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "flow_version")
            .where(AuditEvent.entity_id == str(restored.id))
        )
        assert event is not None and event.after["from_version"] == v1.id
    row = version_rows(response.get_data(as_text=True))[3]
    assert status_label(row) == ("draft", STATUS_VI["draft"])
    assert f'action="/versions/{restored.id}/submit"' in row
    assert 'name="restore"' not in response.get_data(as_text=True)
