"""Production hardening: HSTS, no stored copies of pages, private local files.

- With ``SODO_ENV=production`` every answer carries Strict-Transport-Security.
- Pages say ``Cache-Control: no-store`` (a browser's history or a proxy kept them after a
  logout); static files may still be cached.
- The instance folder and the SQLite file are created readable by their owner only,
  whatever the umask.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Database
from support.admin_site import Site

from admin import create_app
from admin.app import HSTS
from workflow_model.db import make_engine
from workflow_model.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everybody read new files, as on many servers."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_production_answers_carry_hsts(database: Database, tmp_path: Path) -> None:
    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "a production secret",
            "SODO_ENV": "production",
            "SODO_INSTANCE": str(tmp_path / "instance"),
        }
    )
    client = app.test_client()
    for url in ("/login", "/static/sodo-admin.js", "/missing-page"):
        assert client.get(url).headers.get("Strict-Transport-Security") == HSTS, url
    app.extensions["sodo.engine"].dispose()


def test_development_answers_carry_no_hsts(site: Site) -> None:
    assert "Strict-Transport-Security" not in site.browser().get("/login").headers


def test_pages_are_not_stored_but_static_files_may_be(site: Site) -> None:
    browser = site.browser("admin")
    for url in ("/", "/level/", "/audit/", "/login"):
        response = browser.get(url)
        assert response.status_code in (200, 302), url
        assert response.headers.get("Cache-Control") == "no-store", url
    static = browser.get("/static/sodo-admin.js")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_the_instance_folder_and_the_sqlite_file_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    instance = tmp_path / "instance"
    data = tmp_path / "data" / "db"
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{data / 'sodo.db'}",
            "SODO_INSTANCE": str(instance),
        }
    )
    engine = make_engine(f"sqlite:///{data / 'sodo.db'}")
    upgrade(engine)
    with engine.connect():
        assert mode(data / "sodo.db-wal") == 0o600
    engine.dispose()
    app.extensions["sodo.engine"].dispose()
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(data) == 0o700 and mode(data.parent) == 0o700
    assert mode(data / "sodo.db") == 0o600


def test_an_existing_instance_folder_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{shared / 'sodo.db'}", "SODO_INSTANCE": str(shared)}
    )
    app.extensions["sodo.engine"].dispose()
    assert mode(shared) == 0o750  # the owner's choice
    assert mode(shared / "sodo.db") == 0o600
