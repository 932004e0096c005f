"""Four clients sending interleaved batches for the same dossiers on PostgreSQL.

Each client is a thread with its own connection; the batches overlap in their dossiers
and in their events (each event is sent by two clients). Whatever order the database
takes them in, every event is stored once and each dossier ends in the state a rebuild
from its events gives.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flow_samples import flow
from sqlalchemy.orm import Session, sessionmaker
from support.tracking import KEYS, SOURCE, in_force, item, stored_state, vn

from workflow_model.db import make_session_factory
from workflow_model.models import Dossier, DossierEvent
from workflow_model.tracking import ItemOutcome, ingest_events, rebuild_states

NOW = vn(2026, 12, 1)
KINDS = [
    ("step_completed", "s1"),
    ("step_started", "s2"),
    ("paused", None),
    ("resumed", None),
    ("step_completed", "s2"),
    ("step_completed", "s3"),
    ("result_ready", None),
]


def _history(number: int) -> list[dict[str, Any]]:
    code = f"C-{number:03d}"
    start = vn(2026, 3, 2, 8) + timedelta(minutes=37 * number)
    events = [item(f"{code}-0", "received", start, dossier=code)]
    for index, (kind, step) in enumerate(KINDS, start=1):
        at = start + timedelta(hours=5 * index)
        events.append(item(f"{code}-{index}", kind, at, dossier=code, step=step))
    return events


def _deal(events: list[dict[str, Any]], rng: random.Random) -> list[list[list[dict[str, Any]]]]:
    """Each client's batches: every event twice, in two different clients' batches."""
    batches: list[list[list[dict[str, Any]]]] = [[] for _ in range(4)]
    for copy in range(2):
        shuffled = list(events)
        rng.shuffle(shuffled)
        for client in range(4):
            part = shuffled[client::4]
            half = len(part) // 2
            batches[(client + copy) % 4].extend([part[:half], part[half:]])
    return batches


def _send_together(
    sessions: sessionmaker[Session], batches: list[list[list[dict[str, Any]]]]
) -> list[ItemOutcome]:
    """Four clients, started together, each sending its batches; every item's outcome."""
    errors: list[BaseException] = []
    outcomes: list[ItemOutcome] = []
    barrier = threading.Barrier(4)

    def client(mine: list[list[dict[str, Any]]]) -> None:
        try:
            barrier.wait()
            with sessions() as session:
                for batch in mine:
                    results = ingest_events(session, SOURCE, batch, check_keys=KEYS, now=NOW)
                    outcomes.extend(result.result for result in results)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=client, args=(batches[n],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return outcomes


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_four_clients_end_in_the_state_a_rebuild_gives(database: Any) -> None:
    sessions = make_session_factory(database.engine)
    with sessions() as session:
        in_force(session, flow(), vn(2026, 1, 1))
    histories = [_history(number) for number in range(40)]
    receptions = [events[0] for events in histories]
    later = [event for events in histories for event in events[1:]]
    rng = random.Random(15)
    # The receptions first, then the later events; each event is sent by two clients.
    for events in (receptions, later):
        outcomes = _send_together(sessions, _deal(events, rng))
        assert outcomes.count(ItemOutcome.ACCEPTED) == len(events)
        assert outcomes.count(ItemOutcome.DUPLICATE) == len(events)

    with sessions() as session:
        stored = session.execute(sa.select(sa.func.count()).select_from(DossierEvent)).scalar()
        assert stored == len(later) + len(receptions)
        assert session.execute(sa.select(sa.func.count()).select_from(Dossier)).scalar() == 40
        codes = [events[0]["dossier"] for events in histories]
        incremental = {code: stored_state(session, SOURCE, code) for code in codes}
        rebuild_states(session)
        assert {code: stored_state(session, SOURCE, code) for code in codes} == incremental


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_batch_aborted_as_a_deadlock_is_sent_again_whole(database: Any) -> None:
    """PostgreSQL aborts the first try (as it does one side of a deadlock); the retry lands."""
    sessions = make_session_factory(database.engine)
    with sessions() as session:
        in_force(session, flow(), vn(2026, 1, 1))
        # The first insert of events fails with PostgreSQL's deadlock error, once.
        # A sequence, since its count survives the rollback of the try that fails.
        session.execute(sa.text("CREATE SEQUENCE deadlock_tries"))
        session.execute(
            sa.text(
                """
                CREATE FUNCTION deadlock_once() RETURNS trigger AS $$
                BEGIN
                  IF nextval('deadlock_tries') = 1 THEN
                    RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql
                """
            )
        )
        session.execute(
            sa.text(
                "CREATE TRIGGER deadlock_once BEFORE INSERT ON dossier_events "
                "FOR EACH ROW EXECUTE FUNCTION deadlock_once()"
            )
        )
        session.commit()
    events = _history(1)
    with sessions() as session:
        results = ingest_events(session, SOURCE, events, check_keys=KEYS, now=NOW)
        assert [r.result for r in results] == [ItemOutcome.ACCEPTED] * len(events)
        # The first try failed at its first event; the second wrote every event once.
        tries = session.execute(sa.text("SELECT last_value FROM deadlock_tries")).scalar()
        stored = session.execute(sa.select(sa.func.count()).select_from(DossierEvent)).scalar()
    assert stored == len(events) and tries is not None and tries > 1
