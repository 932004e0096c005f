"""A dossier of the demo's Hà Tĩnh procedure, for the citizen lookup's tests.

The demo's version of `PROCEDURE` is made in force since January 2026, and a dossier
received on 9 March 2026 is reported through the ingest service: handed over twice,
then started at step s3 by `HANDLER`, with a note that must never be shown.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from support.tracking import KEYS, SOURCE, item, vn
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, VersionStatus
from workflow_model.tracking import ingest_events

PROCEDURE = "1.013871"  # Hà Tĩnh's flow in the demo: s1 … s9; o3 handles s3 to s5
CODE = "HT-0001"
CHECK = "739105"
HANDLER = ("Đặng Văn Kiên", "0222 3985 975", "kien.dv@example.gov.vn")
"""The officer handling the dossier's current step: name, phone, email."""
PRIVATE_NOTE = "Bà Nguyễn Thị Riêng Tư, CCCD 001234567890"
SECRET_KEY = "tracking test secret"
"""The app's secret, from which `support.tracking.KEYS` are derived."""


def in_force_since_january(session: Session) -> None:
    """The demo's version of `PROCEDURE` in force since 5 January 2026."""
    version_id = session.scalar(
        sa.select(FlowVersion.id)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Procedure.code == PROCEDURE, FlowVersion.status == VersionStatus.APPROVED)
    )
    session.execute(
        sa.update(FlowVersion)
        .where(FlowVersion.id == version_id)
        .values(effective_from=vn(2026, 1, 5, 0, 0))
    )
    session.commit()


def report(
    session: Session, code: str = CODE, check: str = CHECK, *, apology: datetime | None = None
) -> None:
    """Dossier `code`, received on 9 March 2026, handed over twice, now at step s3."""
    items = [
        item(f"{code}-1", "received", vn(2026, 3, 9, 8, 0), code, procedure=PROCEDURE, check=check),
        item(f"{code}-2", "step_completed", vn(2026, 3, 9, 8, 30), code, step="s1", unit="tn",
             note=PRIVATE_NOTE),
        item(f"{code}-3", "step_completed", vn(2026, 3, 9, 10, 0), code, step="s2"),
        item(f"{code}-4", "step_started", vn(2026, 3, 9, 10, 30), code, step="s3",
             officer=HANDLER[2]),
    ]  # fmt: skip
    if apology is not None:
        items.append(item(f"{code}-5", "apology_sent", vn(2026, 4, 20, 9, 0), code,
                          new_due=apology.isoformat()))  # fmt: skip
    results = ingest_events(session, SOURCE, items, check_keys=KEYS)
    assert [r.result.value for r in results] == ["accepted"] * len(items), results
