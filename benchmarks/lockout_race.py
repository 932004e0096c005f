"""Lockout checks under 40 parallel attempts: how many passwords a burst really checks.

Run it from the project root::

    .venv/bin/python benchmarks/lockout_race.py [--attempts 40] [--database-url URL] [--check]

What it measures
----------------
Five failed logins lock a username out for fifteen minutes
(`workflow_model.accounts.LOCKOUT_FAILURES`). A guesser who sends many attempts at the
same moment must not get more than five passwords checked. The script makes a fresh
database (SQLite in a temporary folder, or the PostgreSQL database of ``--database-url``,
whose ``public`` schema is DROPPED and recreated first), migrates it, creates one user,
and serves the web app (`admin.app.create_app`) with Werkzeug's threaded server on a free
port of 127.0.0.1. ``--attempts`` browsers (separate `requests` sessions) each fetch the
login form and its CSRF token; a barrier then releases all their ``POST /login`` with
wrong passwords at once. Password checks are counted by wrapping the hash check the
accounts service calls (`werkzeug.security.check_password_hash`, as imported by
`workflow_model.accounts`), from every server thread.

How to read the output
----------------------
The line ``lockout checks under N parallel attempts: C (limit 5)`` is the figure: C must
be at most 5. The status codes of the answers follow (200: wrong password, 429: locked
out; any 5xx is a bug), and the wall time of the burst. The exit code is 0 (a
measurement) unless ``--check`` is given and C is above the limit, then 1.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from admin.app import create_app
from workflow_model import accounts
from workflow_model.accounts import LOCKOUT_FAILURES, create_user
from workflow_model.db import make_engine, make_session_factory
from workflow_model.migrate import upgrade
from workflow_model.models import Role

USERNAME = "guarded"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepare(url: str) -> None:
    """Migrate a fresh database at `url` and create the user the burst aims at."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    with make_session_factory(engine)() as session:
        create_user(session, USERNAME, "the right password", [Role.ADMIN])
        session.commit()
    engine.dispose()


def burst(base: str, attempts: int) -> tuple[int, Counter[int], float]:
    """Send `attempts` wrong passwords at once; return checks, status codes and seconds."""
    browsers = [requests.Session() for _ in range(attempts)]
    tokens = []
    for browser in browsers:
        found = _TOKEN.search(browser.get(f"{base}/login", timeout=30).text)
        assert found is not None, "no CSRF token on the login form"
        tokens.append(found.group(1))
    barrier = threading.Barrier(attempts + 1)
    statuses: Counter[int] = Counter()
    checks = Counter[str]()
    lock = threading.Lock()
    original = accounts.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            checks["n"] += 1
        return original(pwhash, password)

    def attempt(index: int) -> None:
        data = {"username": USERNAME, "password": f"guess {index}", "csrf_token": tokens[index]}
        barrier.wait()
        answer = browsers[index].post(f"{base}/login", data=data, timeout=120)
        with lock:
            statuses[answer.status_code] += 1

    accounts.check_password_hash = counting  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
        for thread in threads:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    finally:
        accounts.check_password_hash = original
    return checks["n"], statuses, elapsed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the burst once and print the figure."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument(
        "--database-url", help="a PostgreSQL database; its public schema is DROPPED"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 above the limit")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'lockout.db'}"
        prepare(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "SODO_INSTANCE": folder})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            checks, statuses, elapsed = burst(
                f"http://127.0.0.1:{server.server_port}", args.attempts
            )
        finally:
            server.shutdown()
            thread.join(timeout=10)
            app.extensions["sodo.engine"].dispose()
    backend = sa.make_url(url).get_backend_name()
    print(f"database: {backend}, Python {sys.version.split()[0]}")
    print(
        f"lockout checks under {args.attempts} parallel attempts: {checks} "
        f"(limit {LOCKOUT_FAILURES})"
    )
    print("answers: " + ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items())))
    print(f"burst time: {elapsed:.2f} s")
    return 1 if args.check and checks > LOCKOUT_FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
