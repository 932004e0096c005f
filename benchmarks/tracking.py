"""How fast dossier events get in, and how fast a dossier is looked up as history grows.

Run it from the project root::

    .venv/bin/python benchmarks/tracking.py [--events 20000] [--runs 3]
        [--dossiers 200000] [--lookups 300] [--database-url URL] [--quick] [--check]
        [--profile] [--ingest-only]

What it measures
----------------
The script makes a fresh database (SQLite in a temporary folder, or the PostgreSQL
database of ``--database-url`` or of ``SODO_BENCH_DATABASE_URL``, whose ``public`` schema
is DROPPED and recreated first), migrates it and loads the demo catalogue
(`admin.demo.load_demo`): its approved versions are made effective 301 days ago, so that
the events below fall in their time. Every dossier has ten events, 20 minutes to nearly
five hours apart: ``received``, the handover of its first step, then the start and
handover of the next steps along the flow's transitions, and last, by turns,
``result_ready``, ``supplement_requested`` or one more handover. A dossier is received
every three minutes (480 a day, a busy province's rate) and each lives about a day, so
some 400 are open at any time. Each run's events are sent in time order, as a processing
system reports them: a batch of 500 touches about 400 dossiers (200 to 420), some 350 of
them received by an earlier batch, whose state is recomputed from all their events.

1. Ingest, ``--runs`` times each, ``--events`` events a run (new dossiers each run):

   - ``service``: `workflow_model.tracking.ingest_events` in batches of 500, on one
     session, each batch committed (checks, event rows, the derived state of every
     touched dossier). Target: 2,000 events/s on PostgreSQL.
   - ``HTTP``: ``POST /api/v1/dossier-events`` with batches of 500 and a real bearer token
     (`workflow_model.api_tokens.create_token`), sent with one ``requests.Session`` to
     `admin.create_app` served by Werkzeug's threaded server on a free port of 127.0.0.1,
     in a thread of this process (as the other benchmarks do). Target: 1,000 events/s.
   - the BASELINE: the same dossier and event rows, batch by batch, inserted with one
     plain ``executemany`` per table and a commit (SQLAlchemy Core, no checks, no derived
     state), under another source name; they are deleted after each run.

   Every item must be accepted: a run that is refused anything says so in its row.

2. Lookup, at two sizes: ``--dossiers`` / 10 (20,000) and ``--dossiers`` (200,000)
   dossiers, ten events each (2,000,000 events). Building two million events through
   the service would take most of an hour, so the dossiers the ingest runs stored (all
   of them through the service or the API, about 12,000 by default) are the seeds, and
   the database grows by copies of them: each copy gets new ids and the code
   ``<seed code>~<n>``; its dossier row is the seed's (its derived state as ingest stored
   it) with the check hash made for the new code, and its events and step runs are
   ``INSERT … SELECT`` of the seed's with the ids shifted. The stored state of a copy is
   thus exactly what ingest stores for the same events under the new code. Then
   ``ANALYZE``, as autovacuum or a maintenance job would. At each size, ``--lookups``
   codes drawn at random over all dossiers are looked up:

   - ``lookup_dossier`` (the citizen's lookup: code and check value, constant time) and
     ``find_dossier`` (what the API calls), each in a new session, as a request has;
   - ``GET /api/v1/dossiers/<code>`` over HTTP with a ``dossiers:read`` token;
   - the BASELINES: a primary-key ``SELECT`` of one dossier row in a new session, and
     ``GET /static/portal.css`` through the same server.

   Targets: p95 under 50 ms at the large size, and within 1.5 times the p95 at the
   small size (cost must not grow with history).

How to read the output
----------------------
The ingest table gives, per row, the events per second of each run and their median,
the median time of a batch of 500, and the median rate as a multiple of the baseline's.
The lookup table gives the median and the p95 (interpolated) in milliseconds at each
size, the ratio of the p95s, and the median as a multiple of its baseline's. The summary
says PASS or FAIL against each target (the ingest targets are stated for PostgreSQL; on
SQLite they are shown for information). The machine may be shared: ratios to a baseline
of the same run move less than absolute times. The exit code is 0 unless ``--check`` is
given and a target is missed. ``--profile`` prints a cProfile of one service batch.
``--ingest-only`` measures the ingest alone (no growth, no lookups).
``--quick`` is a small run (2,000 events, 1 run, 2,000 and 20,000 dossiers, 50
lookups) to check the script works; its figures are not the targets' sizes.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import math
import os
import platform
import pstats
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa
from admin_lists import _describe_url, database, reset_postgres_schema
from editor import serving
from sqlalchemy.orm import Session, sessionmaker

from admin.app import create_app
from admin.demo import load_demo
from workflow_model.api_tokens import create_token
from workflow_model.calendar import TIMEZONE
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import FlowDocument
from workflow_model.lifecycle import version_document
from workflow_model.migrate import upgrade
from workflow_model.models import (
    Dossier,
    DossierEvent,
    DossierStepRun,
    FlowVersion,
    Procedure,
    ProcedureCase,
    VersionStatus,
    utcnow,
)
from workflow_model.tracking import CheckKeys, find_dossier, ingest_events, lookup_dossier

SEED = 15
SECRET_KEY = "bench"
SOURCE = "egov"
BASELINE_SOURCE = "bench-baseline"
BATCH = 500
EVENTS_PER_DOSSIER = 10
HISTORY_DAYS = 300
SPACING = timedelta(minutes=3)
"""Between two receptions: 480 dossiers a day, a busy province's rate."""
SERVICE_TARGET = 2000.0
HTTP_TARGET = 1000.0
LOOKUP_TARGET_MS = 50.0
GROWTH_TARGET = 1.5
WARM_UP = 5
QUICK = {"events": 2000, "runs": 1, "dossiers": 20000, "lookups": 50}
DEFAULTS = {"events": 20000, "runs": 3, "dossiers": 200000, "lookups": 300}
URL_VARIABLE = "SODO_BENCH_DATABASE_URL"
COPY_MARK = "~"
"""Between a copy's seed code and its number: no API route takes a ``/`` in a code."""

# --------------------------------------------------------------------------------------
# The procedures and the events.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A procedure case in force and the steps a dossier goes through, in order."""

    procedure: str
    case: str
    steps: tuple[tuple[str, str | None], ...]
    """Each step's key and unit, along the flow's first transitions."""


def route_of(procedure: str, case: str, doc: FlowDocument, length: int = 5) -> Route:
    """The first `length` steps from the document's first step along its transitions."""
    units = {step.key: step.unit for step in doc.steps}
    nexts: dict[str, list[str]] = {}
    for transition in doc.transitions:
        nexts.setdefault(transition.source, []).append(transition.target)
    path = [doc.steps[0].key]
    while len(path) < length:
        following = [key for key in nexts.get(path[-1], []) if key not in path]
        if not following:
            break
        path.append(following[0])
    return Route(procedure, case, tuple((key, units[key]) for key in path))


def routes_in_force(session: Session) -> list[Route]:
    """Every approved case of the demo catalogue, with its route."""
    versions = session.execute(
        sa.select(Procedure.code, ProcedureCase.key, FlowVersion)
        .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
        .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
        .where(FlowVersion.status == VersionStatus.APPROVED)
        .order_by(Procedure.code, ProcedureCase.key)
    ).all()
    return [
        route_of(code, key, version_document(session, version)) for code, key, version in versions
    ]


def check_value(code: str) -> str:
    """The check value printed on the receipt of dossier `code` (six digits)."""
    return f"{zlib.crc32(code.encode()) % 1_000_000:06d}"


def history(
    code: str, route: Route, start: datetime, ending: int, rng: random.Random
) -> list[dict[str, Any]]:
    """The ten events of dossier `code`, received at `start`, as the API takes them."""
    at = start
    events: list[dict[str, Any]] = [
        {
            "id": f"{code}:0",
            "dossier": code,
            "procedure": route.procedure,
            "case": route.case,
            "kind": "received",
            "at": at.isoformat(),
            "channel": rng.choice(("online", "counter", "post")),
            "check": check_value(code),
        }
    ]
    # The first step's handover, then each next step started and handed over, and an
    # ending: eight moves and an ending after the reception (a pause pads a short route).
    moves: list[tuple[str, str | None, str | None]] = [("step_completed", *route.steps[0])]
    for key, unit in route.steps[1:]:
        moves += [("step_started", key, unit), ("step_completed", key, unit)]
    while len(moves) < EVENTS_PER_DOSSIER - 2:
        moves += [("paused", None, None), ("resumed", None, None)]
    last_key, last_unit = route.steps[-1]
    endings: list[tuple[str, str | None, str | None]] = [
        ("result_ready", None, None),
        ("supplement_requested", None, None),
        ("step_completed", last_key, last_unit),
    ]
    moves = [*moves[: EVENTS_PER_DOSSIER - 2], endings[ending % 3]]
    for number, (kind, step, unit) in enumerate(moves, start=1):
        at += timedelta(minutes=rng.randint(20, 2 * 24 * 60 // EVENTS_PER_DOSSIER))
        event: dict[str, Any] = {"id": f"{code}:{number}", "dossier": code, "kind": kind}
        event["at"] = at.isoformat()
        if step is not None:
            event["step"] = step
        if unit is not None:
            event["unit"] = unit
        events.append(event)
    return events


def run_events(
    prefix: str, dossiers: int, routes: Sequence[Route], base: datetime, seed: int
) -> list[dict[str, Any]]:
    """The events of `dossiers` new dossiers coded ``prefix-N``, in time order."""
    rng = random.Random(seed)
    events = []
    for number in range(dossiers):
        code = f"{prefix}-{number:06d}"
        start = base + SPACING * number + timedelta(seconds=rng.randint(0, 59))
        events += history(code, rng.choice(routes), start, number, rng)
    events.sort(key=lambda e: (e["at"], e["id"]))
    return events


def batches(events: Sequence[dict[str, Any]]) -> list[Sequence[dict[str, Any]]]:
    """The events in batches of `BATCH`."""
    return [events[start : start + BATCH] for start in range(0, len(events), BATCH)]


# --------------------------------------------------------------------------------------
# Ingest: the service, the API, the baseline.
# --------------------------------------------------------------------------------------


@dataclass
class IngestRun:
    """One run: the events sent, the time of each batch, and the items not accepted."""

    events: int
    seconds: list[float] = field(default_factory=list)
    refused: int = 0

    @property
    def rate(self) -> float:
        """Events per second over the whole run."""
        return self.events / sum(self.seconds)


def ingest_by_service(
    sessions: sessionmaker[Session], keys: CheckKeys, events: Sequence[dict[str, Any]]
) -> IngestRun:
    """`ingest_events` batch by batch on one session; each batch timed."""
    run = IngestRun(len(events))
    clock = time.perf_counter
    with sessions() as session:
        for batch in batches(events):
            began = clock()
            results = ingest_events(session, SOURCE, batch, check_keys=keys)
            run.seconds.append(clock() - began)
            run.refused += sum(r.result.value != "accepted" for r in results)
    return run


def ingest_by_http(
    http: requests.Session, base: str, token: str, events: Sequence[dict[str, Any]]
) -> IngestRun:
    """``POST /api/v1/dossier-events`` batch by batch; each request timed to its last byte."""
    run = IngestRun(len(events))
    headers = {"Authorization": f"Bearer {token}"}
    clock = time.perf_counter
    for batch in batches(events):
        began = clock()
        response = http.post(
            f"{base}/api/v1/dossier-events", json={"events": batch}, headers=headers
        )
        answer = response.json() if response.status_code == 200 else {"results": []}
        run.seconds.append(clock() - began)
        accepted = sum(r["result"] == "accepted" for r in answer["results"])
        run.refused += len(batch) - accepted
    return run


def baseline_rows(
    events: Sequence[dict[str, Any]], case_ids: dict[tuple[str, str], tuple[int, int]]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Per batch, the dossier rows of its receptions and its event rows, ids given."""
    ids: dict[str, int] = {}
    found = []
    now = utcnow()
    for batch in batches(events):
        dossiers, rows = [], []
        for event in batch:
            at = datetime.fromisoformat(event["at"])
            if event["kind"] == "received":
                ids[event["dossier"]] = 2**30 + len(ids)
                case_id, version_id = case_ids[(event["procedure"], event["case"])]
                dossiers.append(
                    {
                        "id": ids[event["dossier"]],
                        "source": BASELINE_SOURCE,
                        "code": event["dossier"],
                        "case_id": case_id,
                        "version_id": version_id,
                        "received_at": at,
                        "channel": event["channel"],
                        "check_hash": "",
                        "created_at": now,
                        "due_at": at,
                        "last_event_at": at,
                        "current_steps": [],
                    }
                )
            rows.append(
                {
                    "source": BASELINE_SOURCE,
                    "source_event_id": event["id"],
                    "dossier_id": ids[event["dossier"]],
                    "at": at,
                    "kind": event["kind"],
                    "step_key": event.get("step"),
                    "unit_code": event.get("unit"),
                    "officer_email": None,
                    "note": "",
                    "new_due": None,
                    "recorded_at": now,
                }
            )
        found.append((dossiers, rows))
    return found


def ingest_baseline(
    engine: sa.Engine,
    events: Sequence[dict[str, Any]],
    case_ids: dict[tuple[str, str], tuple[int, int]],
) -> IngestRun:
    """The same rows with one plain ``executemany`` per table and batch; then deleted."""
    run = IngestRun(len(events))
    prepared = baseline_rows(events, case_ids)  # built untimed: the service parses too
    dossiers, rows = Dossier.__table__, DossierEvent.__table__
    clock = time.perf_counter
    for new, batch in prepared:
        began = clock()
        with engine.begin() as connection:
            if new:
                connection.execute(sa.insert(dossiers), new)
            connection.execute(sa.insert(rows).execution_options(render_nulls=True), batch)
        run.seconds.append(clock() - began)
    with engine.begin() as connection:
        connection.execute(sa.delete(rows).where(rows.c.source == BASELINE_SOURCE))
        connection.execute(sa.delete(dossiers).where(dossiers.c.source == BASELINE_SOURCE))
    return run


# --------------------------------------------------------------------------------------
# Growing the database by copies of the ingested dossiers.
# --------------------------------------------------------------------------------------


def _stride(value: int) -> int:
    """The next power of ten above `value`: a copy's id offset."""
    return 10 ** (len(str(max(1, value))))


def grow(engine: sa.Engine, keys: CheckKeys, wanted: int) -> int:
    """Add copies of the seed dossiers until `wanted` are stored; how many are stored.

    The seeds are the dossiers whose code has no `COPY_MARK`: those ingest stored.
    """
    dossiers, events, runs = (m.__table__ for m in (Dossier, DossierEvent, DossierStepRun))
    with engine.begin() as connection:
        seeds = list(
            connection.execute(
                sa.select(dossiers)
                .where(~dossiers.c.code.contains(COPY_MARK))
                .order_by(dossiers.c.id)
            ).mappings()
        )
        stored = connection.execute(sa.select(sa.func.count()).select_from(dossiers)).scalar_one()
        max_event = connection.execute(sa.select(sa.func.max(events.c.id))).scalar_one()
    step = _stride(seeds[-1]["id"])
    event_step = _stride(max_event)
    with engine.connect() as connection:
        highest = connection.execute(sa.select(sa.func.max(dossiers.c.id))).scalar_one()
    copy = highest // step + 1  # copy n has the ids of its seeds plus n times the step
    while stored < wanted:
        part = seeds[: min(len(seeds), wanted - stored)]
        suffix = f"{COPY_MARK}{copy}"
        rows = []
        for seed in part:
            row = dict(seed)
            row["id"] = seed["id"] + copy * step
            row["code"] = seed["code"] + suffix
            row["check_hash"] = keys.digest(seed["source"], row["code"], check_value(seed["code"]))
            rows.append(row)
        params = {
            "shift": copy * step,
            "event_shift": copy * event_step,
            "suffix": suffix,
            "last": part[-1]["id"],
        }
        with engine.begin() as connection:
            connection.execute(sa.insert(dossiers), rows)
            connection.execute(
                sa.text(
                    "INSERT INTO dossier_events (id, source, source_event_id, dossier_id, at, "
                    "kind, step_key, unit_code, officer_email, note, new_due, recorded_at) "
                    "SELECT id + :event_shift, source, source_event_id || :suffix, "
                    "dossier_id + :shift, at, kind, step_key, unit_code, officer_email, note, "
                    "new_due, recorded_at FROM dossier_events WHERE dossier_id <= :last"
                ),
                params,
            )
            columns = ", ".join(c.name for c in runs.columns if c.name != "dossier_id")
            connection.execute(
                sa.text(
                    f"INSERT INTO dossier_step_runs (dossier_id, {columns}) "
                    f"SELECT dossier_id + :shift, {columns} FROM dossier_step_runs "
                    "WHERE dossier_id <= :last"
                ),
                params,
            )
        stored += len(part)
        copy += 1
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in ("dossiers", "dossier_events"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.exec_driver_sql("ANALYZE")
    return stored


# --------------------------------------------------------------------------------------
# Lookups.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """The times of one kind of lookup at one size, in seconds; and any wrong answer."""

    label: str
    samples: tuple[float, ...]
    wrong: int = 0

    @property
    def median_ms(self) -> float:
        """The median in ms."""
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """The 95th percentile in ms, interpolated."""
        return percentile(self.samples, 0.95) * 1000


def percentile(samples: Sequence[float], share: float) -> float:
    """The `share` quantile of `samples`, interpolated between the sorted values.

    >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95)
    4.8
    """
    ordered = sorted(samples)
    rank = share * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(kinds: Sequence[tuple[str, Callable[[Any], bool], Sequence[Any]]]) -> list[Lookups]:
    """Each kind's action of each of its values, after `WARM_UP` untimed ones.

    The kinds take turns value by value, so a burst of other work on a shared machine
    falls on all of them alike, baselines included. False answers are counted.
    """
    for _, action, values in kinds:
        for value in values[:WARM_UP]:
            action(value)
    samples: list[list[float]] = [[] for _ in kinds]
    wrong = [0] * len(kinds)
    clock = time.perf_counter
    for n in range(min(len(values) for _, _, values in kinds)):
        for k, (_, action, values) in enumerate(kinds):
            began = clock()
            right = action(values[n])
            samples[k].append(clock() - began)
            wrong[k] += not right
    return [Lookups(label, tuple(samples[k]), wrong[k]) for k, (label, _, _) in enumerate(kinds)]


def time_lookups(
    engine: sa.Engine,
    sessions: sessionmaker[Session],
    keys: CheckKeys,
    http: requests.Session,
    base: str,
    token: str,
    count: int,
    seed: int,
) -> list[Lookups]:
    """Each kind of lookup, `count` times, over codes drawn at random; baselines last."""
    with engine.connect() as connection:
        stored = connection.execute(sa.select(Dossier.id, Dossier.code)).all()
    rng = random.Random(seed)
    drawn = [rng.choice(stored) for _ in range(count)]
    codes = [code for _, code in drawn]
    headers = {"Authorization": f"Bearer {token}"}

    def by_check(code: str) -> bool:
        with sessions() as session:
            found = lookup_dossier(session, code, check_value(code.split(COPY_MARK)[0]), keys)
            return found is not None and found.code == code

    def by_code(code: str) -> bool:
        with sessions() as session:
            found = find_dossier(session, code, source=SOURCE)
            return found is not None and found.code == code

    def over_http(code: str) -> bool:
        response = http.get(f"{base}/api/v1/dossiers/{code}", headers=headers)
        return response.status_code == 200 and response.json()["code"] == code

    def primary_key(dossier_id: int) -> bool:
        with sessions() as session:
            return session.get(Dossier, dossier_id) is not None

    def static(_: object) -> bool:
        response = http.get(f"{base}/static/portal.css")
        return response.status_code == 200 and bool(response.content)

    return timed(
        [
            ("lookup_dossier (code + check)", by_check, codes),
            ("find_dossier (code, source)", by_code, codes),
            ("GET /api/v1/dossiers/<code>", over_http, codes),
            ("BASELINE session.get(Dossier, id)", primary_key, [i for i, _ in drawn]),
            ("BASELINE GET /static/portal.css", static, codes),
        ]
    )


# --------------------------------------------------------------------------------------
# Reporting and the command line.
# --------------------------------------------------------------------------------------


def render(rows: list[tuple[str, ...]]) -> list[str]:
    """Align a table: the first column left, the others right; a rule under the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def ingest_table(results: dict[str, list[IngestRun]]) -> list[str]:
    """Events/s per run and their median, the median batch, the ratio to the baseline."""
    base = statistics.median(r.rate for r in results["BASELINE executemany"])
    rows = [
        ("ingest (batches of 500)", "events/s per run", "median", "batch ms", "x base", "refused")
    ]
    for label, runs in results.items():
        median = statistics.median(r.rate for r in runs)
        batch = statistics.median(s for r in runs for s in r.seconds) * 1000
        rows.append(
            (
                label,
                " ".join(f"{r.rate:,.0f}" for r in runs),
                f"{median:,.0f}",
                f"{batch:.1f}",
                f"{median / base:.3f}",
                str(sum(r.refused for r in runs)),
            )
        )
    return render(rows)


def _baseline(n: int) -> int:
    """The baseline row of lookup row `n`: the primary key for the service, else HTTP's."""
    return 3 if n in (0, 1, 3) else 4


def _growth(measured: Sequence[Sequence[Lookups]], n: int) -> float:
    """How many times row `n`'s p95 at the large size is its p95 at the small one."""
    return measured[1][n].p95_ms / measured[0][n].p95_ms


def lookup_table(sizes: Sequence[int], measured: Sequence[Sequence[Lookups]]) -> list[str]:
    """Median and p95 at each size, the ratio of the p95s (and its baseline's, which tells
    how much the machine's load moved between the sizes), the median over its baseline."""
    small, large = measured
    head = ["lookup"]
    for size in sizes:
        head += [f"med ms @{size:,}", f"p95 ms @{size:,}"]
    rows = [(*head, "p95 ratio", "base's ratio", "x base", "wrong")]
    for n, (a, b) in enumerate(zip(small, large, strict=True)):
        baseline = large[_baseline(n)]
        rows.append(
            (
                b.label,
                f"{a.median_ms:.2f}",
                f"{a.p95_ms:.2f}",
                f"{b.median_ms:.2f}",
                f"{b.p95_ms:.2f}",
                f"{b.p95_ms / a.p95_ms:.2f}",
                f"{_growth(measured, _baseline(n)):.2f}",
                f"{b.median_ms / baseline.median_ms:.1f}",
                str(a.wrong + b.wrong),
            )
        )
    return render(rows)


def summary(
    backend: str,
    results: dict[str, list[IngestRun]],
    large_size: int,
    measured: Sequence[Sequence[Lookups]],
) -> list[tuple[str, bool]]:
    """Each target and whether it is met."""
    note = "" if backend == "postgresql" else " (stated for PostgreSQL)"
    service = statistics.median(r.rate for r in results["service ingest_events"])
    http = statistics.median(r.rate for r in results["HTTP POST /api/v1/dossier-events"])
    refused = sum(r.refused for runs in results.values() for r in runs)
    found = [
        (
            f"service ingest {service:,.0f} >= {SERVICE_TARGET:,.0f} events/s{note}",
            service >= SERVICE_TARGET,
        ),
        (f"HTTP ingest {http:,.0f} >= {HTTP_TARGET:,.0f} events/s{note}", http >= HTTP_TARGET),
        (f"every ingested event accepted ({refused} not)", refused == 0),
    ]
    for n, (a, b) in enumerate(zip(*(sizes[:3] for sizes in measured), strict=True)):
        found.append(
            (
                f"{b.label}: p95 {b.p95_ms:.2f} ms < {LOOKUP_TARGET_MS:.0f} ms "
                f"at {large_size:,} dossiers",
                b.p95_ms < LOOKUP_TARGET_MS,
            )
        )
        ratio = b.p95_ms / a.p95_ms
        base = _growth(measured, _baseline(n))
        found.append(
            (
                f"{b.label}: p95 grows {ratio:.2f}x <= {GROWTH_TARGET}x "
                f"(its baseline's grew {base:.2f}x)",
                ratio <= GROWTH_TARGET,
            )
        )
        found.append(
            (f"{b.label}: every answer right ({a.wrong + b.wrong} wrong)", a.wrong + b.wrong == 0)
        )
    return found


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, help="events per ingest run (20000)")
    parser.add_argument("--runs", type=int, help="ingest runs of each kind (3)")
    parser.add_argument("--dossiers", type=int, help="dossiers at the large lookup size (200000)")
    parser.add_argument("--lookups", type=int, help="timed lookups of each kind and size (300)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(URL_VARIABLE),
        help="a PostgreSQL database to use instead of a temporary SQLite file "
        f"(default: ${URL_VARIABLE}); its public schema is DROPPED and recreated",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run: 2,000 events, 1 run, 2,000 and 20,000 dossiers, 50 lookups",
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    parser.add_argument(
        "--ingest-only", action="store_true", help="measure the ingest only, no lookups"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of one service batch"
    )
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if min(args.events, args.runs, args.lookups) < 1 or args.dossiers < 10:
        parser.error("--events, --runs and --lookups must be at least 1, --dossiers 10")
    # A run's last events must stay in the past: an event in the future is refused.
    if SPACING * (args.events // EVENTS_PER_DOSSIER) > timedelta(days=HISTORY_DAYS - 5):
        parser.error(f"--events: a run must fit in {HISTORY_DAYS - 5} days of receptions")
    return args


@contextmanager
def prepared(
    url: str,
) -> Iterator[tuple[sa.Engine, list[Route], dict[tuple[str, str], tuple[int, int]]]]:
    """A migrated database with the demo catalogue in force since before the events."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        reset_postgres_schema(engine)
    upgrade(engine)
    since = utcnow() - timedelta(days=HISTORY_DAYS + 1)
    with make_session_factory(engine)() as session:
        load_demo(session)
        session.execute(
            sa.update(FlowVersion)
            .where(FlowVersion.status == VersionStatus.APPROVED)
            .values(effective_from=since)
        )
        session.commit()
        routes = routes_in_force(session)
        case_ids = {
            (code, key): (case_id, version_id)
            for code, key, case_id, version_id in session.execute(
                sa.select(Procedure.code, ProcedureCase.key, ProcedureCase.id, FlowVersion.id)
                .join(ProcedureCase, ProcedureCase.procedure_id == Procedure.id)
                .join(FlowVersion, FlowVersion.case_id == ProcedureCase.id)
                .where(FlowVersion.status == VersionStatus.APPROVED)
            )
        }
    try:
        yield engine, routes, case_ids
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Ingest, grow, look up; print the tables and the targets met."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    keys = CheckKeys.from_secrets(SECRET_KEY)
    base = datetime.now(TIMEZONE).replace(hour=8, minute=0, second=0, microsecond=0)
    base -= timedelta(days=HISTORY_DAYS)
    dossiers_per_run = max(1, args.events // EVENTS_PER_DOSSIER)
    with database(args.database_url) as (url, folder), prepared(url) as (engine, routes, case_ids):
        sessions = make_session_factory(engine)
        with sessions() as session:
            write = create_token(session, SOURCE, ["events:write"], by=None).token
            read = create_token(session, SOURCE, ["dossiers:read"], by=None).token
            session.commit()
        print(f"Benchmark of dossier tracking — {args.runs} ingest runs of {args.events:,} events")
        print(
            f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
            f"{engine.dialect.name} ({_describe_url(url)}); {platform.system()} "
            f"{platform.machine()}, {os.cpu_count()} CPUs; {len(routes)} demo cases in force"
        )
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SODO_INSTANCE": folder})
        results: dict[str, list[IngestRun]] = {
            "service ingest_events": [],
            "HTTP POST /api/v1/dossier-events": [],
            "BASELINE executemany": [],
        }
        with serving(app) as server, requests.Session() as http:
            # Untimed: the first batches parse the documents and fill the caches.
            warm = run_events("W", 2 * BATCH // EVENTS_PER_DOSSIER, routes, base, SEED - 2)
            ingest_by_service(sessions, keys, warm[:BATCH])
            ingest_by_http(http, server, write, warm[BATCH:])
            for run in range(args.runs):
                events = run_events(f"S{run}", dossiers_per_run, routes, base, SEED + run)
                results["service ingest_events"].append(ingest_by_service(sessions, keys, events))
                results["BASELINE executemany"].append(ingest_baseline(engine, events, case_ids))
                events = run_events(f"H{run}", dossiers_per_run, routes, base, SEED + 100 + run)
                results["HTTP POST /api/v1/dossier-events"].append(
                    ingest_by_http(http, server, write, events)
                )
            print()
            print("\n".join(ingest_table(results)))

            sizes = [max(1, args.dossiers // 10), args.dossiers]
            measured: list[list[Lookups]] = []
            for n, size in enumerate(sizes if not args.ingest_only else ()):
                began = time.perf_counter()
                sizes[n] = grow(engine, keys, size)
                with engine.connect() as connection:
                    stored = connection.execute(
                        sa.select(sa.func.count()).select_from(DossierEvent)
                    ).scalar_one()
                print(
                    f"\nGrown to {sizes[n]:,} dossiers, {stored:,} events in "
                    f"{time.perf_counter() - began:.1f} s; {args.lookups} lookups of each kind"
                )
                measured.append(
                    time_lookups(engine, sessions, keys, http, server, read, args.lookups, SEED + n)
                )
            if measured:
                print()
                print("\n".join(lookup_table(sizes, measured)))

        print()
        targets = summary(engine.dialect.name, results, sizes[1], measured)
        for label, met in targets:
            print(f"{'PASS' if met else 'FAIL'}  {label}")
        if args.profile:
            events = run_events(
                "P", max(1, BATCH // EVENTS_PER_DOSSIER) * 4, routes, base, SEED - 1
            )
            ingest_by_service(sessions, keys, events[: 3 * BATCH])
            print(f"\ncProfile of one service batch of {BATCH}:")
            profiler = cProfile.Profile()
            profiler.enable()
            ingest_by_service(sessions, keys, events[3 * BATCH : 4 * BATCH])
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        app.extensions["sodo.engine"].dispose()
    missed = [label for label, met in targets if not met]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
