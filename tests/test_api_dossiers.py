"""The dossier API over HTTP on SQLite and PostgreSQL: tokens, scopes, signatures, events.

Every request needs a source system's token; an event batch gets one answer per event,
the reasons in the caller's language; bad requests get problem details and change
nothing; a dossier's state is read back with the same verdicts the domain derives.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from support.admin_site import KNOWN_TOKEN, Site

from workflow_model.api_tokens import create_token, revoke_token
from workflow_model.models import (
    Dossier,
    DossierEvent,
    FlowVersion,
    Procedure,
    ProcedureCase,
    VersionStatus,
    utcnow,
)
from workflow_model.signing import signature
from workflow_model.target_secrets import SecretBox

CODE = "1.013871"  # Hà Tĩnh's flow, in force in the demo: steps s1…s9
EVENTS = "/api/v1/dossier-events"
PROBLEM = "application/problem+json"


def effective_since(site: Site) -> datetime:
    with site.session() as s:
        since = s.scalar(
            sa.select(FlowVersion.effective_from)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
            .where(Procedure.code == CODE, FlowVersion.status == VersionStatus.APPROVED)
        )
    assert since is not None
    return since


def moments(site: Site, count: int) -> list[str]:
    """`count` times, a minute apart, after the version came into force and before now."""
    # Between the two, not a second after the first: the demo's versions may have come
    # into force less than a second ago, and a start in the future ran the times backwards.
    start = max(effective_since(site), utcnow() - timedelta(days=2))
    step = min(timedelta(minutes=1), (utcnow() - start) / (count + 1))
    return [(start + step * (i + 1)).isoformat() for i in range(count)]


def event(event_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    found = {"id": event_id, "dossier": "HT-0001", "kind": kind, "at": at, **fields}
    if kind == "received":
        found.update(procedure=CODE, channel="online", check="739105")
    return found


def batch(site: Site) -> list[dict[str, Any]]:
    at = moments(site, 4)
    return [
        event("e1", "received", at[0]),
        event("e2", "step_completed", at[1], step="s1", unit="ttpvhcc"),
        event("e3", "step_started", at[2], step="s2"),
        event("e4", "step_started", at[3], step="s99"),  # not a step of the version
    ]


def token(site: Site, *scopes: str, source: str = "igate", signed: bool = False) -> str:
    box = SecretBox.from_keys("t") if signed else None
    with site.session() as s:
        issued = create_token(s, source, list(scopes), by=None, box=box)
        s.commit()
    if signed:
        assert issued.signing_secret is not None
        return f"{issued.token} {issued.signing_secret}"
    return issued.token


def post(site: Site, bearer: str | None, body: Any, **headers: str) -> Any:
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return site.app.test_client().post(
        EVENTS, data=data, headers=headers, content_type="application/json"
    )


def tracked(site: Site) -> tuple[int, int]:
    with site.session() as s:
        return (
            s.scalar(sa.select(sa.func.count()).select_from(Dossier)) or 0,
            s.scalar(sa.select(sa.func.count()).select_from(DossierEvent)) or 0,
        )


def test_a_batch_gets_one_answer_per_event_and_a_resend_changes_nothing(site: Site) -> None:
    events = batch(site)
    first = post(site, KNOWN_TOKEN, {"events": events})
    assert first.status_code == 200, first.get_data(as_text=True)
    results = first.get_json()["results"]
    assert [(r["id"], r["result"]) for r in results] == [
        ("e1", "accepted"),
        ("e2", "accepted"),
        ("e3", "accepted"),
        ("e4", "rejected"),
    ]
    assert results[3]["code"] and "s99" in json.dumps(results[3], ensure_ascii=False)
    assert results[3]["reason"] and results[3]["reason"] != results[3]["code"]
    assert tracked(site) == (1, 3)
    again = post(site, KNOWN_TOKEN, {"events": events[:3]}).get_json()["results"]
    assert [r["result"] for r in again] == ["duplicate"] * 3
    assert tracked(site) == (1, 3)
    # The reason in the caller's language: Vietnamese by default, English when asked.
    english = post(site, KNOWN_TOKEN, {"events": events[3:]}, **{"Accept-Language": "en"})
    assert english.get_json()["results"][0]["reason"] != results[3]["reason"]


def test_the_dossier_is_read_back_with_its_verdicts(site: Site) -> None:
    post(site, KNOWN_TOKEN, {"events": batch(site)})
    reader = token(site, "dossiers:read")
    client = site.app.test_client()
    answer = client.get("/api/v1/dossiers/HT-0001", headers={"Authorization": f"Bearer {reader}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    state = answer.get_json()
    assert (state["procedure"], state["version"], state["status"]) == (CODE, 1, "in_progress")
    assert state["current_steps"] == ["s2"]
    assert [s["key"] for s in state["steps"]] == ["s1", "s2"]
    assert state["steps"][0]["verdict"] in {"early", "on_time", "late"}
    assert state["steps"][1]["verdict"] is None and state["steps"][1]["finished_at"] is None
    assert state["left_hours"] == pytest.approx(
        state["legal_hours"] - state["used_hours"], abs=0.01
    )
    assert "check" not in json.dumps(state)
    missing = client.get("/api/v1/dossiers/HT-9999", headers={"Authorization": f"Bearer {reader}"})
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    # Another source system's token sees none of igate's dossiers.
    other = token(site, "dossiers:read", source="dvc")
    hidden = client.get("/api/v1/dossiers/HT-0001", headers={"Authorization": f"Bearer {other}"})
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("bearer", "status"),
    [(None, 401), ("sodo_not-a-token", 401), ("Basic abc", 401)],
)
def test_without_a_valid_token_nothing_is_taken(
    site: Site, bearer: str | None, status: int
) -> None:
    answer = post(site, bearer, {"events": batch(site)})
    assert answer.status_code == status and answer.mimetype == PROBLEM
    problem = answer.get_json()
    assert problem["status"] == status and problem["code"] == "unauthorized" and problem["title"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert tracked(site) == (0, 0)


def test_a_revoked_token_and_a_wrong_scope_are_refused(site: Site) -> None:
    reader = token(site, "dossiers:read")
    answer = post(site, reader, {"events": batch(site)})
    assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden"
    writer = token(site, "events:write")
    with site.session() as s:
        from workflow_model.api_tokens import authenticate

        row = authenticate(s, writer)
        assert row is not None
        revoke_token(s, row.id, by=None)
        s.commit()
    assert post(site, writer, {"events": batch(site)}).status_code == 401
    assert tracked(site) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"events": {}}',
        b'{"no": []}',
        json.dumps({"events": [{}] * 1001}).encode(),
    ],
    ids=["invalid-json", "a-list", "events-not-a-list", "no-events", "too-many"],
)
def test_a_malformed_request_is_a_400_and_writes_nothing(site: Site, body: bytes) -> None:
    answer = post(site, KNOWN_TOKEN, body)
    assert answer.status_code == 400 and answer.mimetype == PROBLEM
    assert answer.get_json()["code"] == "bad-request"
    assert tracked(site) == (0, 0)


def test_a_body_over_5_mb_is_a_413(site: Site) -> None:
    huge = b'{"events": [], "padding": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    answer = post(site, KNOWN_TOKEN, huge)
    assert answer.status_code == 413 and answer.get_json()["code"] == "too-large"
    assert tracked(site) == (0, 0)


def test_a_signed_token_needs_the_bodys_signature(site: Site) -> None:
    bearer, secret = token(site, "events:write", signed=True).split(" ")
    body = json.dumps({"events": batch(site)}).encode()
    assert post(site, bearer, body).status_code == 401
    forged = signature(body + b" ", secret)
    assert post(site, bearer, body, **{"X-Sodo-Signature": forged}).status_code == 401
    assert tracked(site) == (0, 0)
    good = post(site, bearer, body, **{"X-Sodo-Signature": signature(body, secret)})
    assert good.status_code == 200 and tracked(site) == (1, 3)


def test_the_api_answers_machines_in_json_and_never_asks_for_a_login(site: Site) -> None:
    client = site.app.test_client()
    unknown = client.get("/api/v1/nothing-here", headers={"Authorization": f"Bearer {KNOWN_TOKEN}"})
    assert unknown.status_code == 404 and unknown.mimetype == PROBLEM
    wrong_method = client.get(EVENTS, headers={"Authorization": f"Bearer {KNOWN_TOKEN}"})
    assert wrong_method.status_code == 405 and wrong_method.mimetype == PROBLEM
    anonymous = client.get("/api/v1/dossiers/HT-0001")
    assert anonymous.status_code == 401 and "login" not in anonymous.headers.get("Location", "")
