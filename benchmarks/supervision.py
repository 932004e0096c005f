"""How fast the supervision pages answer as the dossiers pile up, on PostgreSQL.

Run it from the project root::

    .venv/bin/python benchmarks/supervision.py --database-url URL
        [--dossiers 200000] [--requests 15] [--quick] [--check]

``URL`` (or ``SODO_BENCH_DATABASE_URL``) is a PostgreSQL database whose ``public`` schema
is DROPPED and recreated first.

What it measures
----------------
The database is migrated and loaded with the demo catalogue, in force for 301 days, as
`tracking.py` does. Seed dossiers are then ingested through the service
(`workflow_model.tracking.ingest_events`): ``--seeds`` (2,000) dossiers of ten events each, made by
`tracking.py`'s generator (`run_events`) with each step event given an officer of its
unit, so every figure (agency, unit, procedure, step, officer) has something to group.
The history then grows by copies of the seeds made in SQL (``INSERT … SELECT``), each
copy moved forward by a whole number of weeks (0 to 39, by turns), so the dossiers spread
over some 280 days and keep their weekdays; a copy's stored state, events and step runs
are the seed's, moved by the same time (its events take new ids from the sequence).
Then ``VACUUM ANALYZE``. Growing this way takes minutes
where ingesting a million dossiers would take hours; the stored state is what ingest
stores, since it is ingest's.

At three sizes, ``--dossiers`` / 4, / 2 and ``--dossiers``, as a logged-in administrator
(the widest scope) through Flask's test client in this process (routing, login, queries,
templates; no network), after warm-up requests, ``--requests`` timed requests of:

- the dashboard for the densest quarter of the history, once per breakdown (agency,
  unit, procedure, step, officer), and the overdue list as XLSX;
- the periodic report for that quarter, as XLSX;
- the configured-against-actual page for that quarter.

The BASELINE is a plain ``SELECT count(*)`` of the quarter's dossiers on a new session
of the same engine: the least any figure of the period must read.

Targets: every dashboard request p95 under 1 s, and the quarter's report under 5 s, at
the largest size; and time growing no faster than the number of dossiers: from the
smallest size to the largest (four times the dossiers), each page's median at most
``GROWTH_LIMIT`` (4.4) times its own, ten per cent for the machine's noise.

How to read the output
----------------------
One table per size: per page, the median and p95 (interpolated) in milliseconds and the
median as a multiple of the baseline's. Then the growth table: each page's median at
each size and the ratio of the largest to the smallest. The machine may be shared:
ratios move less than absolute times. The exit code is 0 unless ``--check`` is given and
a target is missed. ``--quick`` is a small run (20,000 dossiers, 3 requests) to check the
script works; its figures are not the targets' sizes.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from tracking import (
    EVENTS_PER_DOSSIER,
    HISTORY_DAYS,
    SECRET_KEY,
    SEED,
    SOURCE,
    URL_VARIABLE,
    batches,
    percentile,
    prepared,
    run_events,
)

from admin.app import create_app
from workflow_model.accounts import create_user
from workflow_model.calendar import TIMEZONE
from workflow_model.db import make_session_factory
from workflow_model.models import Dossier, Officer, Role, Unit
from workflow_model.tracking import CheckKeys, ingest_events

SEEDS = 2000
"""Dossiers ingested through the service, which the copies repeat."""
WEEKS = 40
"""A copy is moved forward by 0 to 39 weeks."""
DASHBOARD_TARGET_MS = 1000.0
REPORT_TARGET_MS = 5000.0
GROWTH_LIMIT = 4.4
WARM_UP = 2
DEFAULTS = {"dossiers": 200000, "requests": 15}
QUICK = {"dossiers": 20000, "requests": 3}
USERNAME = "bench-admin"
PASSWORD = "bench-password-long"
BREAKDOWNS = ("agency", "unit", "procedure", "step", "officer")


# --------------------------------------------------------------------------------------
# The history.
# --------------------------------------------------------------------------------------


def with_officers(
    events: list[dict[str, Any]], officers: dict[str, list[str]], rng: random.Random
) -> list[dict[str, Any]]:
    """The events, each step event of a unit given one of that unit's officers.

    A dossier keeps the officer it was given for a step, as one officer handles it.
    """
    chosen: dict[tuple[str, str], str] = {}
    for event in events:
        unit = event.get("unit")
        if unit and officers.get(unit):
            key = (event["dossier"], event["step"])
            event["officer"] = chosen.setdefault(key, rng.choice(officers[unit]))
    return events


def unit_officers(session: Session) -> dict[str, list[str]]:
    """Each unit code's officers' emails (those that have one)."""
    found: dict[str, list[str]] = {}
    for code, email in session.execute(
        sa.select(Unit.code, Officer.email)
        .join(Officer, Officer.unit_id == Unit.id)
        .where(Officer.email.is_not(None))
        .order_by(Officer.id)
    ):
        found.setdefault(code, []).append(email)
    return found


def ingest_seeds(
    sessions: sessionmaker[Session], keys: CheckKeys, routes: Sequence[Any], seeds: int
) -> int:
    """Ingest the seed dossiers through the service; how many events were refused."""
    base = datetime.now(TIMEZONE).replace(hour=8, minute=0, second=0, microsecond=0)
    base -= timedelta(days=HISTORY_DAYS)
    rng = random.Random(SEED)
    with sessions() as session:
        officers = unit_officers(session)
        events = with_officers(run_events("SUP", seeds, routes, base, SEED), officers, rng)
        refused = 0
        for batch in batches(events):
            results = ingest_events(session, SOURCE, batch, check_keys=keys)
            refused += sum(r.result.value != "accepted" for r in results)
    return refused


DOSSIER_TIMES = (
    "received_at",
    "created_at",
    "due_at",
    "closed_at",
    "finished_at",
    "apology_due",
    "clock_stopped_since",
    "last_event_at",
)
EVENT_TIMES = ("at", "new_due", "recorded_at")
RUN_TIMES = ("started_at", "finished_at", "deadline_at")


def _moved(columns: Sequence[str], times: Sequence[str], shifts: dict[str, str]) -> str:
    """The SELECT list copying `columns`, each time moved and other columns as `shifts` say."""
    parts = []
    for column in columns:
        if column in shifts:
            parts.append(shifts[column])
        elif column in times:
            parts.append(f"{column} + make_interval(weeks => :weeks)")
        else:
            parts.append(column)
    return ", ".join(parts)


def grow(engine: sa.Engine, wanted: int, seeds: int) -> int:
    """Add moved copies of the seed dossiers until `wanted` are stored; how many are."""
    tables = {
        t: sa.Table(t, sa.MetaData(), autoload_with=engine)
        for t in ("dossiers", "dossier_events", "dossier_step_runs")
    }
    columns = {name: [c.name for c in table.columns] for name, table in tables.items()}
    # A copy's events take their ids from the sequence: shifted ids outgrow an integer.
    columns["dossier_events"].remove("id")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM dossiers")).scalar_one()
        last_seed = connection.execute(
            sa.text("SELECT max(id) FROM dossiers WHERE code NOT LIKE '%~%'")
        ).scalar_one()
        highest = connection.execute(sa.text("SELECT max(id) FROM dossiers")).scalar_one()
    step = 10 ** len(str(last_seed))
    copy = highest // step + 1
    while stored < wanted:
        take = min(seeds, wanted - stored)
        params = {
            "shift": copy * step,
            "suffix": f"~{copy}",
            "weeks": copy % WEEKS,
            "take": take,
        }
        dossier_list = _moved(
            columns["dossiers"],
            DOSSIER_TIMES,
            {"id": "id + :shift", "code": "code || :suffix"},
        )
        event_list = _moved(
            columns["dossier_events"],
            EVENT_TIMES,
            {
                "dossier_id": "dossier_id + :shift",
                "source_event_id": "source_event_id || :suffix",
            },
        )
        run_list = _moved(
            columns["dossier_step_runs"], RUN_TIMES, {"dossier_id": "dossier_id + :shift"}
        )
        seed_ids = "SELECT id FROM dossiers WHERE code NOT LIKE '%~%' ORDER BY id LIMIT :take"
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    f"INSERT INTO dossiers ({', '.join(columns['dossiers'])}) "
                    f"SELECT {dossier_list} FROM dossiers WHERE id IN ({seed_ids})"
                ),
                params,
            )
            connection.execute(
                sa.text(
                    f"INSERT INTO dossier_events ({', '.join(columns['dossier_events'])}) "
                    f"SELECT {event_list} FROM dossier_events WHERE dossier_id IN ({seed_ids})"
                ),
                params,
            )
            connection.execute(
                sa.text(
                    f"INSERT INTO dossier_step_runs ({', '.join(columns['dossier_step_runs'])}) "
                    f"SELECT {run_list} FROM dossier_step_runs WHERE dossier_id IN ({seed_ids})"
                ),
                params,
            )
        stored += take
        copy += 1
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('dossiers', 'id'), "
            "(SELECT max(id) FROM dossiers))"
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return stored


def densest_quarter(session: Session) -> tuple[date, date]:
    """The calendar quarter that holds the most receptions."""
    quarter = sa.func.date_trunc(
        "quarter", sa.func.timezone("Asia/Ho_Chi_Minh", Dossier.received_at)
    ).label("quarter")
    first = (
        session.execute(
            sa.select(quarter).group_by(quarter).order_by(sa.func.count().desc()).limit(1)
        )
        .scalar_one()
        .date()
    )
    following = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


# --------------------------------------------------------------------------------------
# The timings.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page to time: its label, its address and its target in milliseconds (None: none)."""

    label: str
    url: str
    target_ms: float | None


@dataclass(frozen=True)
class Timing:
    """The times of one page at one size, in seconds, and the statuses it answered."""

    page: Page
    samples: tuple[float, ...]
    statuses: frozenset[int]

    @property
    def median_ms(self) -> float:
        """The median time in milliseconds."""
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """The 95th percentile, interpolated, in milliseconds."""
        return percentile(self.samples, 0.95) * 1000


def pages(first: date, last: date) -> list[Page]:
    """The pages timed, for the quarter from `first` to `last`."""
    period = f"period=custom&from={first.isoformat()}&to={last.isoformat()}"
    found = [
        Page(f"dashboard by {by}", f"/supervision/?{period}&by={by}", DASHBOARD_TARGET_MS)
        for by in BREAKDOWNS
    ]
    found.append(
        Page("overdue list XLSX", f"/supervision/overdue.xlsx?{period}", DASHBOARD_TARGET_MS)
    )
    found.append(
        Page(
            "periodic report XLSX (quarter)",
            f"/supervision/report/report.xlsx?{period}",
            REPORT_TARGET_MS,
        )
    )
    found.append(Page("configured vs actual", f"/supervision/times/?{period}", None))
    return found


def time_page(client: FlaskClient, page: Page, requests: int) -> Timing:
    """`WARM_UP` untimed requests of `page`, then `requests` timed ones."""
    for _ in range(WARM_UP):
        response = client.get(page.url)
        # A page shows its default period, with a warning, for parameters that make none:
        # that would time another period than the one named.
        if b'id="problems"' in response.get_data():
            raise SystemExit(f"{page.url}: the page refused its parameters")
        response.close()
    samples, statuses = [], set()
    clock = time.perf_counter
    for _ in range(requests):
        began = clock()
        response = client.get(page.url)
        response.get_data()
        samples.append(clock() - began)
        statuses.add(response.status_code)
        response.close()
    return Timing(page, tuple(samples), frozenset(statuses))


def time_baseline(sessions: sessionmaker[Session], first: date, last: date, n: int) -> Timing:
    """A plain count of the quarter's dossiers on a new session, `n` times."""
    starts = datetime.combine(first, datetime.min.time(), tzinfo=TIMEZONE)
    ends = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=TIMEZONE)
    query = sa.select(sa.func.count()).where(
        Dossier.received_at >= starts, Dossier.received_at < ends
    )
    samples = []
    for number in range(n + WARM_UP):
        began = time.perf_counter()
        with sessions() as session:
            session.execute(query).scalar_one()
        if number >= WARM_UP:
            samples.append(time.perf_counter() - began)
    return Timing(
        Page("BASELINE count(*) of the quarter", "", None), tuple(samples), frozenset({200})
    )


def size_table(size: int, timings: Sequence[Timing], baseline: Timing) -> list[str]:
    """The table of one size."""
    rows = [("page", "median ms", "p95 ms", "× baseline", "target", "status")]
    for timing in [*timings, baseline]:
        target = timing.page.target_ms
        rows.append(
            (
                timing.page.label,
                f"{timing.median_ms:,.1f}",
                f"{timing.p95_ms:,.1f}",
                f"{timing.median_ms / baseline.median_ms:,.1f}",
                f"p95 < {target:,.0f}" if target else "",
                ",".join(str(s) for s in sorted(timing.statuses)),
            )
        )
    return [f"{size:,} dossiers", *render(rows)]


def render(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def growth_table(sizes: Sequence[int], measured: Sequence[Sequence[Timing]]) -> list[str]:
    """Each page's median at each size, and the ratio of the largest to the smallest."""
    header = ("page", *(f"{size:,}" for size in sizes), "ratio")
    rows: list[tuple[str, ...]] = [header]
    for index, timing in enumerate(measured[0]):
        medians = [size_timings[index].median_ms for size_timings in measured]
        rows.append(
            (timing.page.label, *(f"{m:,.1f}" for m in medians), f"{medians[-1] / medians[0]:.2f}")
        )
    return [f"Growth of the median (dossiers × {sizes[-1] / sizes[0]:.0f})", *render(rows)]


def failures(sizes: Sequence[int], measured: Sequence[Sequence[Timing]]) -> list[str]:
    """The targets missed, in words (empty when all are met)."""
    missed = []
    for timing in measured[-1]:
        target = timing.page.target_ms
        if timing.statuses != {200}:
            missed.append(f"{timing.page.label}: answered {sorted(timing.statuses)}")
        if target is not None and timing.p95_ms >= target:
            missed.append(f"{timing.page.label}: p95 {timing.p95_ms:,.0f} ms ≥ {target:,.0f} ms")
    limit = GROWTH_LIMIT * (sizes[-1] / sizes[0]) / 4
    for index, timing in enumerate(measured[0]):
        ratio = measured[-1][index].median_ms / timing.median_ms
        if ratio > limit:
            missed.append(f"{timing.page.label}: grew {ratio:.2f}× (limit {limit:.2f}×)")
    return missed


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--dossiers", type=int, help="dossiers at the largest size")
    parser.add_argument("--requests", type=int, help="timed requests per page and size")
    parser.add_argument("--database-url", default=os.environ.get(URL_VARIABLE))
    parser.add_argument(
        "--seeds", type=int, default=SEEDS, help="dossiers ingested through the service"
    )
    parser.add_argument("--quick", action="store_true", help="a small run to check the script")
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    args = parser.parse_args(argv)
    chosen = QUICK if args.quick else DEFAULTS
    for name, value in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error(f"a PostgreSQL --database-url (or {URL_VARIABLE}) is needed")
    if args.seeds < 1 or args.dossiers < 4 * args.seeds or args.requests < 1:
        parser.error("--seeds and --requests must be at least 1, --dossiers 4 times --seeds")
    return args


def log_in(client: FlaskClient) -> None:
    """Log in as the benchmark's administrator; raise when it fails."""
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")


def main(argv: Sequence[str] | None = None) -> int:
    """Ingest the seeds, grow, time the pages at each size; print the tables."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    keys = CheckKeys.from_secrets(SECRET_KEY)
    sizes = [args.dossiers // 4, args.dossiers // 2, args.dossiers]
    with prepared(args.database_url) as (engine, routes, _cases):
        sessions = make_session_factory(engine)
        began = time.perf_counter()
        refused = ingest_seeds(sessions, keys, routes, args.seeds)
        seeded = time.perf_counter() - began
        with sessions() as session:
            create_user(session, USERNAME, PASSWORD, [Role.ADMIN], full_name="Benchmark")
            session.commit()
        app = create_app(
            {
                "DATABASE_URL": args.database_url,
                "SECRET_KEY": SECRET_KEY,
                "WTF_CSRF_ENABLED": False,
                "SODO_INSTANCE": os.environ.get("TMPDIR", "/tmp"),
            }
        )
        print("Benchmark of the supervision pages")
        print(
            f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, PostgreSQL; "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
            f"{args.seeds:,} seed dossiers ({args.seeds * EVENTS_PER_DOSSIER:,} events) "
            f"ingested in {seeded:,.0f} s, {refused} refused"
        )
        measured: list[list[Timing]] = []
        for size in sizes:
            began = time.perf_counter()
            grow(engine, size, args.seeds)
            grown = time.perf_counter() - began
            with sessions() as session:
                first, last = densest_quarter(session)
                counts = session.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM dossier_events), "
                        "(SELECT count(*) FROM dossier_step_runs)"
                    )
                ).one()
            client = app.test_client()
            log_in(client)
            timings = [time_page(client, page, args.requests) for page in pages(first, last)]
            baseline = time_baseline(sessions, first, last, args.requests)
            measured.append(timings)
            print()
            print(
                f"Grown to {size:,} dossiers, {counts[0]:,} events, {counts[1]:,} step runs in "
                f"{grown:,.0f} s; the quarter: {first} to {last}"
            )
            print("\n".join(size_table(size, timings, baseline)))
        print()
        print("\n".join(growth_table(sizes, measured)))
        missed = failures(sizes, measured)
        print()
        print("FAIL: " + "; ".join(missed) if missed else "PASS: every target met")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
