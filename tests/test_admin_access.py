"""Who may see and change what on the admin pages, by role and anonymously.

Through Flask's test client, on SQLite and PostgreSQL, from the known state
(`support.admin_site`).
"""

from __future__ import annotations

import pytest
from support.admin_site import (
    ENDPOINTS,
    POLICY,
    ROLES,
    Site,
    sample_ids,
)
from werkzeug.test import TestResponse


def allowed(endpoint: str, role: str, action: str) -> bool:
    """What POLICY says about `action` (list, details, export, create, edit, delete)."""
    readers, writers, offered = POLICY[endpoint]
    if role not in readers:
        return False
    if action == "list":
        return True
    if action not in offered:
        return False
    return action in ("details", "export") or role in writers


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_allowed_or_forbidden_by_role(site: Site, role: str) -> None:
    browser = site.browser(role)
    ids = sample_ids(site)
    before = site.rows()
    got: dict[str, int] = {}
    wanted: dict[str, int] = {}

    def check(label: str, response: TestResponse, expected: int) -> None:
        got[label], wanted[label] = response.status_code, expected

    for endpoint in ENDPOINTS:
        row = ids[endpoint]

        def code(action: str, ok: int, endpoint: str = endpoint) -> int:
            return ok if allowed(endpoint, role, action) else 403

        check(f"list {endpoint}", browser.get(f"/{endpoint}/"), code("list", 200))
        check(
            f"details {endpoint}",
            browser.get(f"/{endpoint}/details/?id={row}"),
            code("details", 200),
        )
        export = browser.get(f"/{endpoint}/export/csv/")
        export.get_data()  # the CSV is streamed: read it all, then close it
        export.close()
        check(f"export {endpoint}", export, code("export", 200))
        if export.status_code == 200:
            assert export.mimetype == "text/csv", endpoint
        check(f"create form {endpoint}", browser.get(f"/{endpoint}/new/"), code("create", 200))
        # An empty form: shown again with its errors, nothing stored.
        check(f"create post {endpoint}", browser.post(f"/{endpoint}/new/", {}), code("create", 200))
        edit_url = f"/{endpoint}/edit/?id={row}"
        check(f"edit form {endpoint}", browser.get(edit_url), code("edit", 200))
        if allowed(endpoint, role, "edit"):
            # Saved as served: stored (redirect), and nothing changes.
            check(f"edit post {endpoint}", browser.submit(edit_url), 302)
        else:
            check(f"edit post {endpoint}", browser.post(edit_url, {"name": "x"}), 403)
        delete = browser.post(f"/{endpoint}/delete/", {"id": 999999, "url": f"/{endpoint}/"})
        check(f"delete {endpoint}", delete, code("delete", 302))

    password_url = f"/user/password/{ids['user']}"
    superuser = role == "superuser"
    check("password form", browser.get(password_url), 200 if superuser else 403)
    short = {"password": "short", "confirm": "short"}
    check("password post", browser.post(password_url, short), 200 if superuser else 403)
    check("home", browser.get("/"), 200)
    check("report", browser.get(f"/report/{ids['flowversion']}"), 200)
    assert got == wanted
    assert site.rows() == before


def test_anonymous_visitor_is_sent_to_login_from_every_page(site: Site) -> None:
    ids = sample_ids(site)
    urls = [f"/report/{ids['flowversion']}", f"/user/password/{ids['user']}"]
    for endpoint in ENDPOINTS:
        row = ids[endpoint]
        urls += [
            f"/{endpoint}/",
            f"/{endpoint}/new/",
            f"/{endpoint}/edit/?id={row}",
            f"/{endpoint}/details/?id={row}",
            f"/{endpoint}/export/csv/",
        ]
    browser = site.browser()
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/login?next="), url
    before = site.rows()
    token = browser.token("/login")
    for url in ("/unit/new/", f"/unit/edit/?id={ids['unit']}", "/unit/delete/"):
        response = browser.client.post(
            url, data={"csrf_token": token, "id": ids["unit"], "code": "x", "name": "x"}
        )
        assert response.status_code == 302 and response.location.startswith("/login"), url
    assert site.rows() == before


def test_lists_offer_changes_only_to_those_who_may_make_them(site: Site) -> None:
    approver_page = site.browser("approver").text("/unit/")
    admin_page = site.browser("admin").text("/unit/")
    assert 'href="/unit/new/' in admin_page and "/unit/delete/" in admin_page
    assert 'href="/unit/new/' not in approver_page and "/unit/delete/" not in approver_page
    assert "/unit/edit/" not in approver_page
    assert 'href="/user/"' not in admin_page
    assert 'href="/user/"' in site.browser("superuser").text("/")
