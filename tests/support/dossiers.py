"""Five dossiers on two procedures, for the staff's list, dossier page and control slip.

Built through `ingest_events` from the flow of `flow_samples` (s1 half a day at the
one-stop desk ``tt`` → s2 two days at ``svh-qlvh`` → s3 eight hours at ``svh`` → s4;
legal time four days), in force since 1 January 2026, and a second procedure with a case
``a``. Seen at `NOW`:

- ``H-001`` returned: s1 on time, s2 early, s3 late, the dossier early (a returned row);
- ``H-002`` in progress at s2 (``svh-qlvh``), past its due date: late, open;
- ``H-003`` just received, nothing handled yet;
- ``H-004`` of the second procedure (case ``a``), waiting for a supplement;
- ``H-005`` result ready after its due date: judged late.
"""

from __future__ import annotations

from typing import Any

from flow_samples import flow
from sqlalchemy.orm import Session

from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn
from workflow_model.tracking import ingest_events

NOW = vn(2026, 3, 20, 9)
"""When the tests look at the dossiers."""
SCRIPT = "<script>alert(1)</script>"
"""A note and an officer email that must come out as text."""
OTHER_PROCEDURE = "2.000001"
AN, BINH, CUONG = "an.nv@example.gov.vn", "binh.tt@example.gov.vn", "cuong.lv@example.gov.vn"


def _second(data: dict[str, Any]) -> None:
    data["procedure"]["code"] = OTHER_PROCEDURE
    data["procedure"]["name"] = "Cấp phép biểu diễn nghệ thuật"
    data["procedure"]["case"] = {"key": "a", "name": "Trường hợp thứ nhất"}


def events() -> list[dict[str, Any]]:
    """The events of the five dossiers, in no particular order."""
    other = {"procedure": OTHER_PROCEDURE, "case": "a"}
    return [
        item("1a", "received", vn(2026, 3, 2, 8), "H-001", unit="tt", officer=AN),
        item("1b", "step_completed", vn(2026, 3, 2, 9), "H-001", step="s1", unit="tt", officer=AN),
        item("1c", "step_started", vn(2026, 3, 2, 9), "H-001", step="s2", unit="svh-qlvh",
             officer=BINH),
        item("1d", "step_completed", vn(2026, 3, 3, 10), "H-001", step="s2",
             note=f"Đủ điều kiện {SCRIPT}"),
        item("1e", "step_completed", vn(2026, 3, 5, 16), "H-001", step="s3", unit="svh",
             officer=CUONG),
        item("1f", "result_ready", vn(2026, 3, 5, 17), "H-001"),
        item("1g", "returned", vn(2026, 3, 6, 9), "H-001", unit="tt", officer=AN),
        item("2a", "received", vn(2026, 3, 9, 8), "H-002"),
        item("2b", "step_completed", vn(2026, 3, 9, 9), "H-002", step="s1", unit="tt"),
        item("2c", "step_started", vn(2026, 3, 9, 9, 30), "H-002", step="s2", unit="svh-qlvh",
             officer=SCRIPT),
        item("3a", "received", vn(2026, 3, 18, 8), "H-003"),
        item("4a", "received", vn(2026, 3, 17, 8), "H-004", **other),
        item("4b", "supplement_requested", vn(2026, 3, 17, 9), "H-004"),
        item("5a", "received", vn(2026, 3, 2, 8, 30), "H-005"),
        item("5b", "step_completed", vn(2026, 3, 2, 9), "H-005", step="s1", unit="tt"),
        item("5c", "result_ready", vn(2026, 3, 12, 8), "H-005"),
    ]  # fmt: skip


def five_dossiers(session: Session) -> None:
    """Both procedures in force and the five dossiers' events ingested (all accepted)."""
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)
    in_force(session, flow(_second), vn(2026, 1, 1), people)
    results = ingest_events(session, SOURCE, events(), check_keys=KEYS, now=NOW)
    assert [r.result.value for r in results] == ["accepted"] * len(results), results
