"""What the step inspector offers: units, officers (those of the step's unit first), documents.

Read-only queries; the editor shows their results as dropdowns and checklists.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import DossierComponent, FlowVersion, Officer, ProcedureCase, Unit


@dataclass(frozen=True)
class Choice:
    """One option of a dropdown: the row's id and what the user reads."""

    id: int
    label: str
    search: str = ""


def unit_choices(session: Session, keep: int | None = None) -> list[Choice]:
    """Active units (and the unit `keep`, even if inactive), by name.

    The label is ``Name — code``, the search text the unit's folded name and code.
    """
    rows = session.execute(
        sa.select(Unit.id, Unit.name, Unit.code, Unit.search_text)
        .where(sa.or_(Unit.active.is_(True), Unit.id == keep))
        .order_by(Unit.name, Unit.code)
    )
    return [Choice(row.id, f"{row.name} — {row.code}", row.search_text) for row in rows]


def unit_subtree(session: Session, unit_id: int) -> set[int]:
    """The unit and every unit below it."""
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(sa.select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(child)
    found, stack = {unit_id}, [unit_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def officer_choices(
    session: Session, unit_id: int | None, keep: tuple[int, ...] = ()
) -> list[Choice]:
    """Active officers (and those in `keep`): the unit's subtree first, then the others.

    The label is ``Name — title — phone``, so the right person is found among namesakes.
    """
    first = unit_subtree(session, unit_id) if unit_id is not None else set()
    rows = session.execute(
        sa.select(
            Officer.id,
            Officer.full_name,
            Officer.title,
            Officer.phone,
            Officer.unit_id,
            Officer.search_text,
        )
        .where(sa.or_(Officer.active.is_(True), Officer.id.in_(keep)))
        .order_by(Officer.full_name, Officer.id)
    ).all()
    # A stable sort: the subtree first, each part still in name order.
    return [
        Choice(
            row.id,
            " — ".join(part for part in (row.full_name, row.title, row.phone) if part),
            row.search_text,
        )
        for row in sorted(rows, key=lambda row: row.unit_id not in first)
    ]


def document_choices(session: Session, version: FlowVersion) -> list[Choice]:
    """The dossier components (thành phần hồ sơ) of the version's procedure, in order."""
    case = session.get(ProcedureCase, version.case_id)
    assert case is not None
    rows = session.execute(
        sa.select(DossierComponent.id, DossierComponent.name)
        .where(DossierComponent.procedure_id == case.procedure_id)
        .order_by(DossierComponent.position, DossierComponent.id)
    )
    return [Choice(row.id, row.name) for row in rows]
