"""Shared fixtures: real database files, a real PostgreSQL when configured, a live server.

Database tests run on SQLite always and on PostgreSQL when `SODO_TEST_DATABASE_URL` is
set. With `SODO_REQUIRE_POSTGRES=1` (or `SODO_REQUIRE_BROWSER=1` for Chromium) a missing
part fails the test instead of skipping it, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from workflow_model.db import make_engine, make_session_factory
from workflow_model.migrate import upgrade
from workflow_model.models import STANDARD_LEVELS, Base, Level

ROOT = Path(__file__).resolve().parents[1]
FLOWS_DIR = ROOT / "workflow_model" / "demo_data" / "flows"
PG_URL = os.environ.get("SODO_TEST_DATABASE_URL", "")
BACKENDS = ("sqlite", "postgresql")


def _required(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0")


def missing_part(variable: str, reason: str) -> None:
    """Fail when `variable` says the part is required here, otherwise skip."""
    if _required(variable):
        pytest.fail(f"{reason}, but {variable}=1 requires it")
    pytest.skip(reason)


def sample_paths() -> list[Path]:
    """The real flows shipped as demo data."""
    return sorted(FLOWS_DIR.glob("*.json"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy, which is much faster."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def reset_postgres_schema(engine: Engine) -> None:
    """Drop everything in the test database's public schema."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """The PostgreSQL test database, emptied and migrated once per run."""
    if not PG_URL:
        missing_part("SODO_REQUIRE_POSTGRES", "SODO_TEST_DATABASE_URL is not set")
    engine = make_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        missing_part("SODO_REQUIRE_POSTGRES", f"PostgreSQL is unreachable: {error}")
    reset_postgres_schema(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_postgres(engine: Engine) -> None:
    """Bring the database back to a fresh migration: no rows but the seeded levels."""
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        connection.execute(
            sa.insert(Level),
            [
                {"key": key, "name": name, "position": position}
                for position, (key, name) in enumerate(STANDARD_LEVELS.items())
            ],
        )


@dataclass
class Database:
    """A migrated, empty test database: its URL and an engine on it."""

    backend: str
    url: str
    engine: Engine


@pytest.fixture(params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """An empty migrated database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_copy(tmp_path, sqlite_template)
    else:
        engine = request.getfixturevalue("pg_engine")
        empty_postgres(engine)
        yield Database("postgresql", PG_URL, engine)


@pytest.fixture
def sqlite_database(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty migrated SQLite database file, for tests about one backend only."""
    yield from _sqlite_copy(tmp_path, sqlite_template)


def _sqlite_copy(folder: Path, template: Path) -> Iterator[Database]:
    path = folder / "sodo.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield Database("sqlite", url, engine)
    engine.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the `database` of this test."""
    with make_session_factory(database.engine)() as session:
        yield session


@dataclass
class LiveServer:
    """The app served over real HTTP on 127.0.0.1."""

    url: str
    passwords: dict[str, str]
    database_url: str


@pytest.fixture
def live_server(sqlite_database: Database, tmp_path: Path) -> Iterator[LiveServer]:
    """The demo catalogue served by the real app on a free port of 127.0.0.1."""
    from admin import create_app
    from admin.demo import load_demo

    with make_session_factory(sqlite_database.engine)() as session:
        passwords = load_demo(session).passwords
    app = create_app(
        {
            "DATABASE_URL": sqlite_database.url,
            "SECRET_KEY": "test-secret-key",
            "SODO_INSTANCE": str(tmp_path / "instance"),
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", passwords, sqlite_database.url)
    finally:
        server.shutdown()
        thread.join(timeout=10)


# Fixtures that several modules use, kept with their helpers in tests/support. Imported
# last: those modules import this one.
from support.admin_site import instance_dir, known_state, site  # noqa: E402, F401
from support.browser import browser  # noqa: E402, F401
from support.receiver import servers  # noqa: E402, F401
