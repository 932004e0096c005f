"""How fast a province's catalogue exports, and how fast approved versions are delivered.

Run it from the project root::

    .venv/bin/python benchmarks/export_catalog.py [--flows 1700] [--runs 3] [--seed 1]
        [--deliveries 400] [--delivery-format json] [--check] [--profile]

What it measures
----------------
1. Exports. `validate_catalog.synthetic_catalogue` builds ``--flows`` flow documents (1,700:
   a province's internal processes), deterministically from ``--seed``. The flows it makes
   faulty on purpose (a cycle, a legal time shorter than the critical path: about 5%) are
   replaced by sound flows of the same size and index (`validate_catalog.synthetic_flow`
   with ``faults=False``), since only approved versions are exported and a version with
   errors cannot be approved; the faulty ones are still exported to BPMN once, untimed, to
   show the exporter does not crash on them. Every flow becomes an `exporters.ExportItem`
   of an approved version 1 (`exporters.VersionInfo` with an approver, an approval time and
   the SHA-256 of its canonical JSON, as a frozen snapshot has), and is exported through
   the public API, ``exporters.export(name, items, exporters.ExportOptions())``:

   - ``bpmn``: one call per version, as ``sodo export --all`` writes one file per
     procedure; the time of all the calls. Target: under 10 s for 1,700 versions.
   - ``xlsx`` and ``opencps``: one call with every version (one workbook, one zip: both
     formats hold many procedures). No target; the size of the file is shown.
   - ``json`` (the BASELINE): one call per version, like BPMN.

   Each workload runs ``--runs`` times, with `gc.collect` before each run, after an
   untimed warm-up export of 20 versions in every format; each run is timed as a whole with
   `time.perf_counter`.

2. Delivery. A migrated SQLite database in a temporary folder (`workflow_model.migrate`)
   gets two users (an author with the admin role, an approver), one enabled ``http``
   delivery target (`workflow_model.models.DeliveryTarget`, format ``--delivery-format``,
   with a secret, so every body is signed) whose URL is a receiver on 127.0.0.1, and
   ``--deliveries`` sound flows of the catalogue, each imported as a draft
   (`workflow_model.conversion.create_draft_from_document`), submitted and approved
   (`workflow_model.lifecycle.submit`, `approve`): each approval queues one real
   `Delivery` row in its own transaction. The time of this fill is printed, not judged.
   The receiver is a WSGI app served by werkzeug (``make_server(..., threaded=True)``)
   in a thread of the same process: it reads the body, counts the ``Idempotency-Key``
   and answers 200 ``ok``; it verifies nothing. Then one `delivery.worker.Worker`
   (what ``sodo deliver`` runs) works in-process until nothing is due
   (``Worker.deliver_due``), timed as a whole. Each delivery is what the worker really
   does: claim the row and commit the lease; read the approved version's frozen snapshot
   and export it (`delivery.exporting.export_version`, in the target's format); one HTTP POST
   through `delivery.transports.send` (a new connection each time, as the worker makes
   them); record the attempt and the outcome and commit. The transport is wrapped to time
   the POST alone, which splits each delivery into "POST" and "the rest" (database, export,
   Python). Before each run after the first, every version is queued again
   (`workflow_model.delivery.enqueue`, origin ``manual``, one transaction, untimed), so
   each run sends the same number of deliveries. The BASELINE: as many bare
   ``requests.post`` calls, in the same process to the same receiver, with the same bodies
   (each version exported once beforehand, untimed): the floor of HTTP on loopback with
   ``requests``. Target: at least 100 deliveries per second (the median run).

How to read the output
----------------------
The header says what ran (Python, openpyxl, SQLAlchemy, requests, werkzeug, the machine)
and what the catalogue holds. The export table gives, per workload, the calls per run, the
size of the output (all the files of one run), the median, min and max of the runs, the
median per version, the median as a multiple of the JSON baseline, the target and whether
the median is within it. The delivery table gives, per workload, the deliveries per run,
the rate of the median run (deliveries or requests per second), the min and max rates,
the mean time per delivery in milliseconds, of which the POST, and the time as a multiple
of the baseline. Ratios move much less than absolute times across machines: compare
ratios across machines and absolute times only against the targets. Every run must end
with every delivery delivered and each key received once; anything else is reported. The
exit code is 0 (these are measurements) unless ``--check`` is given, in which case a
missed target, a delivery run that did not deliver everything, or a faulty flow that made
the BPMN exporter raise, exits with 1. ``--profile`` prints a cProfile of one more BPMN run
when it missed its target, and of one more delivery run when that missed its target.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import logging
import os
import platform
import pstats
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import sqlalchemy as sa
from admin_lists import database, render_rows
from sqlalchemy.orm import Session, sessionmaker
from validate_catalog import (
    _version,
    deliberate_faults,
    synthetic_catalogue,
    synthetic_flow,
    time_runs,
)
from werkzeug.serving import make_server

import exporters
from delivery.transports import Outcome, Payload, TargetLimits, TargetSettings, send
from delivery.worker import Worker
from validators import validate
from workflow_model import delivery as outbox
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import FlowDocument, dump_document
from workflow_model.lifecycle import approve, submit
from workflow_model.migrate import upgrade
from workflow_model.models import (
    Delivery,
    DeliveryOrigin,
    DeliveryStatus,
    DeliveryTarget,
    FlowVersion,
    Role,
    TargetKind,
    User,
    VersionStatus,
)
from workflow_model.target_secrets import SecretBox

BPMN_TARGET_S = 10.0
"""All versions of the catalogue exported to BPMN, one call each (for 1,700 versions)."""
DELIVERY_TARGET_PER_S = 100.0
"""Deliveries per second of one worker to a receiver on loopback."""
WARM_UP_ITEMS = 20
APPROVER = "Trần Thị Phê Duyệt"
APPROVED_AT = datetime(2025, 7, 1, 2, 30, tzinfo=UTC)
SECRET = "bench-delivery-secret-5b1e"
# The targets' secrets are sealed with a key derived from the app's SECRET_KEY.
SECRETS = SecretBox.from_keys("bench-secret-key")
# The receiver listens on loopback, which a target may reach only when allowed.
LOOPBACK = TargetLimits.parse("127.0.0.1")
TIMEOUT_S = 10.0
LEASE_S = 60.0
PASSWORDS = ("bench-password-1", "bench-password-2")
REPLACEMENT_SEED = 1_000_003
"""Seeds the sound flow that replaces a faulty one: ``seed * REPLACEMENT_SEED + index``."""


# --------------------------------------------------------------------------------------
# The catalogue.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The sound flows to export (faulty ones replaced) and the faulty ones, kept apart."""

    sound: list[FlowDocument]
    faulty: list[FlowDocument]


def sound_catalogue(count: int, seed: int) -> Catalogue:
    """`synthetic_catalogue`, each deliberately faulty flow replaced by a sound one.

    The replacement has the same number of steps and the same index (so the same kind of
    procedure code), drawn from its own seed.
    """
    sound, faulty = [], []
    for doc in synthetic_catalogue(count, seed):
        if not deliberate_faults(doc):
            sound.append(doc)
            continue
        faulty.append(doc)
        index = int((doc.source or {})["index"])
        rng = random.Random(seed * REPLACEMENT_SEED + index)
        sound.append(synthetic_flow(rng, len(doc.steps), index, faults=False))
    return Catalogue(sound, faulty)


def approved_item(doc: FlowDocument) -> exporters.ExportItem:
    """`doc` as approved version 1, with the SHA-256 of its canonical JSON as a snapshot has."""
    return exporters.ExportItem(
        doc,
        exporters.VersionInfo(
            number=1,
            status="approved",
            approved_by=APPROVER,
            approved_at=APPROVED_AT,
            effective_from=APPROVED_AT,
            snapshot_sha256=hashlib.sha256(dump_document(doc)).hexdigest(),
        ),
    )


# --------------------------------------------------------------------------------------
# Part 1: exports.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportWorkload:
    """One export workload: a format, one call per version or one for all, and a target."""

    label: str
    format: str
    per_version: bool
    target_s: float | None


@dataclass(frozen=True)
class ExportTiming:
    """The samples of one export workload, in seconds, and the bytes one run made."""

    workload: ExportWorkload
    samples: tuple[float, ...]
    size: int
    versions: int

    @property
    def median(self) -> float:
        """The median run, in seconds."""
        return statistics.median(self.samples)

    @property
    def calls(self) -> int:
        """Calls of `exporters.export` per run."""
        return self.versions if self.workload.per_version else 1

    @property
    def within(self) -> bool | None:
        """Whether the median is within the target (None when there is no target)."""
        target = self.workload.target_s
        return None if target is None else self.median < target


def export_all(
    name: str,
    items: Sequence[exporters.ExportItem],
    options: exporters.ExportOptions,
    *,
    per_version: bool,
) -> int:
    """Export `items` in format `name`, one call each or one for all; return the bytes made."""
    if not per_version:
        return len(exporters.export(name, items, options))
    return sum(len(exporters.export(name, [item], options)) for item in items)


def time_export(
    workload: ExportWorkload,
    items: Sequence[exporters.ExportItem],
    options: exporters.ExportOptions,
    runs: int,
) -> ExportTiming:
    """Run `workload` `runs` times (`gc.collect` before each); time each run."""
    sizes: list[int] = []

    def run() -> None:
        sizes.append(export_all(workload.format, items, options, per_version=workload.per_version))

    samples = time_runs(run, runs)
    return ExportTiming(workload, samples, sizes[-1], len(items))


def bpmn_of_faulty(docs: Sequence[FlowDocument], options: exporters.ExportOptions) -> list[str]:
    """Export each faulty flow to BPMN once; return what was raised, one line per flow."""
    raised = []
    for doc in docs:
        try:
            exporters.export("bpmn", [approved_item(doc)], options)
        except Exception as error:  # what the benchmark is looking for
            faults = ", ".join(deliberate_faults(doc))
            raised.append(f"{doc.procedure.code} ({faults}): {type(error).__name__}: {error}")
    return raised


EXPORTS = (
    ExportWorkload("bpmn, one call per version", "bpmn", True, BPMN_TARGET_S),
    ExportWorkload("xlsx, one workbook of all", "xlsx", False, None),
    ExportWorkload("opencps, one zip of all", "opencps", False, None),
)
EXPORT_BASELINE = ExportWorkload("BASELINE json, one call per version", "json", True, None)


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def export_table(timings: Sequence[ExportTiming], baseline: ExportTiming) -> list[str]:
    """The export results as a text table, the baseline last."""
    rows = [
        (
            "export",
            "calls",
            "output",
            "median",
            "min",
            "max",
            "per version",
            "x base",
            "target",
            "within",
        )
    ]
    for t in (*timings, baseline):
        target = t.workload.target_s
        rows.append(
            (
                t.workload.label,
                f"{t.calls:,}",
                _size(t.size),
                _seconds(t.median),
                _seconds(min(t.samples)),
                _seconds(max(t.samples)),
                f"{t.median / t.versions * 1000:.2f} ms",
                f"{t.median / baseline.median:.1f}",
                "-" if target is None else f"< {target:g} s",
                {True: "yes", False: "NO", None: "-"}[t.within],
            )
        )
    return render_rows(rows, rule_before_last=1)


def profile(action: Callable[[], object], limit: int = 20) -> None:
    """Run `action` under cProfile; print the costliest functions, cumulative and own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)


# --------------------------------------------------------------------------------------
# Part 2: delivery to a receiver on loopback.
# --------------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A WSGI app that reads each body, counts its ``Idempotency-Key`` and answers 200."""

    keys: Counter[str] = field(default_factory=Counter)
    received: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with self.lock:
            self.keys[environ.get("HTTP_IDEMPOTENCY_KEY", "")] += 1
            self.received += len(body)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    def reset(self) -> None:
        """Forget what was received."""
        with self.lock:
            self.keys.clear()
            self.received = 0


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    """Serve `receiver` on a free port of 127.0.0.1 in a thread (one more per request)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Filled:
    """What the fill made: the approved versions, the deliveries queued, how long it took."""

    version_ids: list[int]
    queued: int
    seconds: float


def fill_database(
    sessions: sessionmaker[Session], docs: Sequence[FlowDocument], fmt: str, url: str
) -> Filled:
    """Two users, an ``http`` target at `url`, and `docs` imported, submitted and approved.

    Each approval queues its delivery in its own transaction, as in production.
    """
    began = time.perf_counter()
    with sessions() as session:
        author = create_user(
            session, "tac.gia", PASSWORDS[0], [Role.ADMIN], full_name="Nguyễn Văn Soạn"
        )
        approver = create_user(
            session, "phe.duyet", PASSWORDS[1], [Role.APPROVER], full_name=APPROVER
        )
        target = DeliveryTarget(
            name="Cổng dịch vụ công (loopback)",
            kind=TargetKind.HTTP,
            format=fmt,
            address=f"{url}/sodo/hook",
            enabled=True,
        )
        target.set_secret(SECRET, SECRETS)
        session.add(target)
        session.commit()
        ids = []
        for doc in docs:
            version = create_draft_from_document(session, doc, author)
            submit(session, version, author, validate=validate)
            approve(
                session,
                version,
                approver,
                "Đồng ý ban hành.",
                reviewed_sha256=version.submitted_sha256,
                validate=validate,
            )
            ids.append(version.id)
        queued = session.execute(sa.select(sa.func.count()).select_from(Delivery)).scalar_one()
    return Filled(ids, queued, time.perf_counter() - began)


def queue_again(sessions: sessionmaker[Session], version_ids: Iterable[int]) -> int:
    """Queue every version again for every enabled target, in one transaction."""
    wanted = list(version_ids)
    with sessions() as session:
        user = session.execute(sa.select(User).where(User.username == "phe.duyet")).scalar_one()
        versions = session.execute(
            sa.select(FlowVersion)
            .where(FlowVersion.id.in_(wanted), FlowVersion.status == VersionStatus.APPROVED)
            .order_by(FlowVersion.id)
        ).scalars()
        added = sum(
            len(outbox.enqueue(session, version, user, DeliveryOrigin.MANUAL))
            for version in versions
        )
        session.commit()
    return added


def pending(sessions: sessionmaker[Session]) -> int:
    """How many deliveries are pending."""
    with sessions() as session:
        return session.execute(
            sa.select(sa.func.count())
            .select_from(Delivery)
            .where(Delivery.status == DeliveryStatus.PENDING)
        ).scalar_one()


@dataclass
class TimedTransport:
    """`delivery.transports.send`, adding up the time spent in it."""

    seconds: float = 0.0

    def __call__(self, payload: Payload, target: TargetSettings) -> Outcome:
        began = time.perf_counter()
        try:
            return send(payload, target)
        finally:
            self.seconds += time.perf_counter() - began


@dataclass
class RateTiming:
    """Runs of a stream of deliveries or requests: seconds, and time in the POST, per run."""

    label: str
    count: int
    target_per_s: float | None = None
    samples: list[float] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median run, in seconds."""
        return statistics.median(self.samples)

    @property
    def rate(self) -> float:
        """Deliveries (or requests) per second of the median run."""
        return self.count / self.median

    @property
    def within(self) -> bool | None:
        """Whether the median run's rate reaches the target; False on any problem."""
        if self.problems:
            return False
        return None if self.target_per_s is None else self.rate >= self.target_per_s


def run_worker(
    sessions: sessionmaker[Session], receiver: Receiver, timing: RateTiming, transport: Any
) -> None:
    """One timed run of a worker until nothing is due; check what was delivered."""
    worker = Worker(
        sessions,
        outbox.RetryPolicy(max_attempts=3, backoff_base=60.0),
        timeout=TIMEOUT_S,
        lease=LEASE_S,
        worker_id="bench-worker",
        transport=transport,
        secrets=SECRETS,
        limits=LOOPBACK,
    )
    receiver.reset()
    transport.seconds = 0.0
    gc.collect()
    began = time.perf_counter()
    done = worker.deliver_due()
    elapsed = time.perf_counter() - began
    timing.samples.append(elapsed)
    timing.post_seconds.append(transport.seconds)
    run = len(timing.samples)
    if done != Counter({"delivered": timing.count}):
        timing.problems.append(f"run {run}: the worker reported {dict(done)}")
    if sum(receiver.keys.values()) != timing.count or set(receiver.keys.values()) != {1}:
        timing.problems.append(
            f"run {run}: the receiver got {sum(receiver.keys.values())} requests with "
            f"{len(receiver.keys)} keys for {timing.count} deliveries"
        )
    left = pending(sessions)
    if left:
        timing.problems.append(f"run {run}: {left} deliveries still pending")


def run_baseline(
    url: str, bodies: Sequence[tuple[bytes, str]], receiver: Receiver, timing: RateTiming
) -> None:
    """One timed run of bare ``requests.post`` calls with `bodies`; check the answers."""
    receiver.reset()
    gc.collect()
    failed = 0
    began = time.perf_counter()
    for n, (body, media_type) in enumerate(bodies):
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": media_type, "Idempotency-Key": str(n)},
            timeout=TIMEOUT_S,
            allow_redirects=False,
        )
        failed += response.status_code != 200
        response.close()
    elapsed = time.perf_counter() - began
    timing.samples.append(elapsed)
    timing.post_seconds.append(elapsed)
    if failed:
        timing.problems.append(f"run {len(timing.samples)}: {failed} requests not answered 200")


@dataclass
class DeliveryResults:
    """Part 2: the fill, the worker's runs, the baseline's, and the bytes sent per run."""

    filled: Filled
    worker: RateTiming
    baseline: RateTiming
    sent_bytes: int = 0


def run_deliveries(
    docs: Sequence[FlowDocument], fmt: str, runs: int, options: exporters.ExportOptions
) -> DeliveryResults:
    """Part 2: fill a temporary database, then time the worker and the bare requests."""
    receiver = Receiver()
    with database(None) as (db_url, _folder), receiving(receiver) as url:
        engine = make_engine(db_url)
        try:
            upgrade(engine)
            sessions = make_session_factory(engine)
            filled = fill_database(sessions, docs, fmt, url)
            worker = RateTiming(
                f"worker, {fmt} to http (claim, export, POST, record)",
                filled.queued,
                DELIVERY_TARGET_PER_S,
            )
            media_type = exporters.get_format(fmt).media_type
            bodies = [
                (exporters.export(fmt, [approved_item(doc)], options), media_type) for doc in docs
            ]
            baseline = RateTiming(f"BASELINE bare requests.post, {fmt} bodies", len(bodies))
            transport = TimedTransport()
            # Warm-up: a few bare requests (the worker's first run warms itself up).
            run_baseline(f"{url}/warm-up", bodies[:10], receiver, RateTiming("warm-up", 10))
            results = DeliveryResults(filled, worker, baseline)
            for run in range(runs):
                if run:
                    queue_again(sessions, filled.version_ids)
                run_worker(sessions, receiver, worker, transport)
                results.sent_bytes = receiver.received
                run_baseline(f"{url}/sodo/hook", bodies, receiver, baseline)
            return results
        finally:
            engine.dispose()


def profile_deliveries(docs: Sequence[FlowDocument], fmt: str) -> None:
    """One more, smaller, delivery run under cProfile (a fresh database, untimed fill)."""
    receiver = Receiver()
    with database(None) as (db_url, _folder), receiving(receiver) as url:
        engine = make_engine(db_url)
        try:
            upgrade(engine)
            sessions = make_session_factory(engine)
            filled = fill_database(sessions, docs, fmt, url)
            timing = RateTiming("profile", filled.queued)
            profile(lambda: run_worker(sessions, receiver, timing, TimedTransport()))
        finally:
            engine.dispose()


def delivery_table(results: DeliveryResults) -> list[str]:
    """The delivery results as a text table, the baseline last."""
    base = results.baseline
    rows = [
        (
            "delivery",
            "count",
            "per s",
            "min/s",
            "max/s",
            "ms each",
            "of which POST",
            "x base",
            "target",
            "within",
        )
    ]
    for t in (results.worker, base):
        rows.append(
            (
                t.label,
                f"{t.count:,}",
                f"{t.rate:.0f}",
                f"{t.count / max(t.samples):.0f}",
                f"{t.count / min(t.samples):.0f}",
                f"{t.median / t.count * 1000:.2f}",
                f"{statistics.median(t.post_seconds) / t.count * 1000:.2f}",
                f"{t.median / base.median:.1f}",
                "-" if t.target_per_s is None else f">= {t.target_per_s:g}/s",
                {True: "yes", False: "NO", None: "-"}[t.within],
            )
        )
    return render_rows(rows, rule_before_last=1)


# --------------------------------------------------------------------------------------
# The report.
# --------------------------------------------------------------------------------------


def describe(catalogue: Catalogue) -> str:
    """One line on what the catalogue holds."""
    docs = catalogue.sound
    sizes = sorted(len(doc.steps) for doc in docs)
    faults = Counter(f for doc in catalogue.faulty for f in deliberate_faults(doc))
    shown = ", ".join(f"{name} {n}" for name, n in faults.most_common()) or "none"
    return (
        f"Catalogue: {len(docs):,} approved versions, {sum(sizes):,} steps, "
        f"{sum(len(d.transitions) for d in docs):,} transitions; steps per flow median "
        f"{statistics.median(sizes):g}, max {sizes[-1]}; {len(catalogue.faulty)} faulty flows "
        f"replaced by sound ones ({shown})"
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--flows", type=int, default=1700, help="versions in the catalogue")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per workload")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic catalogue")
    parser.add_argument(
        "--deliveries", type=int, default=400, help="approved versions to deliver per run"
    )
    parser.add_argument(
        "--delivery-format",
        choices=("json", "bpmn"),
        default="json",
        help="the format of the delivery target",
    )
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of a workload that missed"
    )
    args = parser.parse_args(argv)
    if args.flows < 1 or args.runs < 1 or args.deliveries < 1:
        parser.error("--flows, --runs and --deliveries must be at least 1")
    if args.deliveries > args.flows:
        parser.error("--deliveries cannot exceed --flows")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build the catalogue, time the exports and the deliveries, print the report."""
    args = parse_args(argv)
    started = time.perf_counter()
    catalogue = sound_catalogue(args.flows, args.seed)
    items = [approved_item(doc) for doc in catalogue.sound]
    options = exporters.ExportOptions()

    print(
        f"Benchmark of the exporters and of delivery — seed {args.seed}, "
        f"{args.runs} runs per workload"
    )
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"openpyxl {_version('openpyxl')}, SQLAlchemy {sa.__version__}, "
        f"requests {requests.__version__}, werkzeug {_version('werkzeug')}, sqlite; "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(describe(catalogue))

    # Warm-up: imports, caches, the interpreter's specialisations.
    for workload in (*EXPORTS, EXPORT_BASELINE):
        export_all(
            workload.format,
            items[:WARM_UP_ITEMS],
            options,
            per_version=workload.per_version,
        )
    raised = bpmn_of_faulty(catalogue.faulty, options)
    print(
        f"The {len(catalogue.faulty)} faulty flows exported to BPMN once, untimed: "
        + ("none raised" if not raised else f"{len(raised)} RAISED")
    )
    for line in raised[:5]:
        print(f"  {line}")
    print()

    timings = [time_export(w, items, options, args.runs) for w in EXPORTS]
    baseline = time_export(EXPORT_BASELINE, items, options, args.runs)
    print("\n".join(export_table(timings, baseline)))
    print()

    docs = catalogue.sound[: args.deliveries]
    results = run_deliveries(docs, args.delivery_format, args.runs, options)
    worker = results.worker
    print(
        f"Delivery: {results.filled.queued:,} deliveries queued by as many approvals "
        f"(import, submit, approve) in {results.filled.seconds:.1f} s; one worker, one "
        f"'{args.delivery_format}' http target with a secret (HMAC-signed bodies) on "
        f"127.0.0.1; {results.sent_bytes / 2**20:.1f} MiB sent per run"
    )
    print("\n".join(delivery_table(results)))
    rest = (worker.median - statistics.median(worker.post_seconds)) / worker.count * 1000
    print(
        f"Per delivery, besides the POST: {rest:.2f} ms (claim and commit, read the snapshot, "
        f"export, record and commit)"
    )
    for problem in (*worker.problems, *results.baseline.problems):
        print(f"  {problem}")
    print()

    bpmn = timings[0]
    verdicts = [
        f"bpmn of {len(items):,} versions < {BPMN_TARGET_S:g} s: "
        + ("yes" if bpmn.within else "NO"),
        f"delivery >= {DELIVERY_TARGET_PER_S:g}/s: " + ("yes" if worker.within else "NO"),
        "faulty flows to BPMN without raising: " + ("yes" if not raised else "NO"),
    ]
    print("Targets: " + "; ".join(verdicts))
    missed = [t.workload.label for t in timings if t.within is False]
    if worker.within is False:
        missed.append(worker.label)
    if results.baseline.problems:
        missed.append(results.baseline.label)
    if raised:
        missed.append("faulty flows to BPMN")
    if missed:
        print("missed: " + "; ".join(missed))
    if args.profile and bpmn.within is False:
        print("\ncProfile of one more BPMN run:")
        profile(lambda: export_all("bpmn", items, options, per_version=True))
    if args.profile and worker.within is False:
        print("\ncProfile of one more delivery run (a fresh database):")
        profile_deliveries(docs[: min(len(docs), 100)], args.delivery_format)
    print(f"\nWhole run: {time.perf_counter() - started:.0f} s")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
