"""The ingest service on a real database: accepted, duplicate, refused, and the state stored."""

from __future__ import annotations

from flow_samples import flow
from sqlalchemy.orm import Session
from support.tracking import KEYS, SOURCE, in_force, item, vn

from workflow_model.tracking import ItemOutcome, find_dossier, ingest_events

NOW = vn(2026, 3, 20, 9)


def ingest(session: Session, items: list[dict], now=NOW):  # type: ignore[no-untyped-def]
    return ingest_events(session, SOURCE, items, check_keys=KEYS, now=now)


def test_a_dossier_is_received_and_handed_over(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    results = ingest(
        session,
        [
            item("e1", "received", vn(2026, 3, 9, 8)),
            item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1", unit="tt"),
            item("e3", "step_started", vn(2026, 3, 9, 10), step="s2"),
        ],
    )
    assert [r.result for r in results] == [ItemOutcome.ACCEPTED] * 3, results
    tracked = find_dossier(session, "H12-0001", source=SOURCE, now=vn(2026, 3, 9, 11))
    assert tracked is not None
    progress = tracked.progress
    assert progress.current_steps == ("s2",)
    assert [run.key for run in progress.runs] == ["s1", "s2"]
    assert progress.runs[0].verdict.value == "on_time"
    assert progress.used_hours == 3.0
    assert progress.due_at == vn(2026, 3, 13, 8)
