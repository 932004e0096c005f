"""The supervision dashboard over HTTP on SQLite and PostgreSQL (`support.admin_site`).

Who may read it (administrators and supervisors; anonymous visitors go to the login
form, other roles get 403); bad parameters said on the page, never a 500; the headline
numbers against `figures.headline` on the five dossiers of `support.dossiers`, and every
drill-down link listing exactly that many dossiers; a supervisor scoped to a department
seeing only its dossiers, on the dashboard, in the workbook, the dossier list and the
dossier pages (404 outside); the overdue workbook; names from outside escaped.
"""

from __future__ import annotations

import io
from dataclasses import fields
from datetime import date
from typing import Any

import lxml.html
import openpyxl
import pytest
import sqlalchemy as sa
from support.admin_site import Browser, Site
from support.dossiers import SCRIPT, five_dossiers

from workflow_model.accounts import create_user
from workflow_model.models import Dossier, Procedure, Role, Unit, User, utcnow
from workflow_model.supervision import EVERYTHING, Period, scope_of_unit
from workflow_model.supervision.figures import (
    BreakdownBy,
    breakdown,
    headline,
    overdue_dossiers,
)
from workflow_model.tracking import DossierFilter

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

MARCH = "period=custom&from=2026-03-01&to=2026-03-31"
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
SCOPED = ("giamsat", "a long enough password")
"""A supervisor of the culture department (svh-qlvh): H-001 and H-002 passed through it."""
IN_SCOPE, OUT_OF_SCOPE = {"H-001", "H-002"}, {"H-003", "H-004", "H-005"}
HEADLINE = ("received", "received_online", "received_counter", "received_post", "resolved",
            "early", "on_time", "late", "in_progress", "overdue_now",
            "waiting_supplement")  # fmt: skip


@pytest.fixture
def tracked_site(site: Site) -> Site:
    with site.session() as session:
        five_dossiers(session)
        user = create_user(session, SCOPED[0], SCOPED[1], [Role.SUPERVISOR])
        user.scope_unit_id = session.execute(
            sa.select(Unit.id).where(Unit.code == "svh-qlvh")
        ).scalar_one()
        session.commit()
    return site


def page(html: str) -> Any:
    return lxml.html.fromstring(html)


def supervisor(site: Site) -> Browser:
    browser = site.browser()
    browser.login("supervisor", site.passwords["supervisor"])
    return browser


def scoped(site: Site) -> Browser:
    browser = site.browser()
    browser.login(*SCOPED)
    return browser


def dossier_id(site: Site, code: str) -> int:
    with site.session() as session:
        return session.execute(sa.select(Dossier.id).where(Dossier.code == code)).scalar_one()


def headline_numbers(html: Any) -> dict[str, int]:
    return {
        box.get("data-figure"): int(box.xpath(".//a")[0].text_content().replace(".", ""))
        for box in html.xpath("//*[@id='headline-numbers']/div")
    }


def listed_total(browser: Browser, url: str) -> tuple[int, set[str]]:
    html = page(browser.text(url))
    codes = {row.get("data-code") for row in html.xpath("//tr[@class='sodo-dossier']")}
    return int(html.get_element_by_id("dossier-count").get("data-total")), codes


def test_admins_and_supervisors_read_it_and_nobody_else(tracked_site: Site) -> None:
    urls = ("/supervision/", "/supervision/overdue.xlsx", "/supervision/plotly.min.js")
    for url in urls:
        response = tracked_site.browser().get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        for role in ("approver", "exporter", "superuser"):
            assert tracked_site.browser(role).get(url).status_code == 403, (role, url)
        assert tracked_site.browser("admin").get(url).status_code == 200, url
        assert supervisor(tracked_site).get(url).status_code == 200, url
    # The menu offers it to those who may read it, and only to them.
    menu = page(supervisor(tracked_site).text("/"))
    assert any(a.get("href") == "/supervision/" for a in menu.xpath("//nav//a"))
    menu = page(tracked_site.browser("approver").text("/"))
    assert not any(a.get("href") == "/supervision/" for a in menu.xpath("//nav//a"))


def test_the_supervisors_home_leads_to_the_dashboard(tracked_site: Site) -> None:
    home = page(supervisor(tracked_site).text("/"))
    assert home.get_element_by_id("open-supervision").get("href") == "/supervision/"
    assert page(tracked_site.browser("admin").text("/")).xpath("//*[@id='open-supervision']") == []


def test_plotly_js_comes_from_the_installed_package_and_may_be_cached(tracked_site: Site) -> None:
    html = page(supervisor(tracked_site).text("/supervision/"))
    sources = [script.get("src") for script in html.xpath("//script[@src]")]
    plotly_src = next(src for src in sources if "plotly" in src)
    assert plotly_src.startswith("/supervision/plotly.min.js?v=")
    assert "/static/supervision.js" in sources
    response = supervisor(tracked_site).get(plotly_src)
    assert response.mimetype == "text/javascript" and b"plotly.js v" in response.data[:200]
    assert "private" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    # No inline script: each figure's JSON is data, not code.
    for script in html.xpath("//script[not(@src)]"):
        assert script.get("type") == "application/json" or script.get("nonce"), script.text


def test_the_headline_numbers_are_the_figures_and_each_drills_to_its_dossiers(
    tracked_site: Site,
) -> None:
    browser = supervisor(tracked_site)
    html = page(browser.text(f"/supervision/?{MARCH}"))
    shown = headline_numbers(html)
    with tracked_site.session() as session:
        expected = headline(session, PERIOD, EVERYTHING, utcnow())
    assert shown == {
        "received": expected.received,
        **{f"received_{c.value}": n for c, n in expected.received_by_channel.items()},
        "resolved": expected.resolved,
        "early": expected.early,
        "on_time": expected.on_time,
        "late": expected.late,
        "in_progress": expected.in_progress,
        "overdue_now": expected.overdue_now,
        "waiting_supplement": expected.waiting_supplement,
    }
    # By hand, from support.dossiers: 5 received online; H-001 early, H-005 late; H-002,
    # H-003 and H-004 open, of which H-002 and H-003 overdue and H-004 waiting.
    assert (shown["received"], shown["received_online"], shown["resolved"]) == (5, 5, 2)
    assert (shown["early"], shown["on_time"], shown["late"]) == (1, 0, 1)
    assert (shown["in_progress"], shown["overdue_now"], shown["waiting_supplement"]) == (3, 2, 1)
    for box in html.xpath("//*[@id='headline-numbers']/div"):
        link = box.xpath(".//a")[0].get("href")
        total, _codes = listed_total(browser, link)
        assert total == shown[box.get("data-figure")], (box.get("data-figure"), link)
    assert set(shown) == set(HEADLINE)


def test_each_week_of_the_trend_drills_to_the_dossiers_it_counts(tracked_site: Site) -> None:
    browser = supervisor(tracked_site)
    html = page(browser.text(f"/supervision/?{MARCH}"))
    weeks = html.xpath("//tr[@class='sodo-week']")
    # March 2026 touches six weeks: the first and last cut by the month's edges.
    assert [week.get("data-monday") for week in weeks] == [
        "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"
    ]  # fmt: skip
    counted = 0
    for week in weeks:
        for cell in week.xpath("./td"):
            link = cell.xpath("./a")[0]
            total, _codes = listed_total(browser, link.get("href"))
            assert total == int(link.text_content()), (week.get("data-monday"), link.get("href"))
            counted += total
    # Five received, H-001 early and H-005 late: each counted in exactly one week.
    assert counted == 5 + 2


@pytest.mark.parametrize("by", [b.value for b in BreakdownBy])
def test_each_breakdown_row_is_the_figures_row_and_drills_to_its_dossiers(
    tracked_site: Site, by: str
) -> None:
    browser = tracked_site.browser("admin")
    html = page(browser.text(f"/supervision/?{MARCH}&by={by}"))
    with tracked_site.session() as session:
        expected = breakdown(session, PERIOD, EVERYTHING, BreakdownBy(by))
    table = html.get_element_by_id("fig-breakdown-table")
    rows = table.xpath(".//tr[@class='sodo-breakdown-row']")
    assert {row.get("data-key") for row in rows} == {row.key for row in expected}
    assert expected, by
    for row in rows:
        wanted = next(e for e in expected if e.key == row.get("data-key"))
        total = int(row.xpath("./td[@data-column='total']")[0].text_content())
        assert total == wanted.total
        listed, _codes = listed_total(
            browser, row.xpath(".//a[@class='sodo-drill']")[0].get("href")
        )
        # A step run level row counts runs; its drill-down lists the dossiers having one.
        assert listed == total if by in ("agency", "procedure") else 1 <= listed <= total


def test_the_breakdown_sorts_by_every_column_both_ways(tracked_site: Site) -> None:
    browser = tracked_site.browser("admin")
    html = page(browser.text(f"/supervision/?{MARCH}&by=unit"))
    links = html.xpath("//*[@id='fig-breakdown-table']//thead//a[@class='sodo-sort']")
    assert len(links) == 8
    for link in links:
        column = link.getparent().get("data-column")
        for _ in range(2):
            target = page(browser.text(link.get("href")))
            heading = target.xpath(f"//*[@id='fig-breakdown-table']//th[@data-column='{column}']")[
                0
            ]
            order = heading.get("aria-sort")
            assert order in ("ascending", "descending"), column
            if column == "total":
                values = [
                    int(td.text_content())
                    for td in target.xpath(
                        "//*[@id='fig-breakdown-table']//td[@data-column='total']"
                    )
                ]
                assert values == sorted(values, reverse=order == "descending")
            link = heading.xpath(".//a")[0]


def test_the_officer_breakdown_shows_both_ends(tracked_site: Site) -> None:
    html = page(tracked_site.browser("admin").text(f"/supervision/?{MARCH}&by=officer"))
    early = [r.get("data-key") for r in html.xpath("//*[@id='most-early']//tbody/tr[@data-key]")]
    late = [r.get("data-key") for r in html.xpath("//*[@id='most-late']//tbody/tr[@data-key]")]
    with tracked_site.session() as session:
        rows = breakdown(session, PERIOD, EVERYTHING, BreakdownBy.OFFICER)
    assert set(early) == {row.key for row in rows if row.early}
    assert set(late) == {row.key for row in rows if row.late}
    assert early and late


def test_a_week_month_or_quarter_holds_the_day_asked(tracked_site: Site) -> None:
    browser = supervisor(tracked_site)
    browser.post("/language", {"lang": "en"})
    for query, said in (
        ("period=week&day=2026-03-11", "From 3/9/26 to 3/15/26"),
        ("period=month&day=2026-03-11", "From 3/1/26 to 3/31/26"),
        ("period=quarter&day=2026-03-11", "From 1/1/26 to 3/31/26"),
    ):
        html = page(browser.text(f"/supervision/?{query}"))
        assert said in html.get_element_by_id("period-said").text_content(), query
        assert html.get_element_by_id("period-day").get("value") == "2026-03-11"
        # Every link of the page keeps the period (here: a column heading's).
        (link,) = html.xpath("//th[@data-column='total']/a/@href")
        assert query in link


@pytest.mark.parametrize(
    "query",
    [
        "period=nope",
        "period=custom&from=yesterday&to=2026-03-31",
        "period=custom&from=2026-03-31",
        "period=custom&from=2026-03-31&to=2026-03-01",
        "period=custom&from=2020-01-01&to=2026-03-01",
        "period=month&day=2026-13-01",
        "by=nope",
        "sort=password&order=sideways",
        "min_days=many",
        "min_days=-3",
        "apology=maybe",
    ],
)
def test_bad_parameters_are_said_on_the_page_and_the_defaults_shown(
    tracked_site: Site, query: str
) -> None:
    browser = supervisor(tracked_site)
    browser.post("/language", {"lang": "en"})
    before = tracked_site.rows()
    response = browser.get(f"/supervision/?{query}")
    assert response.status_code == 200
    html = page(response.get_data(as_text=True))
    problems = html.get_element_by_id("problems").text_content()
    assert problems.strip(), query
    this_month = Period.month_of(date.today())
    said = html.get_element_by_id("period-said").text_content()
    if query.startswith("period"):
        assert "This month is shown instead." in problems
        assert this_month.first.strftime("%-m/%-d/%y") in said, said
    assert browser.get(f"/supervision/overdue.xlsx?{query}").status_code == 200
    assert tracked_site.rows().keys() == before.keys()
    assert {k: v for k, v in tracked_site.rows().items() if k not in {"users", "audit_events"}} == {
        k: v for k, v in before.items() if k not in {"users", "audit_events"}
    }


def test_a_scoped_supervisor_sees_only_the_dossiers_of_their_units(tracked_site: Site) -> None:
    browser = scoped(tracked_site)
    html = page(browser.text(f"/supervision/?{MARCH}"))
    shown = headline_numbers(html)
    with tracked_site.session() as session:
        unit_id = session.execute(sa.select(Unit.id).where(Unit.code == "svh-qlvh")).scalar_one()
        scope = scope_of_unit(session, unit_id)
        expected = headline(session, PERIOD, scope, utcnow())
        overdue = overdue_dossiers(session, scope, utcnow())
    assert shown["received"] == expected.received == 2
    assert shown["in_progress"] == expected.in_progress == 1  # H-002
    assert {row.code for row in overdue} == {"H-002"}
    assert html.get_element_by_id("scope-said") is not None
    overdue_codes = {tr.get("data-code") for tr in html.xpath("//tr[@class='sodo-overdue']")}
    assert overdue_codes == {"H-002"}
    for box in html.xpath("//*[@id='headline-numbers']/div"):
        total, codes = listed_total(browser, box.xpath(".//a")[0].get("href"))
        assert total == shown[box.get("data-figure")] and codes <= IN_SCOPE
    # The dossier list, whatever its filters, and the workbook.
    assert listed_total(browser, "/dossiers/")[1] == IN_SCOPE
    assert listed_total(browser, "/dossiers/?late=1")[1] == {"H-002"}
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get("/supervision/overdue.xlsx").data)).active
    assert sheet is not None
    codes = {row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert codes == {"H-002"}
    # A dossier's pages outside the scope are "not found"; inside, they open.
    for code in IN_SCOPE | OUT_OF_SCOPE:
        number = dossier_id(tracked_site, code)
        for url in (f"/dossiers/{number}", f"/dossiers/{number}/phieu-kiem-soat",
                    f"/dossiers/{number}/phieu-kiem-soat.xlsx"):  # fmt: skip
            assert browser.get(url).status_code == (200 if code in IN_SCOPE else 404), url
    # The unscoped demo supervisor sees all five.
    assert listed_total(supervisor(tracked_site), "/dossiers/")[1] == IN_SCOPE | OUT_OF_SCOPE


def test_the_dossier_list_says_its_drill_down_filters_and_refuses_nonsense_clearly(
    tracked_site: Site,
) -> None:
    browser = tracked_site.browser("admin")
    browser.post("/language", {"lang": "en"})
    html = page(
        browser.text("/dossiers/?finished_from=2026-03-01&finished_to=2026-03-31&verdict=late")
    )
    active = html.get_element_by_id("active-filters").text_content()
    assert "Resolved from: 2026-03-01" in active and "Outcome: Late" in active
    assert listed_total(browser, "/dossiers/?finished_from=2026-03-01&verdict=late")[1] == {"H-005"}
    # The drill-down's filters the form has no field for ride along as hidden fields.
    hidden = html.xpath("//form[@id='dossier-filters']//input[@type='hidden']/@name")
    assert set(hidden) == {"finished_from", "finished_to", "verdict"}
    for query, said in (
        ("verdict=sideways", "“Outcome” cannot be “sideways”"),
        ("received_from=yesterday", "“Received from” cannot be “yesterday”"),
        ("late=perhaps", "“late only” cannot be “perhaps”"),
        ("status=%3Cb%3Enope", "“Status” cannot be “<b>nope”"),
    ):
        response = browser.get(f"/dossiers/?{query}")
        assert response.status_code == 200, query
        assert "<b>nope" not in response.get_data(as_text=True)
        html = page(response.get_data(as_text=True))
        problem = html.get_element_by_id("filter-problem").text_content()
        assert said in problem and "every dossier is listed" in problem, problem
        assert int(html.get_element_by_id("dossier-count").get("data-total")) == 5


def test_the_overdue_list_filters_and_its_workbook_holds_the_same_rows(tracked_site: Site) -> None:
    with tracked_site.session() as session:
        session.execute(
            sa.update(Procedure)
            .where(Procedure.code == "1.000894")
            .values(name='=HYPERLINK("http://x.example","Bấm")')
        )
        session.commit()
    browser = supervisor(tracked_site)
    html = page(browser.text("/supervision/"))
    codes = [tr.get("data-code") for tr in html.xpath("//tr[@class='sodo-overdue']")]
    assert set(codes) == {"H-002", "H-003"}
    # The officer holding H-002 was reported as a script: text on the page.
    assert SCRIPT not in browser.text("/supervision/")
    link = html.get_element_by_id("overdue-xlsx").get("href")
    response = browser.get(link)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="ho-so-qua-han-'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [row[1] for row in rows] == codes
    assert sheet.cell(row=1, column=1).value == "DANH SÁCH HỒ SƠ QUÁ HẠN"
    cell = next(c for c in sheet["C"][4:] if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value.startswith("1.000894 — =HYPERLINK")
    held = next(row for row in rows if row[1] == "H-002")
    assert held[7] == "Phòng Quản lý văn hóa" and held[8] == SCRIPT and held[9] == "Không"
    # Filters: by the unit holding it, by days overdue, by apology slip; the workbook too.
    filtered = page(browser.text("/supervision/?unit=svh-qlvh&apology=no"))
    assert [tr.get("data-code") for tr in filtered.xpath("//tr[@class='sodo-overdue']")] == [
        "H-002"
    ]
    assert (
        page(browser.text("/supervision/?apology=yes")).xpath("//tr[@class='sodo-overdue']") == []
    )
    assert (
        page(browser.text("/supervision/?min_days=100000")).get_element_by_id("problems")
        is not None
    )
    xlsx = filtered.get_element_by_id("overdue-xlsx").get("href")
    assert "unit=svh-qlvh" in xlsx and "apology=no" in xlsx
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(xlsx).data)).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=5, values_only=True)] == ["H-002"]


def test_names_from_outside_are_text_on_the_dashboard(tracked_site: Site) -> None:
    with tracked_site.session() as session:
        session.execute(sa.update(Unit).where(Unit.code == "svh-qlvh").values(name=SCRIPT))
        session.execute(
            sa.update(Procedure).where(Procedure.code == "1.000894").values(name=SCRIPT)
        )
        session.commit()
    browser = supervisor(tracked_site)
    for by in ("unit", "procedure"):
        text = browser.text(f"/supervision/?{MARCH}&by={by}")
        assert SCRIPT not in text, by
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, by
        # In the figures' JSON too, "<" is escaped, so no element can end early.
        html = page(text)
        data = html.get_element_by_id("fig-breakdown-data").text
        assert "<" not in data and "\\u003c" in data


def test_a_user_row_gone_mid_session_cannot_read(tracked_site: Site) -> None:
    browser = scoped(tracked_site)
    with tracked_site.session() as session:
        user = session.execute(sa.select(User).where(User.username == SCOPED[0])).scalar_one()
        user.active = False
        session.commit()
    assert browser.get("/supervision/").status_code in (302, 403)


def test_every_drill_down_filter_has_a_name_on_the_dossier_list(tracked_site: Site) -> None:
    samples = {"bool": True, "str": "x", "date | None": date(2026, 3, 1)}
    every = DossierFilter(
        **{item.name: samples[str(item.type)] for item in fields(DossierFilter)
           if str(item.type) in samples}
    )  # fmt: skip
    query = every.to_query()
    assert len(query) >= 10
    browser = tracked_site.browser("admin")
    browser.post("/language", {"lang": "en"})
    html = page(browser.text("/dossiers/?" + "&".join(f"{k}={v}" for k, v in query.items())))
    names = [
        badge.text_content().split(":")[0]
        for badge in html.xpath("//*[@class='badge badge-light border mr-1 sodo-active-filter']")
    ]
    assert len(names) == len(query) and not set(names) & set(query), names
