"""Dossier tracking over the API: events in (``events:write``), a dossier's state out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue

from workflow_model.api_tokens import ApiScope
from workflow_model.refusals import ChangeRefused
from workflow_model.tracking import (
    CheckKeys,
    DossierProgress,
    ItemResult,
    StepRun,
    TrackedDossier,
    find_dossier,
    ingest_events,
)

from .auth import api_session, current_token, requires
from .views import CHECK_KEYS, EXPLAIN, blueprint

MAX_EVENTS = 1000
"""The most events one request may carry."""


def _reason(result: ItemResult) -> str | None:
    if result.reason is None:
        return None
    explain = current_app.extensions[EXPLAIN]
    return str(explain(ChangeRefused(result.reason, result.detail, **dict(result.params))))


def _answer(result: ItemResult) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": result.id, "result": result.result.value}
    if result.reason is not None:
        answer["code"] = result.reason.value
        answer["reason"] = _reason(result)
    return answer


@blueprint.post("/dossier-events")
@requires(ApiScope.EVENTS_WRITE)
def post_events() -> ResponseReturnValue:
    """Take a batch of up to 1,000 dossier events of the token's source system.

    Body: ``{"events": [{"id", "dossier", "procedure", "case", "kind", "at", ...}]}``.
    Answers ``{"results": [{"id", "result", "code", "reason"}]}``, one per event in order:
    ``accepted``, ``duplicate`` (sent before: nothing changes) or ``rejected`` with why
    (nothing of it written). A body that is no such object is a 400, and nothing is taken.
    """
    body = request.get_json(silent=True)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        abort(400)
    keys: CheckKeys = current_app.extensions[CHECK_KEYS]
    results = ingest_events(api_session(), current_token().source, events, check_keys=keys)
    return {"results": [_answer(result) for result in results]}


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _step(run: StepRun) -> dict[str, Any]:
    return {
        "key": run.key,
        "started_at": _moment(run.started_at),
        "finished_at": _moment(run.finished_at),
        "allotted_hours": run.allotted_hours,
        "used_hours": round(run.used_hours, 4),
        "deadline_at": _moment(run.deadline_at),
        "verdict": run.verdict.value if run.verdict else None,
        "unit": run.unit,
        "officer": run.officer,
    }


def _progress(progress: DossierProgress) -> dict[str, Any]:
    return {
        "status": progress.status.value,
        "received_at": _moment(progress.received_at),
        "due_at": _moment(progress.due_at),
        "apology_due_at": _moment(progress.apology_due),
        "legal_hours": progress.legal_hours,
        "used_hours": round(progress.used_hours, 4),
        "left_hours": round(progress.left_hours, 4),
        "clock_stopped_since": _moment(progress.clock_stopped_since),
        "finished_at": _moment(progress.finished_at),
        "verdict": progress.verdict.value if progress.verdict else None,
        "current_steps": list(progress.current_steps),
        "steps": [_step(run) for run in progress.runs],
        "as_of": _moment(progress.as_of),
    }


def dossier_json(dossier: TrackedDossier) -> dict[str, Any]:
    """What the API says of a dossier: its pinned version and its derived state."""
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_code,
        "case": dossier.case_key,
        "version": dossier.version_number,
        "channel": dossier.channel.value,
        **_progress(dossier.progress),
    }


@blueprint.get("/dossiers/<code>")
@requires(ApiScope.DOSSIERS_READ)
def get_dossier(code: str) -> ResponseReturnValue:
    """A dossier of the token's source system, with the same verdicts as the control slip.

    Its status, due date, hours used and left (now), the version it is judged against,
    and per step when it started and finished, its allotted and used working hours and
    its verdict. An unknown code is a 404.
    """
    found = find_dossier(api_session(), code[:64], source=current_token().source)
    if found is None:
        abort(404)
    return dossier_json(found)
