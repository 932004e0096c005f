"""Server errors under load: readers browsing while writers edit a draft, over real HTTP.

Run it from the project root::

    .venv/bin/python benchmarks/load_probe.py [--seconds 60] [--readers 18] [--writers 2]
        [--database-url URL]

What it does
------------
It makes a fresh database (a SQLite file in a temporary folder, or the PostgreSQL
database of ``--database-url``, whose ``public`` schema is dropped and recreated first),
migrates it, loads the demo catalogue and users (`admin.demo.load_demo`), and serves
`admin.create_app` with Werkzeug's threaded server on a free port of 127.0.0.1, as
``sodo run`` does. Then, for ``--seconds``:

- each reader logs in through the login form (as admin, approver or exporter in turn)
  and fetches, round and round, the home page, the version list (whose validity column
  fills the check cache), the procedure, unit, officer and step lists, the report and
  the versions page of the draft, and the editor page;
- each writer logs in as admin and edits the steps of the same draft through the step
  form (``/step/edit/``: read the form with its lock counter, change the name and the
  duration, post it), so the writers conflict with each other, and each saved edit drops
  the draft's cached check, which the readers' next version list fills again.

It prints the number of requests, of answers by status class, and the 5xx answers by
page (each a failure: the figure to keep at 0). A writer's conflict ("changed by NAME at
TIME") is a 200 page with a message, as a person would see it. Exit code 1 when any
answer was a 5xx or a request failed, else 0.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import lxml.html
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from admin import create_app
from admin.demo import load_demo
from workflow_model.db import make_engine, make_session_factory
from workflow_model.migrate import upgrade
from workflow_model.models import AuditEvent, FlowVersion, Step, VersionStatus


def _fields(html: str, form_class: str) -> list[tuple[str, str]]:
    """The data a browser sends from the first form whose class has `form_class`."""
    for form in lxml.html.document_fromstring(html).iter("form"):
        if form_class not in form.get("class", ""):
            continue
        fields = []
        for element in form.iter("input", "select", "textarea"):
            name, kind = element.get("name"), element.get("type", "text")
            if name is None or kind in ("submit", "button", "file", "reset", "image"):
                continue
            if element.tag == "input":
                if kind not in ("checkbox", "radio") or "checked" in element.attrib:
                    fields.append((name, element.get("value", "")))
            elif element.tag == "select":
                chosen = [
                    o.get("value", "") for o in element.iter("option") if "selected" in o.attrib
                ]
                options = list(element.iter("option"))
                if not chosen and "multiple" not in element.attrib and options:
                    chosen = [options[0].get("value", "")]
                fields += [(name, value) for value in chosen]
            else:
                fields.append((name, element.text or ""))
        return fields
    return []


class Probe:
    """Counts of answers, shared by the threads."""

    def __init__(self, url: str, passwords: dict[str, str], seconds: float, threads: int) -> None:
        self.url, self.passwords, self.seconds = url, passwords, seconds
        self.until = 0.0
        # Logging in is slow on purpose (password hashing): the clock starts once every
        # thread is logged in.
        self.ready = threading.Barrier(threads, action=self._start)
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.server_errors: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()

    def _start(self) -> None:
        self.until = time.monotonic() + self.seconds

    def record(self, page: str, response: requests.Response | None, error: str = "") -> None:
        with self.lock:
            if response is None:
                self.failures[f"{page}: {error}"] += 1
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors[page] += 1

    def call(self, browser: requests.Session, method: str, page: str, **kwargs: Any) -> Any:
        try:
            response = browser.request(method, f"{self.url}{page}", timeout=60, **kwargs)
        except requests.RequestException as error:
            self.record(page.split("?")[0], None, type(error).__name__)
            return None
        self.record(page.split("?")[0], response)
        return response

    def login(self, username: str) -> requests.Session:
        browser = requests.Session()
        page = self.call(browser, "GET", "/login")
        token = dict(_fields(page.text, "")).get("csrf_token", "") if page is not None else ""
        self.call(
            browser,
            "POST",
            "/login",
            data={"username": username, "password": self.passwords[username], "csrf_token": token},
        )
        self.ready.wait()
        return browser


def reader(probe: Probe, username: str, pages: list[str]) -> None:
    """Fetch `pages` round and round until the end."""
    browser = probe.login(username)
    order = pages[:]
    random.shuffle(order)
    while time.monotonic() < probe.until:
        for page in order:
            probe.call(browser, "GET", page)


def writer(probe: Probe, steps: list[int], number: int) -> None:
    """Edit the draft's steps through the step form until the end."""
    browser = probe.login("admin")
    rounds = 0
    while time.monotonic() < probe.until:
        step = steps[(rounds + number) % len(steps)]
        rounds += 1
        page = probe.call(browser, "GET", f"/step/edit/?id={step}")
        if page is None or page.status_code != 200:
            continue
        data = dict(_fields(page.text, "admin-form"))
        data["name"] = f"Bước {step} (sửa {number}.{rounds})"
        data["duration_value"] = str(0.5 * (1 + rounds % 4))
        probe.call(browser, "POST", f"/step/edit/?id={step}", data=data)


def main(argv: list[str] | None = None) -> int:
    """Serve the demo and run the readers and writers; print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=18)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'probe.db'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(engine)
        with make_session_factory(engine)() as session:
            passwords = dict(load_demo(session).passwords)
            draft = (
                session.execute(
                    sa.select(FlowVersion)
                    .where(FlowVersion.status == VersionStatus.DRAFT)
                    .order_by(FlowVersion.id)
                )
                .scalars()
                .first()
            )
            assert draft is not None, "the demo has a draft"
            steps = list(
                session.execute(sa.select(Step.id).where(Step.version_id == draft.id)).scalars()
            )
            procedure_id = draft.case.procedure_id
            draft_id = draft.id
        engine.dispose()

        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "probe", "SODO_INSTANCE": f"{folder}/instance"}
        )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        pages = [
            "/",
            "/flowversion/",
            "/procedure/",
            "/unit/",
            "/officer/",
            f"/step/?flt0_0={draft_id}",
            f"/report/{draft_id}",
            f"/versions/procedure/{procedure_id}",
            f"/editor/{draft_id}",
        ]
        probe = Probe(base, passwords, args.seconds, args.readers + args.writers)
        users = ["admin", "approver", "exporter"]
        threads = [
            threading.Thread(target=reader, args=(probe, users[i % 3], pages))
            for i in range(args.readers)
        ] + [threading.Thread(target=writer, args=(probe, steps, i)) for i in range(args.writers)]
        for worker in threads:
            worker.start()
        for worker in threads:
            worker.join()
        elapsed = time.monotonic() - (probe.until - args.seconds)
        server.shutdown()
        thread.join(timeout=10)
        engine = make_engine(url)
        with engine.connect() as connection:
            saved = connection.execute(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.entity_type == "step", AuditEvent.action == "update")
            ).scalar()
        engine.dispose()

    total = sum(probe.statuses.values())
    classes = Counter(f"{status // 100}xx" for status in probe.statuses.elements())
    server_errors = sum(probe.server_errors.values())
    print(
        f"{engine.dialect.name}: {args.readers} readers, {args.writers} writers, "
        f"{elapsed:.0f} s: {total} requests ({total / elapsed:.1f}/s), "
        + ", ".join(f"{name}: {count}" for name, count in sorted(classes.items()))
        + f"; step edits saved: {saved}"
    )
    print(
        f"5xx: {server_errors}" + "".join(f"\n  {p}: {n}" for p, n in probe.server_errors.items())
    )
    print(
        f"failed requests: {sum(probe.failures.values())}"
        + "".join(f"\n  {p}: {n}" for p, n in probe.failures.items())
    )
    return 1 if server_errors or probe.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
