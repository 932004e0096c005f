"""Shared fixtures: real database files, a real PostgreSQL when configured, a live server.

Database tests run on SQLite always and on PostgreSQL when `SODO_TEST_DATABASE_URL` is
set; under pytest-xdist each worker gets its own database, named after the configured
one and the worker id, created when missing. With `SODO_REQUIRE_POSTGRES=1` (or
`SODO_REQUIRE_BROWSER=1` for Chromium) a missing part fails the test instead of skipping
it, so CI cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def worker_database_url(url: str, worker: str | None) -> str:
    """The database of one pytest-xdist worker: the configured one, suffixed with its id.

    Each worker drops and migrates its own schema, so workers must not share a database.
    Without xdist (`worker` is None) the configured database is used as it is.

    >>> worker_database_url("postgresql+psycopg://u:p@127.0.0.1:5432/sodo_test", "gw1")
    'postgresql+psycopg://u:p@127.0.0.1:5432/sodo_test_gw1'
    >>> worker_database_url("postgresql+psycopg://u:p@127.0.0.1:5432/sodo_test", None)
    'postgresql+psycopg://u:p@127.0.0.1:5432/sodo_test'
    """
    if not worker:
        return url
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def _create_database_if_missing(url: str, worker_url: str) -> None:
    """Create the worker's database, connected to the configured one (needs CREATEDB)."""
    name = sa.engine.make_url(worker_url).database
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                connection.exec_driver_sql(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
                )
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The URL of this process's PostgreSQL test database (one per xdist worker)."""
    if not PG_URL:
        missing_part("SODO_REQUIRE_POSTGRES", "SODO_TEST_DATABASE_URL is not set")
    url = worker_database_url(PG_URL, os.environ.get("PYTEST_XDIST_WORKER"))
    try:
        if url != PG_URL:
            _create_database_if_missing(PG_URL, url)
        engine = make_engine(url)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
    except sa.exc.OperationalError as error:
        missing_part("SODO_REQUIRE_POSTGRES", f"PostgreSQL is unreachable: {error}")
    return url


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """The PostgreSQL test database, emptied and migrated once per run (per worker)."""
    engine = make_engine(pg_url)
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
        yield Database("postgresql", request.getfixturevalue("pg_url"), engine)


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


@dataclass(frozen=True)
class DemoTemplate:
    """A SQLite file holding the demo catalogue, and the demo users' passwords."""

    path: Path
    passwords: dict[str, str]


@pytest.fixture(scope="session")
def sqlite_demo_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> DemoTemplate:
    """The demo loaded once into a migrated SQLite file; each live server gets a copy."""
    from admin.demo import load_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        passwords = dict(load_demo(session).passwords)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return DemoTemplate(path, passwords)


@pytest.fixture
def live_config() -> dict[str, Any]:
    """Settings the live server's app adds to its own; a module overrides this to set some."""
    return {}


@pytest.fixture
def live_server(
    sqlite_database: Database,
    sqlite_demo_template: DemoTemplate,
    tmp_path: Path,
    live_config: dict[str, Any],
) -> Iterator[LiveServer]:
    """The demo catalogue served by the real app on a free port of 127.0.0.1."""
    from admin import create_app

    # The test's database file becomes a copy of the demo, loaded once per run.
    sqlite_database.engine.dispose()
    shutil.copyfile(sqlite_demo_template.path, sqlite_database.url.removeprefix("sqlite:///"))
    passwords = dict(sqlite_demo_template.passwords)
    app = create_app(
        {
            "DATABASE_URL": sqlite_database.url,
            "SECRET_KEY": "test-secret-key",
            "SODO_INSTANCE": str(tmp_path / "instance"),
            **live_config,
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
from support.browser import browser, screen_pages  # noqa: E402, F401
from support.receiver import servers  # noqa: E402, F401
