"""Ingest in any arrival order and any batch split ends in the state a rebuild gives."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import Any

from flow_samples import flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from support.tracking import KEYS, in_force, item, stored_state, vn

from workflow_model.tracking import ItemOutcome, ingest_events, rebuild_states

NOW = vn(2027, 6, 1, 8)
_codes = itertools.count()


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A time-ordered valid history of one dossier, as event items (ties included)."""
    at = vn(2026, 1, 5, 7, 0) + timedelta(minutes=draw(st.integers(0, 300_000)))
    items = [item("e00", "received", at)]
    steps = iter(["s1", "s2", "s3", "s4"])

    def add(kind: str, gap: int, **fields: Any) -> None:
        nonlocal at
        at += timedelta(minutes=gap)
        items.append(item(f"e{len(items):02d}", kind, at, **fields))

    gaps = st.integers(min_value=0, max_value=3000)
    for action in draw(
        st.lists(st.sampled_from(["step", "pause", "supplement", "apology"]), max_size=8)
    ):
        if action == "step":
            key = next(steps, None)
            if key is None:
                continue
            if draw(st.booleans()):
                add(
                    "step_started",
                    draw(gaps),
                    step=key,
                    unit="svh",
                    officer="binh.tt@example.gov.vn",
                )
            add("step_completed", draw(gaps), step=key)
        elif action == "pause":
            add("paused", draw(gaps))
            add("resumed", draw(gaps))
        elif action == "supplement":
            add("supplement_requested", draw(gaps))
            if draw(st.booleans()):
                add("supplement_received", draw(gaps))
        else:
            add("apology_sent", draw(gaps), new_due=(at + timedelta(days=7)).isoformat())
    end = draw(st.sampled_from([None, "result_ready", "returned", "refused", "withdrawn"]))
    if end is not None:
        add(end, draw(gaps))
    return items


def _split(items: list[dict[str, Any]], seed: int) -> list[list[dict[str, Any]]]:
    """`items` in a random arrival order cut into random batches, the reception in the first."""
    rng = random.Random(seed)
    shuffled = list(items)
    rng.shuffle(shuffled)
    cuts = sorted(rng.sample(range(1, len(shuffled) + 1), k=min(3, len(shuffled))))
    batches, start = [], 0
    for cut in cuts:
        batches.append(shuffled[start:cut])
        start = cut
    batches.append(shuffled[start:])
    batches = [b for b in batches if b]
    if not any(i["kind"] == "received" for i in batches[0]):
        reception = next(i for i in shuffled if i["kind"] == "received")
        for batch in batches:
            if reception in batch:
                batch.remove(reception)
        batches[0].append(reception)
    return [b for b in batches if b]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories(), seed=st.integers(0, 2**32))
def test_any_arrival_order_and_batch_split_equals_the_rebuild(
    session: Session, history: list[dict[str, Any]], seed: int
) -> None:
    if not hasattr(session, "_tracking_ready"):
        in_force(session, flow(), vn(2025, 12, 1))
        session._tracking_ready = True  # type: ignore[attr-defined]
    code = f"P-{next(_codes)}"
    history = [{**i, "dossier": code, "id": f"{code}-{i['id']}"} for i in history]

    in_order = ingest_events(session, "in-order", history, check_keys=KEYS, now=NOW)
    assert {r.result for r in in_order} == {ItemOutcome.ACCEPTED}, in_order
    for batch in _split(history, seed):
        results = ingest_events(session, "any-order", batch, check_keys=KEYS, now=NOW)
        assert {r.result for r in results} == {ItemOutcome.ACCEPTED}, results
    incremental = stored_state(session, "any-order", code)
    assert incremental == stored_state(session, "in-order", code)

    again = ingest_events(session, "any-order", history, check_keys=KEYS, now=NOW)
    assert {r.result for r in again} == {ItemOutcome.DUPLICATE}, again
    rebuild_states(session, [code], source="any-order")
    assert stored_state(session, "any-order", code) == incremental
