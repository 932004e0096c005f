"""Which versions a case has open or under review: the rules the lifecycle and import share.

A case has one open version (draft, submitted or rejected) at a time. A new draft
(`lifecycle.new_draft`) and an import (`conversion.create_draft_from_document`) are
both refused while it exists, so both follow this one definition. A version under review (submitted)
reads its procedure's and its case's catalogue rows, so an import may not change them
meanwhile (`refuse_under_review`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import OPEN_STATUSES, FlowVersion, ProcedureCase, VersionStatus
from .refusals import ChangeRefused, Refusal


def open_version(session: Session, case_id: int) -> FlowVersion | None:
    """The open version (draft, submitted or rejected) of a case, if it has one."""
    return session.execute(
        sa.select(FlowVersion)
        .where(FlowVersion.case_id == case_id, FlowVersion.status.in_(OPEN_STATUSES))
        .order_by(FlowVersion.number.desc())
        .limit(1)
    ).scalar()


def refuse_open_version(session: Session, case: ProcedureCase) -> None:
    """Refuse a new version of `case` while it has an open one (``open-version``)."""
    found = open_version(session, case.id)
    if found is not None:
        raise ChangeRefused(
            Refusal.OPEN_VERSION,
            f"the case already has an open version {found.number} ({found.status.value}); "
            "edit it, or finish its review, first",
            number=found.number,
            status=found.status.value,
        )


def refuse_under_review(
    session: Session, procedure_id: int | None, case_id: int | None = None
) -> None:
    """Refuse a catalogue change that a version under review reads (``under-review``).

    Every case's document reads its procedure's row, so a change to a procedure is
    refused while any of its cases has a submitted version; a change to a case (its
    legal time) while that case has one.
    """
    if procedure_id is None:
        return
    query = (
        sa.select(FlowVersion)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .where(
            ProcedureCase.procedure_id == procedure_id,
            FlowVersion.status == VersionStatus.SUBMITTED,
        )
        .order_by(FlowVersion.id)
        .limit(1)
    )
    if case_id is not None:
        query = query.where(FlowVersion.case_id == case_id)
    with session.no_autoflush:
        found = session.execute(query).scalar()
    if found is not None:
        raise ChangeRefused(
            Refusal.UNDER_REVIEW,
            f"version {found.number} of this procedure is under review; "
            "its catalogue cannot change from a file until it is approved or rejected",
            number=found.number,
        )
