"""How fast the public procedure pages answer over a province's catalogue, over real HTTP.

Run it from the project root::

    .venv/bin/python benchmarks/public_pages.py [--procedures 1700] [--requests 200]
        [--runs 3] [--database-url URL] [--quick] [--check] [--profile]

What it measures
----------------
A province publishes about 1,700 procedures. The script makes a fresh database (SQLite in
a temporary folder, or the PostgreSQL database of ``--database-url`` or of the
``SODO_BENCH_DATABASE_URL`` environment variable, whose ``public`` schema is DROPPED and
recreated first), migrates it, and fills it with the bulk inserts of `admin_lists` (its
directory of 600 units and 3,000 officers, its authors, fields, procedures and versions).
The catalogue is public: every procedure has one case (four in five), two or three
(cases "cấp mới", "cấp lại", "điều chỉnh"), and every case an approved version in force
(effective since its approval) with its frozen snapshot and SHA-256, as approval leaves
them. Each case's flow is `validate_catalog.synthetic_flow` without faults, of 8 to 25
steps, drawn so that the catalogue holds about 25,000 steps for 1,700 procedures
(Vietnamese names with diacritics, a reception decision and a few more towards a refusal
end step, some parallel consultations). About 3% of the officers are not public, so the
pages leave them out. The time of this fill is printed but not judged.

It then serves `admin.create_app` with Werkzeug's threaded server on a free port of
127.0.0.1 in a thread of the same process (as ``sodo run`` and `load_probe` do), and sends
real HTTP requests with one ``requests.Session``, one at a time, each timed with
`time.perf_counter` from the call to the last byte of the body, after a few untimed
warm-up requests:

- ``procedure page``: ``GET /thu-tuc/<code>`` of procedures drawn at random (each case's
  diagram is drawn on the server, inline). Target: p95 under 50 ms.
- ``search``: ``GET /thu-tuc/?…`` in four kinds, each timed ``--requests`` times over its
  list of queries: a code (whole or its digits), a name folded without diacritics ("cap
  giay phep xay dung", also one that finds nothing), the level and field filters, and
  later pages of long results. Target: p95 under 100 ms for each kind and for all.
- ``so-do.svg``: ``GET /thu-tuc/<code>/so-do.svg?case=KEY`` of cases drawn at random,
  then the same URLs again with the ``If-None-Match`` of their first answer (304).
- the BASELINE: ``GET /static/portal.css``, the style sheet every public page loads,
  through the same server and session in the same run: the floor of HTTP, routing, the
  security headers and a small file on this machine.

Then the SVG workload, in process: every published case's public document is read once
(`workflow_model.public.published_cases`, untimed) and `exporters.svg.render_svg` draws
them all, ``--runs`` times, each run timed as a whole. Target: the median run under 5 s.

How to read the output
----------------------
The HTTP table (`admin_lists.table`) gives, per row, the median and the p95 (interpolated)
in milliseconds, the mean time per request in Python's cyclic garbage collector, the SQL
statements per request (min-max), the size of the last answer, the median as a multiple
of the baseline, the target and whether the p95 is within it. The server runs in the same
process, so its SQL statements are counted by an engine listener and its garbage
collections by `gc.callbacks`. Ratios to the baseline move less than absolute times
across machines or on a busy one. The SVG table (`validate_catalog.table`) gives the
median, min and max of the runs. The exit code is 0 (these are measurements) unless
``--check`` is given, in which case a missed target, or an answer other than the one
expected (200, or 304 with ``If-None-Match``), exits with 1. ``--profile`` prints a
cProfile of each HTTP row over its target, the same requests sent through Flask's test
client (no socket, so the profile is of the app alone), and of one SVG run over its
target. ``--quick`` is a small run (60 procedures, 20 requests, 1 run) to check the
script works; its figures are not the catalogue's.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests
import sqlalchemy as sa
from admin_lists import (
    GC_CLOCK,
    STEPS_PER_PROCEDURE,
    Page,
    PageTiming,
    Rows,
    StatementCounter,
    _describe_url,
    _next_ids,
    _signature,
    add_authors,
    add_directory,
    add_fields,
    add_procedure,
    add_version,
    create_bench_user,
    database,
    insert_rows,
    profile_page,
    reset_postgres_schema,
    table,
    table_of,
)
from editor import serving
from flask import Flask
from validate_catalog import Timing, profile, synthetic_flow, time_runs
from validate_catalog import table as runs_table

from admin.app import create_app
from exporters.svg import render_svg
from workflow_model import public
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import CaseEntry, FlowDocument, ProcedureEntry, dump_document
from workflow_model.migrate import upgrade
from workflow_model.models import (
    DEFAULT_CASE_KEY,
    Level,
    Officer,
    Procedure,
    ProcedureCase,
    VersionStatus,
)

SEED = 1
MIN_STEPS, MAX_STEPS = 8, 25
CASE_NAMES = ("Trường hợp cấp mới", "Trường hợp cấp lại", "Trường hợp điều chỉnh, bổ sung")
HIDDEN_OFFICERS = 0.03
"""The share of officers whose names and contacts the directory does not make public."""
PAGE_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
SVG_TARGET_S = 5.0
WARM_UP = 3
QUICK = {"procedures": 60, "requests": 20, "runs": 1}
DEFAULTS = {"procedures": 1700, "requests": 200, "runs": 3}
URL_VARIABLE = "SODO_BENCH_DATABASE_URL"

# --------------------------------------------------------------------------------------
# The public catalogue: every case with a version in force.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedProcedure:
    """A procedure and the flow document of each of its cases, in the cases' order."""

    entry: ProcedureEntry
    cases: tuple[FlowDocument, ...]


def case_sizes(rng: random.Random, procedures: int) -> list[list[int]]:
    """The steps of each case of each procedure: 8 to 25, about 25,000 for 1,700.

    Most procedures have one case; the sizes lean towards the small ones, as real
    processes do, then are nudged one step at a time until the total is reached.
    """
    sizes = []
    for _ in range(procedures):
        draw = rng.random()
        cases = 1 if draw < 0.8 else 2 if draw < 0.95 else 3
        sizes.append(
            [min(MAX_STEPS, MIN_STEPS + round(rng.expovariate(1 / 4.5))) for _ in range(cases)]
        )
    slots = [(i, j) for i, case in enumerate(sizes) for j in range(len(case))]
    wanted = round(STEPS_PER_PROCEDURE * procedures)
    wanted = min(max(wanted, MIN_STEPS * len(slots)), MAX_STEPS * len(slots))
    total = sum(map(sum, sizes))
    while total != wanted:
        i, j = rng.choice(slots)
        step = 1 if total < wanted else -1
        if MIN_STEPS <= sizes[i][j] + step <= MAX_STEPS:
            sizes[i][j] += step
            total += step
    return sizes


def _case_flow(flow: FlowDocument, base: ProcedureEntry, number: int) -> FlowDocument:
    """`flow` as case `number` of the procedure `base`, checking only `base`'s components."""
    keys = {c.key for c in base.dossier_components}
    return dataclasses.replace(
        flow,
        procedure=dataclasses.replace(
            base,
            legal_time=flow.procedure.legal_time,
            case=CaseEntry(f"th{number + 1}", CASE_NAMES[number % len(CASE_NAMES)]),
        ),
        steps=tuple(
            dataclasses.replace(s, documents=tuple(k for k in s.documents if k in keys))
            for s in flow.steps
        ),
    )


def published_catalogue(procedures: int, seed: int = SEED) -> list[PublishedProcedure]:
    """`procedures` procedures, each with the documents of its cases; the same per seed.

    >>> catalogue = published_catalogue(3)
    >>> all(MIN_STEPS <= len(doc.steps) <= MAX_STEPS for p in catalogue for doc in p.cases)
    True
    """
    rng = random.Random(seed)
    found = []
    for index, sizes in enumerate(case_sizes(rng, procedures)):
        flows = [synthetic_flow(rng, steps, index, faults=False) for steps in sizes]
        base = flows[0].procedure
        if len(flows) == 1:
            found.append(PublishedProcedure(base, (flows[0],)))
        else:
            cases = tuple(_case_flow(flow, base, n) for n, flow in enumerate(flows))
            found.append(PublishedProcedure(cases[0].procedure, cases))
    return found


def _unit_id(doc: FlowDocument, key: str | None, by_signature: dict[Any, int]) -> int | None:
    units = {u.key: u for u in doc.units}
    if key is None or key not in units:
        return None
    return by_signature[_signature(units[key], lambda u: units[u.parent] if u.parent else None)]


def build_rows(
    connection: sa.Connection, catalogue: Sequence[PublishedProcedure], bench_user_id: int
) -> Rows:
    """Every row of the public catalogue: each case's version approved and in force."""
    rng = random.Random(SEED * 104729)
    rows = Rows(_next_ids(connection))
    levels = dict(connection.execute(sa.select(Level.key, Level.id)).all())
    now = datetime.now(UTC)
    authors = add_authors(rows, rng, bench_user_id, now)
    directory = add_directory(rows, levels)
    for officer in rows.tables[table_of(Officer)]:
        officer["public"] = rng.random() >= HIDDEN_OFFICERS
    field_ids = add_fields(rows, [p.cases[0] for p in catalogue])
    for published in catalogue:
        first = published.cases[0]
        # The lead unit is the one that appraises: the second step's.
        lead = _unit_id(first, first.steps[1].unit, directory.by_signature)
        procedure_id, components = add_procedure(
            rows, published.entry, levels, field_ids, rng, lead
        )
        for position, doc in enumerate(published.cases):
            case = doc.procedure.case
            case_id = rows.add(
                ProcedureCase,
                {
                    "procedure_id": procedure_id,
                    "key": case.key if case else DEFAULT_CASE_KEY,
                    "name": case.name if case else "",
                    "legal_time_value": doc.procedure.legal_time.value,
                    "legal_time_unit": doc.procedure.legal_time.unit,
                    "position": position,
                },
            )
            created = now - timedelta(days=30 + 365 * rng.random())
            approved = created + timedelta(days=3)
            snapshot = dump_document(doc)
            author = rng.choice(authors)
            add_version(
                rows,
                doc,
                case_id,
                1,
                VersionStatus.APPROVED,
                created,
                author,
                components,
                directory.by_signature,
                directory.officer_ids,
                {
                    "submitted_at": approved - timedelta(days=1),
                    "submitted_by_id": author,
                    "approved_at": approved,
                    "approved_by_id": bench_user_id,
                    "effective_from": approved,
                    "snapshot": snapshot.decode("utf-8"),
                    "snapshot_sha256": hashlib.sha256(snapshot).hexdigest(),
                },
            )
    return rows


@dataclass(frozen=True)
class Filled:
    """What the fill wrote, and the times of its parts in seconds."""

    counts: dict[str, int]
    generate_seconds: float
    insert_seconds: float
    hidden_officers: int


def fill_database(engine: sa.Engine, catalogue: Sequence[PublishedProcedure]) -> Filled:
    """Bulk-insert the public catalogue after the benchmark user; commit."""
    user_id = create_bench_user(engine)
    began = time.perf_counter()
    with engine.connect() as connection:
        rows = build_rows(connection, catalogue, user_id)
    generated = time.perf_counter()
    insert_rows(engine, rows)
    inserted = time.perf_counter()
    counts = {t.name: len(batch) for t, batch in rows.tables.items()}
    hidden = sum(not row["public"] for row in rows.tables[table_of(Officer)])
    return Filled(counts, generated - began, inserted - generated, hidden)


# --------------------------------------------------------------------------------------
# The requests.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request to time: a path (with its query) and its headers."""

    path: str
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class HttpTiming(PageTiming):
    """`PageTiming` with the processor time of each request (client and server together)."""

    cpu_seconds: tuple[float, ...] = ()

    @property
    def cpu_ms(self) -> float:
        """The median processor time of a request in ms."""
        return statistics.median(self.cpu_seconds) * 1000


def time_requests(
    http: requests.Session,
    base: str,
    counter: StatementCounter,
    page: Page,
    sent: Sequence[Request],
    expected: int = 200,
) -> HttpTiming:
    """Send the first `WARM_UP` requests untimed, then every request of `sent`, each timed."""
    for request in sent[:WARM_UP]:
        http.get(base + request.path, headers=request.headers).close()
    samples, statements, statuses, collecting, cpu = [], [], [], [], []
    size = 0
    clock, processor = time.perf_counter, time.process_time
    for request in sent:
        counter.count = 0
        GC_CLOCK.seconds = 0.0
        began, began_cpu = clock(), processor()
        response = http.get(base + request.path, headers=request.headers)
        body = response.content
        samples.append(clock() - began)
        cpu.append(processor() - began_cpu)
        collecting.append(GC_CLOCK.seconds)
        statements.append(counter.count)
        statuses.append(response.status_code)
        size = len(body)
    return HttpTiming(
        page,
        tuple(samples),
        tuple(statements),
        tuple(statuses),
        size,
        tuple(collecting),
        expected,
        tuple(cpu),
    )


def merged(label: str, timings: Sequence[HttpTiming], target_ms: float) -> HttpTiming:
    """One row of all the samples of `timings`."""
    return HttpTiming(
        Page(label, "", target_ms),
        tuple(s for t in timings for s in t.samples),
        tuple(s for t in timings for s in t.statements),
        tuple(s for t in timings for s in t.statuses),
        timings[-1].size,
        tuple(s for t in timings for s in t.gc_seconds),
        cpu_seconds=tuple(s for t in timings for s in t.cpu_seconds),
    )


def _cycle(paths: Sequence[str], count: int) -> list[Request]:
    return [Request(paths[n % len(paths)]) for n in range(count)]


def search_requests(
    catalogue: Sequence[PublishedProcedure], rng: random.Random, count: int
) -> dict[str, list[Request]]:
    """`count` searches of each kind: by code, by folded name, filtered, a later page."""
    codes = [p.entry.code for p in rng.sample(list(catalogue), min(len(catalogue), count))]
    by_code = [f"/thu-tuc/?{urlencode({'q': code})}" for code in codes[: count // 2]]
    by_code += [f"/thu-tuc/?{urlencode({'q': code[2:8]})}" for code in codes[count // 2 :]]
    names = (
        "cap giay phep xay dung",
        "dang ky khai sinh",
        "ly lich tu phap",
        "cap phep xay dung",  # finds nothing: the words are not in that order
        "chung thuc",
        "giao dat, cho thue dat",
        "thu tuc cap",
        "CẤP GIẤY PHÉP",
    )
    fields = sorted({p.entry.field for p in catalogue if p.entry.field})
    filtered = [
        "/thu-tuc/?level=commune",
        "/thu-tuc/?level=province&q=giay+phep",
        *(f"/thu-tuc/?{urlencode({'field': name})}" for name in fields),
        *(f"/thu-tuc/?{urlencode({'field': name, 'level': 'province'})}" for name in fields[:3]),
    ]
    pages = max(2, len(catalogue) // public.PAGE_SIZE)
    later = [
        f"/thu-tuc/?page={pages - 1}",
        f"/thu-tuc/?page={max(2, pages // 2)}",
        f"/thu-tuc/?q=thu+tuc&page={max(2, pages // 3)}",
        f"/thu-tuc/?level=province&page={max(2, pages // 2)}",
        f"/thu-tuc/?q=cap&page={pages}",
    ]
    return {
        "search by code": _cycle(by_code, count),
        "search by folded name": _cycle(
            [f"/thu-tuc/?{urlencode({'q': name})}" for name in names], count
        ),
        "search filtered by level, field": _cycle(filtered, count),
        "search, a later page": _cycle(later, count),
    }


def diagram_paths(
    catalogue: Sequence[PublishedProcedure], rng: random.Random, count: int
) -> list[str]:
    """`count` diagram URLs of cases drawn at random (with repeats past the catalogue)."""
    cases = [
        (p.entry.code, doc.procedure.case.key if doc.procedure.case else DEFAULT_CASE_KEY)
        for p in catalogue
        for doc in p.cases
    ]
    return [
        f"/thu-tuc/{quote(code)}/so-do.svg?{urlencode({'case': key})}"
        for code, key in (rng.choice(cases) for _ in range(count))
    ]


def http_rows(
    http: requests.Session,
    base: str,
    counter: StatementCounter,
    catalogue: Sequence[PublishedProcedure],
    count: int,
) -> tuple[list[HttpTiming], HttpTiming]:
    """Time every kind of public request `count` times, then the baseline."""
    rng = random.Random(SEED * 31)
    timings = []
    page_paths = [f"/thu-tuc/{quote(rng.choice(catalogue).entry.code)}" for _ in range(count)]
    timings.append(
        time_requests(
            http,
            base,
            counter,
            Page("procedure page /thu-tuc/<code>", page_paths[0], PAGE_TARGET_MS),
            [Request(p) for p in page_paths],
        )
    )
    searches = []
    for label, sent in search_requests(catalogue, rng, count).items():
        searches.append(
            time_requests(http, base, counter, Page(label, sent[0].path, SEARCH_TARGET_MS), sent)
        )
    timings += [*searches, merged("search, all kinds", searches, SEARCH_TARGET_MS)]
    diagrams = diagram_paths(catalogue, rng, count)
    timings.append(
        time_requests(
            http,
            base,
            counter,
            Page("so-do.svg (200)", diagrams[0], None),
            [Request(p) for p in diagrams],
        )
    )
    tags = {path: http.get(base + path).headers.get("ETag", "") for path in set(diagrams)}
    timings.append(
        time_requests(
            http,
            base,
            counter,
            Page("so-do.svg with If-None-Match (304)", diagrams[0], None),
            [Request(p, {"If-None-Match": tags[p]}) for p in diagrams],
            expected=304,
        )
    )
    baseline = time_requests(
        http,
        base,
        counter,
        Page("BASELINE GET /static/portal.css", "/static/portal.css", None),
        _cycle(["/static/portal.css"], count),
    )
    return timings, baseline


# --------------------------------------------------------------------------------------
# Rendering every diagram.
# --------------------------------------------------------------------------------------


def public_documents(app: Flask) -> list[FlowDocument]:
    """The public document of every published case, as the pages read them."""
    sessions = make_session_factory(app.extensions["sodo.engine"])
    with sessions() as session:
        procedures = session.scalars(
            sa.select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.code)
        )
        return [
            item.document
            for procedure in procedures
            for item in public.published_cases(session, procedure)
            if item.document is not None
        ]


def render_all(docs: Sequence[FlowDocument]) -> int:
    """Draw every document as the pages do (Vietnamese); the bytes drawn."""
    return sum(len(render_svg(doc, locale="vi")) for doc in docs)


# --------------------------------------------------------------------------------------
# Reporting and the command line.
# --------------------------------------------------------------------------------------


def _spread(samples: Sequence[float]) -> str:
    return f"{min(samples) * 1000:.1f}-{max(samples) * 1000:.1f}"


def http_table(timings: Sequence[HttpTiming], baseline: HttpTiming) -> list[str]:
    """`admin_lists.table`, with the median processor time of a request after the p95.

    On a machine shared with other work the wall times wait for the processor too; the
    processor time (of this process: the client's and the server's threads) does not.
    """
    lines = table(timings, baseline)
    cpu = ["CPU ms", "-" * 6] + [f"{t.cpu_ms:.1f}" for t in timings]
    cpu += ["-" * 6, f"{baseline.cpu_ms:.1f}"]
    at = lines[0].index("p95 ms") + len("p95 ms")
    return [
        line[:at] + "  " + value.rjust(6) + line[at:]
        for line, value in zip(lines, cpu, strict=True)
    ]


def verdict(timings: Sequence[PageTiming], svg: Timing) -> str:
    """One line: each goal, and whether it is met."""
    page = all(t.within for t in timings if t.page.target_ms == PAGE_TARGET_MS)
    search = all(t.within for t in timings if t.page.target_ms == SEARCH_TARGET_MS)
    return (
        f"Goals: procedure page p95 < {PAGE_TARGET_MS:.0f} ms: {'yes' if page else 'NO'}; "
        f"search p95 < {SEARCH_TARGET_MS:.0f} ms: {'yes' if search else 'NO'}; "
        f"every diagram drawn < {SVG_TARGET_S:.0f} s: {'yes' if svg.within else 'NO'}"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--procedures", type=int, help="procedures to create (1700)")
    parser.add_argument("--requests", type=int, help="timed requests per row (200)")
    parser.add_argument("--runs", type=int, help="runs of the SVG workload (3)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(URL_VARIABLE),
        help="a PostgreSQL database to use instead of a temporary SQLite file "
        f"(default: ${URL_VARIABLE}); its public schema is DROPPED and recreated",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 60 procedures, 20 requests, 1 run"
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if a goal is missed")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of each row over its goal"
    )
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if min(args.procedures, args.requests, args.runs) < 1:
        parser.error("--procedures, --requests and --runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Fill a database, serve it, time the public pages and the diagrams; print the report."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with database(args.database_url) as (url, folder):
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            reset_postgres_schema(engine)
        began = time.perf_counter()
        upgrade(engine)
        migrated = time.perf_counter()
        catalogue = published_catalogue(args.procedures)
        fill = fill_database(engine, catalogue)
        engine.dispose()

        print(f"Benchmark of the public pages — {args.requests} requests per row")
        print(
            f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
            f"requests {requests.__version__}, {engine.dialect.name} ({_describe_url(url)}); "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
        )
        c = fill.counts
        sizes = [len(doc.steps) for p in catalogue for doc in p.cases]
        print(
            f"Database: {c['procedures']:,} procedures, {c['procedure_cases']:,} cases "
            f"(every one with a version in force; {sum(len(p.cases) > 1 for p in catalogue):,} "
            f"procedures with several), {c['steps']:,} steps ({min(sizes)}-{max(sizes)} a case, "
            f"median {statistics.median(sizes):g}), {c['transitions']:,} transitions, "
            f"{c['units']:,} units, {c['officers']:,} officers ({fill.hidden_officers} not public)"
        )
        print(
            f"Fill: migrate {migrated - began:.2f} s; generate documents and rows "
            f"{fill.generate_seconds:.2f} s; insert {sum(c.values()):,} rows "
            f"{fill.insert_seconds:.2f} s"
        )
        print()

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SODO_INSTANCE": folder})
        counter = StatementCounter(app.extensions["sodo.engine"])
        with serving(app) as base, requests.Session() as http:
            timings, baseline = http_rows(http, base, counter, catalogue, args.requests)
        print("\n".join(http_table(timings, baseline)))
        print()

        # The generator's own copy of the catalogue is not the app's: dropped, so the
        # garbage collector does not walk it while the diagrams are drawn.
        cases = sum(len(p.cases) for p in catalogue)
        del catalogue
        docs = public_documents(app)
        if len(docs) != cases:
            raise RuntimeError(f"{len(docs)} public documents for {cases} cases")
        render_all(docs[:20])  # warm-up
        cpu_before, GC_CLOCK.seconds = time.process_time(), 0.0
        svg = Timing(
            f"render_svg of every published case ({len(docs):,} diagrams)",
            time_runs(lambda: render_all(docs), args.runs),
            SVG_TARGET_S,
        )
        svg_cpu = (time.process_time() - cpu_before) / args.runs
        svg_gc = GC_CLOCK.seconds / args.runs
        drawn = render_all(docs)
        print("\n".join(runs_table([svg])))
        print(
            f"  {drawn / 1024 / 1024:.1f} MiB of SVG; "
            f"{svg.median / max(1, len(docs)) * 1000:.2f} ms a diagram (median run); "
            f"processor time {svg_cpu:.3f} s a run (mean), of which {svg_gc:.3f} s "
            "in the garbage collector"
        )
        print()
        print(verdict(timings, svg))
        missed = [t for t in timings if t.within is False]
        if missed:
            print("missed: " + "; ".join(t.page.label for t in missed))
        if args.profile:
            client = app.test_client()
            for t in missed:
                if t.page.url:
                    print(f"\ncProfile of {t.page.url} (5 requests, test client):")
                    profile_page(client, t.page.url, 5)
            if not svg.within:
                print("\ncProfile of one SVG run:")
                profile(lambda: render_all(docs))
        app.extensions["sodo.engine"].dispose()
    return 1 if args.check and (missed or not svg.within) else 0


if __name__ == "__main__":
    sys.exit(main())
