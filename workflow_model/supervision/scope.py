"""What a supervisor may see: the whole province, or one unit and every unit under it.

A supervisor (lãnh đạo, giám sát) may be given a unit (`User.scope_unit_id`): a department
head sees their department. The scope is applied in the queries themselves, through
`dossier_clause` and `run_clause`, never by filtering rows after reading them, so no
figure, list, export or report can show what lies outside it.

A dossier is in a scope when its procedure's implementing agency (cơ quan thực hiện,
`Procedure.lead_unit`) is one of the scope's units, or when one of its step runs was
reported with one of the scope's unit codes (the dossier passed through the subtree). A
step run is in a scope when it was reported with one of the scope's unit codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..enums import Role
from ..models import Procedure, ProcedureCase, Unit, User
from ..models.tracking import Dossier, DossierStepRun

__all__ = [
    "EVERYTHING",
    "Scope",
    "dossier_clause",
    "run_clause",
    "scope_of_unit",
    "scope_of_user",
    "subtree",
]


@dataclass(frozen=True)
class Scope:
    """The units a supervisor sees; `unit_ids` None means everything.

    `root_id` and `root_name` name the unit the scope was given by, for the pages.
    """

    unit_ids: frozenset[int] | None = None
    unit_codes: frozenset[str] = frozenset()
    root_id: int | None = None
    root_name: str = ""

    @property
    def everything(self) -> bool:
        """True when nothing is left out."""
        return self.unit_ids is None

    def covers_unit(self, code: str | None) -> bool:
        """True when a step run reported with the unit `code` is in the scope."""
        return self.unit_ids is None or (code is not None and code in self.unit_codes)


EVERYTHING = Scope()
"""The scope of an administrator, or of a supervisor without a unit."""


def subtree(session: Session, root_id: int) -> dict[int, str]:
    """The id and code of the unit `root_id` and of every unit under it, at any depth.

    Units are few (a province has a few thousand), so the tree is read once and walked
    in memory; a parent cycle (refused by the forms) cannot make it loop.
    """
    children: dict[int | None, list[tuple[int, str]]] = {}
    codes: dict[int, str] = {}
    for unit_id, parent_id, code in session.execute(sa.select(Unit.id, Unit.parent_id, Unit.code)):
        children.setdefault(parent_id, []).append((unit_id, code))
        codes[unit_id] = code
    if root_id not in codes:
        return {}
    found = {root_id: codes[root_id]}
    waiting = [root_id]
    while waiting:
        for child_id, code in children.get(waiting.pop(), ()):
            if child_id not in found:
                found[child_id] = code
                waiting.append(child_id)
    return found


def scope_of_unit(session: Session, unit_id: int) -> Scope:
    """The scope of the unit `unit_id`'s subtree (empty when the unit does not exist)."""
    units = subtree(session, unit_id)
    name = session.execute(sa.select(Unit.name).where(Unit.id == unit_id)).scalar() or ""
    return Scope(frozenset(units), frozenset(units.values()), unit_id, name)


def scope_of_user(session: Session, user: User) -> Scope:
    """What `user` may see of dossiers and their figures.

    An administrator or a superuser sees everything; so does a supervisor without a unit.
    A supervisor with a unit (and no wider role) sees that unit's subtree.
    """
    roles = user.roles
    if roles & {Role.ADMIN, Role.SUPERUSER} or user.scope_unit_id is None:
        return EVERYTHING
    return scope_of_unit(session, user.scope_unit_id)


def run_clause(scope: Scope) -> sa.ColumnElement[bool]:
    """The SQL condition "this step run is in `scope`" (true for everything)."""
    if scope.unit_ids is None:
        return sa.true()
    return DossierStepRun.unit_code.in_(sorted(scope.unit_codes))


def dossier_clause(scope: Scope) -> sa.ColumnElement[bool]:
    """The SQL condition "this dossier is in `scope`" (see the module's note)."""
    if scope.unit_ids is None:
        return sa.true()
    led = (
        sa.select(ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Procedure.lead_unit_id.in_(sorted(scope.unit_ids)))
    )
    # One IN over a UNION, not ``case_id IN (…) OR id IN (…)``: under an OR, PostgreSQL
    # cannot make an IN a semi-join, and once a busy unit's step runs outgrow work_mem it
    # stops hashing the subquery and rescans it for every dossier (minutes at 1,000,000
    # dossiers). A lone IN becomes a hash semi-join, which spills to disk if it must.
    other = aliased(Dossier)
    passed = sa.select(DossierStepRun.dossier_id).where(
        DossierStepRun.unit_code.in_(sorted(scope.unit_codes))
    )
    of_led = sa.select(other.id).where(other.case_id.in_(led))
    return Dossier.id.in_(sa.union(passed, of_led))
