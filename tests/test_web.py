"""The web app over real HTTP on 127.0.0.1: login, CSRF, the procedure list, languages."""

from __future__ import annotations

import re

import requests
from conftest import LiveServer
from support.html import csrf_token
from support.web import logged_in


def test_anonymous_visitor_lands_on_the_catalogue_and_staff_pages_need_a_login(
    live_server: LiveServer,
) -> None:
    response = requests.get(f"{live_server.url}/", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "/thu-tuc/"
    staff = requests.get(f"{live_server.url}/procedure/", allow_redirects=False, timeout=10)
    assert staff.status_code == 302
    assert staff.headers["Location"].startswith("/login")


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


def test_home_counts_procedures_by_level_and_status(live_server: LiveServer) -> None:
    page = logged_in(live_server).get(f"{live_server.url}/").text
    assert "Trang chủ" in page and "Bản nháp của tôi" in page
    counts = page[page.index('id="counts"') :]
    # Each procedure counts once, by its latest version: of the seven provincial ones,
    # three have only their approved v1, two a v2 draft, one a v2 submitted, and Sơn La's
    # v1 stays a draft since it does not validate.
    assert re.search(r"Cấp tỉnh</td><td>Đã phê duyệt</td><td[^>]*>3<", counts)
    assert re.search(r"Cấp tỉnh</td><td>Bản nháp</td><td[^>]*>3<", counts)
    assert re.search(r"Cấp tỉnh</td><td>Đã trình duyệt</td><td[^>]*>1<", counts)
    assert re.search(r"Cấp xã</td><td>Đã phê duyệt</td><td[^>]*>4<", counts)


def test_version_list_shows_status_steps_and_validity(live_server: LiveServer) -> None:
    page = logged_in(live_server).get(f"{live_server.url}/flowversion/").text
    assert "1.009645.H05" in page and "Đã phê duyệt" in page and "Bản nháp" in page
    assert "Hợp lệ" in page
    # The Son La flow overruns its legal time: one error, linked to its report.
    assert "1 lỗi" in page


def test_version_report_page(live_server: LiveServer) -> None:
    browser = logged_in(live_server)
    versions = browser.get(f"{live_server.url}/flowversion/?flt1_0=2.002760").text
    report_url = re.search(r'href="(/report/\d+)"', versions).group(1)
    page = browser.get(f"{live_server.url}{report_url}").text
    assert "time-budget-exceeded" in page and "Bộ Chỉ huy Quân sự tỉnh Sơn La" in page
    assert 'id="critical-path"' in page and 'id="due-dates"' in page
    assert "320" in page and "240" in page


def test_english_is_one_click_away(live_server: LiveServer) -> None:
    browser = logged_in(live_server)
    home = browser.get(f"{live_server.url}/").text
    response = browser.post(
        f"{live_server.url}/language", data={"lang": "en", "csrf_token": csrf_token(home)}
    )
    assert "My drafts" in response.text and "Procedures by level and status" in response.text
    versions = browser.get(f"{live_server.url}/flowversion/").text
    assert "Approved" in versions
    # Names stay as the decisions write them, in every language.
    assert "Cấp tỉnh" in response.text or "Cấp xã" in response.text


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

    script = "<script>alert(1)</script>"
    with make_engine(live_server.database_url).begin() as connection:
        connection.execute(
            sa.text("UPDATE procedures SET name = :n WHERE code = '1.004944'"), {"n": script}
        )
        connection.execute(sa.text("UPDATE units SET name = :n WHERE code = 'tt'"), {"n": script})
        version = connection.execute(
            sa.text(
                "SELECT v.id FROM flow_versions v JOIN procedure_cases c ON v.case_id = c.id "
                "JOIN procedures p ON c.procedure_id = p.id WHERE p.code = '1.004944'"
            )
        ).scalar()
    browser = logged_in(live_server)
    for path in ("/procedure/", "/unit/", f"/report/{version}", "/officer/"):
        page = browser.get(f"{live_server.url}{path}").text
        assert script not in page, path
        # An approved version's report shows its frozen snapshot, not the live name.
        if path in ("/procedure/", "/unit/"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_five_wrong_passwords_lock_the_username_out(live_server: LiveServer) -> None:
    browser = requests.Session()
    for _ in range(5):
        page = browser.get(f"{live_server.url}/login")
        browser.post(
            f"{live_server.url}/login",
            data={"username": "approver", "password": "wrong", "csrf_token": csrf_token(page.text)},
        )
    page = browser.get(f"{live_server.url}/login")
    response = browser.post(
        f"{live_server.url}/login",
        data={
            "username": "approver",
            "password": live_server.passwords["approver"],
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Tài khoản này bị khóa đến " in response.text
    assert re.search(r"bị khóa đến \d{1,2}:\d{2}", response.text)
    assert browser.get(f"{live_server.url}/", allow_redirects=False).status_code == 302
    # Another username is not affected.
    logged_in(live_server, "admin")


def test_procedure_list_flags_directory_drift_since_approval(live_server: LiveServer) -> None:
    from workflow_model.db import make_engine, make_session_factory
    from workflow_model.models import Officer

    browser = logged_in(live_server)
    assert "directory changed" not in browser.get(f"{live_server.url}/procedure/").text
    assert (
        "Danh bạ đã thay đổi từ khi phê duyệt"
        not in browser.get(f"{live_server.url}/procedure/").text
    )
    sessions = make_session_factory(make_engine(live_server.database_url))
    with sessions() as session:
        officer = session.query(Officer).filter(Officer.email == "nam.nv@example.gov.vn").one()
        officer.phone = "0912 000 222"
        session.commit()
    page = browser.get(f"{live_server.url}/procedure/").text
    flagged = re.findall(r'href="/versions/procedure/(\d+)">Danh bạ đã thay đổi', page)
    assert flagged
    # Only procedures whose version in force uses that officer are flagged.
    assert len(flagged) < page.count('class="col-code"')


def test_language_can_be_chosen_on_the_login_page(live_server: LiveServer) -> None:
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/login")
    assert "<h1>Đăng nhập</h1>" in page.text
    response = browser.post(
        f"{live_server.url}/language",
        data={"lang": "en", "csrf_token": csrf_token(page.text)},
        headers={"Referer": f"{live_server.url}/login"},
    )
    assert "<h1>Log in</h1>" in response.text
    # Choosing a language gives no access to anything else.
    assert browser.get(f"{live_server.url}/", allow_redirects=False).status_code == 302
