"""The staff's dossier pages over HTTP on SQLite and PostgreSQL (`support.admin_site`).

The list and its GET filters, its pages, who may read (every staff role; anonymous
visitors go to the login form), a dossier's page (its diagram coloured by the states of
`step_states`, its whole event log), the control slip as a page and as a workbook, and
every name and note from outside escaped; the receipt's check hash never shown.
"""

from __future__ import annotations

import io
from typing import Any

import lxml.html
import openpyxl
import pytest
import sqlalchemy as sa
from support.admin_site import ROLES, Site
from support.dossiers import SCRIPT, events, five_dossiers

from workflow_model.accounts import create_user
from workflow_model.lifecycle import version_document
from workflow_model.models import Dossier, DossierEvent, FlowVersion
from workflow_model.tracking import step_states, tracked_dossier

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]


@pytest.fixture
def tracked_site(site: Site) -> Site:
    with site.session() as session:
        five_dossiers(session)
    return site


def dossier_id(site: Site, code: str) -> int:
    with site.session() as session:
        return session.execute(sa.select(Dossier.id).where(Dossier.code == code)).scalar_one()


def page(html: str) -> Any:
    return lxml.html.fromstring(html)


def listed(site: Site, query: str = "") -> list[str]:
    html = page(site.browser("approver").text(f"/dossiers/?{query}"))
    return [row.get("data-code") for row in html.xpath("//tr[@class='sodo-dossier']")]


def test_anonymous_visitors_are_sent_to_the_login_form(tracked_site: Site) -> None:
    anonymous = tracked_site.browser()
    number = dossier_id(tracked_site, "H-001")
    for url in ("/dossiers/", f"/dossiers/{number}", f"/dossiers/{number}/phieu-kiem-soat",
                f"/dossiers/{number}/phieu-kiem-soat.xlsx"):  # fmt: skip
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")


def test_every_staff_role_reads_dossiers_and_an_account_without_one_does_not(
    tracked_site: Site,
) -> None:
    for role in ROLES:
        assert tracked_site.browser(role).get("/dossiers/").status_code == 200, role
    with tracked_site.session() as session:
        create_user(session, "khach", "a long enough password", [])
        session.commit()
    browser = tracked_site.browser()
    browser.login("khach", "a long enough password")
    assert browser.get("/dossiers/").status_code == 403
    menu = page(tracked_site.browser("exporter").text("/"))
    assert any(a.get("href") == "/dossiers/" for a in menu.xpath("//nav//a"))


def test_the_list_filters_by_get_form(tracked_site: Site) -> None:
    assert listed(tracked_site) == ["H-003", "H-004", "H-002", "H-005", "H-001"]
    assert listed(tracked_site, "procedure=2.000001&case=a") == ["H-004"]
    assert listed(tracked_site, "unit=svh-qlvh") == ["H-002", "H-001"]
    assert listed(tracked_site, "unit=svh-qlvh&unit_now=1") == ["H-002"]
    assert listed(tracked_site, "status=returned") == ["H-001"]
    # Seen now, months later: H-003, never handled, is past its due date too.
    assert listed(tracked_site, "late=1") == ["H-003", "H-002", "H-005"]
    assert listed(tracked_site, "received_from=2026-03-09&received_to=2026-03-17") == [
        "H-004", "H-002"
    ]  # fmt: skip
    # Nonsense is left out, not an error.
    assert len(listed(tracked_site, "status=nope&received_from=x&page=99999999999999")) == 5
    assert listed(tracked_site, "page=2") == []
    html = page(tracked_site.browser("admin").text("/dossiers/?late=1"))
    form = html.get_element_by_id("dossier-filters")
    assert form.get("method") == "get"
    assert form.xpath(".//input[@name='late']")[0].get("checked") is not None
    assert "3 hồ sơ" in html.get_element_by_id("dossier-count").text_content()


def test_the_list_says_each_verdict_in_words(tracked_site: Site) -> None:
    html = page(tracked_site.browser("admin").text("/dossiers/"))
    badges = {
        row.get("data-code"): " ".join(row.xpath("./td")[-1].text_content().split())
        for row in html.xpath("//tr[@class='sodo-dossier']")
    }
    assert badges == {"H-001": "Trước hạn", "H-002": "Quá hạn", "H-003": "Quá hạn", "H-004": "–",
                      "H-005": "Quá hạn"}  # fmt: skip
    row = html.xpath("//tr[@data-code='H-002']")[0]
    assert "Phòng Quản lý văn hóa" in row.text_content()
    link = row.xpath(".//a")[0].get("href")
    assert link == f"/dossiers/{dossier_id(tracked_site, 'H-002')}"


def test_the_dossier_page_colours_the_diagram_and_shows_every_event(tracked_site: Site) -> None:
    number = dossier_id(tracked_site, "H-002")
    text = tracked_site.browser("exporter").text(f"/dossiers/{number}")
    html = page(text)
    with tracked_site.session() as session:
        tracked = tracked_dossier(session, number)
        assert tracked is not None
        version = session.get(FlowVersion, tracked.version_id)
        assert version is not None
        expected = step_states(version_document(session, version), tracked.progress)
        check_hash = session.get(Dossier, number).check_hash  # type: ignore[union-attr]
    drawn = {
        g.get("data-key"): g.get("data-state")
        for g in html.xpath("//*[@id='diagram']//g[@class='sodo-step']")
    }
    assert drawn == {key: state.value for key, state in expected.items()}
    assert drawn["s2"] == "overdue" and drawn["s1"] == "on_time"
    legend = {li.get("data-state") for li in html.xpath("//*[@id='diagram-legend']/li")}
    assert legend == set(drawn.values())
    kinds = [row.get("data-kind") for row in html.xpath("//tr[@class='sodo-event']")]
    assert kinds == ["received", "step_completed", "step_started"]
    log = html.get_element_by_id("event-log").text_content()
    assert "Tiếp nhận hồ sơ" in log and "Chuyển bước" in log and "Bắt đầu xử lý" in log
    assert "Phòng Quản lý văn hóa" in log
    assert html.get_element_by_id("dossier-status").text_content().strip() == "Đang giải quyết"
    # An officer "email" holding a script is text; the check hash is never on the page.
    assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert check_hash and check_hash not in text


def test_notes_are_escaped_and_the_step_runs_listed(tracked_site: Site) -> None:
    number = dossier_id(tracked_site, "H-001")
    text = tracked_site.browser("admin").text(f"/dossiers/{number}")
    assert SCRIPT not in text
    html = page(text)
    notes = [td.text_content() for td in html.xpath("//td[@class='sodo-note']")]
    assert f"Đủ điều kiện {SCRIPT}" in notes
    runs = [tr.get("data-step") for tr in html.xpath("//*[@id='step-runs']//tbody/tr")]
    assert runs == ["s1", "s2", "s3"]
    assert "Trước hạn" in html.get_element_by_id("dossier-verdict").text_content()


def test_an_unknown_dossier_is_a_404(tracked_site: Site) -> None:
    browser = tracked_site.browser("admin")
    for url in ("/dossiers/999999", "/dossiers/999999/phieu-kiem-soat",
                "/dossiers/999999/phieu-kiem-soat.xlsx", "/dossiers/99999999999999"):  # fmt: skip
        assert browser.get(url).status_code == 404, url


def test_the_printable_slip_lists_each_handover_with_its_verdict(tracked_site: Site) -> None:
    number = dossier_id(tracked_site, "H-001")
    text = tracked_site.browser("approver").text(f"/dossiers/{number}/phieu-kiem-soat")
    assert SCRIPT not in text
    html = page(text)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in html.xpath("//h1")[0].text_content()
    rows = html.xpath("//tr[@class='slip-row']")
    assert [row.get("data-verdict") for row in rows] == ["on_time", "early", "late", "early"]
    verdicts = [
        row.xpath("./td[contains(@class, 'verdict')]")[0].text_content().strip() for row in rows
    ]
    assert verdicts == ["Đúng hạn", "Trước hạn", "Quá hạn", "Trước hạn"]
    # The units as the directory names the codes reported (the demo has its own "tt").
    giving, taking = rows[0].xpath("./td")[1:3]
    assert giving.xpath(".//span[@class='officer']")[0].text == "Nguyễn Văn An"
    assert taking.text_content().startswith("Phòng Quản lý văn hóa")
    assert taking.xpath(".//span[@class='officer']")[0].text == "Trần Thị Bình"
    assert "Tổ chức, cá nhân nộp hồ sơ" in rows[-1].text_content()
    css = [link.get("href") for link in html.xpath("//link[@rel='stylesheet']")]
    assert css == ["/static/control-slip.css"]


def test_the_slip_workbook_downloads_with_the_dossier_code_in_its_name(tracked_site: Site) -> None:
    number = dossier_id(tracked_site, "H-001")
    response = tracked_site.browser("exporter").get(f"/dossiers/{number}/phieu-kiem-soat.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="phieu-kiem-soat-H-001.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in values
    assert values.count("Quá hạn") == 1 and values.count("Trước hạn") == 2
    assert f"Đủ điều kiện {SCRIPT}" in values
    with tracked_site.session() as session:
        check_hash = session.get(Dossier, number).check_hash  # type: ignore[union-attr]
    assert check_hash.encode() not in response.data


def test_reading_changes_nothing(tracked_site: Site) -> None:
    before = tracked_site.rows()
    browser = tracked_site.browser("admin")
    number = dossier_id(tracked_site, "H-001")
    for url in ("/dossiers/?late=1", f"/dossiers/{number}", f"/dossiers/{number}/phieu-kiem-soat"):
        browser.text(url)
    after = tracked_site.rows()
    assert {k: v for k, v in after.items() if k not in {"users", "audit_events"}} == {
        k: v for k, v in before.items() if k not in {"users", "audit_events"}
    }
    with tracked_site.session() as session:
        count = session.execute(sa.select(sa.func.count()).select_from(DossierEvent)).scalar_one()
    assert count == len(events())
