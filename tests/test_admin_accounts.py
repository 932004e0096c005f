"""User accounts through the admin forms: roles, passwords, language, login."""

from __future__ import annotations

import json

import sqlalchemy as sa
from support.admin_site import (
    Site,
    can_log_in,
    field_errors,
    journal,
    messages,
    user_id,
)

from workflow_model.models import (
    AuditEvent,
    Role,
    User,
)


def test_user_round_trip_roles_password_and_login(site: Site) -> None:
    root = site.browser("superuser")
    first_password, second_password = "Mật khẩu đủ dài 2026", "một mật khẩu mới hơn"
    response = root.submit(
        "/user/new/",
        {
            "username": "tuan.nv",
            "full_name": "Nguyễn Văn Tuấn",
            "email": "tuan.nv@bacninh.gov.vn",
            "role_choices": ["admin", "approver"],
            "new_password": first_password,
        },
    )
    assert response.status_code == 302, messages(response)
    assert "Nguyễn Văn Tuấn" in root.text("/user/")
    with site.session() as s:
        user = s.scalars(sa.select(User).where(User.username == "tuan.nv")).one()
        assert (user.full_name, user.email, user.locale, user.active) == (
            "Nguyễn Văn Tuấn",
            "tuan.nv@bacninh.gov.vn",
            "vi",
            True,
        )
        assert user.roles == {Role.ADMIN, Role.APPROVER}
        new_id, first_hash = user.id, user.password_hash
    assert can_log_in(site, "tuan.nv", first_password)
    newcomer = site.browser()
    newcomer.login("tuan.nv", first_password)
    assert newcomer.get("/unit/new/").status_code == 200
    assert newcomer.get("/user/").status_code == 403
    [created] = journal(site, "user", new_id)
    assert created.action == "create" and created.user_id == user_id(site, "root")
    assert created.after["username"] == "tuan.nv"
    assert created.after["roles"] == ["admin", "approver"]

    response = root.submit(
        f"/user/edit/?id={new_id}",
        {"full_name": "Nguyễn Văn Tuấn (Sở Tài chính)", "role_choices": ["approver"]},
    )
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        user = s.get(User, new_id)
        assert user.full_name == "Nguyễn Văn Tuấn (Sở Tài chính)"
        assert user.roles == {Role.APPROVER}
        assert user.password_hash == first_hash
    update = journal(site, "user", new_id)[-1]
    assert (update.before["roles"], update.after["roles"]) == (["admin", "approver"], ["approver"])

    password_url = f"/user/password/{new_id}"
    response = root.submit(password_url, {"password": "short", "confirm": "short"})
    assert response.status_code == 200 and "10" in field_errors(response)["password"]
    mismatch = {"password": second_password, "confirm": second_password + "!"}
    response = root.submit(password_url, mismatch)
    assert "Hai mật khẩu không khớp." in messages(response)
    assert can_log_in(site, "tuan.nv", first_password)
    response = root.submit(
        password_url, {"password": second_password, "confirm": second_password}, follow=True
    )
    assert "Đã đổi mật khẩu." in messages(response)
    assert not can_log_in(site, "tuan.nv", first_password)
    assert can_log_in(site, "tuan.nv", second_password)
    changed = journal(site, "user", new_id)[-1]
    assert changed.action == "set-password" and changed.user_id == user_id(site, "root")

    # Users are deactivated, never deleted; an inactive user cannot log in.
    assert root.delete("user", new_id).status_code == 403
    response = root.submit(f"/user/edit/?id={new_id}", {"active": None})
    assert response.status_code == 302
    assert not can_log_in(site, "tuan.nv", second_password)

    details = root.text(f"/user/details/?id={new_id}")
    assert "Nguyễn Văn Tuấn (Sở Tài chính)" in details
    with site.session() as s:
        secret = s.get(User, new_id).password_hash
    assert secret not in details and "scrypt:" not in details
    with site.session() as s:
        journal_text = json.dumps(
            [(e.before, e.after) for e in s.scalars(sa.select(AuditEvent))], ensure_ascii=False
        )
    for hidden in (first_password, second_password, first_hash, secret, "password_hash"):
        assert hidden not in journal_text


def test_a_user_language_is_one_the_interface_has(site: Site) -> None:
    root = site.browser("superuser")
    url = f"/user/edit/?id={user_id(site, 'approver')}"
    assert root.form(url)["locale"] == "vi"
    before = site.rows()
    response = root.submit(url, {"locale": "fr"})
    assert response.status_code == 200 and field_errors(response).get("locale")
    assert site.rows() == before
    assert root.submit(url, {"locale": "en"}).status_code == 302
    with site.session() as s:
        assert s.get(User, user_id(site, "approver")).locale == "en"


def test_a_new_user_needs_a_long_password(site: Site) -> None:
    root = site.browser("superuser")
    before = site.rows()
    response = root.submit(
        "/user/new/", {"username": "lan.pt", "role_choices": ["exporter"], "new_password": "ngắn"}
    )
    assert response.status_code == 200
    assert "Người dùng mới cần mật khẩu dài ít nhất 10 ký tự." in messages(response)
    assert site.rows() == before
