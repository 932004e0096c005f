"""The ingest service on a real database: accepted, duplicate, refused, and the state stored."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flow_samples import flow, step
from sqlalchemy.orm import Session
from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, row_counts, stored_state, vn

from workflow_model.models import DayOverride, DossierEvent, DossierStatus, Verdict
from workflow_model.refusals import Refusal
from workflow_model.tracking import (
    MAX_CLOCK_SKEW,
    CheckKeys,
    ItemResult,
    find_dossier,
    ingest_events,
    lookup_dossier,
    rebuild_states,
)

NOW = vn(2026, 3, 20, 9)


def ingest(session: Session, items: list[dict[str, Any]], now=NOW) -> list[ItemResult]:  # type: ignore[no-untyped-def]
    return ingest_events(session, SOURCE, items, check_keys=KEYS, now=now)


def outcomes(results: list[ItemResult]) -> list[str]:
    return [r.reason.value if r.reason else r.result.value for r in results]


def test_a_dossier_is_received_and_handed_over(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    results = ingest(
        session,
        [
            item(
                "e3",
                "step_started",
                vn(2026, 3, 9, 10),
                step="s2",
                officer="binh.tt@example.gov.vn",
            ),
            item("e1", "received", vn(2026, 3, 9, 8)),
            item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1", unit="tt"),
        ],
    )
    assert outcomes(results) == ["accepted"] * 3
    assert [r.id for r in results] == ["e3", "e1", "e2"]
    tracked = find_dossier(session, "H12-0001", source=SOURCE, now=vn(2026, 3, 9, 11))
    assert tracked is not None
    assert (tracked.procedure_code, tracked.case_key, tracked.version_number) == ("1.000894", "", 1)
    progress = tracked.progress
    assert progress.status is DossierStatus.IN_PROGRESS
    assert progress.current_steps == ("s2",)
    assert [(run.key, run.verdict) for run in progress.runs] == [
        ("s1", Verdict.ON_TIME),
        ("s2", None),
    ]
    assert progress.runs[1].officer == "binh.tt@example.gov.vn"
    assert progress.used_hours == 3.0  # 08:00 to 11:00, carried on to the lookup
    assert progress.runs[1].used_hours == 1.0
    assert progress.due_at == vn(2026, 3, 13, 8)
    assert find_dossier(session, "H12-0001", source="other") is None
    assert find_dossier(session, "nope") is None


def test_the_check_value_is_kept_as_a_keyed_hash_and_matched(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    ingest(session, [item("e1", "received", vn(2026, 3, 9, 8), check="482913")])
    state = stored_state(session, SOURCE, "H12-0001")
    assert state["received_at"] == vn(2026, 3, 9, 8)
    found = lookup_dossier(session, "H12-0001", "482913", KEYS, now=NOW)
    assert found is not None and found.code == "H12-0001"
    assert lookup_dossier(session, "H12-0001", "482914", KEYS, now=NOW) is None
    assert lookup_dossier(session, "H12-9999", "482913", KEYS, now=NOW) is None
    other_secret = CheckKeys.from_secrets("another secret")
    assert lookup_dossier(session, "H12-0001", "482913", other_secret, now=NOW) is None
    rotated = CheckKeys.from_secrets("another secret", ["tracking test secret"])
    assert lookup_dossier(session, "H12-0001", "482913", rotated, now=NOW) is not None


def _received_and_closed(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    results = ingest(
        session,
        [
            item("r1", "received", vn(2026, 3, 9, 8)),
            item("r2", "received", vn(2026, 3, 9, 8), dossier="H12-0002"),
            item("r3", "returned", vn(2026, 3, 10, 8), dossier="H12-0002"),
        ],
    )
    assert outcomes(results) == ["accepted"] * 3


BAD_ITEMS: dict[str, tuple[dict[str, Any], Refusal, dict[str, Any]]] = {
    "time-not-iso": (
        {**item("x", "paused", vn(2026, 3, 9, 9)), "at": "hôm qua"},
        Refusal.INVALID_EVENT,
        {"field": "at"},
    ),
    "time-without-offset": (
        {**item("x", "paused", vn(2026, 3, 9, 9)), "at": "2026-03-09T09:00:00"},
        Refusal.INVALID_EVENT,
        {"field": "at"},
    ),
    "unknown-kind": (
        item("x", "archived", vn(2026, 3, 9, 9)),
        Refusal.INVALID_EVENT,
        {"field": "kind"},
    ),
    "missing-dossier": (
        {k: v for k, v in item("x", "paused", vn(2026, 3, 9, 9)).items() if k != "dossier"},
        Refusal.INVALID_EVENT,
        {"field": "dossier"},
    ),
    "missing-id": (
        {k: v for k, v in item("x", "paused", vn(2026, 3, 9, 9)).items() if k != "id"},
        Refusal.INVALID_EVENT,
        {"field": "id"},
    ),
    "check-not-on-reception": (
        item("x", "paused", vn(2026, 3, 9, 9), check="1"),
        Refusal.INVALID_EVENT,
        {"field": "check"},
    ),
    "reception-without-channel": (
        item("x", "received", vn(2026, 3, 9, 9), dossier="H12-0003", channel="fax"),
        Refusal.INVALID_EVENT,
        {"field": "channel"},
    ),
    "apology-without-date": (
        item("x", "apology_sent", vn(2026, 3, 9, 9)),
        Refusal.INVALID_EVENT,
        {"field": "new_due"},
    ),
    "unknown-field": (
        item("x", "paused", vn(2026, 3, 9, 9), applicant="Nguyễn Văn A"),
        Refusal.INVALID_EVENT,
        {"field": "applicant"},
    ),
    "not-an-object": (["x"], Refusal.INVALID_EVENT, {"field": "item"}),  # type: ignore[dict-item]
    "unknown-procedure": (
        item("x", "received", vn(2026, 3, 9, 9), dossier="H12-0003", procedure="9.999"),
        Refusal.UNKNOWN_PROCEDURE,
        {"procedure": "9.999"},
    ),
    "unknown-case": (
        item("x", "received", vn(2026, 3, 9, 9), dossier="H12-0003", case="ca-nhan"),
        Refusal.UNKNOWN_CASE,
        {"procedure": "1.000894", "case": "ca-nhan"},
    ),
    "no-version-in-force": (
        item("x", "received", vn(2025, 12, 31, 9), dossier="H12-0003"),
        Refusal.NO_VERSION_IN_FORCE,
        {"procedure": "1.000894", "case": ""},
    ),
    "received-twice": (
        item("x", "received", vn(2026, 3, 9, 9)),
        Refusal.DOSSIER_EXISTS,
        {"dossier": "H12-0001"},
    ),
    "unknown-dossier": (
        item("x", "paused", vn(2026, 3, 9, 9), dossier="H12-0404"),
        Refusal.UNKNOWN_DOSSIER,
        {"dossier": "H12-0404"},
    ),
    "other-case": (
        item("x", "paused", vn(2026, 3, 9, 9), case="ca-nhan"),
        Refusal.DOSSIER_MISMATCH,
        {"dossier": "H12-0001"},
    ),
    "unknown-step": (
        item("x", "step_started", vn(2026, 3, 9, 9), step="s9"),
        Refusal.UNKNOWN_STEP,
        {"step": "s9"},
    ),
    "closed-dossier": (
        item("x", "paused", vn(2026, 3, 10, 9), dossier="H12-0002"),
        Refusal.DOSSIER_CLOSED,
        {"dossier": "H12-0002"},
    ),
    "before-reception": (
        item("x", "paused", vn(2026, 3, 9, 7)),
        Refusal.BEFORE_RECEPTION,
        {"dossier": "H12-0001"},
    ),
    "in-the-future": (
        item("x", "paused", NOW + MAX_CLOCK_SKEW + timedelta(seconds=1)),
        Refusal.EVENT_IN_FUTURE,
        {"skew_seconds": 300},
    ),
}


@pytest.mark.parametrize("name", BAD_ITEMS)
def test_a_rejected_item_writes_nothing_and_the_others_go_on(session: Session, name: str) -> None:
    _received_and_closed(session)
    bad, reason, params = BAD_ITEMS[name]
    before = row_counts(session), stored_state(session, SOURCE, "H12-0001")
    results = ingest(session, [bad])
    assert outcomes(results) == [reason.value]
    assert params.items() <= dict(results[0].params).items()
    assert (row_counts(session), stored_state(session, SOURCE, "H12-0001")) == before
    good = item("ok", "paused", vn(2026, 3, 9, 9))
    results = ingest(session, [bad, good])
    assert outcomes(results) == [reason.value, "accepted"]
    assert stored_state(session, SOURCE, "H12-0001")["status"] is DossierStatus.PAUSED


def test_the_case_may_be_left_out_only_when_the_procedure_has_one(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    results = ingest(session, [item("e1", "received", vn(2026, 3, 9, 8), case="")])
    assert outcomes(results) == ["accepted"]


def test_a_replay_is_a_duplicate_and_changes_nothing(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    batch = [
        item("e1", "received", vn(2026, 3, 9, 8)),
        item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1"),
        item("e2", "step_completed", vn(2026, 3, 9, 11), step="s1"),
    ]
    assert outcomes(ingest(session, batch)) == ["accepted", "accepted", "duplicate"]
    before = row_counts(session), stored_state(session, SOURCE, "H12-0001")
    assert outcomes(ingest(session, batch)) == ["duplicate"] * 3
    assert (row_counts(session), stored_state(session, SOURCE, "H12-0001")) == before
    # The same ids from another source are other events.
    other = ingest_events(session, "mot-cua", batch[:2], check_keys=KEYS, now=NOW)
    assert outcomes(other) == ["accepted", "accepted"]


def test_the_pinned_version_stays_after_a_new_one_comes_into_force(session: Session) -> None:
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)
    ingest(session, [item("e1", "received", vn(2026, 3, 9, 8))])

    def second(data: dict[str, Any]) -> None:
        step(data, "s2")["key"] = "s2b"
        step(data, "s2b")["duration"] = {"value": 1, "unit": "working_day"}
        for transition in data["transitions"]:
            for end in ("from", "to"):
                if transition[end] == "s2":
                    transition[end] = "s2b"
        del data["layout"]["s2"]

    in_force(session, flow(second), vn(2026, 3, 12), people)
    results = ingest(
        session,
        [
            item("e2", "step_started", vn(2026, 3, 12, 8), step="s2"),
            item("e3", "step_started", vn(2026, 3, 12, 8), step="s2b"),
            item("f1", "received", vn(2026, 3, 12, 9), dossier="H12-0002"),
            item("f2", "step_started", vn(2026, 3, 12, 9), dossier="H12-0002", step="s2b"),
            item("f3", "step_started", vn(2026, 3, 12, 9), dossier="H12-0002", step="s2"),
        ],
    )
    assert outcomes(results) == [
        "accepted",
        "step-not-in-version",
        "accepted",
        "accepted",
        "step-not-in-version",
    ]
    first = find_dossier(session, "H12-0001", source=SOURCE, now=NOW)
    later = find_dossier(session, "H12-0002", source=SOURCE, now=NOW)
    assert first is not None and later is not None
    assert (first.version_number, later.version_number) == (1, 2)
    assert first.progress.runs[0].allotted_hours == 16  # v1's two days, not v2's one
    assert later.progress.runs[0].allotted_hours == 8
    assert rebuild_states(session) == 2
    assert find_dossier(session, "H12-0001", source=SOURCE, now=NOW) == first


def test_rebuild_gives_back_what_ingest_stored(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    ingest(
        session,
        [
            item("e1", "received", vn(2026, 3, 9, 8)),
            item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1"),
            item("e3", "supplement_requested", vn(2026, 3, 10, 10)),
            item("e4", "supplement_received", vn(2026, 3, 16, 10)),
            item("e5", "step_completed", vn(2026, 3, 17, 10), step="s2"),
        ],
    )
    stored = stored_state(session, SOURCE, "H12-0001")
    assert stored["status"] is DossierStatus.IN_PROGRESS
    assert stored["stopped_hours"] == 32
    assert rebuild_states(session, ["H12-0001"]) == 1
    assert stored_state(session, SOURCE, "H12-0001") == stored


def test_a_late_event_rewrites_the_runs_it_changes_and_drops_those_it_ends(
    session: Session,
) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    ingest(
        session,
        [
            item("e1", "received", vn(2026, 3, 9, 8)),
            item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1"),
            item("e3", "step_started", vn(2026, 3, 10, 9), step="s2"),
            item("e4", "step_completed", vn(2026, 3, 11, 9), step="s2"),
        ],
    )
    runs = stored_state(session, SOURCE, "H12-0001")["runs"]
    assert [(r["position"], r["step_key"]) for r in runs] == [(0, "s1"), (1, "s2")]
    # Withdrawn before the second step began: that run never happened.
    assert outcomes(ingest(session, [item("e5", "withdrawn", vn(2026, 3, 9, 15))])) == ["accepted"]
    stored = stored_state(session, SOURCE, "H12-0001")
    assert stored["status"] is DossierStatus.WITHDRAWN
    assert stored["runs"] == runs[:1]
    # A start reported late for the first step changes that run, and only the order of
    # the events tells: the stored state is still the one a rebuild gives.
    ingest(session, [item("e6", "step_started", vn(2026, 3, 9, 9), step="s1", unit="tt")])
    stored = stored_state(session, SOURCE, "H12-0001")
    assert [(r["started_at"], r["unit_code"]) for r in stored["runs"]] == [
        (vn(2026, 3, 9, 9), "tt")
    ]
    assert rebuild_states(session, ["H12-0001"]) == 1
    assert stored_state(session, SOURCE, "H12-0001") == stored


def test_a_corrupt_pinned_snapshot_refuses_its_dossier_events_alone(session: Session) -> None:
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)

    def other(data: dict[str, Any]) -> None:
        data["procedure"]["code"] = "2.000123"
        # A name no other test uses: a snapshot already parsed in this process is not
        # parsed again, whatever its row now holds.
        data["procedure"]["name"] = "Thủ tục có bản chụp bị sửa"

    broken = in_force(session, flow(other), vn(2026, 1, 1), people)
    received = [
        item("e1", "received", vn(2026, 3, 9, 8)),
        item("f1", "received", vn(2026, 3, 9, 8), dossier="H12-0002", procedure="2.000123"),
    ]
    assert outcomes(ingest(session, received)) == ["accepted", "accepted"]
    session.execute(
        sa.text("UPDATE flow_versions SET snapshot_sha256 = :h WHERE id = :i"),
        {"h": "0" * 64, "i": broken.id},
    )
    session.commit()
    session.expire_all()  # as a new request's session would read it
    later = [
        item("e2", "step_completed", vn(2026, 3, 9, 10), step="s1"),
        item("f2", "step_completed", vn(2026, 3, 9, 10), dossier="H12-0002", step="s1"),
    ]
    assert outcomes(ingest(session, later)) == ["accepted", "corrupt-snapshot"]


def test_a_saturday_the_deployment_works_moves_the_stored_due_date_to_the_minute(
    session: Session,
) -> None:
    # 32 working hours from Thursday 12 March 2026 13:30: 4 that day, 8 on Friday 13, 8
    # on Saturday 14 (worked in exchange, stored as the deployment's override), 8 on
    # Monday 16 and the last 4 on Tuesday 17: due at 11:30 then, a day before Wednesday
    # 18 at 11:30, the due date without the worked Saturday.
    in_force(session, flow(), vn(2026, 1, 1))
    session.add(DayOverride(day=date(2026, 3, 14), working=True, description="Làm bù"))
    session.commit()
    ingest(session, [item("e1", "received", vn(2026, 3, 12, 13, 30))])
    assert stored_state(session, SOURCE, "H12-0001")["due_at"] == vn(2026, 3, 17, 11, 30)
    session.execute(sa.delete(DayOverride))
    session.commit()
    assert rebuild_states(session, ["H12-0001"]) == 1
    assert stored_state(session, SOURCE, "H12-0001")["due_at"] == vn(2026, 3, 18, 11, 30)


def test_events_are_append_only(session: Session) -> None:
    in_force(session, flow(), vn(2026, 1, 1))
    ingest(session, [item("e1", "received", vn(2026, 3, 9, 8), note="Hồ sơ nộp trực tuyến\nđủ")])
    event = session.execute(sa.select(DossierEvent)).scalar_one()
    assert event.note == "Hồ sơ nộp trực tuyến\nđủ"
    event.note = "changed"
    with pytest.raises(ValueError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.execute(sa.select(DossierEvent)).scalar_one())
    with pytest.raises(ValueError, match="append-only"):
        session.flush()
    session.rollback()
    assert row_counts(session) == (1, 1, 0)
