"""Flask-Admin's own strings use our corrected Vietnamese catalogue, English on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Database

from admin import create_app
from workflow_model.accounts import create_user
from workflow_model.db import make_session_factory
from workflow_model.models import Role


@pytest.fixture
def client(sqlite_database: Database, tmp_path: Path):
    with make_session_factory(sqlite_database.engine)() as session:
        create_user(session, "quantri", "mật khẩu đủ dài", [Role.ADMIN])
        session.commit()
    app = create_app(
        {
            "DATABASE_URL": sqlite_database.url,
            "SECRET_KEY": "t",
            "SODO_INSTANCE": str(tmp_path),
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    client.post("/login", data={"username": "quantri", "password": "mật khẩu đủ dài"})
    return client


def test_flask_admin_strings_use_the_corrected_vietnamese(client) -> None:
    page = client.get("/field/").get_data(as_text=True)
    assert "Tìm" in page and "dòng" in page and "mặt hàng" not in page
    created = client.post("/field/new/", data={"name": "Hộ tịch"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Đã tạo bản ghi." in created and "Kỷ lục" not in created


def test_flask_admin_strings_in_english(client) -> None:
    client.post("/language", data={"lang": "en"})
    page = client.get("/field/").get_data(as_text=True)
    assert "items" in page and "dòng" not in page


def test_wtforms_messages_are_in_vietnamese(client) -> None:
    page = client.post("/officer/new/", data={"full_name": ""}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in page and "This field is required." not in page
    client.post("/language", data={"lang": "en"})
    page = client.post("/officer/new/", data={"full_name": ""}).get_data(as_text=True)
    assert "This field is required." in page
