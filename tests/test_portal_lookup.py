"""The citizen's dossier lookup over HTTP, without login, on SQLite and PostgreSQL.

A dossier of the demo's Hà Tĩnh procedure is reported through the ingest service; its
receipt's code and check value, posted with the form's CSRF token, show its status,
its diagram coloured by the same step states the domain derives, its timeline and the
public officer handling it. A wrong check value and an unknown code get the same page,
byte for byte; a form without its CSRF token is refused before any lookup; lookups
from one address are limited, other pages not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import sqlalchemy as sa
from conftest import Database
from flask.testing import FlaskClient
from support.admin_site import ESCAPED_SCRIPT, SCRIPT, KnownState, Site, restore
from support.html import csrf_token
from support.lookup import (
    CHECK,
    CODE,
    HANDLER,
    PRIVATE_NOTE,
    PROCEDURE,
    SECRET_KEY,
    in_force_since_january,
    report,
)
from support.tracking import KEYS, vn
from werkzeug.test import TestResponse

from admin import create_app
from workflow_model import public
from workflow_model.models import Officer, Procedure, ProcedureCase

PAGE = "/tra-cuu-ho-so"
NOT_FOUND_VI = "Không tìm thấy hồ sơ"
TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]


def lookup_app(database: Database, instance: Path, **config: Any) -> Any:
    return create_app(
        {
            "DATABASE_URL": database.url,
            # The secret the tracking tests' check keys (support.tracking.KEYS) come from.
            "SECRET_KEY": SECRET_KEY,
            "SODO_INSTANCE": str(instance),
            "WTF_CSRF_ENABLED": True,
            **config,
        }
    )


@pytest.fixture
def lookup_site(database: Database, known_state: KnownState, instance_dir: Path) -> Iterator[Site]:
    """The demo, its Hà Tĩnh version in force since January 2026, and one dossier."""
    restore(database.engine, known_state)
    app = lookup_app(database, instance_dir)
    site = Site(app, database.engine, known_state.passwords)
    with site.session() as s:
        in_force_since_january(s)
        report(s, CODE, CHECK)
    yield site
    app.extensions["sodo.engine"].dispose()


def form_token(client: FlaskClient) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return csrf_token(response.get_data(as_text=True))


def look_up(client: FlaskClient, code: str, check: str, **environ: Any) -> TestResponse:
    token = form_token(client)
    return client.post(
        PAGE, data={"csrf_token": token, "code": code, "check": check}, environ_base=environ
    )


def by_class(page: Any, name: str, path: str = "") -> list[Any]:
    """The elements of class `name` (then `path` below them) in an lxml page."""
    found: list[Any] = page.xpath(f"//*[contains(concat(' ', @class, ' '), ' {name} ')]{path}")
    return found


def without_token(response: TestResponse) -> bytes:
    return TOKEN.sub('name="csrf_token" value=""', response.get_data(as_text=True)).encode()


def same_headers(response: TestResponse) -> dict[str, str]:
    """The headers but the ones that change on every answer (the nonce, the limit's count)."""
    changing = ("Content-Security-Policy", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    return {key: value for key, value in response.headers.items() if key not in changing}


def test_the_receipt_shows_the_state_the_diagram_the_timeline_and_the_handler(
    lookup_site: Site,
) -> None:
    client = lookup_site.app.test_client()
    response = look_up(client, CODE, CHECK)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    page = lxml.html.fromstring(html)
    assert "Đang giải quyết" in html  # the status, Vietnamese by default
    assert "Bổ nhiệm giám định viên pháp y" in html  # diacritics intact
    # The diagram's states are the domain's, step by step.
    with lookup_site.session() as s:
        found = public.track_dossier(s, CODE, CHECK, KEYS)
    assert found is not None
    drawn = {g.get("data-key"): g.get("data-state") for g in page.xpath("//svg//g[@data-key]")}
    assert drawn == {key: state.value for key, state in found.states.items()}
    assert drawn["s1"] and drawn["s3"] in ("current", "overdue") and drawn["s9"]
    note = " ".join(page.xpath("//svg//g[@data-key='s3']//text()"))
    assert "Đã dùng" in note
    # The legend names every state the diagram may use.
    legend = [" ".join(li.text_content().split()) for li in by_class(page, "portal-legend", "/li")]
    assert "Đang xử lý" in legend and "Nhánh không đi qua" in legend and len(legend) == 7
    # The timeline: each event, its unit and step; never the source's free-text note.
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in by_class(page, "portal-timeline", "/tbody/tr")
    ]
    assert [row[1] for row in rows] == [
        "Tiếp nhận hồ sơ",
        "Chuyển bước",
        "Chuyển bước",
        "Bắt đầu xử lý",
    ]
    assert rows[1][2].startswith("Bộ phận Tiếp nhận và Trả kết quả")
    assert rows[1][3] == "Tiếp nhận, kiểm tra hồ sơ"
    assert PRIVATE_NOTE not in html and "001234567890" not in html
    # The public officer handling the current step, with a phone to call.
    handlers = " ".join(by_class(page, "portal-handlers")[0].text_content().split())
    assert HANDLER[0] in handlers and HANDLER[1] in handlers
    assert f'href="tel:{HANDLER[1].replace(" ", "")}"' in html


def test_an_officer_who_is_not_public_is_not_shown_as_the_handler(lookup_site: Site) -> None:
    with lookup_site.session() as s:
        s.execute(sa.update(Officer).where(Officer.email == HANDLER[2]).values(public=False))
        s.commit()
    html = look_up(lookup_site.app.test_client(), CODE, CHECK).get_data(as_text=True)
    assert "Đang giải quyết" in html
    assert HANDLER[0] not in html and HANDLER[1] not in html and HANDLER[2] not in html


def test_the_apology_slips_new_return_date_is_shown(lookup_site: Site) -> None:
    with lookup_site.session() as s:
        report(s, "HT-0002", "111222", apology=vn(2026, 4, 30, 16, 0))
    html = look_up(lookup_site.app.test_client(), "HT-0002", "111222").get_data(as_text=True)
    page = lxml.html.fromstring(html)
    assert by_class(page, "portal-apology")[0].text_content() == "30/04/2026 16:00"
    assert "Gửi phiếu xin lỗi và hẹn lại ngày trả" in html


def test_a_wrong_check_value_and_an_unknown_code_get_the_same_answer(lookup_site: Site) -> None:
    client = lookup_site.app.test_client()
    wrong = look_up(client, CODE, "000000")
    unknown = look_up(client, "HT-9999", CHECK)
    empty_code = look_up(client, "", CHECK)
    assert wrong.status_code == unknown.status_code == 200
    assert NOT_FOUND_VI in wrong.get_data(as_text=True)
    assert without_token(wrong) == without_token(unknown)
    assert same_headers(wrong) == same_headers(unknown)
    # Neither says which part was wrong, nor echoes what was typed.
    assert CODE not in wrong.get_data(as_text=True)
    assert NOT_FOUND_VI not in empty_code.get_data(as_text=True)
    right = look_up(client, CODE, CHECK)
    assert NOT_FOUND_VI not in right.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused_before_any_lookup(lookup_site: Site) -> None:
    client = lookup_site.app.test_client()
    client.get(PAGE)
    response = client.post(PAGE, data={"code": CODE, "check": CHECK})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Biểu mẫu đã hết hạn" in html and "Đang giải quyết" not in html
    # The code and the check value never go in the address: a GET ignores them.
    got = client.get(f"{PAGE}?code={CODE}&check={CHECK}").get_data(as_text=True)
    assert "Đang giải quyết" not in got


def test_lookups_from_one_address_are_limited_and_other_pages_are_not(
    database: Database, known_state: KnownState, instance_dir: Path
) -> None:
    restore(database.engine, known_state)
    app = lookup_app(database, instance_dir, SODO_LOOKUP_LIMIT="3 per minute")
    try:
        client = app.test_client()
        answers = [look_up(client, "HT-9999", str(n)).status_code for n in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = look_up(client, "HT-9999", "x")
        assert limited.status_code == 429
        assert "Quá nhiều lần tra cứu" in limited.get_data(as_text=True)
        assert limited.headers["Retry-After"]
        # The form itself, the other pages, and another address are not limited.
        for path in (PAGE, "/thu-tuc/", f"/thu-tuc/{PROCEDURE}", "/login"):
            assert client.get(path).status_code == 200, path
        assert look_up(client, "HT-9999", "x", REMOTE_ADDR="192.0.2.7").status_code == 200
    finally:
        app.extensions["sodo.engine"].dispose()


def test_the_page_speaks_english_and_escapes_what_it_shows(lookup_site: Site) -> None:
    with lookup_site.session() as s:
        s.execute(
            sa.update(ProcedureCase)
            .where(ProcedureCase.procedure_id == Procedure.id, Procedure.code == PROCEDURE)
            .values(name=SCRIPT)
        )
        s.commit()
        report(s, SCRIPT, "424242")
    client = lookup_site.app.test_client()
    token = form_token(client)
    client.post("/language", data={"csrf_token": token, "lang": "en"}, headers={"Referer": PAGE})
    form = client.get(PAGE).get_data(as_text=True)
    assert '<html lang="en">' in form and "Dossier code" in form
    html = look_up(client, SCRIPT, "424242").get_data(as_text=True)
    assert "In progress" in html and "Received" in html and "Done late" in html
    assert SCRIPT not in html and ESCAPED_SCRIPT in html
    assert "No dossier was found" in look_up(client, CODE, "1").get_data(as_text=True)


def test_the_lookup_is_public_and_linked_and_exposes_nothing_else(lookup_site: Site) -> None:
    client = lookup_site.app.test_client()
    response = client.get(PAGE)
    assert response.status_code == 200 and "/login" not in response.headers.get("Location", "")
    assert 'name="code"' in response.get_data(as_text=True)
    assert 'aria-current="page"' in response.get_data(as_text=True)
    home = client.get("/thu-tuc/").get_data(as_text=True)
    assert home.count(f'href="{PAGE}"') >= 3  # header, search page, footer
    # The portal's routes are the ones it had, and this one.
    rules = lookup_site.app.url_map.iter_rules()
    portal_rules = sorted(rule.rule for rule in rules if rule.endpoint.startswith("portal."))
    assert portal_rules == sorted(
        ["/thu-tuc/", "/thu-tuc/<code>", "/thu-tuc/<code>/so-do.svg", "/sitemap.xml",
         "/robots.txt", PAGE]
    )  # fmt: skip
    # A staff page is still closed to anonymous visitors.
    staff = client.get("/procedure/")
    assert staff.status_code == 302 and staff.headers["Location"].startswith("/login")
