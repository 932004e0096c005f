"""`sodo deliver` as real processes: killed mid-batch, and several workers at once.

The receiver is a real HTTP server on 127.0.0.1 that answers 200 and records the
``Idempotency-Key`` of every request: "exactly once" on the receiver's side means that
once it drops repeats of a key, it has each delivery once, and none is missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import Database, empty_postgres
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from support.receiver import LOCAL, TEST_SECRET_KEY, Receiver, Servers, add_target

from admin.demo import load_demo
from delivery.worker import Worker
from workflow_model import delivery as outbox
from workflow_model.db import make_session_factory
from workflow_model.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    TargetKind,
    utcnow,
)

SODO = str(Path(sys.executable).with_name("sodo"))


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def statuses(engine: Engine) -> Counter[str]:
    with make_session_factory(engine)() as session:
        rows = session.execute(sa.select(Delivery.status)).scalars()
        return Counter(status.value for status in rows)


def start_worker(database: Database, folder: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SODO_INSTANCE": str(folder / "instance"),
        "SODO_DELIVERY_ALLOW": "127.0.0.1",
    }
    args = [SODO, "deliver", "--loop", "--interval", "0.1", "--timeout", "2", "--lease", "5"]
    return subprocess.Popen(
        [*args, "--backoff", "0.1", "--max-attempts", "20"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_each_once(
    database: Database, tmp_path: Path, servers: Servers
) -> None:
    receiver = servers.start(Receiver(delay=0.3))
    with make_session_factory(database.engine)() as session:
        add_target(session, "một cửa", receiver.url + "/hook")
        load_demo(session)  # eleven approvals, so eleven deliveries queued
        keys = set(session.execute(sa.select(Delivery.idempotency_key)).scalars())
    total = statuses(database.engine)["pending"]
    assert total == len(keys) >= 10

    first = start_worker(database, tmp_path)
    try:
        # Killed while the receiver holds its third request: mid-batch, mid-send.
        wait_until(lambda: len(receiver.requests) >= 3, 60, "the first worker's requests")
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert statuses(database.engine)["delivered"] < total

    second = start_worker(database, tmp_path)
    try:
        wait_until(lambda: statuses(database.engine)["delivered"] == total, 60, "every delivery")
    finally:
        second.send_signal(signal.SIGTERM)  # stops after the current attempt
        _, stderr = second.communicate(timeout=20)
    assert second.returncode == 0, stderr
    assert "stopped" in stderr

    assert statuses(database.engine) == Counter({"delivered": total})
    # Each delivery reached the receiver: deduplicated by key, once each, none missing.
    assert set(receiver.keys(200)) == keys
    repeats = {key: n for key, n in Counter(receiver.keys()).items() if n > 1}
    # The delivery in flight when the worker died (the receiver had it, the worker never
    # heard back) came again once its lease ran out, with the same key; no other did.
    assert list(repeats.values()) == [2]
    with make_session_factory(database.engine)() as session:
        attempts = list(session.execute(sa.select(DeliveryAttempt)).scalars())
    interrupted = [a for a in attempts if a.outcome is None]
    assert len(interrupted) == 1 and interrupted[0].error.startswith("interrupted")
    delivered = [a for a in attempts if a.outcome is AttemptOutcome.DELIVERED]
    assert len(delivered) == total
    assert len({a.worker for a in attempts}) == 2  # one worker, then its successor


@pytest.fixture
def pg_database(pg_engine: Engine) -> Iterator[Engine]:
    """The PostgreSQL test database, emptied: several workers need row locks."""
    empty_postgres(pg_engine)
    yield pg_engine


def test_concurrent_workers_on_postgresql_never_send_a_delivery_twice(
    pg_database: Engine, servers: Servers
) -> None:
    receiver = servers.start(Receiver(delay=0.02))
    sessions = make_session_factory(pg_database)
    with sessions() as session:
        for n in range(4):  # four targets, each on its own path of the receiver
            add_target(session, f"đích {n}", f"{receiver.url}/t{n}")
        load_demo(session)
    total = statuses(pg_database)["pending"]
    assert total >= 40
    workers = [
        Worker(
            make_session_factory(pg_database),
            outbox.RetryPolicy(max_attempts=3, backoff_base=0),
            timeout=5,
            lease=60,
            worker_id=f"w{n}",
            limits=LOCAL,
        )
        for n in range(4)
    ]
    start = threading.Barrier(len(workers))
    results: list[Counter[str]] = []

    def run(worker: Worker) -> None:
        start.wait()
        results.append(worker.deliver_due())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(results, Counter()) == Counter({"delivered": total})
    assert statuses(pg_database) == Counter({"delivered": total})
    sent = Counter((r.path, r.headers["Idempotency-Key"]) for r in receiver.requests)
    assert len(sent) == total and set(sent.values()) == {1}
    with sessions() as session:
        by_worker = Counter(session.execute(sa.select(DeliveryAttempt.worker)).scalars())
    assert sum(by_worker.values()) == total
    assert len(by_worker) >= 2, by_worker  # the work really was shared


def test_a_row_being_claimed_elsewhere_is_skipped_not_waited_for(
    pg_database: Engine,
) -> None:
    sessions = make_session_factory(pg_database)
    with sessions() as session:
        add_target(session, "một cửa", "https://motcua.example.vn/hook")
        load_demo(session)
        first, second = session.execute(
            sa.select(Delivery.id).order_by(Delivery.next_attempt_at, Delivery.id).limit(2)
        ).scalars()
    policy = outbox.RetryPolicy()
    holder: Session = sessions()
    try:
        # Another worker's claim in progress: the first due row is locked.
        holder.execute(sa.select(Delivery).where(Delivery.id == first).with_for_update())
        with sessions() as session:
            session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
            began = time.monotonic()
            claim = outbox.claim_next(session, "w2", lease=60, policy=policy, now=utcnow())
            assert time.monotonic() - began < 1
        assert claim is not None and claim.delivery_id == second
    finally:
        holder.rollback()
        holder.close()
    with sessions() as session:
        row = session.get(Delivery, second)
        assert row.claimed_by == "w2" and row.status is DeliveryStatus.PENDING


def run_sodo(database: Database, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SODO_INSTANCE": str(folder / "instance"),
        "SODO_DELIVERY_ALLOW": "127.0.0.1",
        "SODO_DELIVERY_ROOT": str(folder),
    }
    return subprocess.run(
        [SODO, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_sodo_deliver_once_reports_what_it_did(sqlite_database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    with make_session_factory(sqlite_database.engine)() as session:
        add_target(session, "thư mục", str(folder), TargetKind.DIRECTORY)
        add_target(session, "không ai nghe", "http://127.0.0.1:9/hook")
        load_demo(session)
    total = statuses(sqlite_database.engine)["pending"] // 2
    # A first retry waits at least half of --backoff: far longer than starting the second
    # process takes on a loaded machine (the default 30 s made it 15 s, which it was not).
    result = run_sodo(
        sqlite_database, tmp_path, "deliver", "--timeout", "1", "--lease", "3", "--backoff", "600"
    )
    assert result.returncode == 0, result.stderr
    assert f"Delivered: {total}, to retry: {total}, failed: 0." in result.stdout
    assert len(os.listdir(folder)) == total
    assert "will retry" in result.stderr and "không ai nghe" in result.stderr
    # What is not due yet waits: a second run sends nothing.
    again = run_sodo(sqlite_database, tmp_path, "deliver")
    assert "Delivered: 0, to retry: 0, failed: 0." in again.stdout


def test_sodo_deliver_explains_itself_and_refuses_a_short_lease(
    sqlite_database: Database, tmp_path: Path
) -> None:
    shown = run_sodo(sqlite_database, tmp_path, "deliver", "--help")
    assert shown.returncode == 0
    text = " ".join(shown.stdout.split())
    for option in ("--loop", "--max-attempts", "--timeout", "--lease", "--backoff"):
        assert option in text
    assert "SKIP LOCKED" in text and "On SQLite, run a single worker." in text
    refused = run_sodo(sqlite_database, tmp_path, "deliver", "--timeout", "30", "--lease", "40")
    assert refused.returncode == 2 and "must exceed twice --timeout" in refused.stderr
