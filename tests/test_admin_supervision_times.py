"""The configured-against-actual page over HTTP on SQLite and PostgreSQL (`support.admin_site`).

Who may read it (supervisors and administrators; anonymous visitors go to the login
form, other roles get 403), the table and its flags in words, flagged cases first, the
button only for administrators, and the draft it opens: CSRF, a forged POST, a refusal,
and the redirect to the draft's review page with its finding. The browsers choose
English (`english`), so the tests do not wait for the Vietnamese catalogue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import lxml.html
import pytest
import sqlalchemy as sa
from flow_samples import flow
from support.admin_site import Site, messages
from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn

from workflow_model import lifecycle
from workflow_model.accounts import create_user
from workflow_model.calendar import WorkingCalendar
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, Step, Unit, User, utcnow
from workflow_model.supervision import Period, today_in_vietnam
from workflow_model.tracking import ingest_events

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

PAGE = "/supervision/times/"
MARCH = f"{PAGE}?period=month&day=2026-03-15"
CALENDAR = WorkingCalendar()
UNITS = {"s1": "tt", "s2": "svh-qlvh", "s3": "svh"}
OTHER = "0.000001"


def _dossier(code: str, received: datetime, hours: dict[str, float], **extra: Any) -> list[Any]:
    events = [item(f"{code}-r", "received", received, code, **extra)]
    at = received
    for key, spent in hours.items():
        at = CALENDAR.add_working_hours(at, spent)
        events.append(item(f"{code}-{key}", "step_completed", at, code, step=key, unit=UNITS[key]))
    return events


def _other(data: dict[str, Any]) -> None:
    data["procedure"]["code"] = OTHER
    data["procedure"]["name"] = "Thủ tục <b>khác</b>"


@pytest.fixture
def timed_site(site: Site) -> Site:
    """Two procedures in force: 1.000894 with s2 late in 2 of 5 dossiers, and one quiet."""
    with site.session() as session:
        people = author_and_approver(session)
        in_force(session, flow(), vn(2026, 1, 1), people)
        in_force(session, flow(_other), vn(2026, 1, 1), people)
        events: list[Any] = []
        for number, s2 in enumerate((4, 8, 12, 18, 20)):
            received = vn(2026, 3, 2 + number, 7, 30)
            events += _dossier(f"H-{number}", received, {"s1": 1, "s2": s2, "s3": 1})
        events += _dossier("O-1", vn(2026, 3, 2, 7, 30), {"s1": 1}, procedure=OTHER)
        results = ingest_events(session, SOURCE, events, check_keys=KEYS, now=vn(2026, 4, 1, 9))
        assert {r.result.value for r in results} == {"accepted"}
    return site


def english(browser: Any) -> Any:
    """`browser` with English chosen through the language form."""
    browser.post("/language", {"lang": "en"})
    return browser


def supervisor(site: Site) -> Any:
    browser = site.browser()
    browser.login("supervisor", site.passwords["supervisor"])
    return english(browser)


def case_id(site: Site, code: str) -> int:
    with site.session() as session:
        return session.execute(
            sa.select(ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == code)
        ).scalar_one()


def versions(site: Site) -> list[tuple[int, int, str]]:
    with site.session() as session:
        return [
            (v.case_id, v.number, v.status.value)
            for v in session.scalars(sa.select(FlowVersion).order_by(FlowVersion.id))
        ]


def table(html: str) -> list[dict[str, Any]]:
    """The table's cases in order, each with its flag and its steps' cells as text."""
    page = lxml.html.fromstring(html)
    found = []
    for body in page.xpath("//table[@id='calibration']/tbody"):
        steps = {
            row.get("data-step"): [" ".join(td.text_content().split()) for td in row.xpath("./td")]
            for row in body.xpath("./tr[@data-step]")
        }
        found.append(
            {
                "case": int(body.get("data-case")),
                "flagged": body.get("data-flagged"),
                "heading": " ".join(body.xpath("./tr/th")[0].text_content().split()),
                "steps": steps,
                "buttons": len(body.xpath(".//form[contains(@class, 'sodo-suggest-draft')]")),
            }
        )
    return found


def test_anonymous_visitors_log_in_and_other_roles_are_refused(timed_site: Site) -> None:
    anonymous = timed_site.browser()
    response = anonymous.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    for role in ("approver", "exporter", "superuser"):
        assert timed_site.browser(role).get(PAGE).status_code == 403, role
    with timed_site.session() as session:
        create_user(session, "khach", "a long enough password", [])
        session.commit()
    nobody = timed_site.browser()
    nobody.login("khach", "a long enough password")
    assert nobody.get(PAGE).status_code == 403
    assert timed_site.browser("admin").get(PAGE).status_code == 200
    assert supervisor(timed_site).get(PAGE).status_code == 200
    menu = lxml.html.fromstring(supervisor(timed_site).text("/"))
    assert any(a.get("href") == PAGE for a in menu.xpath("//nav//a"))


def test_the_table_lists_flagged_cases_first_with_their_figures_in_words(timed_site: Site) -> None:
    rows = table(supervisor(timed_site).text(MARCH))
    assert [(r["case"], r["flagged"]) for r in rows] == [
        (case_id(timed_site, "1.000894"), "yes"),
        (case_id(timed_site, OTHER), "no"),
    ]
    flagged, quiet = rows
    assert "1.000894" in flagged["heading"] and "Flagged" in flagged["heading"]
    assert list(flagged["steps"]) == ["s1", "s2", "s3", "s4", "s5"]
    # step, configured, median, p90, late rate, dossiers, runs, flags, suggested
    assert flagged["steps"]["s2"] == [
        "Thẩm định hồ sơ s2", "2 working days", "1.5 days", "2.4 days", "40%", "5", "5",
        "Chronically late", "2.5 working days",
    ]  # fmt: skip
    assert flagged["steps"]["s1"][2:] == ["1 hour", "1 hour", "0%", "5", "5", "–", "–"]
    assert flagged["steps"]["s4"][2:] == ["–", "–", "–", "0", "0", "–", "–"]
    # Names from the catalogue are text, never markup.
    assert "Thủ tục <b>khác</b>" in quiet["heading"]
    assert quiet["steps"]["s1"][7] == "–"
    assert [r["buttons"] for r in rows] == [0, 0]  # a supervisor reads, nothing more


def test_the_period_form_and_a_period_that_makes_none(timed_site: Site) -> None:
    browser = supervisor(timed_site)
    assert table(browser.text(f"{PAGE}?period=month&day=2026-02-10")) == []
    custom = f"{PAGE}?period=custom&from=2026-03-01&to=2026-03-04"
    rows = table(browser.text(custom))
    # Nothing flagged by the 4th: by procedure code; H-0's s2 and H-1's finished then.
    assert [(r["flagged"], r["steps"]["s2"][5]) for r in rows] == [("no", "0"), ("no", "2")]
    page = lxml.html.fromstring(browser.text(custom))
    assert page.get_element_by_id("period-from").get("value") == "2026-03-01"
    assert page.get_element_by_id("period-kind").value == "custom"
    quarter = Period.quarter_of(today_in_vietnam(utcnow()))
    for bad, message in (
        ("period=custom&from=2026-03-05&to=2026-03-01", "The period ends before it begins."),
        ("period=custom&from=x", "A custom period needs its first and its last day."),
        ("period=custom&from=x&to=2026-03-01", "Give each day as a date (YYYY-MM-DD)."),
        ("period=year", "Choose one of the periods the form offers."),
        ("period=month&day=2026-13-01", "Give each day as a date (YYYY-MM-DD)."),
    ):
        response = browser.get(f"{PAGE}?{bad}")
        assert response.status_code == 200, bad
        page = lxml.html.fromstring(response.get_data(as_text=True))
        said = [li.text_content() for li in page.xpath("//div[@id='problems']//li")]
        assert said == [message, "This quarter is shown instead."], bad
        shown = page.get_element_by_id("calibration-period-shown").text_content()
        assert f"From {quarter.first:%-m/%-d/%y} to {quarter.last:%-m/%-d/%y}." in shown, bad
        assert page.get_element_by_id("period-kind").value == "quarter"
    # The old parameter names are gone: `first`/`last` name no custom period.
    response = browser.get(f"{PAGE}?period=custom&first=2026-03-01&last=2026-03-04")
    assert "A custom period needs its first and its last day." in response.get_data(as_text=True)


def test_only_an_administrator_gets_the_button_and_it_opens_the_draft(timed_site: Site) -> None:
    admin = english(timed_site.browser("admin"))
    rows = table(admin.text(MARCH))
    assert [r["buttons"] for r in rows] == [1, 0]
    form = lxml.html.fromstring(admin.text(MARCH)).xpath(
        "//form[contains(@class, 'sodo-suggest-draft')]"
    )[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert fields["csrf_token"] and (fields["period"], fields["day"]) == ("month", "2026-03-15")
    before = versions(timed_site)
    case = case_id(timed_site, "1.000894")
    response = admin.client.post(form.get("action"), data=fields)
    assert response.status_code == 302
    with timed_site.session() as session:
        draft = session.scalars(sa.select(FlowVersion).order_by(FlowVersion.id.desc())).first()
        assert draft is not None and (draft.case_id, draft.number) == (case, 2)
        assert response.headers["Location"] == f"/versions/{draft.id}/review"
        durations = {
            s.key: (s.duration_value, s.duration_unit.value)
            for s in session.scalars(sa.select(Step).where(Step.version_id == draft.id))
        }
        assert durations["s2"] == (2.5, "working_day") and durations["s3"] == (8, "working_hour")
        in_force_now = lifecycle.version_in_force(session, case)
        assert in_force_now is not None and in_force_now.number == 1
    assert versions(timed_site) == [*before, (case, 2, "draft")]
    shown = admin.get(f"/versions/{draft.id}/review")
    text = messages(shown)
    assert "Draft v2 is open with the suggested times" in text
    assert "Thẩm định hồ sơ (s2): 2 working days → 2.5 working days" in text
    review = lxml.html.fromstring(shown.get_data(as_text=True))
    findings = [code.text_content() for code in review.xpath("//section[@id='findings']//small")]
    assert "time-budget-exceeded" in findings  # 2.5 days more than the legal time allows
    # The page now says the case has an open version, instead of the button.
    heading = table(admin.text(MARCH))[0]
    assert heading["buttons"] == 0
    assert "Version 2 is still open (Draft), so no new draft can be opened." in heading["heading"]
    # Asked again all the same: refused, said, nothing created.
    fields["csrf_token"] = admin.token()
    again = admin.client.post(form.get("action"), data=fields, follow_redirects=True)
    assert "still open" in messages(again)
    assert versions(timed_site) == [*before, (case, 2, "draft")]


def test_a_post_without_its_token_or_by_a_supervisor_creates_nothing(timed_site: Site) -> None:
    action = f"{PAGE}case/{case_id(timed_site, '1.000894')}/draft"
    fields = {"period": "month", "day": "2026-03-15"}
    admin, watcher = english(timed_site.browser("admin")), supervisor(timed_site)
    admin.token(), watcher.token()
    rows = timed_site.rows()  # once both have logged in, which the journal records
    assert admin.client.post(action, data=fields).status_code == 400  # no CSRF token
    assert watcher.post(action, fields).status_code == 403  # with its token, still 403
    anonymous = timed_site.browser()
    response = anonymous.client.post(action, data=fields)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # An unknown case, a case without suggestions, a period that makes none: said, nothing made.
    bad_period = {"period": "custom", "from": "x", "to": "2026-03-01"}
    for case, data in ((999_999, fields), (case_id(timed_site, OTHER), fields),
                       (case_id(timed_site, "1.000894"), bad_period)):  # fmt: skip
        answer = admin.post(f"{PAGE}case/{case}/draft", data, follow=True)
        assert answer.status_code == 200
        assert "no suggested time" in messages(answer) or "YYYY-MM-DD" in messages(answer)
    assert timed_site.rows() == rows


def test_a_scoped_supervisor_sees_the_runs_of_their_units_only(timed_site: Site) -> None:
    with timed_site.session() as session:
        unit = session.execute(sa.select(Unit.id).where(Unit.code == "svh-qlvh")).scalar_one()
        watcher = session.scalars(sa.select(User).where(User.username == "supervisor")).one()
        watcher.scope_unit_id = unit
        session.commit()
    rows = table(supervisor(timed_site).text(MARCH))
    assert len(rows) == 1  # the quiet procedure's one run was at tt
    assert {key: cells[6] for key, cells in rows[0]["steps"].items()} == {
        "s1": "0",
        "s2": "5",
        "s3": "0",
        "s4": "0",
        "s5": "0",
    }


def test_the_thresholds_come_from_the_settings(timed_site: Site, database: Any) -> None:
    from support.admin_site import Browser

    from admin import create_app

    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "t",
            "SODO_INSTANCE": timed_site.app.config["SODO_INSTANCE"],
            "SODO_SLACK_MIN_DOSSIERS": "5",
            "SODO_LATE_RATE": "0.45",
        }
    )
    try:
        browser = Browser(app.test_client())
        browser.login("supervisor", timed_site.passwords["supervisor"])
        steps = table(english(browser).text(MARCH))[0]["steps"]
        assert steps["s3"][7:] == ["Slack", "1 working hour"]  # p90 1 h of 8, over 5 dossiers
        assert steps["s2"][7] == "Chronically late"  # 40 % is not above 45 %, its p90 is
    finally:
        app.extensions["sodo.engine"].dispose()


@pytest.mark.parametrize(
    ("name", "value", "takes"),
    [
        ("SODO_LATE_RATE", "30%", "a share from 0 to 1"),
        ("SODO_LATE_RATE", "1.5", "a share from 0 to 1"),
        ("SODO_SLACK_SHARE", "nan", "a share from 0 to 1"),
        ("SODO_SLACK_MIN_DOSSIERS", "2.5", "a whole number of dossiers"),
        ("SODO_SLACK_MIN_DOSSIERS", "0", "a whole number of dossiers"),
    ],
)
def test_a_threshold_setting_that_makes_no_sense_stops_the_start(
    name: str, value: str, takes: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin import create_app
    from admin.config import ConfigurationError

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as stopped:
        create_app({"SECRET_KEY": "t", "SODO_INSTANCE": str(tmp_path)})
    assert str(stopped.value).startswith(f"{name} must be {takes}")
    assert repr(value) in str(stopped.value)
    assert not (tmp_path / "sodo.db").exists()  # stopped before anything was made
