"""The admin pages through Flask's test client: a known state, a site over it, a browser.

Every admin test starts from the same state: the demo catalogue, its users, a
superuser, a calendar override and an API token (`KNOWN_TOKEN`), restored into the
`database` of the test; CSRF protection stays on, as in production. `Browser` fills
and sends forms the way a person's browser does (`support.html`). The fixtures
`known_state`, `instance_dir` and `site` are registered in `tests/conftest.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Database, DemoTemplate
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from admin import create_app
from support.html import csrf_token, page_forms
from workflow_model.accounts import create_user
from workflow_model.api_tokens import token_hash
from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import (
    ApiToken,
    AuditEvent,
    Base,
    DayOverride,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    Role,
    Step,
    Transition,
    Unit,
    User,
    VersionStatus,
)

ROOT_PASSWORD = "a long password"
# Derived data that reading a page may fill in; not a change of the catalogue.
CACHE_TABLES = frozenset({"version_checks"})
USERNAMES = {"admin": "admin", "approver": "approver", "exporter": "exporter", "superuser": "root"}
ROLES = tuple(USERNAMES)

ENDPOINTS = (
    "procedure",
    "flowversion",
    "step",
    "transition",
    "field",
    "unit",
    "officer",
    "level",
    "calendar",
    "user",
    "audit",
    "apitoken",
)
EVERYONE = frozenset(ROLES)
FULL = frozenset({"create", "edit", "delete", "details", "export"})
# endpoint: (roles that may read, roles that may write, what the list offers at all)
POLICY: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    "procedure": (EVERYONE, frozenset({"admin"}), FULL),
    "flowversion": (EVERYONE, frozenset({"admin"}), frozenset({"export"})),
    "step": (EVERYONE, frozenset({"admin"}), FULL),
    "transition": (EVERYONE, frozenset({"admin"}), FULL),
    "field": (EVERYONE, frozenset({"admin"}), FULL),
    "unit": (EVERYONE, frozenset({"admin"}), FULL),
    "officer": (EVERYONE, frozenset({"admin"}), FULL),
    "level": (EVERYONE, frozenset({"admin"}), FULL),
    "calendar": (EVERYONE, frozenset({"admin"}), FULL),
    "user": (
        frozenset({"superuser"}),
        frozenset({"superuser"}),
        frozenset({"create", "edit", "details"}),
    ),
    "audit": (EVERYONE, frozenset({"admin"}), frozenset({"details", "export"})),
    # Tokens are issued and revoked (its own buttons), never edited or deleted.
    "apitoken": (
        frozenset({"superuser"}),
        frozenset({"superuser"}),
        frozenset({"create", "details", "export"}),
    ),
}

# The API token of the known state (only its hash is stored, as always).
KNOWN_TOKEN = "sodo_known-state-token-of-igate"

# Messages as the Vietnamese interface shows them.
INVALID_PHONE = "Số điện thoại không phải số Việt Nam"
INVALID_EMAIL = "Địa chỉ email không hợp lệ."
DUPLICATE = "Đã có bản ghi khác dùng mã, khóa hoặc email này."
NOT_DRAFT = "Chỉ được sửa phiên bản nháp; hãy tạo một bản nháp mới."
IN_USE = "Bản ghi đang được sử dụng nên không xóa được"
INVALID_KEY = "Mã chỉ gồm chữ cái, chữ số và các dấu _ . -"
CSRF_REFUSED = "Biểu mẫu đã hết hạn hoặc không gửi từ trang này"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


# --- the known state: the demo, its users, a superuser and one calendar override -------


@dataclass(frozen=True)
class KnownState:
    """Every row of the starting state, table by table, and the users' passwords."""

    rows: dict[str, list[dict[str, Any]]]
    passwords: dict[str, str]


@pytest.fixture(scope="session")
def known_state(
    sqlite_demo_template: DemoTemplate, tmp_path_factory: pytest.TempPathFactory
) -> KnownState:
    """The demo (loaded once per run) in a scratch SQLite file, with more, read back row by row."""
    path = tmp_path_factory.mktemp("known-state") / "demo.db"
    shutil.copyfile(sqlite_demo_template.path, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        passwords = dict(sqlite_demo_template.passwords)
        create_user(session, "root", ROOT_PASSWORD, [Role.SUPERUSER], full_name="Siêu quản trị")
        session.add(DayOverride(day=dt.date(2026, 5, 4), working=False, description="Nghỉ bù"))
        session.add(
            ApiToken(
                source="igate",
                scopes=["events:write"],
                token_hash=token_hash(KNOWN_TOKEN),
                prefix=KNOWN_TOKEN[:11],
            )
        )
        session.commit()
    passwords["root"] = ROOT_PASSWORD
    with engine.connect() as connection:
        rows = {
            table.name: [
                dict(row)
                for row in connection.execute(
                    table.select().order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return KnownState(rows, passwords)


def restore(engine: Engine, state: KnownState) -> None:
    """Replace every row of the database by the known state."""
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:  # rows in key order: a unit's parent comes before the unit
            if state.rows[table.name]:
                connection.execute(table.insert(), state.rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement is not False:
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
                    )


def database_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but caches, to show that a request changed nothing."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name not in CACHE_TABLES
        }


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One instance folder, so the translations are compiled once."""
    return tmp_path_factory.mktemp("instance")


@dataclass
class Site:
    """The app over a database in the known state."""

    app: Flask
    engine: Engine
    passwords: dict[str, str]

    def browser(self, role: str | None = None) -> Browser:
        """A test client, logged in as the user of `role` (anonymous for None)."""
        browser = Browser(self.app.test_client())
        if role is not None:
            browser.login(USERNAMES[role], self.passwords[USERNAMES[role]])
        return browser

    def session(self) -> Session:
        """A new session on the test database."""
        return make_session_factory(self.engine)()

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the database."""
        return database_rows(self.engine)


@pytest.fixture
def site(database: Database, known_state: KnownState, instance_dir: Path) -> Iterator[Site]:
    """The app, CSRF protection on, over the known state on SQLite or PostgreSQL."""
    restore(database.engine, known_state)
    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "t",
            "SODO_INSTANCE": str(instance_dir),
            "WTF_CSRF_ENABLED": True,
        }
    )
    yield Site(app, database.engine, known_state.passwords)
    app.extensions["sodo.engine"].dispose()


# --- a small browser: forms as the pages serve them ---------------------------------------


class Browser:
    """A Flask test client that logs in and fills forms the way a browser does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def login(self, username: str, password: str) -> None:
        """Log in through the login form."""
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": self.token("/login")},
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        """GET `url`."""
        return self.client.get(url, **kwargs)

    def text(self, url: str) -> str:
        """The page at `url`, which must answer 200."""
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def token(self, url: str = "/") -> str:
        """The CSRF token of this session, as a page carries it."""
        return csrf_token(self.text(url))

    def form(self, url: str) -> MultiDict[str, str]:
        """The fields of the admin form at `url`, as the page fills them."""
        forms = [f for f in page_forms(self.text(url)) if "admin-form" in f["class"]]
        assert len(forms) == 1, url
        return MultiDict(forms[0]["fields"])

    def submit(
        self, url: str, changes: dict[str, Any] | None = None, *, follow: bool = False
    ) -> TestResponse:
        """Fill the form at `url` with `changes` (a list sets several values) and send it."""
        data = self.form(url)
        for name, value in (changes or {}).items():
            if isinstance(value, list):
                data.setlist(name, [str(v) for v in value])
            elif value is None:
                data.poplist(name)
            else:
                data[name] = str(value)
        return self.client.post(url, data=data, follow_redirects=follow)

    def post(self, url: str, data: dict[str, Any], *, follow: bool = False) -> TestResponse:
        """POST `data` with this session's CSRF token."""
        if self._token is None:
            self._token = self.token()
        return self.client.post(
            url, data={"csrf_token": self._token, **data}, follow_redirects=follow
        )

    def delete(self, endpoint: str, row_id: int) -> TestResponse:
        """Press the delete button of a row, and follow to the list with its message."""
        return self.post(
            f"/{endpoint}/delete/", {"id": row_id, "url": f"/{endpoint}/"}, follow=True
        )


def field_errors(response: TestResponse) -> dict[str, str]:
    """The errors a form shows under each field, by field name, as plain text."""
    errors = {}
    for group in response.get_data(as_text=True).split('<div class="form-group')[1:]:
        label = re.search(r'<label for="([^"]+)"', group)
        shown = re.search(r'class="invalid-feedback"[^>]*>(.*?)</div>', group, re.S)
        if label and shown:
            errors[label.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", shown.group(1)).split())
    return errors


def messages(response: TestResponse) -> str:
    """The flashed alerts and field errors of a page, as plain text."""
    html = response.get_data(as_text=True)
    parts = re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)
    parts += re.findall(r'class="invalid-feedback"[^>]*>(.*?)</div>', html, re.S)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", part).split()) for part in parts)


# --- looking rows up -----------------------------------------------------------------


def one_id(session: Session, statement: sa.Select[Any]) -> int:
    """The first id a statement selects."""
    found = session.execute(statement.limit(1)).scalar()
    assert found is not None, str(statement)
    return int(found)


def sample_ids(site: Site) -> dict[str, int]:
    """A row of each list, taken from a draft version where only drafts may change."""
    with site.session() as s:
        draft = one_id(
            s,
            sa.select(FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(FlowVersion.id),
        )
        return {
            "procedure": one_id(s, sa.select(Procedure.id).where(Procedure.code == "1.009645.H05")),
            "flowversion": draft,
            "step": one_id(s, sa.select(Step.id).where(Step.version_id == draft).order_by(Step.id)),
            "transition": one_id(s, sa.select(Transition.id).where(Transition.version_id == draft)),
            "field": one_id(s, sa.select(Field.id).order_by(Field.id)),
            "unit": one_id(s, sa.select(Unit.id).where(Unit.code == "stc")),
            "officer": one_id(s, sa.select(Officer.id).order_by(Officer.id)),
            "level": one_id(s, sa.select(Level.id).where(Level.key == "commune")),
            "calendar": one_id(s, sa.select(DayOverride.id)),
            "user": one_id(s, sa.select(User.id).where(User.username == "admin")),
            # Not about an account: those are for superusers only.
            "audit": one_id(
                s,
                sa.select(AuditEvent.id)
                .where(AuditEvent.entity_type.not_in(("user", "login")))
                .order_by(AuditEvent.id),
            ),
            "apitoken": one_id(s, sa.select(ApiToken.id)),
        }


def journal(site: Site, entity_type: str, entity_id: int | str) -> list[AuditEvent]:
    """The journal of one row, oldest first."""
    with site.session() as s:
        return list(
            s.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type)
                .where(AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.id)
            )
        )


def user_id(site: Site, username: str) -> int:
    """The id of a user."""
    with site.session() as s:
        return one_id(s, sa.select(User.id).where(User.username == username))


def can_log_in(site: Site, username: str, password: str) -> bool:
    """Whether the login form accepts this username and password."""
    browser = site.browser()
    response = browser.client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": browser.token("/login")},
    )
    return response.status_code == 302


# --- create, edit, delete through the forms ------------------------------------------------


def journal_state(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the journal stores them (dates as ISO text)."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in values.items()
    }


def round_trip(
    site: Site,
    browser: Browser,
    endpoint: str,
    model: type[Any],
    entity_type: str,
    create: dict[str, Any],
    created: dict[str, Any],
    edit: dict[str, Any],
    edited: dict[str, Any],
    shown: tuple[str, str, str],
) -> None:
    """Create, edit and delete a row through the forms, checking the list, rows and journal.

    `created` and `edited` are column values the row must have; `shown` is the list URL and
    the text it must show after creating and after editing.
    """
    response = browser.submit(f"/{endpoint}/new/", create)
    assert response.status_code == 302, messages(response)
    list_url, shown_created, shown_edited = shown
    assert str(escape(shown_created)) in browser.text(list_url)
    first_column = next(iter(created))
    with site.session() as s:
        match = getattr(model, first_column) == created[first_column]
        row = s.scalars(sa.select(model).where(match)).one()
        assert {key: getattr(row, key) for key in created} == created
        row_id = row.id
    events = journal(site, entity_type, row_id)
    assert [e.action for e in events] == ["create"]
    assert events[0].before is None
    assert journal_state(created).items() <= events[0].after.items()
    assert events[0].user_id == user_id(site, "admin")

    response = browser.submit(f"/{endpoint}/edit/?id={row_id}", edit)
    assert response.status_code == 302, messages(response)
    assert str(escape(shown_edited)) in browser.text(list_url)
    with site.session() as s:
        row = s.get(model, row_id)
        assert {key: getattr(row, key) for key in edited} == edited
    update = journal(site, entity_type, row_id)[-1]
    assert update.action == "update"
    assert journal_state(created).items() <= update.before.items()
    assert journal_state(edited).items() <= update.after.items()

    response = browser.delete(endpoint, row_id)
    assert response.status_code == 200 and IN_USE not in messages(response)
    with site.session() as s:
        assert s.get(model, row_id) is None
    delete = journal(site, entity_type, row_id)[-1]
    assert delete.action == "delete" and delete.after is None
    assert journal_state(edited).items() <= delete.before.items()
