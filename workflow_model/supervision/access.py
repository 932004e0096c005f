"""Whether one dossier lies in a supervisor's scope, for the staff's dossier pages.

The dossier list narrows itself with `DossierFilter.scope`; a dossier's own pages (its
page, its control slip as a page and as a workbook) ask `dossier_in_scope` first and
answer "not found" when it is outside, so a scoped supervisor cannot read a dossier by
guessing its id. The condition is `scope.dossier_clause`, the one definition.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models.tracking import Dossier
from .scope import Scope, dossier_clause

__all__ = ["dossier_in_scope"]


def dossier_in_scope(session: Session, dossier_id: int, scope: Scope) -> bool:
    """True when the dossier `dossier_id` exists and is in `scope` (one indexed query)."""
    found = session.execute(
        sa.select(Dossier.id).where(Dossier.id == dossier_id, dossier_clause(scope))
    ).first()
    return found is not None
