"""A session ends for good: logout, a new password or other roles make a copied cookie useless.

The session cookie is signed, not stored: a copy of it (from a shared computer, a proxy
log) would otherwise work for as long as the secret key. Each login keeps the user's
session epoch, which logout, a new password (page or `sodo users`) and a change of roles
move on. On SQLite and PostgreSQL, through Flask's test client with CSRF protection on.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from conftest import Database
from support.admin_site import Browser, Site, user_id
from support.cli import folder_env, run_sodo

from workflow_model.models import Level, User

NEW_PASSWORD = "a brand new password"


def copy_of(site: Site, browser: Browser) -> Browser:
    """Another browser holding a copy of `browser`'s session cookie."""
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    thief = site.browser()
    thief.client.set_cookie("session", cookie.value)
    return thief


def is_logged_in(browser: Browser) -> bool:
    response = browser.get("/procedure/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def commune_name(site: Site) -> str:
    with site.session() as s:
        return s.scalar(sa.select(Level.name).where(Level.key == "commune")) or ""


def test_a_copied_cookie_stops_working_after_logout(site: Site) -> None:
    admin = site.browser("admin")
    thief = copy_of(site, admin)
    assert is_logged_in(thief)  # the copy works as long as the session does
    token = admin.token()
    assert admin.client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not is_logged_in(admin)
    assert not is_logged_in(thief)
    # A change sent with the old cookie is refused (to the login form), and nothing changes.
    rows = site.rows()
    level = next(iter(site.rows()["levels"]))[0]
    response = thief.client.post(
        f"/level/edit/?id={level}", data={"csrf_token": token, "name": "Đổi tên"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert site.rows() == rows
    # Logging in again works, with a new session.
    assert is_logged_in(site.browser("admin"))


def test_the_editor_refuses_a_session_that_ended(site: Site) -> None:
    admin = site.browser("admin")
    thief = copy_of(site, admin)
    admin.client.post("/logout", data={"csrf_token": admin.token()})
    response = thief.client.post("/editor/_dash-update-component", json={})
    assert response.status_code == 401
    assert thief.client.get("/editor/_dash-layout").status_code == 401


def test_a_new_password_set_on_the_page_ends_the_users_sessions(site: Site) -> None:
    admin = site.browser("admin")
    root = site.browser("superuser")
    response = root.post(
        f"/user/password/{user_id(site, 'admin')}",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not is_logged_in(admin)
    assert is_logged_in(root)  # the one who set it is not logged out
    fresh = site.browser()
    fresh.login("admin", NEW_PASSWORD)
    assert is_logged_in(fresh)


def test_a_new_password_from_the_command_line_ends_the_users_sessions(
    site: Site, database: Database, tmp_path: Path
) -> None:
    admin = site.browser("admin")
    result = run_sodo(
        "users",
        "set-password",
        "admin",
        "--password-stdin",
        env=folder_env(tmp_path, database.url),
        stdin=NEW_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert not is_logged_in(admin)


def test_a_change_of_roles_ends_the_users_sessions(site: Site) -> None:
    approver = site.browser("approver")
    other = site.browser("exporter")
    root = site.browser("superuser")
    response = root.submit(
        f"/user/edit/?id={user_id(site, 'approver')}", {"role_choices": ["approver", "admin"]}
    )
    assert response.status_code == 302
    assert not is_logged_in(approver)
    assert is_logged_in(other)
    with site.session() as s:
        user = s.scalar(sa.select(User).where(User.username == "approver"))
        assert user is not None and {role.value for role in user.roles} == {"approver", "admin"}


def test_changes_that_are_not_about_access_keep_the_session(site: Site) -> None:
    approver = site.browser("approver")
    root = site.browser("superuser")
    response = root.submit(
        f"/user/edit/?id={user_id(site, 'approver')}", {"full_name": "Người phê duyệt"}
    )
    assert response.status_code == 302
    assert approver.post("/language", {"lang": "en"}).status_code == 302
    assert is_logged_in(approver)
