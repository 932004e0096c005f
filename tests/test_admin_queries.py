"""Each admin page runs as many SQL statements with ~100 rows as with ~10: no N+1 queries.

Statements are counted with an SQLAlchemy ``before_cursor_execute`` listener on the app's
engine, on SQLite and PostgreSQL. Rows are made directly with the ORM, and versions with
steps through `create_draft_from_document` on small generated flow documents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Database
from flask.testing import FlaskClient
from flow_samples import flow
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin import create_app
from workflow_model.accounts import create_user
from workflow_model.api_tokens import token_hash
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_session_factory
from workflow_model.models import (
    ApiToken,
    DayOverride,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    Role,
    Unit,
    User,
    UserRole,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning"),
]

PASSWORD = "a long password"
LISTS = (
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
# Few enough that even the journal (about ten events per import) fits one page of 100.
FEW, MANY = 8, 100


def _document_change(i: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["procedure"]["code"] = f"9.{i:06d}"
        data["procedure"]["name"] = f"Thủ tục thử nghiệm số {i}"
        data["procedure"]["field"] = f"Lĩnh vực thử nghiệm {i % 7}"
        for unit in data["units"]:
            unit["name"] += f" số {i}"  # new units (with a parent) for every document
        for officer in data["officers"]:
            officer["email"] = officer["email"].replace("@", f".{i}@")

    return change


def add_rows(session: Session, start: int, stop: int) -> None:
    """Rows number `start` to `stop` - 1 of every list, and a flow version for each."""
    for i in range(start, stop):
        author = User(
            username=f"nguoidung{i}",
            full_name=f"Người dùng {i}",
            password_hash="!",
            role_links=[UserRole(role=Role.ADMIN), UserRole(role=Role.APPROVER)],
        )
        level = Level(key=f"cap-{i}", name=f"Cấp thử nghiệm {i}", position=10 + i)
        field = Field(name=f"Lĩnh vực {i}")
        agency = Unit(code=f"so-{i}", name=f"Sở thử nghiệm {i}", level=level)
        office = Unit(code=f"phong-{i}", name=f"Phòng {i}", level=level, parent=agency)
        session.add_all(
            [
                author,
                Officer(
                    full_name=f"Cán bộ {i}",
                    unit=office,
                    phone="0912 345 678",
                    email=f"canbo.{i}@example.gov.vn",
                ),
                Procedure(
                    code=f"8.{i:06d}",
                    name=f"Thủ tục cấp bản sao số {i}",
                    level=level,
                    field=field,
                    lead_unit=agency,
                ),
                ApiToken(
                    source=f"nguon-{i}",
                    scopes=["events:write"],
                    token_hash=token_hash(f"sodo_token-{i}"),
                    prefix=f"sodo_{i:06d}",
                    created_by=author,
                ),
                DayOverride(
                    day=dt.date(2030, 1, 1) + dt.timedelta(days=i),
                    working=i % 2 == 0,
                    description=f"Ngày {i}",
                ),
            ]
        )
        session.flush()
        # A procedure, its units (one with a parent), officers, a version with steps and
        # transitions, and their journal, as an import makes them; it commits.
        create_draft_from_document(session, flow(_document_change(i)), author)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` runs inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def measure(client: FlaskClient, engine: Engine, pages: list[str]) -> dict[str, list[int]]:
    """For each page: the statements of a first and of a second visit, and its table rows.

    A first visit may fill caches (such as the versions' checks) that later ones read.
    """
    found = {}
    for url in pages:
        counts = []
        for _visit in range(2):
            with counting(engine) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.append(len(statements))
        counts.append(len(re.findall(r"<tr[ >]", response.get_data(as_text=True))))
        found[url] = counts
    return found


def test_query_count_does_not_grow_with_rows(database: Database, tmp_path: Path) -> None:
    with make_session_factory(database.engine)() as session:
        create_user(session, "root", PASSWORD, list(Role), full_name="Siêu quản trị")
        session.commit()
        add_rows(session, 0, FEW)
        version = session.execute(sa.select(sa.func.min(FlowVersion.id))).scalar_one()
    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "t",
            "SODO_INSTANCE": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    engine = app.extensions["sodo.engine"]
    try:
        client = app.test_client()
        response = client.post("/login", data={"username": "root", "password": PASSWORD})
        assert response.status_code == 302
        # Pages of 100 rows, so even the steps (5 per version) show more rows at 100.
        pages = [f"/{name}/?page_size=100" for name in LISTS] + ["/", f"/report/{version}"]
        few = measure(client, engine, pages)
        with make_session_factory(database.engine)() as session:
            add_rows(session, FEW, MANY)
        many = measure(client, engine, pages)
    finally:
        engine.dispose()
    # The lists really show more rows, so equal counts mean no query per row.
    for name in LISTS:
        url = f"/{name}/?page_size=100"
        assert many[url][2] > few[url][2] >= FEW, (url, few[url], many[url])
    assert {url: counts[:2] for url, counts in many.items()} == {
        url: counts[:2] for url, counts in few.items()
    }
