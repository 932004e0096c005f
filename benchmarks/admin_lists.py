"""How fast the admin pages answer over a province-sized catalogue.

Run it from the project root::

    .venv/bin/python benchmarks/admin_lists.py [--procedures 1700] [--requests 20]
        [--database-url URL] [--check] [--profile]

What it measures
----------------
A province runs about 1,700 procedures. The script makes a fresh database (SQLite in a
temporary folder, or the PostgreSQL database of ``--database-url``, whose ``public`` schema
is dropped and recreated first), migrates it with `workflow_model.migrate.upgrade`, and fills
it with bulk inserts (SQLAlchemy Core, one ``executemany`` per table): the flow documents of
`validate_catalog.synthetic_catalogue` (5 to 40 steps, mostly 7 to 15, some 40), one
procedure each, plus a second version (a new draft, submitted or rejected copy) for enough
procedures to reach about 25,000 steps for 1,700 procedures; 600 units in a tree (the
synthetic province's units plus more communes) and 3,000 officers (the province's pool plus
more commune staff), so that every step, version unit and version officer names rows that
exist; a few users, calendar overrides, and a journal with one event per procedure and per
version. The folded ``search_text`` columns are filled with `workflow_model.text.search_text`
as the ORM flush listener would. The time of this fill is printed but not judged. Its parts
(`add_authors`, `add_directory`, `add_fields`, `add_procedure`, `add_version`, `insert_rows`)
also fill the published catalogue of `public_pages.py`.

It then creates the web app with `admin.app.create_app`, creates a user with the roles admin,
approver and superuser (`workflow_model.accounts.create_user`), logs in with ``POST /login``
through Flask's test client, and times, through that client, ``--requests`` requests of each
page after 2 untimed warm-up requests: every list view, two searches, the home page and the
report page of a 40-step version. Each request is timed with `time.perf_counter` around the
client call (routing, login check, queries, templates; no network, no WSGI server). SQL
statements per request are counted by a ``before_cursor_execute`` listener on the app's
engine (an ``executemany`` counts once).

How to read the output
----------------------
Per page: the median and the 95th percentile (p95, interpolated between the sorted samples)
of the request times in milliseconds, the mean time per request spent in Python's cyclic
garbage collector (``GC ms``, from `gc.callbacks`: a page that keeps many objects alive
during the request pays for full collections of the whole process now and then, which shows
in the p95), the SQL statements per request (one number when every request ran as many; else
min-max), the size of the page, the median as a multiple of the baseline, the target and
whether the p95 is within it. The BASELINE is the median time of
``GET /static/sodo.css`` through the same client in the same process: the floor of the
framework (routing, the security headers, sending a small file) on this machine, so times
close to it are noise, and ratios move less than absolute times across machines. The
targets: every list view (searches included) p95 under 150 ms; the report page of a 40-step
version p95 under 100 ms; the home page has none. The exit code is 0 (these are
measurements) unless ``--check`` is given, in which case a missed target, or a page that did
not answer 200, exits with 1. ``--profile`` prints a cProfile of each page that missed its
target (cProfile charges a garbage collection to whatever function was allocating when it
started, so read those lines together with the ``GC ms`` column).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection, Engine
from validate_catalog import (
    COMMUNE_FIELDS,
    DirectoryOfficer,
    DirectoryUnit,
    FlowDocument,
    _email,
    _person,
    _phone,
    _words,
    province_directory,
    synthetic_catalogue,
)

from admin.app import create_app
from workflow_model.accounts import create_user
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import ProcedureEntry, canonical_number
from workflow_model.migrate import upgrade
from workflow_model.models import (
    DEFAULT_CASE_KEY,
    AuditEvent,
    Base,
    DayOverride,
    DossierComponent,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    ProcedureCase,
    Role,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    Unit,
    User,
    UserRole,
    VersionOfficer,
    VersionStatus,
    VersionUnit,
)
from workflow_model.text import search_text

SEED = 1
UNITS = 600
OFFICERS = 3000
STEPS_PER_PROCEDURE = 25_000 / 1_700
"""Second versions are added until the catalogue holds this many steps per procedure."""
AUTHORS = 12
"""Users besides the benchmark's own, who wrote versions."""
WARM_UP = 2
LIST_TARGET_MS = 150.0
REPORT_TARGET_MS = 100.0
PASSWORD = "bench-password-1"
USERNAME = "bench"

SYLLABLES = _words(
    "An Bình Tân Phú Hòa Thạnh Long Mỹ Phước Đông Tây Nam Bắc Trung Hưng Thịnh Đức Lạc "
    "Vĩnh Xuân Hải Sơn Hà Lâm Phong Quang Thuận Hiệp Thái Hợp"
)


# --------------------------------------------------------------------------------------
# The synthetic directory: the province of validate_catalog, grown to 600 units and
# 3,000 officers with more communes.
# --------------------------------------------------------------------------------------


@dataclass
class BenchDirectory:
    """The units (parents before children) and the officers to insert."""

    units: list[DirectoryUnit] = field(default_factory=list)
    officers: list[DirectoryOfficer] = field(default_factory=list)


def _commune_names(existing: set[str]) -> Iterator[str]:
    for first in SYLLABLES:
        for second in SYLLABLES:
            name = f"{first} {second}"
            if first != second and name not in existing:
                yield name


def bench_directory(units: int = UNITS, officers: int = OFFICERS) -> BenchDirectory:
    """The province directory of `validate_catalog`, padded with communes and their staff.

    The flow documents only use the province's own units and officers; the padding makes the
    directory lists as long as a real province's.
    """
    province = province_directory()
    rng = random.Random(SEED * 7919)
    units_out = list(province.units.values())
    officers_out = list(province.officers)
    # A fresh holder of the emails already taken, so the cached province is left alone.
    emails = type(province)(emails=set(province.emails))
    existing = {u.name.removeprefix("UBND xã ") for u in units_out}
    names = _commune_names(existing)
    padded: list[DirectoryUnit] = []
    while len(units_out) + len(padded) < units:
        commune = next(names)
        prefix = f"p{len(padded)}"
        council = f"{prefix}-ubndxa"
        padded += [
            DirectoryUnit(
                f"{prefix}-ttxa",
                "ttxa",
                f"Trung tâm Phục vụ hành chính công xã {commune}",
                "commune",
                True,
            ),
            DirectoryUnit(council, "ubndxa", f"UBND xã {commune}", "commune", False),
            DirectoryUnit(
                f"{prefix}-vp", "vp", "Văn phòng HĐND và UBND xã", "commune", False, council
            ),
            DirectoryUnit(f"{prefix}-pkt", "pkt", "Phòng Kinh tế", "commune", False, council),
            DirectoryUnit(
                f"{prefix}-vhxh", "vhxh", "Phòng Văn hóa - Xã hội", "commune", False, council
            ),
            DirectoryUnit(f"{prefix}-caxa", "caxa", f"Công an xã {commune}", "commune", False),
        ]
    units_out += padded[: units - len(units_out)]
    titles = ("Công chức", "Chuyên viên", "Phó Trưởng phòng", "Công chức tiếp nhận hồ sơ")
    hosts = [u for u in units_out if u.id.startswith("p")] or units_out
    while len(officers_out) < officers:
        unit = hosts[len(officers_out) % len(hosts)]
        name = _person(rng)
        officers_out.append(
            DirectoryOfficer(
                name, rng.choice(titles), "staff", _phone(rng), _email(emails, name), unit.id
            )
        )
    return BenchDirectory(units_out, officers_out)


# --------------------------------------------------------------------------------------
# Filling the database with bulk inserts.
# --------------------------------------------------------------------------------------


def table_of(model: type[Base]) -> sa.Table:
    """The table `model` is mapped to; every model of the project maps one plain table."""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


@dataclass
class Rows:
    """Rows to insert, by table, with the next free id of each table."""

    next_ids: dict[str, int]
    tables: dict[sa.Table, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[Base], row: dict[str, Any], *, with_id: bool = True) -> int:
        """Queue `row` for the table of `model`; return its id (0 when it has none)."""
        table = table_of(model)
        new_id = 0
        if with_id:
            new_id = self.next_ids.setdefault(table.name, 1)
            self.next_ids[table.name] = new_id + 1
            row = {"id": new_id, **row}
        fields = getattr(model, "__search_fields__", None)
        if fields:
            row["search_text"] = search_text(*(row.get(name) for name in fields))
        self.tables.setdefault(table, []).append(row)
        return new_id

    def count(self, model: type[Base]) -> int:
        """How many rows are queued for `model`."""
        return len(self.tables.get(table_of(model), []))


@dataclass(frozen=True)
class FillResult:
    """What the fill wrote and how long it took, in seconds."""

    counts: dict[str, int]
    generate_seconds: float
    insert_seconds: float
    report_version_id: int


def _signature(
    unit: Any, parent_of: Callable[[Any], Any | None]
) -> tuple[str, str, bool, tuple[Any, ...] | None]:
    """Identity of a unit as the importer matches it: name, level, one-stop flag, parent."""
    parent = parent_of(unit)
    return (
        unit.name,
        unit.level,
        unit.one_stop,
        _signature(parent, parent_of) if parent is not None else None,
    )


def _choose_second_versions(docs: Sequence[FlowDocument], rng: random.Random) -> set[int]:
    """Indexes of the procedures that get a second version, to reach the step target."""
    wanted = round(STEPS_PER_PROCEDURE * len(docs))
    total = sum(len(doc.steps) for doc in docs)
    chosen: set[int] = set()
    order = list(range(len(docs)))
    rng.shuffle(order)
    for index in order:
        if total >= wanted:
            break
        chosen.add(index)
        total += len(docs[index].steps)
    return chosen


def _next_ids(connection: Connection) -> dict[str, int]:
    """The first free id of every table with an ``id`` column (migrations seed some rows)."""
    ids = {}
    for model in (
        Level,
        Unit,
        Officer,
        Field,
        Procedure,
        DossierComponent,
        ProcedureCase,
        FlowVersion,
        VersionUnit,
        VersionOfficer,
        Step,
        Transition,
        User,
        AuditEvent,
        DayOverride,
    ):
        table = table_of(model)
        ids[table.name] = (
            connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
            + 1
        )
    return ids


def add_authors(rows: Rows, rng: random.Random, bench_user_id: int, now: datetime) -> list[int]:
    """Queue `AUTHORS` users with the admin role (who cannot log in); return every author's
    id, the benchmark user's first."""
    authors = [bench_user_id]
    for n in range(AUTHORS):
        name = _person(rng)
        user_id = rows.add(
            User,
            {
                "username": f"user{n + 1}",
                "full_name": name,
                "email": f"user{n + 1}@example.gov.vn",
                "password_hash": "!",  # cannot log in
                "active": True,
                "created_at": now - timedelta(days=400),
                "locale": "vi",
            },
        )
        rows.add(UserRole, {"user_id": user_id, "role": Role.ADMIN}, with_id=False)
        authors.append(user_id)
    return authors


@dataclass(frozen=True)
class DirectoryIds:
    """The ids of the queued directory: units by their importer signature, officers by
    email."""

    by_signature: dict[tuple[Any, ...], int]
    officer_ids: dict[str, int]


def add_directory(rows: Rows, levels: dict[str, int]) -> DirectoryIds:
    """Queue the units and officers of `bench_directory`."""
    directory = bench_directory()
    unit_ids: dict[str, int] = {}
    by_signature: dict[tuple[Any, ...], int] = {}
    known = {u.id: u for u in directory.units}
    for unit in directory.units:
        unit_ids[unit.id] = rows.add(
            Unit,
            {
                "code": unit.id,
                "name": unit.name,
                "level_id": levels[unit.level],
                "parent_id": unit_ids[unit.parent] if unit.parent else None,
                "one_stop": unit.one_stop,
                "address": "",
                "phone": "",
                "email": "",
                "active": True,
            },
        )
        signature = _signature(unit, lambda u: known[u.parent] if u.parent else None)
        by_signature[signature] = unit_ids[unit.id]
    officer_ids: dict[str, int] = {}
    for officer in directory.officers:
        officer_ids[officer.email] = rows.add(
            Officer,
            {
                "full_name": officer.name,
                "title": officer.title,
                "phone": officer.phone,
                "email": officer.email,
                "unit_id": unit_ids[officer.unit],
                "active": True,
            },
        )
    return DirectoryIds(by_signature, officer_ids)


def add_fields(rows: Rows, docs: Sequence[FlowDocument]) -> dict[str, int]:
    """Queue the fields (lĩnh vực) the documents name, then every other one; ids by name."""
    field_ids: dict[str, int] = {}
    for doc in docs:
        name = doc.procedure.field
        if name and name not in field_ids:
            field_ids[name] = rows.add(Field, {"name": name})
    for name, _topics in COMMUNE_FIELDS:  # every field, used or not
        if name not in field_ids:
            field_ids[name] = rows.add(Field, {"name": name})
    return field_ids


def add_procedure(
    rows: Rows,
    entry: ProcedureEntry,
    levels: dict[str, int],
    field_ids: dict[str, int],
    rng: random.Random,
    lead_unit_id: int | None = None,
) -> tuple[int, dict[str, int]]:
    """Queue an active procedure and its dossier components; its id and the components'
    ids by key."""
    procedure_id = rows.add(
        Procedure,
        {
            "code": entry.code,
            "name": entry.name,
            "level_id": levels[entry.level],
            "field_id": field_ids.get(entry.field),
            "lead_unit_id": lead_unit_id,
            "result": entry.result,
            "legal_basis": list(entry.legal_basis),
            "fees": [
                {"name": f.name, "amount": canonical_number(f.amount), "currency": f.currency}
                for f in entry.fees
            ],
            "accepts_direct": True,
            "accepts_online": rng.random() < 0.6,
            "accepts_postal": rng.random() < 0.2,
            "active": True,
        },
    )
    components = {
        c.key: rows.add(
            DossierComponent,
            {
                "procedure_id": procedure_id,
                "key": c.key,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "form_name": c.form,
                "position": position,
            },
        )
        for position, c in enumerate(entry.dossier_components)
    }
    return procedure_id, components


def build_rows(
    connection: Connection, docs: Sequence[FlowDocument], bench_user_id: int
) -> tuple[Rows, int]:
    """Every row of the synthetic catalogue; also the id of a 40-step version."""
    rng = random.Random(SEED * 104729)
    rows = Rows(_next_ids(connection))
    levels = dict(connection.execute(sa.select(Level.key, Level.id)).all())
    now = datetime.now(UTC)
    authors = add_authors(rows, rng, bench_user_id, now)
    directory = add_directory(rows, levels)
    by_signature, officer_ids = directory.by_signature, directory.officer_ids
    field_ids = add_fields(rows, docs)

    second = _choose_second_versions(docs, rng)
    report_version = 0
    for index, doc in enumerate(docs):
        entry = doc.procedure
        procedure_id, components = add_procedure(rows, entry, levels, field_ids, rng)
        case_id = rows.add(
            ProcedureCase,
            {
                "procedure_id": procedure_id,
                "key": entry.case.key if entry.case else DEFAULT_CASE_KEY,
                "name": entry.case.name if entry.case else "",
                "legal_time_value": entry.legal_time.value,
                "legal_time_unit": entry.legal_time.unit,
                "position": 0,
            },
        )
        created = now - timedelta(days=365 * rng.random())
        rows.add(
            AuditEvent,
            {
                "at": created,
                "user_id": rng.choice(authors),
                "action": "create",
                "entity_type": "procedure",
                "entity_id": str(procedure_id),
                "before": None,
                "after": {"code": entry.code, "name": entry.name},
            },
        )
        if index in second:
            statuses = [
                (VersionStatus.APPROVED, created),
                (
                    rng.choice(
                        (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.REJECTED)
                    ),
                    created + (now - created) * rng.random(),
                ),
            ]
        else:
            draw = rng.random()
            status = (
                VersionStatus.APPROVED
                if draw < 0.7
                else VersionStatus.DRAFT
                if draw < 0.85
                else VersionStatus.SUBMITTED
                if draw < 0.95
                else VersionStatus.REJECTED
            )
            statuses = [(status, created)]
        for number, (status, at) in enumerate(statuses, start=1):
            author = rng.choice(authors)
            version_id = add_version(
                rows,
                doc,
                case_id,
                number,
                status,
                at,
                author,
                components,
                by_signature,
                officer_ids,
            )
            rows.add(
                AuditEvent,
                {
                    "at": at,
                    "user_id": author,
                    "action": "import",
                    "entity_type": "flow_version",
                    "entity_id": str(version_id),
                    "before": None,
                    "after": {"procedure": entry.code, "number": number},
                },
            )
            if len(doc.steps) == 40 and not report_version:
                report_version = version_id

    # The journal's newest events come from the bench user; calendar overrides.
    for offset, (day, working, text) in enumerate(
        (
            (date(2026, 1, 2), False, "Nghỉ bù Tết Dương lịch"),
            (date(2026, 2, 14), True, "Làm bù"),
            (date(2026, 2, 20), False, "Nghỉ bù Tết Nguyên đán"),
            (date(2026, 5, 4), False, "Nghỉ bù ngày Quốc tế Lao động"),
            (date(2026, 8, 31), False, "Nghỉ bù Quốc khánh"),
            (date(2026, 9, 12), True, "Làm bù"),
        )
    ):
        override = rows.add(DayOverride, {"day": day, "working": working, "description": text})
        rows.add(
            AuditEvent,
            {
                "at": now - timedelta(minutes=offset + 1),
                "user_id": bench_user_id,
                "action": "create",
                "entity_type": "day_override",
                "entity_id": str(override),
                "before": None,
                "after": {"day": day.isoformat(), "working": working},
            },
        )
    return rows, report_version


def add_version(
    rows: Rows,
    doc: FlowDocument,
    case_id: int,
    number: int,
    status: VersionStatus,
    created_at: datetime,
    author: int,
    components: dict[str, int],
    by_signature: dict[tuple[Any, ...], int],
    officer_ids: dict[str, int],
    columns: dict[str, Any] | None = None,
) -> int:
    """Queue one version of `doc` with its units, officers, steps and transitions.

    `columns` adds to or overrides the version row (an approval's snapshot and dates).
    """
    version_id = rows.add(
        FlowVersion,
        {
            "case_id": case_id,
            "number": number,
            "status": status,
            "created_by_id": author,
            "created_at": created_at,
            "lock_counter": 1,
            "source": dict(doc.source) if doc.source is not None else None,
            **(columns or {}),
        },
    )
    doc_units = {u.key: u for u in doc.units}
    units: dict[str, int] = {}
    for position, unit in enumerate(doc.units):
        signature = _signature(unit, lambda u: doc_units[u.parent] if u.parent else None)
        units[unit.key] = by_signature[signature]
        rows.add(
            VersionUnit,
            {
                "version_id": version_id,
                "unit_id": units[unit.key],
                "key": unit.key,
                "position": position,
            },
        )
    officers: dict[str, int] = {}
    for position, officer in enumerate(doc.officers):
        officers[officer.key] = officer_ids[officer.email]
        rows.add(
            VersionOfficer,
            {
                "version_id": version_id,
                "officer_id": officers[officer.key],
                "key": officer.key,
                "position": position,
            },
        )
    steps: dict[str, int] = {}
    for position, step in enumerate(doc.steps):
        point = doc.layout.get(step.key)
        step_id = rows.add(
            Step,
            {
                "version_id": version_id,
                "key": step.key,
                "name": step.name,
                "kind": step.kind,
                "unit_id": units[step.unit] if step.unit is not None else None,
                "duration_value": step.duration.value,
                "duration_unit": step.duration.unit,
                "split": step.split,
                "join": step.join,
                "description": step.description,
                "x": point.x if point else None,
                "y": point.y if point else None,
                "position": position,
            },
        )
        steps[step.key] = step_id
        for i, key in enumerate(step.officers):
            rows.add(
                StepOfficer,
                {"step_id": step_id, "officer_id": officers[key], "position": i},
                with_id=False,
            )
        for i, key in enumerate(step.documents):
            rows.add(
                StepDocument,
                {"step_id": step_id, "component_id": components[key], "position": i},
                with_id=False,
            )
    for position, transition in enumerate(doc.transitions):
        rows.add(
            Transition,
            {
                "version_id": version_id,
                "from_step_id": steps[transition.source],
                "to_step_id": steps[transition.target],
                "label": transition.label,
                "position": position,
            },
        )
    return version_id


def reset_postgres_schema(engine: Engine) -> None:
    """Drop everything in the database's public schema (as tests/conftest.py does)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")


def _catch_up_sequences(connection: Connection, tables: Sequence[sa.Table]) -> None:
    """On PostgreSQL, move each ``id`` sequence past the ids inserted explicitly."""
    for table in tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT max(id) FROM {table.name}))"
        )


def create_bench_user(engine: Engine) -> int:
    """Create the benchmark user (admin, approver, superuser) and commit; return its id."""
    sessions = make_session_factory(engine)
    with sessions() as session:
        user = create_user(
            session,
            USERNAME,
            PASSWORD,
            [Role.ADMIN, Role.APPROVER, Role.SUPERUSER],
            full_name="Người đo hiệu năng",
        )
        session.commit()
        return user.id


def insert_rows(engine: Engine, rows: Rows) -> None:
    """Insert the queued rows, one ``executemany`` per table, parents first; commit."""
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            batch = rows.tables.get(table)
            if batch:
                connection.execute(sa.insert(table), batch)
        if engine.dialect.name == "postgresql":
            _catch_up_sequences(connection, list(rows.tables))


def fill_database(engine: Engine, procedures: int) -> FillResult:
    """Create the benchmark user, then bulk-insert the synthetic catalogue; commit.

    Returns what was written, how long it took, and the id of a 40-step version.
    """
    user_id = create_bench_user(engine)
    began = time.perf_counter()
    docs = synthetic_catalogue(procedures, SEED)
    with engine.connect() as connection:
        rows, report_version = build_rows(connection, docs, user_id)
    generated = time.perf_counter()
    insert_rows(engine, rows)
    inserted = time.perf_counter()
    counts = {table.name: len(batch) for table, batch in rows.tables.items()}
    return FillResult(counts, generated - began, inserted - generated, report_version)


# --------------------------------------------------------------------------------------
# Timing requests.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page to time: its label, URL and target for the p95 in ms (None: no target)."""

    label: str
    url: str
    target_ms: float | None


@dataclass(frozen=True)
class PageTiming:
    """The samples of one page, in seconds, with SQL statements per request and status."""

    page: Page
    samples: tuple[float, ...]
    statements: tuple[int, ...]
    statuses: tuple[int, ...]
    size: int
    gc_seconds: tuple[float, ...] = ()
    expected_status: int = 200

    @property
    def median_ms(self) -> float:
        """The median request time in ms."""
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """The 95th percentile of the request times in ms (interpolated)."""
        if len(self.samples) < 2:
            return self.samples[0] * 1000
        return statistics.quantiles(self.samples, n=20, method="inclusive")[-1] * 1000

    @property
    def gc_ms(self) -> float:
        """The mean time per request spent in the cyclic garbage collector, in ms."""
        return statistics.fmean(self.gc_seconds) * 1000 if self.gc_seconds else 0.0

    @property
    def ok(self) -> bool:
        """True when every request answered the expected status (200 unless said)."""
        return all(status == self.expected_status for status in self.statuses)

    @property
    def within(self) -> bool | None:
        """Whether the p95 is within the target (None without target); False on errors."""
        if not self.ok:
            return False
        if self.page.target_ms is None:
            return None
        return self.p95_ms < self.page.target_ms


class StatementCounter:
    """Counts the SQL statements an engine sends, through ``before_cursor_execute``."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


class GcClock:
    """Adds up the time the cyclic garbage collector runs, through `gc.callbacks`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0
        gc.callbacks.append(self._phase)

    def _phase(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


GC_CLOCK = GcClock()


def time_page(
    client: FlaskClient, counter: StatementCounter, page: Page, requests: int
) -> PageTiming:
    """Request `page` `WARM_UP` times untimed, then `requests` times, each timed."""
    for _ in range(WARM_UP):
        client.get(page.url)
    gc.collect()
    samples, statements, statuses, collecting = [], [], [], []
    size = 0
    clock = time.perf_counter
    for _ in range(requests):
        counter.count = 0
        GC_CLOCK.seconds = 0.0
        began = clock()
        response = client.get(page.url)
        body = response.get_data()
        samples.append(clock() - began)
        collecting.append(GC_CLOCK.seconds)
        statements.append(counter.count)
        statuses.append(response.status_code)
        size = len(body)
        response.close()
    return PageTiming(
        page, tuple(samples), tuple(statements), tuple(statuses), size, tuple(collecting)
    )


def pages(report_version_id: int) -> list[Page]:
    """The pages to time: every list view, two searches, the home page, a report."""
    lists = [
        Page(f"list /{name}/", f"/{name}/", LIST_TARGET_MS)
        for name in (
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
    ]
    return [
        *lists,
        Page("search officers 'nguyen van'", "/officer/?search=nguyen+van", LIST_TARGET_MS),
        Page("search procedures 'cap phep'", "/procedure/?search=cap+phep", LIST_TARGET_MS),
        Page("home /", "/", None),
        Page(
            f"report of a 40-step version (#{report_version_id})",
            f"/report/{report_version_id}",
            REPORT_TARGET_MS,
        ),
    ]


def log_in(client: FlaskClient) -> None:
    """Log in as the benchmark user through ``POST /login``; raise when it fails."""
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")


def profile_page(client: FlaskClient, url: str, requests: int, limit: int = 25) -> None:
    """Request `url` `requests` times under cProfile; print the costliest functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url).close()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)


# --------------------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------------------


def _statements(timing: PageTiming) -> str:
    low, high = min(timing.statements), max(timing.statements)
    return str(low) if low == high else f"{low}-{high}"


def table(timings: Sequence[PageTiming], baseline: PageTiming) -> list[str]:
    """The results as a text table, the baseline last."""
    base = baseline.median_ms
    rows = [
        ("page", "median ms", "p95 ms", "GC ms", "SQL/req", "KiB", "x base", "target p95", "within")
    ]
    for t in (*timings, baseline):
        within = {True: "yes", False: "NO", None: "-"}[t.within]
        if not t.ok:
            within = "NO (HTTP " + ",".join(sorted({str(s) for s in t.statuses})) + ")"
        rows.append(
            (
                t.page.label,
                f"{t.median_ms:.1f}",
                f"{t.p95_ms:.1f}",
                f"{t.gc_ms:.1f}",
                _statements(t),
                f"{t.size / 1024:.0f}",
                f"{t.median_ms / base:.1f}",
                "-" if t.page.target_ms is None else f"< {t.page.target_ms:.0f}",
                within,
            )
        )
    return render_rows(rows, rule_before_last=1)


def render_rows(rows: list[tuple[str, ...]], rule_before_last: int) -> list[str]:
    """Align a table: the first column left, the others right but the last; rules under
    the header and above the last `rule_before_last` rows."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n == 0 or n == len(rows) - 1 - rule_before_last:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def verdict(timings: Sequence[PageTiming]) -> str:
    """One line: each target, and whether every page it applies to is within it."""
    parts = []
    for label, target in (
        ("list views", LIST_TARGET_MS),
        ("report of a 40-step version", REPORT_TARGET_MS),
    ):
        within = all(t.within for t in timings if t.page.target_ms == target)
        parts.append(f"{label} p95 < {target:.0f} ms: {'yes' if within else 'NO'}")
    return "Targets: " + "; ".join(parts)


def _describe_url(url: str) -> str:
    parsed = sa.make_url(url)
    return parsed.render_as_string(hide_password=True)


@contextmanager
def database(url: str | None) -> Iterator[tuple[str, str]]:
    """Yield the database URL and the instance folder; a temporary SQLite file by default."""
    with tempfile.TemporaryDirectory(prefix="sodo-bench-") as folder:
        yield url or f"sqlite:///{os.path.join(folder, 'bench.db')}", folder


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--procedures", type=int, default=1700, help="procedures to create")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use instead of a temporary SQLite file; "
        "its public schema is DROPPED and recreated",
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of each page over its target"
    )
    args = parser.parse_args(argv)
    if args.procedures < 1 or args.requests < 1:
        parser.error("--procedures and --requests must be at least 1")
    return args


def _build_app(url: str, folder: str) -> Flask:
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SODO_INSTANCE": folder,
            "WTF_CSRF_ENABLED": False,
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Fill a database, time the pages, print the report; return the exit code."""
    args = parse_args(argv)
    with database(args.database_url) as (url, folder):
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            reset_postgres_schema(engine)
        began = time.perf_counter()
        upgrade(engine)
        migrated = time.perf_counter()
        fill = fill_database(engine, args.procedures)
        engine.dispose()
        if not fill.report_version_id:
            raise RuntimeError("the catalogue has no 40-step version")

        print(f"Benchmark of the admin pages — {args.requests} requests per page")
        print(
            f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
            f"{engine.dialect.name} ({_describe_url(url)}); "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
        )
        c = fill.counts
        print(
            f"Database: {c['procedures']:,} procedures, {c['flow_versions']:,} versions, "
            f"{c['steps']:,} steps, {c['transitions']:,} transitions, {c['units']:,} units, "
            f"{c['officers']:,} officers, {c['audit_events']:,} journal events"
        )
        total = sum(c.values())
        print(
            f"Fill: migrate {migrated - began:.2f} s; generate documents and rows "
            f"{fill.generate_seconds:.2f} s; insert {total:,} rows {fill.insert_seconds:.2f} s; "
            f"total {migrated - began + fill.generate_seconds + fill.insert_seconds:.2f} s"
        )
        print()

        app = _build_app(url, folder)
        counter = StatementCounter(app.extensions["sodo.engine"])
        client = app.test_client()
        log_in(client)
        timings = [
            time_page(client, counter, page, args.requests)
            for page in pages(fill.report_version_id)
        ]
        baseline = time_page(
            client,
            counter,
            Page("BASELINE GET /static/sodo.css", "/static/sodo.css", None),
            args.requests,
        )
        print("\n".join(table(timings, baseline)))

        missed = [t for t in timings if t.within is False]
        print()
        print(verdict(timings))
        if missed:
            print("missed: " + "; ".join(t.page.label for t in missed))
        if args.profile:
            for t in missed:
                print(f"\ncProfile of {t.page.url} ({min(5, args.requests)} requests):")
                profile_page(client, t.page.url, min(5, args.requests))
        app.extensions["sodo.engine"].dispose()
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
