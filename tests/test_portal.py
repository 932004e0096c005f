"""The public pages over HTTP, without login, on SQLite and PostgreSQL, from the demo.

Only the version in force is ever shown: a draft's, a submitted or a rejected version's
content never appears, in the page or in the SVG. An officer who is not public appears
nowhere. Searches without diacritics find; bad input is cut or answered with the
Vietnamese 404 page, never an error.
"""

from __future__ import annotations

import re

import lxml.etree
import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.orm import Session
from support.admin_site import Site

from workflow_model.demo_data import demo_flow
from workflow_model.document.durations import format_duration
from workflow_model.models import (
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepOfficer,
    Unit,
    VersionStatus,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

WAITING = "1.009642.H05"  # v1 in force, v2 submitted
DRAFTED = "1.013871"  # v1 in force, v2 draft
SON_LA = "2.002760"  # a draft only
HIDDEN = "BẢN NHÁP KHÔNG ĐƯỢC CÔNG BỐ"
UNPUBLISHED_VI = "Quy trình chưa được công bố."
NOT_FOUND_VI = "Trang này không tồn tại"


def versions(site: Site, code: str) -> dict[VersionStatus, int]:
    with site.session() as s:
        rows = s.execute(
            sa.select(FlowVersion.status, FlowVersion.id)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code)
        )
        return dict(rows.all())


def rename_steps(site: Site, version_id: int) -> None:
    """Give every step of a version a name that must never be public (straight in the DB)."""
    with site.session() as s:
        s.execute(sa.update(Step).where(Step.version_id == version_id).values(name=HIDDEN))
        s.commit()


def in_force_steps(site: Site, code: str) -> list[str]:
    with site.session() as s:
        return list(
            s.scalars(
                sa.select(Step.name).where(
                    Step.version_id == versions(site, code)[VersionStatus.APPROVED]
                )
            )
        )


def test_anyone_searches_without_diacritics_and_by_level(site: Site) -> None:
    visitor = site.browser()
    home = visitor.text("/thu-tuc/")
    assert "Tìm thủ tục hành chính" in home and DRAFTED in home
    found = visitor.text("/thu-tuc/?q=DIEU+CHINH+du+an")
    assert "1.009646.H05" in found and DRAFTED not in found
    link = f'href="/thu-tuc/{SON_LA}"'
    assert link in visitor.text("/thu-tuc/?q=" + SON_LA)
    assert link not in visitor.text("/thu-tuc/?level=ministry&q=" + SON_LA)
    # Bad input is cut or ignored, never an error.
    for query in ("q=" + "x" * 10_000, "page=abc", "page=99999999999999", "level=<b>"):
        response = visitor.get(f"/thu-tuc/?{query}")
        assert response.status_code == 200, query
    assert "0 thủ tục" in visitor.text("/thu-tuc/?q=" + "x" * 10_000)


@pytest.mark.parametrize("code", [WAITING, DRAFTED])
def test_only_the_version_in_force_is_shown(site: Site, code: str) -> None:
    open_id = next(v for s, v in versions(site, code).items() if s.open)
    rename_steps(site, open_id)
    visitor = site.browser()
    page = visitor.text(f"/thu-tuc/{code}")
    svg = visitor.get(f"/thu-tuc/{code}/so-do.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    for shown in (page, svg.get_data(as_text=True)):
        assert HIDDEN not in shown
        for name in in_force_steps(site, code):
            assert name.split()[0] in shown
    # No internal ids or staff links.
    assert "/editor/" not in page and "/versions/" not in page


def test_a_procedure_without_a_version_in_force_shows_its_catalogue_only(site: Site) -> None:
    visitor = site.browser()
    page = visitor.text(f"/thu-tuc/{SON_LA}")
    assert UNPUBLISHED_VI in page and "<svg" not in page
    assert visitor.get(f"/thu-tuc/{SON_LA}/so-do.svg").status_code == 404


def officer_in_force(site: Site, session: Session) -> Officer:
    """An officer of a step of DRAFTED's version in force."""
    in_force = versions(site, DRAFTED)[VersionStatus.APPROVED]
    officer = session.scalar(
        sa.select(Officer)
        .join(StepOfficer, StepOfficer.officer_id == Officer.id)
        .join(Step, StepOfficer.step_id == Step.id)
        .where(Step.version_id == in_force)
        .limit(1)
    )
    assert officer is not None
    return officer


def test_an_officer_who_is_not_public_appears_nowhere(site: Site) -> None:
    with site.session() as s:
        officer = officer_in_force(site, s)
        name, email, phone = officer.full_name, officer.email, officer.phone
    visitor = site.browser()
    assert name in visitor.text(f"/thu-tuc/{DRAFTED}")
    # The administrator turns the flag off in the officer's form.
    admin = site.browser("admin")
    response = admin.submit(f"/officer/edit/?id={officer.id}", {"public": None})
    assert response.status_code == 302
    page = visitor.text(f"/thu-tuc/{DRAFTED}")
    svg = visitor.get(f"/thu-tuc/{DRAFTED}/so-do.svg").get_data(as_text=True)
    for shown in (page, svg):
        assert name not in shown and email not in shown
        assert phone.replace(" ", "") not in shown.replace(" ", "")


def test_hiding_an_officer_changes_the_diagram_tag(site: Site) -> None:
    """A client holding the picture with an officer since hidden gets the new one, not 304."""
    with site.session() as s:
        officer = officer_in_force(site, s)
        name, officer_id = officer.full_name, officer.id
    visitor = site.browser()
    url = f"/thu-tuc/{DRAFTED}/so-do.svg"
    first = visitor.get(url)
    tag = first.headers["ETag"]
    assert name in first.get_data(as_text=True)
    admin = site.browser("admin")
    assert admin.submit(f"/officer/edit/?id={officer_id}", {"public": None}).status_code == 302
    again = visitor.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 200 and name not in again.get_data(as_text=True)
    assert again.headers["ETag"] != tag
    # Shown again, the officer is in the first picture again, under its first tag.
    assert admin.submit(f"/officer/edit/?id={officer_id}", {"public": "y"}).status_code == 302
    assert visitor.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_each_result_says_its_level_agency_and_legal_times(site: Site) -> None:
    with site.session() as s:
        procedure = s.scalar(sa.select(Procedure).where(Procedure.code == DRAFTED))
        assert procedure is not None
        procedure.lead_unit = s.scalar(sa.select(Unit).order_by(Unit.id).limit(1))
        s.commit()
        code, level = procedure.code, procedure.level.name
        agency = procedure.lead_unit.name  # type: ignore[union-attr]
        times = [
            format_duration((case.legal_time_value, case.legal_time_unit))
            for case in procedure.cases
        ]
    html = site.browser().text(f"/thu-tuc/?q={code}")
    (row,) = [
        row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if f'href="/thu-tuc/{code}"' in row
    ]
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]
    assert cells[2:4] == [str(escape(level)), str(escape(agency))]
    assert cells[4] == "; ".join(str(escape(t)) for t in times)


def test_the_diagram_is_cached_by_its_snapshot(site: Site) -> None:
    visitor = site.browser()
    first = visitor.get(f"/thu-tuc/{DRAFTED}/so-do.svg")
    tag = first.headers["ETag"]
    assert tag and "public" in first.headers["Cache-Control"]
    # Embeddable anywhere, and loading nothing itself.
    policy = first.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy
    assert "X-Frame-Options" not in first.headers
    page = visitor.get(f"/thu-tuc/{DRAFTED}").headers
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    again = visitor.get(f"/thu-tuc/{DRAFTED}/so-do.svg", headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.data
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    root = lxml.etree.fromstring(first.data, parser)
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert visitor.get(f"/thu-tuc/{DRAFTED}/so-do.svg?case=nope").status_code == 404


def test_an_unknown_code_gets_the_vietnamese_404_page(site: Site) -> None:
    visitor = site.browser()
    for path in ("/thu-tuc/9.999999", "/thu-tuc/" + "x" * 5000, "/thu-tuc/9.999999/so-do.svg"):
        response = visitor.get(path)
        assert response.status_code == 404, path
    assert NOT_FOUND_VI in visitor.get("/thu-tuc/9.999999").get_data(as_text=True)


def test_names_with_markup_stay_text(site: Site) -> None:
    with site.session() as s:
        procedure = s.scalar(sa.select(Procedure).where(Procedure.code == DRAFTED))
        procedure.name = '<script>alert("x")</script>'
        s.commit()
    visitor = site.browser()
    for url in (f"/thu-tuc/{DRAFTED}", f"/thu-tuc/?q={DRAFTED}"):
        html = visitor.text(url)
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_robots_and_the_site_map_point_at_the_public_pages(site: Site) -> None:
    visitor = site.browser()
    robots = visitor.text("/robots.txt")
    assert "Allow: /thu-tuc/" in robots and "Disallow: /" in robots
    sitemap = visitor.get("/sitemap.xml")
    assert sitemap.mimetype == "application/xml"
    assert re.search(rf"<loc>[^<]*/thu-tuc/{re.escape(DRAFTED)}</loc>", sitemap.get_data(True))


def test_staff_pages_still_need_a_login(site: Site) -> None:
    visitor = site.browser()
    for path in ("/procedure/", "/officer/", "/versions/procedure/1"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_field_filter_and_the_language_switch(site: Site) -> None:
    with site.session() as s:
        field = s.scalar(sa.select(Procedure).where(Procedure.code == DRAFTED)).field.name  # type: ignore[union-attr]
    visitor = site.browser()
    found = visitor.text(f"/thu-tuc/?field={field}")
    assert f'href="/thu-tuc/{DRAFTED}"' in found
    assert 'href="/thu-tuc/1.009646.H05"' not in found
    assert f'<option value="{field}" selected>' in found
    assert 'lang="vi"' not in found.split("<html", 1)[1].split(">", 1)[1]  # Vietnamese page
    # The switch is a form on every public page; English is one click away.
    token = visitor.token("/thu-tuc/")
    response = visitor.client.post("/language", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 302
    assert "Find an administrative procedure" in visitor.text("/thu-tuc/")
    english = visitor.text(f"/thu-tuc/{DRAFTED}")
    assert "Legal basis" in english and "working days" in english
    # The catalogue's own words stay Vietnamese, and say so to screen readers.
    assert '<html lang="en">' in english and '<h1 lang="vi">' in english
    assert '<td lang="vi">' in english and '<td lang="vi">' in visitor.text("/thu-tuc/")


def test_each_step_lists_the_dossier_components_it_checks(site: Site) -> None:
    doc = demo_flow("hatinh-1_013871-1.json")
    names = {c.key: c.name for c in doc.procedure.dossier_components}
    html = site.browser().text(f"/thu-tuc/{DRAFTED}")
    rows = {
        re.sub(r"<[^>]+>", "", cells[1]).strip(): cells[-1]
        for cells in (
            re.findall(r"<td>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", html.split('class="portal-steps"')[1], re.S)
        )
        if cells
    }
    checked = [step for step in doc.steps if step.documents]
    assert checked
    for entry in checked:
        for key in entry.documents:
            assert escape(names[key]) in rows[str(escape(entry.name))], entry.key


def test_anonymous_visitors_land_on_the_catalogue_and_staff_on_their_home(site: Site) -> None:
    visitor = site.browser()
    response = visitor.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/thu-tuc/"
    assert 'href="/login"' in visitor.text("/thu-tuc/")  # the staff's way in
    staff = site.browser()
    staff.login("admin", site.passwords["admin"])
    assert staff.get("/").status_code == 200


def test_the_agency_filter_and_who_may_apply(site: Site) -> None:
    with site.session() as s:
        procedure = s.scalar(sa.select(Procedure).where(Procedure.code == DRAFTED))
        assert procedure is not None and procedure.lead_unit is not None
        agency, agency_name = procedure.lead_unit.code, procedure.lead_unit.name
        procedure.applicants = 'Tổ chức, cá nhân <b>"trong nước"</b>'
        s.commit()
        others = set(
            s.scalars(
                sa.select(Procedure.code).where(
                    Procedure.lead_unit_id != procedure.lead_unit_id, Procedure.active.is_(True)
                )
            )
        )
    assert others, "the demo needs procedures of another agency"
    visitor = site.browser()
    found = visitor.text(f"/thu-tuc/?agency={agency}")
    assert f'href="/thu-tuc/{DRAFTED}"' in found
    assert not [code for code in others if f'href="/thu-tuc/{code}"' in found]
    assert f'<option value="{agency}" selected>{escape(agency_name)}</option>' in found
    assert "0 thủ tục" in visitor.text("/thu-tuc/?agency=no-such-agency")
    page = visitor.text(f"/thu-tuc/{DRAFTED}")
    assert "Đối tượng thực hiện" in page
    assert str(escape('Tổ chức, cá nhân <b>"trong nước"</b>')) in page


def test_the_legal_time_shown_is_the_one_the_process_in_force_was_approved_with(
    site: Site,
) -> None:
    doc = demo_flow("hatinh-1_013871-1.json")
    with site.session() as s:
        # A later draft's import (or a form) changes the case's legal time in the catalogue.
        s.execute(
            sa.update(ProcedureCase)
            .where(ProcedureCase.procedure_id == Procedure.id, Procedure.code == DRAFTED)
            .values(legal_time_value=99)
        )
        s.commit()
    page = site.browser().text(f"/thu-tuc/{DRAFTED}")
    assert f"Thời hạn giải quyết: {format_duration(doc.procedure.legal_time)}" in page
    assert "99 ngày" not in page
