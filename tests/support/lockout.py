"""Many wrong passwords at once against a real server: how many were really checked.

Used by `tests/test_lockout_race.py` and `benchmarks/lockout_race.py`. The app is served
over HTTP on 127.0.0.1 in this process, so the password checks can be counted by wrapping
the hash check the accounts service calls.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from support.html import csrf_token
from workflow_model import accounts


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 (threaded), yielding its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def counted_password_checks() -> Iterator[Counter[str]]:
    """Count the password hash checks made meanwhile, by every thread (key ``"checks"``)."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = accounts.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        with lock:
            counts["checks"] += 1
        return original(pwhash, password)

    accounts.check_password_hash = counting  # type: ignore[assignment]
    try:
        yield counts
    finally:
        accounts.check_password_hash = original


@dataclass(frozen=True)
class RaceResult:
    """What `parallel_wrong_passwords` saw: password checks and the answers' status codes."""

    checks: int
    statuses: Counter[int]


def parallel_wrong_passwords(url: str, username: str, attempts: int = 40) -> RaceResult:
    """Send `attempts` logins with wrong passwords for `username` at the same moment.

    Each attempt has its own browser session and CSRF token, fetched beforehand; a
    barrier releases all the POSTs together.
    """
    browsers = [requests.Session() for _ in range(attempts)]
    tokens = [csrf_token(b.get(f"{url}/login", timeout=30).text) for b in browsers]
    barrier = threading.Barrier(attempts)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def attempt(index: int) -> None:
        data: dict[str, Any] = {
            "username": username,
            "password": f"wrong password {index}",
            "csrf_token": tokens[index],
        }
        barrier.wait()
        response = browsers[index].post(
            f"{url}/login", data=data, allow_redirects=False, timeout=120
        )
        with lock:
            statuses[response.status_code] += 1

    with counted_password_checks() as counts:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return RaceResult(counts["checks"], statuses)
