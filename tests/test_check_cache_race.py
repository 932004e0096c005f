"""Filling the check cache from several requests at once: no UNIQUE violation, same counts.

Each thread has its own session and connection, as each request of the web server has;
they all start together (a barrier) on versions that have no cached check yet.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from conftest import Database
from sqlalchemy.orm import Session, sessionmaker

from admin.demo import load_demo
from admin.reporting import version_checks
from workflow_model.db import make_session_factory
from workflow_model.models import FlowVersion, VersionCheck

THREADS = 4
ROUNDS = 3


def _fill_together(factory: sessionmaker[Session], ids: list[int]) -> list[object]:
    """Run `version_checks` in `THREADS` threads at once; each one's counts or error."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []

    def fill() -> None:
        with factory() as own:
            barrier.wait()
            try:
                checks = version_checks(own, ids)
                outcomes.append({k: (c.errors, c.warnings) for k, c in checks.items()})
            except Exception as error:  # kept, with its type, for the assertion
                outcomes.append(f"{type(error).__name__}: {str(error)[:200]}")

    threads = [threading.Thread(target=fill) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_fillers_of_the_same_checks_all_succeed(
    database: Database, session: Session
) -> None:
    load_demo(session)
    ids = list(session.execute(sa.select(FlowVersion.id).order_by(FlowVersion.id)).scalars())
    expected = {k: (c.errors, c.warnings) for k, c in version_checks(session, ids).items()}
    factory = make_session_factory(database.engine)
    for _ in range(ROUNDS):
        session.execute(sa.delete(VersionCheck))
        session.commit()
        assert _fill_together(factory, ids) == [expected] * THREADS
        stored = session.execute(sa.select(VersionCheck.version_id)).scalars()
        assert sorted(stored) == ids
