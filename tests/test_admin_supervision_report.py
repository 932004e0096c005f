"""The periodic report page over HTTP on SQLite and PostgreSQL (`support.admin_site`).

Who may read it (administrators and supervisors; anonymous visitors go to the login
form, other roles get 403), the table and its workbook for March 2026 of the fixed
history (`support.report_history`), a scoped supervisor's units, a period that makes
none said on the page (this quarter shown instead) and refused for the workbook, a bad
unit refused, with a message and nothing exported or changed, and names from outside kept as
text (no HTML, no formula). Messages are asserted in English (the session's language
switched to English), since the Vietnamese catalogue is merged later.
"""

from __future__ import annotations

import io
from typing import Any

import lxml.html
import openpyxl
import pytest
import sqlalchemy as sa
from support.admin_site import ROLES, Browser, Site
from support.report_history import TOURISM, ingest_history

from workflow_model.models import Unit, User, utcnow
from workflow_model.supervision import Period, today_in_vietnam

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

URL = "/supervision/report/"
XLSX_URL = "/supervision/report/report.xlsx"
MARCH = "period=month&day=2026-03-10"
NAME = '=HYPERLINK("http://x.example","Bấm") <script>alert(1)</script> Công nhận điểm du lịch'
"""The tourism procedure's name: a formula, markup and Vietnamese, all to stay text."""
# 1.000894 in March (see tests/test_supervision_report.py): carried over 1, new online 4,
# new direct 4; resolved 3 (early 2, on time 0, late 1); withdrawn/refused 2; in progress 4
# (within time 2, overdue 2). Columns: received total first, as on the page.
CULTURE = [9, 1, 4, 4, 3, 2, 0, 1, 2, 4, 2, 2]
TOURISM_FIGURES = [1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]


@pytest.fixture
def report_site(site: Site) -> Site:
    with site.session() as session:
        ingest_history(session, procedure_name=NAME)
    return site


def supervisor(site: Site, scope_code: str | None = None, *, english: bool = False) -> Browser:
    """The demo supervisor, logged in, scoped to the unit `scope_code` when given."""
    with site.session() as session:
        unit = (
            session.execute(sa.select(Unit.id).where(Unit.code == scope_code)).scalar_one()
            if scope_code
            else None
        )
        session.execute(
            sa.update(User).where(User.username == "supervisor").values(scope_unit_id=unit)
        )
        session.commit()
    browser = site.browser()
    browser.login("supervisor", site.passwords["supervisor"])
    if english:
        assert browser.post("/language", {"lang": "en"}).status_code == 302
    return browser


def unit_id(site: Site, code: str) -> int:
    with site.session() as session:
        return session.execute(sa.select(Unit.id).where(Unit.code == code)).scalar_one()


def table(html: str) -> dict[str, list[int]]:
    """The figures of each procedure line of the page's table, by procedure code."""
    found = {}
    for row in lxml.html.fromstring(html).xpath("//tr[@class='sodo-report-line']"):
        cells = [cell.text_content().strip() for cell in row.xpath("td")]
        found[row.get("data-code")] = [
            int(cell.replace(",", "").replace(".", "")) for cell in cells[3:]
        ]
    return found


def workbook_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_anonymous_visitors_go_to_the_login_form(report_site: Site) -> None:
    anonymous = report_site.browser()
    for url in (URL, f"{XLSX_URL}?{MARCH}"):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")


def test_administrators_and_supervisors_read_it_other_roles_get_403(report_site: Site) -> None:
    for role in ROLES:
        expected = 200 if role == "admin" else 403
        assert report_site.browser(role).get(URL).status_code == expected, role
        assert report_site.browser(role).get(f"{XLSX_URL}?{MARCH}").status_code == expected, role
    browser = supervisor(report_site)
    assert browser.get(URL).status_code == 200
    menu = lxml.html.fromstring(browser.text("/"))
    assert any(a.get("href") == URL for a in menu.xpath("//nav//a"))


def test_the_page_shows_march_by_procedure(report_site: Site) -> None:
    html = supervisor(report_site, english=True).text(f"{URL}?{MARCH}")
    assert table(html) == {"1.000894": CULTURE, TOURISM: TOURISM_FIGURES}
    page = lxml.html.fromstring(html)
    (total,) = page.xpath("//tr[contains(@class, 'sodo-report-total')]")
    figures = [int(td.text_content()) for td in total.xpath("td")[3:]]
    assert figures == [a + b for a, b in zip(CULTURE, TOURISM_FIGURES, strict=True)]
    assert "Period: from 01/03/2026 to 31/03/2026" in page.text_content()
    (link,) = page.xpath("//a[@id='report-download']")
    assert link.get("href") == f"{XLSX_URL}?{MARCH}"
    # The form is filled again with the shared period fields.
    assert page.get_element_by_id("period-kind").value == "month"
    assert page.get_element_by_id("period-day").get("value") == "2026-03-10"
    custom = lxml.html.fromstring(
        supervisor(report_site, english=True).text(
            f"{URL}?period=custom&from=2026-03-01&to=2026-03-31"
        )
    )
    assert table(lxml.html.tostring(custom, encoding="unicode")) == table(html)
    assert custom.get_element_by_id("period-from").get("value") == "2026-03-01"


def test_the_workbook_has_the_figures_and_keeps_names_as_text(report_site: Site) -> None:
    response = supervisor(report_site).get(f"{XLSX_URL}?{MARCH}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "bao-cao-tthc-2026-03-01-2026-03-31.xlsx" in response.headers["Content-Disposition"]
    data = response.get_data()
    rows = workbook_rows(data)
    assert rows[0][0] == "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert rows[1][0] == "Kỳ báo cáo: từ ngày 01/03/2026 đến ngày 31/03/2026"
    lines = {row[2]: list(row[3:]) for row in rows if row[2] in ("1.000894", TOURISM)}
    assert lines == {"1.000894": CULTURE, TOURISM: TOURISM_FIGURES}
    (total,) = [row for row in rows if row[1] == "Tổng cộng"]
    assert list(total[3:]) == [a + b for a, b in zip(CULTURE, TOURISM_FIGURES, strict=True)]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    (name,) = [row[1] for row in sheet.iter_rows() if row[2].value == TOURISM]
    assert name.value == NAME and name.data_type == "s"
    assert sheet.page_setup.orientation == "landscape"
    in_english = supervisor(report_site, english=True).get(f"{XLSX_URL}?{MARCH}")
    english = workbook_rows(in_english.get_data())
    assert english[0][0] == "REPORT ON THE HANDLING OF ADMINISTRATIVE PROCEDURES"
    assert "Carried over" in english[6]


def test_names_from_outside_are_escaped(report_site: Site) -> None:
    html = supervisor(report_site).text(f"{URL}?{MARCH}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_scoped_supervisor_sees_and_may_choose_only_their_units(report_site: Site) -> None:
    browser = supervisor(report_site, "svh-qlvh", english=True)
    html = browser.text(f"{URL}?{MARCH}")
    # Only D2 (counter, late) passed through svh-qlvh.
    assert table(html) == {"1.000894": [1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0]}
    options = lxml.html.fromstring(html).xpath("//select[@name='unit']/option/@value")
    assert options == ["", str(unit_id(report_site, "svh-qlvh"))]
    before = report_site.rows()
    for url in (URL, XLSX_URL):
        response = browser.get(f"{url}?{MARCH}&unit={unit_id(report_site, 'svh')}")
        assert response.status_code == 400
        assert "This unit is outside what you may see." in response.get_data(as_text=True)
        assert not response.mimetype.endswith("spreadsheetml.sheet")
    assert report_site.rows() == before


PERIOD_PROBLEMS = [
    ("period=custom&from=2026-03-31&to=2026-03-01", "The period ends before it begins."),
    ("period=custom&from=2020-01-01&to=2026-03-01", "A period may cover at most three years."),
    ("period=custom&from=2026-03-01", "A custom period needs its first and its last day."),
    ("period=custom&from=2026-13-01&to=2026-12-31", "Give each day as a date (YYYY-MM-DD)."),
    ("period=month&day=yesterday", "Give each day as a date (YYYY-MM-DD)."),
    ("period=year", "Choose one of the periods the form offers."),
    ("period=week", "Choose one of the periods the form offers."),  # too short for a report
    # The report's old parameter names are gone: `kind` is no period.
    ("period=nope&kind=month&on=2026-03-10", "Choose one of the periods the form offers."),
]


@pytest.mark.parametrize(("query", "message"), PERIOD_PROBLEMS)
def test_a_period_that_makes_none_is_said_and_this_quarter_shown(
    report_site: Site, query: str, message: str
) -> None:
    browser = supervisor(report_site, english=True)
    before = report_site.rows()
    response = browser.get(f"{URL}?{query}")
    assert response.status_code == 200, query
    page = lxml.html.fromstring(response.get_data(as_text=True))
    said = [li.text_content() for li in page.xpath("//div[@id='problems']//li")]
    assert said == [message, "This quarter is shown instead."]
    quarter = Period.quarter_of(today_in_vietnam(utcnow()))
    assert f"Period: from {quarter.first:%d/%m/%Y} to {quarter.last:%d/%m/%Y}" in (
        page.text_content()
    )
    assert page.get_element_by_id("period-kind").value == "quarter"
    # The download link names the period shown, never the one that makes none.
    (link,) = page.xpath("//a[@id='report-download']")
    assert link.get("href") == f"{XLSX_URL}?period=quarter"
    assert report_site.rows() == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        *PERIOD_PROBLEMS,
        (f"{MARCH}&unit=999999", "There is no such unit."),
        (f"{MARCH}&unit=abc", "There is no such unit."),
    ],
)
def test_a_bad_parameter_gets_a_message_and_nothing_exported(
    report_site: Site, query: str, message: str
) -> None:
    browser = supervisor(report_site, english=True)
    before = report_site.rows()
    urls = (URL, XLSX_URL) if "unit=" in query else (XLSX_URL,)
    for url in urls:
        response = browser.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        page = lxml.html.fromstring(response.get_data(as_text=True))
        assert page.xpath("string(//div[@id='report-error'])").strip() == message
        assert not page.xpath("//table[@id='periodic-report']")
        assert not response.mimetype.endswith("spreadsheetml.sheet")
    assert report_site.rows() == before


def test_the_default_is_this_quarter_over_the_whole_scope(report_site: Site) -> None:
    html = supervisor(report_site, english=True).text(URL)
    page = lxml.html.fromstring(html)
    assert page.xpath("//table[@id='periodic-report']")
    assert "Unit: The whole province" in page.text_content()
