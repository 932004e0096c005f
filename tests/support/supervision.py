"""A small fixed history for the supervision figures, whose numbers are worked out by hand.

Two procedures, in force since 1 January 2026 (the flow of `flow_samples`: s1 half a
day (4 h) at the one-stop desk ``tt`` → s2 two days (16 h) → s3 8 h → s4; legal time
four working days, 32 h; office hours 07:30–11:30 and 13:30–17:30):

- ``1.000894`` (P1): s2 at ``svh-qlvh`` (Bình), s3 at ``svh`` (Cường); its implementing
  agency is ``svh`` (Sở Văn hóa), whose subtree is ``svh`` and ``svh-qlvh``.
- ``2.000001`` case ``a`` (P2): s2 at ``stp-hc`` (Dũng), s3 at ``stp`` (Em); agency ``stp``.

The dossiers (hours are working hours; "→ due" is the legal time's end):

- ``A-01`` P1 counter, over Tết (16–20 Feb 2026 are holidays): received Fri 13 Feb 08:00
  → due Thu 26 Feb 08:00 (13 Feb 7.5 h + 23, 24, 25 Feb 24 h + 0.5 h). s1 done 10:00 the
  same day (its deadline 14:00: on time); s2 run Mon 23 Feb 08:00 → Tue 24 16:00 (deadline
  Wed 25 08:00: early); s3 Tue 16:00 → Wed 25 10:00 (deadline Wed 16:00: on time); result
  Wed 25 Feb 15:00: early. Received and resolved in February.
- ``A-02`` P1 online, spanning two months, with a supplement: received Thu 26 Feb 14:00;
  supplement asked Fri 27 Feb 09:00, received Tue 3 Mar 09:00 (16 h stopped) → due Fri 6
  Mar 14:00. s1 done Thu 15:00 (deadline Fri 27 08:00: early); s2 started Thu 15:00, done
  Thu 5 Mar 10:00 (deadline Wed 4 Mar 15:00: late, used 21 h, 5 h over); s3 → Fri 6 Mar
  16:00 (deadline Fri 10:00: late, used 12 h, 4 h over); result Fri 6 Mar 16:00: late,
  used 50 − 16 = 34 h, 2 h over. Received in February, resolved in March.
- ``A-03`` P1 post, with a pause: received Mon 2 Mar 08:00; paused Tue 3 Mar 13:30 →
  Wed 4 Mar 13:30 (8 h) → due Mon 9 Mar 08:00. s1 done 09:00 (deadline 14:00: on time);
  s2 done Thu 5 Mar 17:00 (deadline Thu 09:00: late, used 22 h, 6 h over); s3 done Mon 9
  Mar 08:00 (deadline Fri 6 Mar 17:00: late, used 9 h, 1 h over); result Mon 9 Mar 08:00,
  exactly at the due moment: on time.
- ``A-04`` P1 online, overdue with an apology: received Mon 9 Mar 08:00 → due Fri 13 Mar
  08:00; s1 done 09:00 (on time); s2 started 09:00 by Bình, still in hand; apology slip
  Thu 12 Mar 16:00 (new date Wed 18 Mar 17:00). At NOW (Fri 20 Mar 09:00): 7.5 + 32 +
  1.5 = 41 h past due = 5.125 working days.
- ``A-05`` P1 online, overdue, then waiting for a supplement: received Tue 10 Mar 08:00 →
  due Mon 16 Mar 08:00; s1 done 09:00 at ``tt``, nobody named (on time); supplement asked
  Tue 17 Mar 09:00, after the due date, so it stays overdue: 7.5 + 24 + 1.5 = 33 h =
  4.125 days at NOW; s2 (not started) holds it, at ``svh-qlvh`` by the document.
- ``A-06`` P1 online: received Wed 18 Mar 08:00, supplement asked 09:00, before its due
  date: waiting, open, not overdue.
- ``A-07`` P1 online: received Wed 11 Mar 08:00, withdrawn Thu 12 Mar 09:00.
- ``B-01`` P2 counter: received Mon 2 Mar 08:00 → due Fri 6 Mar 08:00; s1 done 09:00 (on
  time); s2 done Mon 16:00 (deadline Wed 4 Mar 09:00: early); s3 done Tue 3 Mar 10:00
  (deadline Tue 16:00: on time); result Tue 3 Mar 11:00: early.
- ``B-02`` P2 online: received Tue 3 Mar 08:00, s1 done 09:00 (on time), refused Wed 4 Mar
  10:00: finished, but a refusal is not resolved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flow_samples import flow
from sqlalchemy.orm import Session

from support.signoff import author_and_approver
from support.tracking import KEYS, SOURCE, in_force, item, vn
from workflow_model.supervision import Period
from workflow_model.tracking import ingest_events

NOW = vn(2026, 3, 20, 9)
"""When the figures are looked at: Friday 20 March 2026, 09:00."""
P1, P2 = "1.000894", "2.000001"
AN, BINH, CUONG = "an.nv@example.gov.vn", "binh.tt@example.gov.vn", "cuong.lv@example.gov.vn"
DUNG, EM = "dung.pv@example.gov.vn", "em.lt@example.gov.vn"
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def _second(data: dict[str, Any]) -> None:
    """P2: its own code and case, its middle steps at the justice department (``stp``)."""
    data["procedure"]["code"] = P2
    data["procedure"]["name"] = "Chứng thực hợp đồng"
    data["procedure"]["case"] = {"key": "a", "name": "Trường hợp thứ nhất"}
    for unit in data["units"]:
        if unit["key"] == "svh":
            unit.update(key="stp", name="Sở Tư pháp")
        elif unit["key"] == "svh-qlvh":
            unit.update(key="stp-hc", name="Phòng Hành chính tư pháp", parent="stp")
    people = {"o2": ("Phạm Văn Dũng", DUNG, "stp-hc"), "o3": ("Lê Thị Em", EM, "stp")}
    for officer in data["officers"]:
        if officer["key"] in people:
            name, email, unit = people[officer["key"]]
            officer.update(name=name, email=email, unit=unit)
    for step in data["steps"]:
        step["unit"] = {"svh": "stp", "svh-qlvh": "stp-hc"}.get(step["unit"], step["unit"])


def events() -> list[dict[str, Any]]:
    """Every event of the history above."""
    p2 = {"procedure": P2, "case": "a"}
    return [
        item("a1r", "received", vn(2026, 2, 13, 8), "A-01", channel="counter"),
        item("a1s1", "step_completed", vn(2026, 2, 13, 10), "A-01", step="s1", unit="tt",
             officer=AN),
        item("a1s2a", "step_started", vn(2026, 2, 23, 8), "A-01", step="s2", unit="svh-qlvh",
             officer=BINH),
        item("a1s2b", "step_completed", vn(2026, 2, 24, 16), "A-01", step="s2"),
        item("a1s3", "step_completed", vn(2026, 2, 25, 10), "A-01", step="s3", unit="svh",
             officer=CUONG),
        item("a1x", "result_ready", vn(2026, 2, 25, 15), "A-01"),
        item("a2r", "received", vn(2026, 2, 26, 14), "A-02"),
        item("a2s1", "step_completed", vn(2026, 2, 26, 15), "A-02", step="s1", unit="tt",
             officer=AN),
        item("a2s2a", "step_started", vn(2026, 2, 26, 15), "A-02", step="s2", unit="svh-qlvh",
             officer=BINH),
        item("a2q", "supplement_requested", vn(2026, 2, 27, 9), "A-02"),
        item("a2g", "supplement_received", vn(2026, 3, 3, 9), "A-02"),
        item("a2s2b", "step_completed", vn(2026, 3, 5, 10), "A-02", step="s2"),
        item("a2s3", "step_completed", vn(2026, 3, 6, 16), "A-02", step="s3", unit="svh",
             officer=CUONG),
        item("a2x", "result_ready", vn(2026, 3, 6, 16), "A-02"),
        item("a3r", "received", vn(2026, 3, 2, 8), "A-03", channel="post"),
        item("a3s1", "step_completed", vn(2026, 3, 2, 9), "A-03", step="s1", unit="tt",
             officer=AN),
        item("a3p", "paused", vn(2026, 3, 3, 13, 30), "A-03"),
        item("a3q", "resumed", vn(2026, 3, 4, 13, 30), "A-03"),
        item("a3s2", "step_completed", vn(2026, 3, 5, 17), "A-03", step="s2", unit="svh-qlvh",
             officer=BINH),
        item("a3s3", "step_completed", vn(2026, 3, 9, 8), "A-03", step="s3", unit="svh",
             officer=CUONG),
        item("a3x", "result_ready", vn(2026, 3, 9, 8), "A-03"),
        item("a4r", "received", vn(2026, 3, 9, 8), "A-04"),
        item("a4s1", "step_completed", vn(2026, 3, 9, 9), "A-04", step="s1", unit="tt",
             officer=AN),
        item("a4s2", "step_started", vn(2026, 3, 9, 9), "A-04", step="s2", unit="svh-qlvh",
             officer=BINH),
        item("a4y", "apology_sent", vn(2026, 3, 12, 16), "A-04",
             new_due=vn(2026, 3, 18, 17).isoformat()),
        item("a5r", "received", vn(2026, 3, 10, 8), "A-05"),
        item("a5s1", "step_completed", vn(2026, 3, 10, 9), "A-05", step="s1", unit="tt"),
        item("a5q", "supplement_requested", vn(2026, 3, 17, 9), "A-05"),
        item("a6r", "received", vn(2026, 3, 18, 8), "A-06"),
        item("a6q", "supplement_requested", vn(2026, 3, 18, 9), "A-06"),
        item("a7r", "received", vn(2026, 3, 11, 8), "A-07"),
        item("a7w", "withdrawn", vn(2026, 3, 12, 9), "A-07"),
        item("b1r", "received", vn(2026, 3, 2, 8), "B-01", channel="counter", **p2),
        item("b1s1", "step_completed", vn(2026, 3, 2, 9), "B-01", step="s1", unit="tt",
             officer=AN),
        item("b1s2", "step_completed", vn(2026, 3, 2, 16), "B-01", step="s2", unit="stp-hc",
             officer=DUNG),
        item("b1s3", "step_completed", vn(2026, 3, 3, 10), "B-01", step="s3", unit="stp",
             officer=EM),
        item("b1x", "result_ready", vn(2026, 3, 3, 11), "B-01"),
        item("b2r", "received", vn(2026, 3, 3, 8), "B-02", **p2),
        item("b2s1", "step_completed", vn(2026, 3, 3, 9), "B-02", step="s1", unit="tt",
             officer=AN),
        item("b2n", "refused", vn(2026, 3, 4, 10), "B-02"),
    ]  # fmt: skip


def history(session: Session) -> None:
    """Both procedures in force and every event of the history ingested (all accepted)."""
    people = author_and_approver(session)
    in_force(session, flow(), vn(2026, 1, 1), people)
    in_force(session, flow(_second), vn(2026, 1, 1), people)
    results = ingest_events(session, SOURCE, events(), check_keys=KEYS, now=NOW)
    assert [r.result.value for r in results] == ["accepted"] * len(results), results
