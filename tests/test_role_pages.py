"""Home pages by role, the report and review pages, four eyes before the click, the calendar.

Over HTTP with Flask's test client (CSRF on), on SQLite and PostgreSQL, from the demo
catalogue (`support.admin_site`'s known state): what each role finds on its home page,
the procedures counted once by their latest version, the report's single list of steps
with the late ones marked and its deadline explained, the links between review, report and
diagram, the approve button an author cannot press, and the calendar's holidays with the
form that adds an override, refusing bad input with nothing changed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import lxml.html
import pytest
import sqlalchemy as sa
from support.admin_site import Browser, Site, messages

from validators import validate
from workflow_model import lifecycle
from workflow_model.accounts import create_user
from workflow_model.models import (
    AuditEvent,
    DayOverride,
    Delivery,
    DeliveryStatus,
    DeliveryTarget,
    FlowVersion,
    Level,
    Procedure,
    ProcedureCase,
    Role,
    TargetKind,
    User,
    UserRole,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

# The demo: 1.009642.H05 has v1 in force and v2 submitted by admin; Sơn La's 2.002760
# stays a draft (40 working days against 30); 1.013871 has a v2 draft by admin.
WAITING = "1.009642.H05"
SON_LA = "2.002760"
DRAFTED = "1.013871"
BOTH_PASSWORD = "admin and approver at once"


def page(html: str) -> Any:
    return lxml.html.fromstring(html)


SIMPLE = re.compile(r"(\w*)((?:[#.][\w-]+|\[[\w-]+(?:='[^']*')?\])*)")


def css(element: Any, selector: str) -> list[Any]:
    """The elements under `element` matching a simple CSS selector (tags, ids, classes,
    attributes, descendants), translated to XPath: lxml's cssselect needs another package.
    """
    path = "."
    for part in selector.split():
        match = SIMPLE.fullmatch(part)
        assert match, part
        tag, rest = match.group(1) or "*", match.group(2)
        tests = []
        for item in re.findall(r"[#.][\w-]+|\[[^\]]+\]", rest):
            if item[0] == "#":
                tests.append(f"@id='{item[1:]}'")
            elif item[0] == ".":
                tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {item[1:]} ')")
            else:
                name, _, value = item[1:-1].partition("=")
                tests.append(f"@{name}={value}" if value else f"@{name}")
        path += f"//{tag}" + "".join(f"[{t}]" for t in tests)
    return element.xpath(path)


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


def version_of(site: Site, code: str, number: int) -> FlowVersion:
    with site.session() as s:
        found = s.scalar(
            sa.select(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code, FlowVersion.number == number)
        )
        assert found is not None, (code, number)
        return found


def reject(site: Site, code: str, number: int, reason: str) -> int:
    with site.session() as s:
        version = s.get(FlowVersion, version_of(site, code, number).id)
        approver = s.scalar(sa.select(User).where(User.username == "approver"))
        assert version is not None and approver is not None
        lifecycle.reject(s, version, approver, reason)
        return version.id


def log_in(site: Site, username: str, password: str) -> Browser:
    browser = site.browser()
    browser.login(username, password)
    return browser


# --- home pages by role ---------------------------------------------------------------


def test_the_administrators_home_lists_their_drafts_with_the_editor_and_rejections(
    site: Site,
) -> None:
    rejected_id = reject(site, WAITING, 2, "Thiếu bước thẩm định hồ sơ.")
    html = site.browser("admin").text("/")
    tree = page(html)
    drafts = {int(row.get("data-version")): row for row in css(tree, "tr.sodo-my-draft")}
    drafted = version_of(site, DRAFTED, 2).id
    assert drafted in drafts and rejected_id in drafts
    # Each draft opens in the editor from the home page.
    links = [a.get("href") for a in css(drafts[drafted], "a.sodo-open-editor")]
    assert links == [f"/editor/{drafted}"]
    # The version sent back, with the approver's reason.
    rejected = css(tree, "#rejected li.sodo-rejected")
    assert [int(li.get("data-version")) for li in rejected] == [rejected_id]
    assert "Thiếu bước thẩm định hồ sơ." in text(rejected[0])
    assert f"/editor/{rejected_id}" in lxml.html.tostring(rejected[0], encoding="unicode")
    # The sections of other roles are not shown to an administrator alone.
    assert not css(tree, "#reviews") and not css(tree, "#failed-deliveries")


def test_the_approvers_home_lists_versions_waiting_and_marks_those_they_may_not_approve(
    site: Site,
) -> None:
    waiting = version_of(site, WAITING, 2).id
    tree = page(site.browser("approver").text("/"))
    reviews = css(tree, "#reviews li.sodo-review")
    assert [int(li.get("data-version")) for li in reviews] == [waiting]
    assert f"/versions/{waiting}/review" in lxml.html.tostring(reviews[0], encoding="unicode")
    assert not css(reviews[0], ".sodo-waiting-other")
    assert not css(tree, "#my-drafts")
    # The author, given the approver role too, sees that another approver must act.
    with site.session() as s:
        admin = s.scalar(sa.select(User).where(User.username == "admin"))
        assert admin is not None
        admin.role_links.append(UserRole(role=Role.APPROVER))
        s.commit()
    tree = page(site.browser("admin").text("/"))
    mark = css(tree, f"#reviews li[data-version='{waiting}'] .sodo-waiting-other")
    assert [text(m) for m in mark] == ["chờ người khác phê duyệt"]


def test_the_exporters_home_lists_new_approvals_failed_deliveries_and_targets(site: Site) -> None:
    approved = version_of(site, WAITING, 1)
    with site.session() as s:
        target = DeliveryTarget(
            name="Một cửa tỉnh", kind=TargetKind.DIRECTORY, format="json", address="out"
        )
        idle = DeliveryTarget(
            name="Lưu trữ", kind=TargetKind.DIRECTORY, format="bpmn", address="x", enabled=False
        )
        s.add_all([target, idle])
        s.flush()
        s.add(
            Delivery(
                version_id=approved.id,
                target_id=target.id,
                format="json",
                idempotency_key="k1",
                status=DeliveryStatus.FAILED,
                attempts=8,
                last_error="Thư mục không ghi được",
            )
        )
        s.add(
            Delivery(
                version_id=approved.id,
                target_id=target.id,
                format="json",
                idempotency_key="k2",
                status=DeliveryStatus.PENDING,
            )
        )
        s.commit()
        target_id, idle_id = target.id, idle.id
    tree = page(site.browser("exporter").text("/"))
    newest = [int(li.get("data-version")) for li in css(tree, "#approved li.sodo-approved")]
    assert approved.id in newest and len(newest) == 11  # every demo flow but Sơn La's
    failed = css(tree, "#failed-deliveries tr.sodo-failed")
    assert len(failed) == 1
    assert f"{WAITING} v1" in text(failed[0]) and "Thư mục không ghi được" in text(failed[0])
    rows = {int(r.get("data-target")): r for r in css(tree, "#targets tr.sodo-target")}
    assert set(rows) == {target_id, idle_id}
    cells = [text(td) for td in css(rows[target_id], "td")]
    assert cells[1:5] == ["đang bật", "1", "1", "0"]
    assert text(css(rows[idle_id], "td")[1]) == "đang tắt"
    assert not css(tree, "#my-drafts") and not css(tree, "#reviews")


def counts(browser: Browser) -> dict[tuple[str, str], int]:
    tree = page(browser.text("/"))
    found = {}
    for row in css(tree, "#counts tr.sodo-count"):
        level, _status, count = (text(td) for td in css(row, "td"))
        found[(level, row.get("data-status"))] = int(count)
    return found


def test_procedures_are_counted_once_by_the_status_of_their_latest_version(site: Site) -> None:
    browser = site.browser("approver")
    with site.session() as s:
        total = s.scalar(sa.select(sa.func.count(Procedure.id)))
    before = counts(browser)
    assert sum(before.values()) == total
    # v1 approved and v2 rejected: the procedure counts once, as rejected.
    reject(site, WAITING, 2, "Thiếu căn cứ pháp lý.")
    after = counts(browser)
    assert sum(after.values()) == total
    assert after.get(("Cấp tỉnh", "rejected")) == 1
    assert after.get(("Cấp tỉnh", "submitted"), 0) == before[("Cấp tỉnh", "submitted")] - 1
    # A procedure without any version yet counts too, under its own label.
    with site.session() as s:
        level = s.scalar(sa.select(Level).where(Level.name == "Cấp tỉnh"))
        assert level is not None
        s.add(Procedure(code="9.999999", name="Thủ tục mới", level_id=level.id))
        s.commit()
    html = browser.text("/")
    row = css(page(html), "#counts tr.sodo-count[data-status='none']")
    assert [text(td) for td in css(row[0], "td")] == ["Cấp tỉnh", "Chưa có quy trình", "1"]


# --- the report and review pages --------------------------------------------------------


def test_the_report_without_a_version_leads_to_the_version_list(site: Site) -> None:
    response = site.browser("exporter").get("/report/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/flowversion/")


def test_the_report_lists_the_steps_once_marks_the_late_ones_and_explains_its_deadline(
    site: Site,
) -> None:
    son_la = version_of(site, SON_LA, 1).id
    html = site.browser("admin").text(f"/report/{son_la}")
    tree = page(html)
    # A finding says its Vietnamese text first; its rule code is muted, after it.
    finding = css(tree, "#findings li.list-group-item")[0]
    code = css(finding, ".sodo-rule-code")
    assert code and code[0].get("class").split().count("text-muted") == 1
    assert text(finding).startswith("Đường dài nhất"), text(finding)
    assert finding.get("title") == "Quy tắc: time-budget-exceeded"
    # The critical path's steps appear in one table only.
    rows = css(tree, "#path-steps tr.sodo-path-step")
    keys = [row.get("data-key") for row in rows]
    assert keys == [f"s{n}" for n in range(1, 9)]
    assert not css(tree, "#critical-path ol") and len(css(tree, "table#path-steps")) == 1
    # 40 working days against 30: the steps due after the deadline are marked.
    late = [row.get("data-key") for row in rows if "sodo-late" in row.get("class")]
    assert late and late == keys[-len(late) :] and "s1" not in late
    assert all("sau hạn trả kết quả" in text(row) for row in rows if row.get("data-key") in late)
    explained = text(css(tree, "#deadline-explained")[0])
    assert "30 ngày làm việc" in explained
    assert re.search(r"Bước cuối của đường găng có hạn .+, sau hạn đó 10 ngày", explained), (
        explained
    )
    # Review and diagram are one click away.
    assert css(tree, f"a.sodo-review-link[href='/versions/{son_la}/review']")
    assert css(tree, f"a.sodo-open-editor[href='/editor/{son_la}']")


def test_the_report_of_a_flow_within_its_time_explains_the_margin(site: Site) -> None:
    quiet = version_of(site, "1.009644.H05", 1).id
    tree = page(site.browser("admin").text(f"/report/{quiet}"))
    rows = css(tree, "#path-steps tr.sodo-path-step")
    assert rows and not [r for r in rows if "sodo-late" in r.get("class")]
    explained = text(css(tree, "#deadline-explained")[0])
    assert re.search(r"(trước hạn đó|đúng bằng hạn đó)", explained), explained


def test_the_review_page_links_to_the_report_and_the_diagram_and_mutes_rule_codes(
    site: Site,
) -> None:
    son_la = version_of(site, SON_LA, 1).id
    tree = page(site.browser("approver").text(f"/versions/{son_la}/review"))
    assert css(tree, f"a.sodo-report-link[href='/report/{son_la}']")
    assert css(tree, f"a.sodo-open-editor[href='/editor/{son_la}']")
    finding = css(tree, "#findings li")[0]
    assert text(finding).startswith("Đường dài nhất")
    assert "text-muted" in css(finding, ".sodo-rule-code")[0].get("class")


def test_the_author_who_approves_too_sees_a_disabled_button_and_the_server_still_refuses(
    site: Site,
) -> None:
    # "ca.hai" drafts, submits, and holds the approver role too.
    with site.session() as s:
        both = create_user(s, "ca.hai", BOTH_PASSWORD, [Role.ADMIN, Role.APPROVER])
        s.commit()
        version = s.get(FlowVersion, version_of(site, DRAFTED, 2).id)
        assert version is not None
        version.created_by_id = both.id
        s.commit()
        lifecycle.submit(s, version, both, validate=validate)
        version_id, sha = version.id, version.submitted_sha256
    browser = log_in(site, "ca.hai", BOTH_PASSWORD)
    tree = page(browser.text(f"/versions/{version_id}/review"))
    button = css(tree, "#approve")[0]
    assert button.get("disabled") is not None and button.get("type") == "button"
    assert text(button) == "Chờ người khác phê duyệt"
    assert "Một người phê duyệt khác phải phê duyệt" in text(css(tree, "#four-eyes")[0])
    assert not css(tree, f"form[action='/versions/{version_id}/approve']")
    # The versions page says the same instead of offering "Xem xét".
    with site.session() as s:
        procedure_id = s.scalar(sa.select(Procedure.id).where(Procedure.code == DRAFTED))
    versions = page(browser.text(f"/versions/procedure/{procedure_id}"))
    row = css(versions, "tr.version-row[data-number='2']")[0]
    assert [text(s) for s in css(row, ".sodo-waiting-other")] == ["chờ người khác phê duyệt"]
    # The server check stays: a forged post is refused, and nothing changes.
    before = site.rows()
    response = browser.post(
        f"/versions/{version_id}/approve", {"sha256": sha or "", "lock": ""}, follow=True
    )
    assert "không được tự phê duyệt" in messages(response) or "bốn mắt" in messages(response)
    assert site.rows() == before
    # Another approver is offered the real button.
    other = page(site.browser("approver").text(f"/versions/{version_id}/review"))
    assert css(other, f"form[action='/versions/{version_id}/approve'] button#approve")


# --- the calendar page ----------------------------------------------------------------


def calendar_days(html: str) -> dict[str, tuple[str, str]]:
    """The days the calendar page lists: ISO date -> (origin, name)."""
    return {
        row.get("data-day"): (row.get("data-origin"), text(css(row, "td")[1]))
        for row in css(page(html), "#calendar-days tr.sodo-calendar-day")
    }


def test_the_calendar_page_shows_the_years_holidays_with_the_overrides_marked(
    site: Site,
) -> None:
    html = site.browser("exporter").text("/calendar/?year=2026")
    days = calendar_days(html)
    assert days["2026-02-17"] == ("holiday", "Tết Nguyên Đán")
    assert days["2026-09-02"][0] == "holiday"
    assert days["2026-08-22"][0] == "swapped"  # a Saturday worked for Monday 31 August
    assert days["2026-05-04"] == ("override", "Nghỉ bù")  # the known state's override
    row = css(page(html), "tr[data-day='2026-05-04']")[0]
    assert "sodo-override" in row.get("class") and css(row, ".badge-warning")
    # Another year, and a year out of range falls back to this one.
    assert "2025-01-29" in calendar_days(site.browser("exporter").text("/calendar/?year=2025"))
    this_year = str(dt.date.today().year)
    assert all(
        day.startswith(this_year)
        for day in calendar_days(site.browser("exporter").text("/calendar/?year=99999"))
    )
    # Only an administrator is offered the form.
    assert not css(page(html), "#add-override")
    assert css(page(site.browser("admin").text("/calendar/")), "form#add-override")


def overrides(site: Site) -> list[tuple[dt.date, bool, str]]:
    with site.session() as s:
        return [
            (row.day, row.working, row.description)
            for row in s.scalars(sa.select(DayOverride).order_by(DayOverride.day))
        ]


def test_the_administrator_adds_an_override_on_the_calendar_page(site: Site) -> None:
    browser = site.browser("admin")
    response = browser.post(
        "/calendar/add/",
        {"day": "2026-12-31", "working": "0", "description": "Nghỉ tất niên"},
        follow=True,
    )
    assert "Đã thêm ngày điều chỉnh vào lịch." in messages(response)
    assert (dt.date(2026, 12, 31), False, "Nghỉ tất niên") in overrides(site)
    assert calendar_days(response.get_data(as_text=True))["2026-12-31"] == (
        "override",
        "Nghỉ tất niên",
    )
    with site.session() as s:
        events = s.scalars(
            sa.select(AuditEvent).where(AuditEvent.entity_type == "day_override")
        ).all()
    assert [e.action for e in events][-1:] == ["create"]
    # A Saturday worked in exchange.
    browser.post("/calendar/add/", {"day": "2026-12-26", "working": "1", "description": ""})
    assert (dt.date(2026, 12, 26), True, "") in overrides(site)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"day": "31/12/2026", "working": "0"}, "Hãy chọn một ngày hợp lệ"),
        ({"day": "", "working": "0"}, "Hãy chọn một ngày hợp lệ"),
        ({"day": "1066-10-14", "working": "0"}, "Hãy chọn một ngày hợp lệ"),
        ({"day": "2026-12-30", "working": "maybe"}, "ngày làm việc hay ngày nghỉ"),
        ({"day": "2026-12-30", "working": "0", "description": "x" * 301}, "Mô tả quá dài"),
        ({"day": "2026-05-04", "working": "0"}, "Ngày này đã có điều chỉnh"),
        ({"day": "2026-12-30", "working": "1"}, "Ngày này vốn đã là ngày làm việc."),
        ({"day": "2026-02-17", "working": "0"}, "Ngày này vốn đã là ngày nghỉ."),
    ],
)
def test_bad_calendar_input_is_refused_clearly_and_changes_nothing(
    site: Site, form: dict[str, str], message: str
) -> None:
    browser = site.browser("admin")
    before = site.rows()
    response = browser.post("/calendar/add/", form, follow=True)
    assert response.status_code == 200
    assert message in messages(response), messages(response)
    assert site.rows() == before


def test_only_an_administrator_adds_an_override_and_only_with_the_token(site: Site) -> None:
    before = site.rows()
    form = {"day": "2026-12-31", "working": "0"}
    assert site.browser("approver").post("/calendar/add/", form).status_code == 403
    assert site.browser("exporter").post("/calendar/add/", form).status_code == 403
    assert site.browser().client.post("/calendar/add/", data=form).status_code in (302, 400)
    no_token = site.browser("admin").client.post("/calendar/add/", data=form)
    assert no_token.status_code == 400
    assert site.rows() == before
