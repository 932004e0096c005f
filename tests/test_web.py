"""The web app over real HTTP on 127.0.0.1: login, CSRF, the procedure list, languages."""

from __future__ import annotations

import re

import requests
from conftest import LiveServer


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def logged_in(server: LiveServer, username: str = "admin") -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{server.url}/login")
    response = browser.post(
        f"{server.url}/login",
        data={
            "username": username,
            "password": server.passwords[username],
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 200 and 'id="procedures"' in response.text
    return browser


def test_anonymous_visitor_is_sent_to_login(live_server: LiveServer) -> None:
    response = requests.get(f"{live_server.url}/", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_static_assets_are_public(live_server: LiveServer) -> None:
    response = requests.get(f"{live_server.url}/static/sodo.css", timeout=10)
    assert response.status_code == 200 and "text/css" in response.headers["Content-Type"]


def test_login_without_csrf_token_is_refused(live_server: LiveServer) -> None:
    browser = requests.Session()
    browser.get(f"{live_server.url}/login")
    response = browser.post(
        f"{live_server.url}/login",
        data={"username": "admin", "password": live_server.passwords["admin"]},
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không gửi từ trang này" in response.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


def test_wrong_password_shows_an_error_in_vietnamese(live_server: LiveServer) -> None:
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/login")
    response = browser.post(
        f"{live_server.url}/login",
        data={"username": "admin", "password": "wrong", "csrf_token": csrf_token(page.text)},
    )
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


def test_procedure_list_shows_versions_and_step_counts(live_server: LiveServer) -> None:
    page = logged_in(live_server).get(f"{live_server.url}/").text
    assert "<h1>Thủ tục hành chính</h1>" in page
    assert "1.009645.H05" in page and "Chấp thuận chủ trương đầu tư" in page
    assert "Trường hợp 2.2" in page
    assert re.search(r"v1 · Đã phê duyệt ·\s+13 bước", page)
    assert re.search(r"v2 · Bản nháp ·\s+9 bước", page)
    assert "12 thủ tục" not in page and "11 thủ tục" in page
    assert "17 ngày làm việc" in page and "168 giờ làm việc" in page


def test_english_is_one_click_away(live_server: LiveServer) -> None:
    browser = logged_in(live_server)
    home = browser.get(f"{live_server.url}/").text
    response = browser.post(
        f"{live_server.url}/language", data={"lang": "en", "csrf_token": csrf_token(home)}
    )
    assert "<h1>Procedures</h1>" in response.text and "v1 · Approved" in response.text
    # Names stay as the decisions write them, in every language.
    assert "Chấp thuận chủ trương đầu tư" in response.text


def test_security_headers_on_every_response(live_server: LiveServer) -> None:
    for path in ("/login", "/static/sodo.css"):
        headers = requests.get(f"{live_server.url}{path}", timeout=10).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(live_server: LiveServer) -> None:
    browser = requests.Session()
    response = browser.get(f"{live_server.url}/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_never_redirects_off_site(live_server: LiveServer) -> None:
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/login")
    response = browser.post(
        f"{live_server.url}/login?next=//evil.example/",
        data={
            "username": "admin",
            "password": live_server.passwords["admin"],
            "csrf_token": csrf_token(page.text),
        },
        allow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_logout_needs_a_post_with_token_and_ends_the_session(live_server: LiveServer) -> None:
    browser = logged_in(live_server)
    assert browser.get(f"{live_server.url}/logout").status_code == 405
    assert browser.post(f"{live_server.url}/logout", allow_redirects=False).status_code == 400
    home = browser.get(f"{live_server.url}/").text
    browser.post(f"{live_server.url}/logout", data={"csrf_token": csrf_token(home)})
    assert browser.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


def test_names_are_escaped_not_rendered_as_html(live_server: LiveServer) -> None:
    import sqlalchemy as sa

    from workflow_model.db import make_engine

    url = live_server.database_url
    with make_engine(url).begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE procedures SET name = '<script>alert(1)</script>' WHERE code = '1.004944'"
            )
        )
    page = logged_in(live_server).get(f"{live_server.url}/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
