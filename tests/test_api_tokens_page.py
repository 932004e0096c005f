"""The API tokens page: superusers issue a token shown once, list and revoke tokens.

Over HTTP with Flask's test client (CSRF on), on SQLite and PostgreSQL, from the known
state (`support.admin_site`, which holds one token of igate): the token and its signing
secret appear on the answer to the form alone, never again, nor in a URL, a cookie, a
list, details, search or CSV export; the database keeps the token's SHA-256 and the
secret sealed; the token opens the API until it is revoked; other roles get 403 and
change nothing; a refusal says why and writes nothing; the journal holds no secret.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import lxml.html
import pytest
import sqlalchemy as sa
from support.admin_site import (
    CSRF_REFUSED,
    KNOWN_TOKEN,
    Browser,
    Site,
    field_errors,
    journal,
    messages,
    user_id,
)
from werkzeug.test import TestResponse

from admin.config import secret_box
from workflow_model.api_tokens import authenticate, has_scopes
from workflow_model.models import ApiToken

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
]

# The page's words as the Vietnamese interface shows them.
SHOWN_ONCE = "Hãy sao chép ngay: mã này sẽ không được hiển thị lại."
SOURCE_RULE = "Tên hệ thống nguồn gồm 1 đến 64 chữ cái"
SCOPES_RULE = "Hãy chọn ít nhất một phạm vi."
NOTHING_ISSUED = "Chưa cấp mã nào."
ACTIVE, REVOKED = "Đang hoạt động", "Đã thu hồi"
REVOKED_ACTION, API_TOKEN_RECORD = "thu hồi", "mã truy cập API"


def issue(browser: Browser, **changes: Any) -> TestResponse:
    """Fill and send the form of a new token, as a person does."""
    return browser.submit("/apitoken/new/", changes)


def shown(response: TestResponse, element_id: str) -> str | None:
    """The text of the element `element_id` of a page, if it has one."""
    found = lxml.html.fromstring(response.get_data(as_text=True)).xpath(f"//*[@id='{element_id}']")
    return found[0].text_content().strip() if found else None


def tokens(site: Site) -> list[ApiToken]:
    """Every token row, oldest first."""
    with site.session() as s:
        return list(s.scalars(sa.select(ApiToken).order_by(ApiToken.id)))


def session_cookie(site: Site, browser: Browser) -> str:
    """What the browser's session cookie holds, decoded."""
    cookie = browser.client.get_cookie(site.app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None  # logged in: the session is in the cookie
    serializer = site.app.session_interface.get_signing_serializer(site.app)
    return json.dumps(serializer.loads(cookie.value), default=str)


def everything_shown_later(browser: Browser, row_id: int) -> str:
    """The list, its search and filters, the details and the CSV export, as one text."""
    pages = [
        browser.text("/apitoken/"),
        browser.text("/apitoken/?search=igate"),
        browser.text(f"/apitoken/details/?id={row_id}"),
    ]
    export = browser.get("/apitoken/export/csv/")
    pages.append(export.get_data(as_text=True))
    export.close()
    assert export.status_code == 200
    return "\n".join(pages)


def test_a_superuser_issues_a_token_shown_once_and_only_its_hash_is_kept(site: Site) -> None:
    browser = site.browser("superuser")
    form = browser.text("/apitoken/new/")
    assert 'value="events:write"' in form and 'value="dossiers:read"' in form
    before = len(tokens(site))

    response = issue(browser, source="igate-hcm", scopes=["events:write", "dossiers:read"])

    assert response.status_code == 200, messages(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.location is None  # answered here: the token is in no URL
    assert SHOWN_ONCE in response.get_data(as_text=True)
    token = shown(response, "token-value")
    assert token is not None and token.startswith("sodo_")
    assert shown(response, "token-signing-secret") is None  # not asked for
    rows = tokens(site)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row.source, row.scopes) == ("igate-hcm", ["dossiers:read", "events:write"])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:11] and row.signing_secret is None
    assert row.created_by_id == user_id(site, "root")
    # Stored nowhere but as its hash: not in a row, the session cookie or a header.
    assert token not in repr(site.rows())
    assert token not in session_cookie(site, browser)
    assert all(token not in value for _, value in response.headers.items())

    later = everything_shown_later(browser, row.id)
    assert token not in later and row.token_hash not in later
    assert f"{row.prefix}…" in later and "igate-hcm" in later
    # Reloading the list shows it never again, and no search finds it by hash or token.
    assert "igate-hcm" not in browser.text(f"/apitoken/?search={row.token_hash}")
    assert "igate-hcm" not in browser.text(f"/apitoken/?search={token}")

    with site.session() as s:
        found = authenticate(s, token)
        assert found is not None and found.id == row.id
        assert has_scopes(found, ["events:write", "dossiers:read"])
        assert authenticate(s, KNOWN_TOKEN[:-1] + "x") is None


def test_a_signed_token_shows_its_signing_secret_once_and_keeps_it_sealed(site: Site) -> None:
    browser = site.browser("superuser")
    response = issue(browser, source="dvc.quocgia", scopes=["events:write"], signed="y")
    assert response.status_code == 200, messages(response)
    token, secret = shown(response, "token-value"), shown(response, "token-signing-secret")
    assert token and secret
    row = tokens(site)[-1]
    assert row.signing_secret is not None and secret not in row.signing_secret
    assert secret_box(site.app.config).open(row.signing_secret) == secret
    assert secret not in session_cookie(site, browser)
    later = everything_shown_later(browser, row.id)
    for hidden in (token, secret, row.signing_secret, row.token_hash):
        assert hidden not in later
    assert "token_hash" not in later and "signing_secret" not in later
    events = journal(site, "api_token", row.id)
    assert [e.action for e in events] == ["create"]
    assert events[0].user_id == user_id(site, "root")
    assert events[0].after["signed"] is True
    kept = json.dumps([e.before for e in events] + [e.after for e in events])
    for hidden in (token, secret, row.signing_secret, row.token_hash):
        assert hidden not in kept


def test_revoking_a_token_stops_it_at_once_and_is_journaled(site: Site) -> None:
    browser = site.browser("superuser")
    token = shown(issue(browser, source="igate", scopes=["events:write"]), "token-value")
    assert token is not None
    row_id, prefix = tokens(site)[-1].id, token[:11]
    listing = browser.text("/apitoken/")
    assert f"/apitoken/revoke/{row_id}" in listing and "data-sodo-confirm" in listing

    response = browser.post(f"/apitoken/revoke/{row_id}", {}, follow=True)

    assert response.status_code == 200
    assert f"Đã thu hồi mã {prefix}… của igate." in messages(response)
    assert REVOKED in response.get_data(as_text=True)
    with site.session() as s:
        assert authenticate(s, token) is None
        revoked = s.get(ApiToken, row_id)
        assert revoked is not None and revoked.revoked_at is not None
        assert authenticate(s, KNOWN_TOKEN) is not None  # the others still work
    assert f"/apitoken/revoke/{row_id}" not in response.get_data(as_text=True)
    events = journal(site, "api_token", row_id)
    assert [e.action for e in events] == ["create", "revoke"]
    assert events[1].user_id == user_id(site, "root")
    assert events[1].before["revoked_at"] is None and events[1].after["revoked_at"]
    assert token not in json.dumps([e.after for e in events])
    # The journal names the action and the record in the user's words.
    audit = browser.text(f"/audit/details/?id={events[1].id}")
    assert REVOKED_ACTION in audit and API_TOKEN_RECORD in audit


@pytest.mark.parametrize("role", ["admin", "approver", "exporter"])
def test_other_roles_get_403_and_change_nothing(site: Site, role: str) -> None:
    browser = site.browser(role)
    known = tokens(site)[0].id
    before = site.rows()
    for url in ("/apitoken/", "/apitoken/new/", f"/apitoken/details/?id={known}"):
        assert browser.get(url).status_code == 403, url
    assert browser.get("/apitoken/export/csv/").status_code == 403
    issued = browser.post("/apitoken/new/", {"source": "igate", "scopes": "events:write"})
    assert issued.status_code == 403
    assert browser.post(f"/apitoken/revoke/{known}", {}).status_code == 403
    assert browser.post(f"/apitoken/edit/?id={known}", {"source": "x"}).status_code == 403
    assert browser.post("/apitoken/delete/", {"id": known}).status_code == 403
    assert 'href="/apitoken/"' not in browser.text("/")
    assert site.rows() == before
    with site.session() as s:
        assert authenticate(s, KNOWN_TOKEN) is not None


def test_an_anonymous_visitor_is_sent_to_login_and_changes_nothing(site: Site) -> None:
    browser = site.browser()
    known = tokens(site)[0].id
    before = site.rows()
    for url in ("/apitoken/", "/apitoken/new/", f"/apitoken/details/?id={known}"):
        response = browser.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    token = browser.token("/login")
    for url in ("/apitoken/new/", f"/apitoken/revoke/{known}"):
        data = {"csrf_token": token, "source": "igate", "scopes": "events:write"}
        response = browser.client.post(url, data=data)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    assert site.rows() == before


def test_superusers_see_it_in_the_menu_and_cannot_edit_or_delete(site: Site) -> None:
    browser = site.browser("superuser")
    assert 'href="/apitoken/"' in browser.text("/")
    known = tokens(site)[0].id
    before = site.rows()
    assert browser.get(f"/apitoken/edit/?id={known}").status_code == 403
    assert browser.post("/apitoken/delete/", {"id": known}).status_code == 403
    listing = browser.text("/apitoken/")
    assert "/apitoken/edit/" not in listing and "/apitoken/delete/" not in listing
    assert ACTIVE in listing and f"{KNOWN_TOKEN[:11]}…" in listing and KNOWN_TOKEN not in listing
    assert site.rows() == before


def test_a_form_or_revocation_without_its_csrf_token_is_refused(site: Site) -> None:
    browser = site.browser("superuser")
    known = tokens(site)[0].id
    before = site.rows()
    data = {"source": "igate", "scopes": "events:write"}
    created = browser.client.post("/apitoken/new/", data=data)
    assert created.status_code == 400 and CSRF_REFUSED in created.get_data(as_text=True)
    revoked = browser.client.post(f"/apitoken/revoke/{known}", data={})
    assert revoked.status_code == 400 and CSRF_REFUSED in revoked.get_data(as_text=True)
    forged = browser.client.post(f"/apitoken/revoke/{known}", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert site.rows() == before


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"source": "igate hcm", "scopes": ["events:write"]}, "source", SOURCE_RULE),
        ({"source": "", "scopes": ["events:write"]}, "source", SOURCE_RULE),
        ({"source": "x" * 65, "scopes": ["events:write"]}, "source", SOURCE_RULE),
        ({"source": "igate", "scopes": None}, "scopes", SCOPES_RULE),
    ],
)
def test_a_bad_source_or_no_scope_says_why_and_writes_nothing(
    site: Site, changes: dict[str, Any], field: str, rule: str
) -> None:
    browser = site.browser("superuser")
    before = site.rows()
    response = issue(browser, **changes)
    assert response.status_code == 200
    assert rule in field_errors(response).get(field, ""), messages(response)
    assert NOTHING_ISSUED in messages(response)
    assert shown(response, "token-value") is None
    assert site.rows() == before


def test_an_unknown_scope_is_refused_and_writes_nothing(site: Site) -> None:
    browser = site.browser("superuser")
    before = site.rows()
    response = browser.post("/apitoken/new/", {"source": "igate", "scopes": "admin:all"})
    assert response.status_code == 200
    assert "scopes" in field_errors(response)
    assert shown(response, "token-value") is None
    assert site.rows() == before


def test_the_page_speaks_english_too(site: Site) -> None:
    browser = site.browser("superuser")
    browser.post("/language", {"lang": "en"})
    response = issue(browser, source="igate", scopes=["events:write"])
    assert "it will not be shown again" in response.get_data(as_text=True)
    assert "Active" in browser.text("/apitoken/")


def test_sending_the_form_again_as_a_reload_issues_no_second_token(site: Site) -> None:
    browser = site.browser("superuser")
    data = browser.form("/apitoken/new/")
    data["source"] = "igate-reload"
    data.setlist("scopes", ["events:write"])
    before = len(tokens(site))

    first = browser.client.post("/apitoken/new/", data=data)
    again = browser.client.post("/apitoken/new/", data=data)  # the browser's "resend"

    assert shown(first, "token-value") is not None
    assert again.status_code == 200
    assert shown(again, "token-value") is None
    assert "đã được gửi" in (shown(again, "token-refused") or "")
    assert len(tokens(site)) == before + 1
    # A form opened afresh issues the next one.
    assert shown(issue(browser, source="igate-reload", scopes=["events:write"]), "token-value")
    assert len(tokens(site)) == before + 2


def test_forms_open_in_several_tabs_each_issue_once(site: Site) -> None:
    browser = site.browser("superuser")
    forms = [browser.form("/apitoken/new/") for _ in range(3)]
    for index, data in enumerate(forms):
        data["source"] = f"tab-{index}"
        data.setlist("scopes", ["dossiers:read"])
    before = len(tokens(site))
    for data in reversed(forms):
        assert shown(browser.client.post("/apitoken/new/", data=data), "token-value")
    assert [row.source for row in tokens(site)[before:]] == ["tab-2", "tab-1", "tab-0"]
