"""A server killed in the middle of an event batch, then the batch sent again, over real HTTP.

The server is the real ``sodo run`` process on 127.0.0.1. While it ingests a batch, the
test holds a lock that stops it inside its transaction:

- on PostgreSQL, ``LOCK TABLE dossier_step_runs``: the server has written the batch's
  dossiers and events (the test sees its lock on ``dossier_events``) and waits to store
  the derived state, which comes last;
- on SQLite, a write transaction (``BEGIN IMMEDIATE``): the server has read what the batch
  needs and waits, within its busy timeout, for the lock to write.

The server is killed there (SIGKILL: no clean-up of any kind), the lock released, a new
server started and the same batch sent again: every event is then stored exactly once,
sending it a third time changes nothing, and the stored states are what a rebuild from
the events gives.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from conftest import Database
from flow_samples import flow
from support.tracking import SOURCE, in_force, item, stored_state

from workflow_model.api_tokens import create_token
from workflow_model.calendar import TIMEZONE
from workflow_model.db import make_session_factory
from workflow_model.models import Dossier, DossierEvent, utcnow
from workflow_model.tracking import rebuild_states

SODO = str(Path(sys.executable).with_name("sodo"))
SECRET_KEY = "reliability test secret"
ROOT = Path(__file__).resolve().parents[1]
EVENTS = "/api/v1/dossier-events"
DOSSIERS = 25
KINDS = [
    ("step_completed", "s1"),
    ("step_started", "s2"),
    ("paused", None),
    ("resumed", None),
    ("step_completed", "s2"),
    ("step_started", "s3"),
    ("step_completed", "s3"),
]


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it is true; its value."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def sodo_server(database: Database, folder: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``sodo run`` on a free port (no reloader: the process is the server); its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "SECRET_KEY": SECRET_KEY,
        "SODO_INSTANCE": str(folder / "instance"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("FLASK_DEBUG", None)
    args = [SODO, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"]
    server = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"sodo run exited: {server.communicate()[1]}")
        try:
            return requests.get(url + "/static/portal.css", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(answers, 60, "the server to answer")
        yield server, url
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=30)


def the_batch() -> list[dict[str, Any]]:
    """Eight events for each of 25 dossiers, in the last weeks, in a shuffled order."""
    start = datetime.now(TIMEZONE).replace(microsecond=0) - timedelta(days=30)
    events = []
    for number in range(DOSSIERS):
        code = f"R-{number:03d}"
        at = start + timedelta(hours=7 * number)
        events.append(item(f"{code}-0", "received", at, dossier=code))
        for index, (kind, step) in enumerate(KINDS, start=1):
            at += timedelta(hours=3, minutes=11 * index)
            events.append(item(f"{code}-{index}", kind, at, dossier=code, step=step))
    random.Random(15).shuffle(events)
    return events


def post(url: str, token: str, events: list[dict[str, Any]]) -> list[str]:
    response = requests.post(
        url + EVENTS,
        json={"events": events},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return [answer["result"] for answer in response.json()["results"]]


class InFlight:
    """A request sent from a thread: its answer or its error once it ends."""

    def __init__(self, url: str, token: str, events: list[dict[str, Any]]) -> None:
        self.outcome: object = None
        self.thread = threading.Thread(target=self._send, args=(url, token, events))
        self.thread.start()

    def _send(self, url: str, token: str, events: list[dict[str, Any]]) -> None:
        try:
            self.outcome = requests.post(
                url + EVENTS,
                json={"events": events},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
        except requests.RequestException as error:
            self.outcome = error


@contextmanager
def server_stopped_mid_batch(
    database: Database, url: str, token: str, events: list[dict[str, Any]]
) -> Iterator[InFlight]:
    """Send `events` while holding a lock that stops the server inside its transaction.

    Yields once the server is stopped there, with the request in flight; the lock is
    released when the block ends.
    """
    if database.backend == "postgresql":
        with database.engine.connect() as holder:
            holder.exec_driver_sql("LOCK TABLE dossier_step_runs IN ACCESS EXCLUSIVE MODE")
            sent = InFlight(url, token, events)
            blocked = wait_until(lambda: _waiting_backend(database), 60, "the server to wait")
            # It waits with the batch's rows written, not yet committed.
            assert _holds_row_locks(database, blocked, "dossier_events")
            assert _holds_row_locks(database, blocked, "dossiers")
            yield sent
            holder.rollback()
        wait_until(lambda: not _backend_alive(database, blocked), 60, "the old backend to end")
    else:
        holder_file = sqlite3.connect(database.url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            holder_file.execute("BEGIN IMMEDIATE")
            sent = InFlight(url, token, events)
            # Nothing outside shows where a SQLite writer waits: the request must still be
            # running after a time far longer than the batch takes, and well within the
            # server's busy timeout of 5 s.
            sent.thread.join(1.5)
            assert sent.thread.is_alive(), "the server finished the batch despite the lock"
            yield sent
            holder_file.execute("ROLLBACK")
        finally:
            holder_file.close()


def _waiting_backend(database: Database) -> int | None:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%dossier_step_runs%' "
                "AND pid <> pg_backend_pid()"
            )
        ).scalar()


def _holds_row_locks(database: Database, pid: int, table: str) -> bool:
    with database.engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation "
                    "WHERE pid = :pid AND relname = :table AND mode = 'RowExclusiveLock' "
                    "AND granted"
                ),
                {"pid": pid, "table": table},
            ).scalar()
        )


def _backend_alive(database: Database, pid: int) -> bool:
    with database.engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
        )


def stored_ids(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(DossierEvent.source_event_id).where(DossierEvent.source == SOURCE)
            ).scalars()
        )


def test_a_server_killed_mid_batch_loses_nothing_and_the_retry_stores_each_event_once(
    database: Database, tmp_path: Path
) -> None:
    sessions = make_session_factory(database.engine)
    with sessions() as session:
        in_force(session, flow(), utcnow() - timedelta(days=60))
        token = create_token(session, SOURCE, ["events:write"], by=None).token
        session.commit()
    events = the_batch()

    with sodo_server(database, tmp_path) as (server, url):
        # An empty batch first: the token's last use is noted now, so the batch's own
        # request writes nothing before ingest does.
        assert post(url, token, []) == []
        with server_stopped_mid_batch(database, url, token, events) as sent:
            server.send_signal(signal.SIGKILL)
            assert server.wait(timeout=30) == -signal.SIGKILL
        sent.thread.join(60)
        assert isinstance(sent.outcome, requests.ConnectionError), sent.outcome
    # The killed batch left nothing: it was one transaction, never committed.
    assert stored_ids(database) == []

    with sodo_server(database, tmp_path) as (_, url):
        assert post(url, token, events) == ["accepted"] * len(events)
        # The same batch sent twice: every item a duplicate, nothing changes.
        assert post(url, token, events) == ["duplicate"] * len(events)

    ids = stored_ids(database)
    assert sorted(ids) == sorted(e["id"] for e in events)  # each once, none lost
    with sessions() as session:
        codes = sorted({e["dossier"] for e in events})
        assert session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == DOSSIERS
        incremental = {code: stored_state(session, SOURCE, code) for code in codes}
        rebuild_states(session)
        assert {code: stored_state(session, SOURCE, code) for code in codes} == incremental
