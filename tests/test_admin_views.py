"""The admin pages through Flask's test client, on SQLite and PostgreSQL.

Who may see and change what, every form round trip to the database and the journal,
search without diacritics, and bad input refused with a clear message and no change.
Every test starts from the same state: the demo catalogue, its users and a superuser,
restored into the `database` of the test; CSRF protection stays on, as in production.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from conftest import Database
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from admin import create_app
from admin.demo import load_demo
from workflow_model.accounts import create_user
from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import (
    AuditEvent,
    Base,
    DayOverride,
    DossierComponent,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    Role,
    Step,
    StepDocument,
    Transition,
    Unit,
    User,
    VersionStatus,
)

pytestmark = [
    # Flask-Admin 2.2 still builds choices the way WTForms 3.3 deprecates.
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

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
}

# Messages as the Vietnamese interface shows them.
INVALID_PHONE = "Số điện thoại không phải số Việt Nam"
INVALID_EMAIL = "Địa chỉ email không hợp lệ."
DUPLICATE = "Đã có bản ghi khác dùng mã, khóa hoặc email này."
NOT_DRAFT = "Chỉ được sửa phiên bản nháp; hãy tạo một bản nháp mới."
IN_USE = "Bản ghi đang được sử dụng nên không xóa được"
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
def known_state(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> KnownState:
    """The demo loaded once into a scratch SQLite file, read back row by row."""
    path = tmp_path_factory.mktemp("known-state") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        passwords = dict(load_demo(session).passwords)
        create_user(session, "root", ROOT_PASSWORD, [Role.SUPERUSER], full_name="Siêu quản trị")
        session.add(DayOverride(day=dt.date(2026, 5, 4), working=False, description="Nghỉ bù"))
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


class _Forms(HTMLParser):
    """The forms of a page with what a browser would submit: checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "class": a.get("class", ""), "fields": []}
            self.forms.append(self._form)
        elif self._form is None or ("name" not in a and tag in ("input", "select", "textarea")):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or (
                kind in ("checkbox", "radio") and "checked" not in a
            ):
                return
            self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a["name"], "multiple": "multiple" in a, "first": None, "on": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["on"].append(value)
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["on"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form["fields"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # A browser drops the line break that follows <textarea>.
            self._form["fields"].append((name, re.sub(r"^\r?\n", "", text)))
            self._textarea = None


def page_forms(html: str) -> list[dict[str, Any]]:
    """The forms of `html`."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


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
        match = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', self.text(url))
        assert match, f"no CSRF token in {url}"
        return match.group(1)

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
            "audit": one_id(s, sa.select(AuditEvent.id).order_by(AuditEvent.id)),
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


# --- who may do what -----------------------------------------------------------------


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
    urls = ["/", f"/report/{ids['flowversion']}", f"/user/password/{ids['user']}"]
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


def test_level_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "level",
        Level,
        "level",
        create={"key": "thon", "name": "Thôn, tổ dân phố", "position": 5},
        created={"key": "thon", "name": "Thôn, tổ dân phố", "position": 5},
        edit={"name": "Thôn – Tổ dân phố", "position": 6},
        edited={"key": "thon", "name": "Thôn – Tổ dân phố", "position": 6},
        shown=("/level/", "Thôn, tổ dân phố", "Thôn – Tổ dân phố"),
    )


def test_unit_round_trip(site: Site) -> None:
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
        parent = one_id(s, sa.select(Unit.id).where(Unit.code == "ubndxa"))
    round_trip(
        site,
        site.browser("admin"),
        "unit",
        Unit,
        "unit",
        create={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Xã hội",
            "level": commune,
            "parent": parent,
            "one_stop": None,
            "address": "Số 1 đường Lý Thái Tổ, phường Suối Hoa",
            "phone": "0222 3822 111",
            "email": "vhxh@bacninh.gov.vn",
        },
        created={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Xã hội",
            "level_id": commune,
            "parent_id": parent,
            "one_stop": False,
            "address": "Số 1 đường Lý Thái Tổ, phường Suối Hoa",
            "phone": "0222 3822 111",
            "email": "vhxh@bacninh.gov.vn",
            "active": True,
        },
        edit={"name": "Phòng Văn hóa – Thông tin", "one_stop": "y", "active": None},
        edited={
            "code": "vhxh-bn",
            "name": "Phòng Văn hóa – Thông tin",
            "parent_id": parent,
            "one_stop": True,
            "active": False,
        },
        shown=("/unit/?search=vhxh-bn", "Phòng Văn hóa – Xã hội", "Phòng Văn hóa – Thông tin"),
    )


def test_officer_round_trip(site: Site) -> None:
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "stc"))
        other = one_id(s, sa.select(Unit.id).where(Unit.code == "stc-vt"))
    round_trip(
        site,
        site.browser("admin"),
        "officer",
        Officer,
        "officer",
        create={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "title": "Chuyên viên",
            "unit": unit,
            "phone": "0912 345 679",
            "email": "nhung.nth@bacninh.gov.vn",
        },
        created={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "title": "Chuyên viên",
            "unit_id": unit,
            "phone": "0912 345 679",
            "email": "nhung.nth@bacninh.gov.vn",
            "active": True,
        },
        edit={"title": "Phó Trưởng phòng", "unit": other, "phone": "+84 222 3810 333"},
        edited={"title": "Phó Trưởng phòng", "unit_id": other, "phone": "+84 222 3810 333"},
        shown=(
            "/officer/?search=nguyen+thi+hong+nhung",
            "Nguyễn Thị Hồng Nhung",
            "Phó Trưởng phòng",
        ),
    )


def test_field_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "field",
        Field,
        "field",
        create={"name": "Hộ tịch"},
        created={"name": "Hộ tịch"},
        edit={"name": "Hộ tịch – Chứng thực"},
        edited={"name": "Hộ tịch – Chứng thực"},
        shown=("/field/", "Hộ tịch", "Hộ tịch – Chứng thực"),
    )


def test_calendar_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "calendar",
        DayOverride,
        "day_override",
        create={"day": "2026-09-05", "working": "y", "description": "Làm bù cho ngày 1/9"},
        created={"day": dt.date(2026, 9, 5), "working": True, "description": "Làm bù cho ngày 1/9"},
        edit={"working": None, "description": "Nghỉ bù Quốc khánh"},
        edited={"day": dt.date(2026, 9, 5), "working": False, "description": "Nghỉ bù Quốc khánh"},
        shown=("/calendar/", "Làm bù cho ngày 1/9", "Nghỉ bù Quốc khánh"),
    )


def component(index: int, key: str, name: str, **more: Any) -> dict[str, Any]:
    """The inline form fields of a dossier component, as the page's "add" button makes them."""
    values = {"id": "", "key": key, "name": name, "originals": 1, "copies": 0}
    values |= {"form_name": "", "position": index} | more
    return {f"dossier_components-{index}-{field}": value for field, value in values.items()}


def test_procedure_round_trip_with_a_dossier_component(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        province = one_id(s, sa.select(Level.id).where(Level.key == "province"))
        field = one_id(s, sa.select(Field.id).order_by(Field.id))
    basis = ["Nghị định 123/2015/NĐ-CP", "Thông tư 04/2020/TT-BTP"]
    fees = [{"name": "Lệ phí cấp bản sao", "amount": 8000, "currency": "VND"}]
    create = {
        "code": "2.000635",
        "name": "Cấp bản sao trích lục hộ tịch",
        "level": province,
        "field": field,
        "result": "Bản sao trích lục hộ tịch",
        "legal_basis": json.dumps(basis, ensure_ascii=False),
        "fees": json.dumps(fees, ensure_ascii=False),
        "accepts_online": "y",
    } | component(0, "d1", "Tờ khai đề nghị cấp bản sao", form_name="Mẫu TK-01")
    response = admin.submit("/procedure/new/", create)
    assert response.status_code == 302, messages(response)
    assert "Cấp bản sao trích lục hộ tịch" in admin.text("/procedure/?search=2.000635")
    with site.session() as s:
        procedure = s.scalars(sa.select(Procedure).where(Procedure.code == "2.000635")).one()
        assert (procedure.name, procedure.level_id, procedure.field_id) == (
            "Cấp bản sao trích lục hộ tịch",
            province,
            field,
        )
        assert (procedure.legal_basis, procedure.fees) == (basis, fees)
        assert (procedure.accepts_direct, procedure.accepts_online) == (True, True)
        assert [(c.key, c.name, c.form_name) for c in procedure.dossier_components] == [
            ("d1", "Tờ khai đề nghị cấp bản sao", "Mẫu TK-01")
        ]
        procedure_id = procedure.id
    [created] = journal(site, "procedure", procedure_id)
    assert created.action == "create" and created.before is None
    assert created.after["name"] == "Cấp bản sao trích lục hộ tịch"
    assert created.after["legal_basis"] == basis and created.after["fees"] == fees
    assert [c["name"] for c in created.after["dossier_components"]] == [
        "Tờ khai đề nghị cấp bản sao"
    ]

    edit = {"name": "Cấp bản sao trích lục hộ tịch (trực tuyến)"} | component(
        1, "d2", "Giấy tờ tùy thân của người yêu cầu", originals=0, copies=1
    )
    response = admin.submit(f"/procedure/edit/?id={procedure_id}", edit)
    assert response.status_code == 302, messages(response)
    assert "(trực tuyến)" in admin.text("/procedure/?search=2.000635")
    with site.session() as s:
        procedure = s.get(Procedure, procedure_id)
        assert procedure.name == "Cấp bản sao trích lục hộ tịch (trực tuyến)"
        assert [(c.key, c.originals, c.copies) for c in procedure.dossier_components] == [
            ("d1", 1, 0),
            ("d2", 0, 1),
        ]
    update = journal(site, "procedure", procedure_id)[-1]
    assert update.action == "update"
    assert update.before["name"] == "Cấp bản sao trích lục hộ tịch"
    assert update.after["name"] == "Cấp bản sao trích lục hộ tịch (trực tuyến)"
    assert [c["key"] for c in update.before["dossier_components"]] == ["d1"]
    assert [c["key"] for c in update.after["dossier_components"]] == ["d1", "d2"]

    response = admin.delete("procedure", procedure_id)
    assert IN_USE not in messages(response)
    with site.session() as s:
        assert s.get(Procedure, procedure_id) is None
        assert (
            s.scalars(
                sa.select(DossierComponent).where(DossierComponent.procedure_id == procedure_id)
            ).all()
            == []
        )
    deleted = journal(site, "procedure", procedure_id)[-1]
    assert deleted.action == "delete" and deleted.before["code"] == "2.000635"


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


# --- search without diacritics ----------------------------------------------------------------


def test_officer_search_ignores_diacritics_and_folds_d(site: Site) -> None:
    admin = site.browser("admin")
    page = admin.text("/officer/?search=nguyen+van+nam")
    assert "Nguyễn Văn Nam" in page
    assert "Trần Thị Hạnh" not in page and "Nguyễn Đức Mạnh" not in page
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "ubnd"))
    response = admin.submit(
        "/officer/new/",
        {
            "full_name": "Trịnh Văn Đức",
            "title": "Chuyên viên",
            "unit": unit,
            "phone": "0987 654 321",
            "email": "duc.tv@bacninh.gov.vn",
        },
    )
    assert response.status_code == 302, messages(response)
    for term in ("trinh+van+duc", "duc", "%C4%90%E1%BB%A8C", "Tr%E1%BB%8Bnh"):  # ĐỨC, Trịnh
        assert "Trịnh Văn Đức" in admin.text(f"/officer/?search={term}"), term
    page = admin.text("/officer/?search=duc")
    assert "Hoàng Minh Đức" in page and "Nguyễn Văn Nam" not in page


def test_procedure_search_by_folded_name_and_by_code(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    response = admin.submit(
        "/procedure/new/",
        {"code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "level": commune},
    )
    assert response.status_code == 302, messages(response)
    page = admin.text("/procedure/?search=cap+ban+sao")
    assert "2.000635" in page and "1.009645.H05" not in page
    page = admin.text("/procedure/?search=chap+thuan")
    for code in ("1.009642.H05", "1.009644.H05", "1.009645.H05", "1.009646.H05"):
        assert code in page
    assert "2.000635" not in page and "1.004944" not in page
    page = admin.text("/procedure/?search=1.009642")
    assert "1.009642.H05" in page and "1.009645.H05" not in page
    assert "2.000635" in admin.text("/procedure/?search=2.000635")


def test_step_and_transition_search_with_the_text_as_written(site: Site) -> None:
    admin = site.browser("admin")
    page = admin.text("/step/?" + urlencode({"search": "Tiếp nhận"}))
    assert len(re.findall(r"<tr[ >]", page)) > 2 and "Tiếp nhận" in page
    page = admin.text("/transition/?" + urlencode({"search": "đầy đủ"}))
    assert len(re.findall(r"<tr[ >]", page)) > 2 and "đầy đủ" in page


def test_unit_picker_finds_units_without_diacritics(site: Site) -> None:
    response = site.browser("admin").get("/unit/ajax/lookup/?name=parent&query=so+tai+chinh")
    assert response.status_code == 200
    names = [name for _, name in response.get_json()]
    assert "Sở Tài chính tỉnh Bắc Ninh (stc)" in names


# --- bad input: a clear message, and nothing changed -----------------------------------------


def test_empty_required_fields_are_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    for url, blank, required in (
        ("/unit/new/", {}, {"code", "name"}),
        ("/officer/new/", {"phone": "0912 345 678"}, {"full_name", "unit"}),
        ("/procedure/new/", {}, {"code", "name"}),
        ("/level/new/", {}, {"key", "name"}),
        ("/field/new/", {}, {"name"}),
        ("/calendar/new/", {}, {"day"}),
        (f"/unit/edit/?id={ids['unit']}", {"name": ""}, {"name"}),
        (f"/procedure/edit/?id={ids['procedure']}", {"code": ""}, {"code"}),
    ):
        response = admin.submit(url, blank)
        assert response.status_code == 200, url
        errors = field_errors(response)
        assert required <= set(errors) and all(errors[name] for name in required), (url, errors)
    assert site.rows() == before


def test_officer_phone_and_email_are_checked(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    good = {"full_name": "Lê Thị Thu", "unit": ids["unit"]}
    for url, values, message in (
        ("/officer/new/", good | {"phone": "12345", "email": "thu@bacninh.gov.vn"}, INVALID_PHONE),
        ("/officer/new/", good | {"phone": "0912 345 678", "email": "a@"}, INVALID_EMAIL),
        (f"/officer/edit/?id={ids['officer']}", {"phone": "12345"}, INVALID_PHONE),
        (f"/officer/edit/?id={ids['officer']}", {"email": "a@"}, INVALID_EMAIL),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        assert message in messages(response), (url, messages(response))
    assert site.rows() == before


def test_duplicate_codes_and_emails_are_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    with site.session() as s:
        taken = s.scalars(sa.select(Officer.email).where(Officer.id != ids["officer"])).first()
        province = one_id(s, sa.select(Level.id).where(Level.key == "province"))
    before = site.rows()
    officer = {"full_name": "Lê Thị Thu", "unit": ids["unit"], "phone": "0912 345 678"}
    for url, values, field in (
        (
            "/unit/new/",
            {"code": "stc", "name": "Sở Tài chính (bản sao)", "level": province},
            "code",
        ),
        ("/officer/new/", officer | {"email": taken}, "email"),
        ("/procedure/new/", {"code": "1.009645.H05", "name": "Trùng", "level": province}, "code"),
        (f"/unit/edit/?id={ids['unit']}", {"code": "ubnd"}, "code"),
        (f"/officer/edit/?id={ids['officer']}", {"email": taken}, "email"),
        ("/level/new/", {"key": "province", "name": "Cấp tỉnh (trùng)"}, "key"),
        ("/field/new/", {"name": "Đầu tư tại Việt Nam"}, "name"),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        # The form's check of the unique column, under the field; the service's otherwise.
        assert field_errors(response).get(field) or DUPLICATE in messages(response), url
    assert site.rows() == before


def test_overlong_names_are_refused_with_a_length_message(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    long_name = "Phòng Văn hóa – Xã hội " + "x" * 10_000
    for url, values, field, limit in (
        ("/unit/new/", {"code": "dai", "name": long_name}, "name", 300),
        (f"/unit/edit/?id={ids['unit']}", {"name": long_name}, "name", 300),
        ("/officer/new/", {"full_name": long_name, "unit": ids["unit"]}, "full_name", 200),
        ("/procedure/new/", {"code": "9.999999", "name": long_name}, "name", 1000),
        ("/level/new/", {"key": "dai", "name": long_name}, "name", 200),
        ("/field/new/", {"name": long_name}, "name", 300),
        ("/calendar/new/", {"day": "2026-09-05", "description": long_name}, "description", 300),
        (f"/step/edit/?id={ids['step']}", {"name": long_name}, "name", 1000),
        ("/unit/new/", {"code": "c" * 65, "name": "Phòng Tư pháp"}, "code", 64),
    ):
        response = admin.submit(url, values)
        assert response.status_code == 200, url
        # WTForms' "Field cannot be longer than 300 characters.", in the interface's language
        assert str(limit) in field_errors(response).get(field, ""), (url, field_errors(response))
    assert site.rows() == before


def test_markup_in_a_unit_name_is_shown_as_text(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        commune = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    response = admin.submit("/unit/new/", {"code": "xss", "name": SCRIPT, "level": commune})
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "xss"))
        assert s.get(Unit, unit).name == SCRIPT
    response = admin.submit(
        "/officer/new/",
        {
            "full_name": "Đinh Thị Kiểm Thử",
            "unit": unit,
            "phone": "0912 000 111",
            "email": "kiemthu@bacninh.gov.vn",
        },
    )
    assert response.status_code == 302, messages(response)
    for url in (
        "/unit/?search=xss",
        f"/unit/details/?id={unit}",
        f"/unit/edit/?id={unit}",
        "/officer/?search=kiem+thu",
    ):
        page = admin.text(url)
        assert SCRIPT not in page, url
        assert ESCAPED_SCRIPT in page, url


def test_a_post_without_csrf_token_is_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    before = site.rows()
    form = admin.form("/unit/new/")
    form.update({"code": "vhxh-bn", "name": "Phòng Văn hóa – Xã hội"})
    for token in ([], ["not-a-token"]):
        form.setlist("csrf_token", token)
        response = admin.client.post("/unit/new/", data=form)
        assert response.status_code == 400
        assert CSRF_REFUSED in response.get_data(as_text=True)
    edit = admin.form(f"/unit/edit/?id={ids['unit']}")
    edit["name"] = "Đổi tên không có mã chống giả mạo"
    edit.poplist("csrf_token")
    assert admin.client.post(f"/unit/edit/?id={ids['unit']}", data=edit).status_code == 400
    delete = {"id": ids["field"], "url": "/field/"}
    assert admin.client.post("/field/delete/", data=delete).status_code == 400
    password = {"password": "một mật khẩu mới hơn", "confirm": "một mật khẩu mới hơn"}
    root = site.browser("superuser")
    assert root.client.post(f"/user/password/{ids['user']}", data=password).status_code == 400
    assert site.rows() == before


def test_an_approver_cannot_change_a_unit(site: Site) -> None:
    approver = site.browser("approver")
    ids = sample_ids(site)
    before = site.rows()
    url = f"/unit/edit/?id={ids['unit']}"
    response = approver.post(
        url, {"code": "stc", "name": "Sở Tài chính (sửa trái phép)", "level": 2}
    )
    assert response.status_code == 403
    assert (
        approver.post("/unit/new/", {"code": "moi", "name": "Mới", "level": 2}).status_code == 403
    )
    assert approver.delete("unit", ids["unit"]).status_code == 403
    assert site.rows() == before


def test_deleting_a_unit_in_use_names_where_it_is_used(site: Site) -> None:
    with site.session() as s:
        unit = one_id(s, sa.select(Unit.id).where(Unit.code == "ttpvhcc"))
        step_name, code = s.execute(
            sa.select(Step.name, Procedure.code)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .join(FlowVersion.case)
            .join(Procedure)
            .where(Step.unit_id == unit)
            .order_by(Procedure.code, Step.position)
            .limit(1)
        ).one()
    before = site.rows()
    response = site.browser("admin").delete("unit", unit)
    shown = messages(response)
    assert IN_USE in shown
    assert str(escape(step_name)) in shown and code in shown
    assert site.rows() == before


def test_deleting_what_versions_use_is_refused(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    with site.session() as s:
        used_officer = one_id(s, sa.select(Officer.id).where(Officer.full_name == "Nguyễn Văn Nam"))
        level = one_id(s, sa.select(Level.id).where(Level.key == "province"))
    before = site.rows()
    for endpoint, row in (
        ("procedure", ids["procedure"]),  # its versions would go with it
        ("officer", used_officer),
        ("level", level),
        ("field", ids["field"]),
    ):
        assert IN_USE in messages(admin.delete(endpoint, row)), endpoint
    assert site.rows() == before


def test_only_a_draft_step_can_be_changed(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        approved = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.APPROVED)
            .order_by(Step.id)
        ).first()
        draft = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(Step.id)
        ).first()
        assert approved is not None and draft is not None
    before = site.rows()
    for changes in (
        {"name": "Tiếp nhận hồ sơ (sửa)"},
        {"duration_value": "9"},
        {"version": draft.version_id},  # moved out of the approved version
    ):
        response = admin.submit(f"/step/edit/?id={approved.id}", changes)
        assert response.status_code == 200
        assert NOT_DRAFT in messages(response), changes
    assert NOT_DRAFT in messages(admin.delete("step", approved.id))
    response = admin.submit(f"/step/edit/?id={draft.id}", {"duration_value": "-1"})
    assert "100000" in field_errors(response)["duration_value"]
    assert site.rows() == before

    response = admin.submit(
        f"/step/edit/?id={draft.id}", {"name": "Tiếp nhận hồ sơ (dự thảo)", "duration_value": "1.5"}
    )
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        step = s.get(Step, draft.id)
        assert (step.name, step.duration_value) == ("Tiếp nhận hồ sơ (dự thảo)", 1.5)
        assert (step.kind, step.duration_unit, step.split, step.join) == (
            draft.kind,
            draft.duration_unit,
            draft.split,
            draft.join,
        )
    update = journal(site, "step", f"{draft.version_id}:{draft.key}")[-1]
    assert update.action == "update"
    assert update.before["name"] == draft.name
    assert update.after["name"] == "Tiếp nhận hồ sơ (dự thảo)"


def test_saving_a_form_unchanged_changes_nothing(site: Site) -> None:
    """Every field shows what is stored, so saving the form as shown stores the same."""
    with site.session() as s:
        draft_steps = s.scalars(
            sa.select(Step)
            .join(FlowVersion, Step.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT)
            .order_by(Step.id)
        ).all()
        variety = {(st.kind, st.duration_unit, st.split, st.join): st.id for st in draft_steps}
        draft_transition = one_id(
            s,
            sa.select(Transition.id)
            .join(FlowVersion, Transition.version_id == FlowVersion.id)
            .where(FlowVersion.status == VersionStatus.DRAFT),
        )
        rows = {
            "procedure": s.scalars(sa.select(Procedure.id)).all(),
            "step": list(variety.values()),
            "transition": [draft_transition],
            "unit": s.scalars(sa.select(Unit.id).where(Unit.parent_id.is_not(None))).all()[:3],
            "officer": s.scalars(sa.select(Officer.id)).all()[:3],
            "field": s.scalars(sa.select(Field.id)).all()[:2],
            "level": s.scalars(sa.select(Level.id)).all()[:2],
            "calendar": s.scalars(sa.select(DayOverride.id)).all(),
            "user": s.scalars(sa.select(User.id)).all(),
        }
    assert len(variety) > 1
    admin, root = site.browser("admin"), site.browser("superuser")
    before = site.rows()
    for endpoint, ids in rows.items():
        browser = root if endpoint == "user" else admin
        for row in ids:
            response = browser.submit(f"/{endpoint}/edit/?id={row}")
            assert response.status_code == 302, (endpoint, row, messages(response))
            assert site.rows() == before, (endpoint, row)


def test_missing_rows_are_not_found(site: Site) -> None:
    assert site.browser("superuser").get("/user/password/999999").status_code == 404
    assert site.browser("admin").get("/report/999999").status_code == 404


def test_removing_a_dossier_component_a_step_uses_is_refused(site: Site) -> None:
    with site.session() as s:
        used = s.scalars(
            sa.select(DossierComponent)
            .join(StepDocument, StepDocument.component_id == DossierComponent.id)
            .order_by(DossierComponent.id)
        ).first()
        assert used is not None
        code = s.get(Procedure, used.procedure_id).code
    admin = site.browser("admin")
    url = f"/procedure/edit/?id={used.procedure_id}"
    form = admin.form(url)
    index = next(
        key.split("-")[1]
        for key, value in form.items(multi=True)
        if key.startswith("dossier_components-") and key.endswith("-id") and value == str(used.id)
    )
    before = site.rows()
    response = admin.submit(url, {f"del-dossier_components-{index}": "y"})
    assert response.status_code == 200
    shown = messages(response)
    assert IN_USE in shown and code in shown
    assert site.rows() == before


def test_legal_basis_and_fees_must_be_json_lists(site: Site) -> None:
    admin = site.browser("admin")
    ids = sample_ids(site)
    url = f"/procedure/edit/?id={ids['procedure']}"
    before = site.rows()
    for field, value in (
        ("fees", '{"name": "Lệ phí", "amount": 0}'),
        ("fees", "[{"),
        ("legal_basis", '"Nghị định 31/2021/NĐ-CP"'),
    ):
        response = admin.submit(url, {field: value})
        assert response.status_code == 200
        assert field_errors(response).get(field), (field, value)
    assert site.rows() == before
    with site.session() as s:
        level = one_id(s, sa.select(Level.id).where(Level.key == "commune"))
    form = admin.form("/procedure/new/")
    assert (form["legal_basis"], form["fees"]) == ("[]", "[]")
    response = admin.submit(
        "/procedure/new/",
        {"code": "2.000001", "name": "Thủ tục chưa có phí", "level": level, "fees": ""},
    )
    assert response.status_code == 302, messages(response)
    with site.session() as s:
        procedure = s.scalars(sa.select(Procedure).where(Procedure.code == "2.000001")).one()
        assert (procedure.legal_basis, procedure.fees) == ([], [])


def test_unit_tree_cannot_loop(session) -> None:
    from workflow_model import editing
    from workflow_model.models import Level, Unit

    level = session.query(Level).filter_by(key="province").one()
    top = Unit(code="so-x", name="Sở X", level=level)
    child = Unit(code="so-x-p", name="Phòng Y", level=level, parent=top)
    editing.save(session, None, top, None)
    editing.save(session, None, child, None)
    before = editing.entity_state(top)
    top.parent = child
    with pytest.raises(editing.ChangeRefused) as refused:
        editing.save(session, None, top, before)
    assert refused.value.code == "parent-cycle"
    session.expire_all()
    assert session.get(Unit, top.id).parent_id is None


def test_check_constraint_is_not_called_a_duplicate(session) -> None:
    from workflow_model import editing
    from workflow_model.models import DossierComponent, Procedure

    procedure = session.query(Procedure).first()
    if procedure is None:
        from admin.demo import load_demo

        load_demo(session)
        procedure = session.query(Procedure).first()
    component = DossierComponent(procedure=procedure, key="zz", name="Tờ khai", copies=-1)
    with pytest.raises(editing.ChangeRefused) as refused:
        editing.save(session, None, component, None)
    assert refused.value.code == "invalid-value"
