"""The one path for directory and catalogue changes: check, journal, commit.

Forms call `save` and `delete`; nothing else writes these rows. Each change writes an
`AuditEvent` with the state before and after. A version's steps and transitions are not
rows of this kind: they change only through `flow_editing`, which checks the links, the
role and the lock, so `save` and `delete` refuse them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .accounts import end_sessions
from .audit import record_event
from .contacts import email_problem, is_valid_phone
from .document.limits import KEY_RE, MAX_KEY_LENGTH, MAX_LEVEL_KEY_LENGTH
from .models import (
    DossierComponent,
    Field,
    FlowVersion,
    Level,
    Officer,
    Procedure,
    ProcedureCase,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    Unit,
    User,
    VersionStatus,
    VersionUnit,
    utcnow,
)
from .refusals import ChangeRefused, Refusal

# Never journaled: secrets (a delivery target's too), and columns derived from others.
HIDDEN_COLUMNS = frozenset(
    {"password_hash", "secret", "search_text", "lock_counter", "session_epoch"}
)


@dataclass(frozen=True)
class Usage:
    """Somewhere a row is used: what (``step``, ``officer``, ``unit``, ``procedure``, …)."""

    kind: str
    name: str
    procedure: str = ""
    version: int | None = None


class InUse(ChangeRefused):
    """A delete refused because other rows still use the row; deactivate it instead."""

    def __init__(self, found: list[Usage]) -> None:
        super().__init__(Refusal.IN_USE, f"still used in {len(found)} places", count=len(found))
        self.usages = found


def entity_state(obj: object) -> dict[str, Any]:
    """The columns of a row as JSON-ready data, for the journal (no secrets)."""
    mapper = sa.inspect(type(obj))
    state: dict[str, Any] = {}
    for column in mapper.columns:
        if column.key in HIDDEN_COLUMNS:
            continue
        value = getattr(obj, column.key)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        state[column.key] = value
    # What a form changes beside the row's own columns: a user's roles, and a
    # procedure's dossier components (edited inline), so the journal shows them too.
    if isinstance(obj, User):
        state["roles"] = sorted(role.value for role in obj.roles)
    if isinstance(obj, Procedure):
        state["dossier_components"] = [
            {
                "key": c.key,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "form_name": c.form_name,
                "position": c.position,
            }
            for c in obj.dossier_components
        ]
    return state


def entity_name(obj: object) -> str:
    """The journal's name of a row's type, e.g. ``unit``, ``officer``, ``day_override``."""
    name = type(obj).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# The columns a flow document names as keys (its procedure code, case and component
# keys, unit keys, level keys): the loader's key rule holds for them, so whatever the
# forms store exports to a document that loads again.
KEY_COLUMNS: dict[type, tuple[str, int]] = {
    Procedure: ("code", MAX_KEY_LENGTH),
    ProcedureCase: ("key", MAX_KEY_LENGTH),
    DossierComponent: ("key", MAX_KEY_LENGTH),
    Unit: ("code", MAX_KEY_LENGTH),
    Level: ("key", MAX_LEVEL_KEY_LENGTH),
}


def _check_key(obj: object, before: dict[str, Any] | None) -> None:
    """Refuse a new or changed code or key outside `limits.KEY_PATTERN` (``invalid-key``).

    A value already stored is left alone, so an older row stays editable.
    """
    column = KEY_COLUMNS.get(type(obj))
    if column is None or (isinstance(obj, ProcedureCase) and obj.is_default):
        return
    attribute, longest = column
    value = getattr(obj, attribute)
    if before is not None and before.get(attribute) == value:
        return
    if not isinstance(value, str) or len(value) > longest or not KEY_RE.fullmatch(value):
        raise ChangeRefused(
            Refusal.INVALID_KEY, f"{attribute} {value!r} is not a valid key", value=value
        )


def _check(session: Session, obj: object, before: dict[str, Any] | None) -> None:
    _check_key(obj, before)
    if isinstance(obj, Officer):
        if not is_valid_phone(obj.phone or ""):
            raise ChangeRefused(
                Refusal.INVALID_PHONE, f"invalid phone {obj.phone!r}", value=obj.phone
            )
        problem = email_problem(obj.email or "")
        if problem is not None:
            raise ChangeRefused(Refusal.INVALID_EMAIL, problem, value=obj.email)
    if isinstance(obj, Unit):
        # A unit's contacts are optional, but what is given must be reachable.
        if obj.phone and not is_valid_phone(obj.phone):
            raise ChangeRefused(
                Refusal.INVALID_PHONE, f"invalid phone {obj.phone!r}", value=obj.phone
            )
        problem = email_problem(obj.email) if obj.email else None
        if problem is not None:
            raise ChangeRefused(Refusal.INVALID_EMAIL, problem, value=obj.email)
        _check_unit_tree(obj)
        _check_parent_level(session, obj)


def parent_outranked(level: Level | None, parent_level: Level | None) -> bool:
    """True when a parent of `parent_level` would sit below a unit of `level`.

    Levels are ordered by `position` (ministry 0, province 1, district 2, commune 3): a
    unit's parent is at its level or above, never a commune unit over a province one.

    >>> parent_outranked(Level(position=1), Level(position=3))
    True
    >>> parent_outranked(Level(position=3), Level(position=1))
    False
    """
    if level is None or parent_level is None:
        return False
    return parent_level.position > level.position


def _level_of(session: Session, unit: Unit) -> Level | None:
    # A unit built from ids only (an import) has no relationship loaded before a flush.
    loaded: Level | None = getattr(unit, "level", None)
    if loaded is not None or unit.level_id is None:
        return loaded
    return session.get(Level, unit.level_id)


def _check_parent_level(session: Session, unit: Unit) -> None:
    parent = unit.parent or (
        session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    )
    if parent is None:
        return
    level, parent_level = _level_of(session, unit), _level_of(session, parent)
    if parent_outranked(level, parent_level):
        raise ChangeRefused(
            Refusal.PARENT_LEVEL,
            f"unit {unit.code!r} cannot be under {parent.code!r}, of a lower level",
        )


def _check_unit_tree(unit: Unit) -> None:
    """Refuse a parent that is the unit itself or lies below it: the tree would loop."""
    seen: set[int] = set()
    parent = unit.parent
    while parent is not None and id(parent) not in seen:
        if parent is unit:
            raise ChangeRefused(
                Refusal.PARENT_CYCLE, f"unit {unit.code!r} would be its own ancestor"
            )
        seen.add(id(parent))
        parent = parent.parent


def mark_changed(session: Session, user: User | None, version: FlowVersion) -> None:
    """Record that `user` changed the content of draft `version` now.

    This bumps its lock counter, and the first edit of a rejected version makes it a
    draft again (journaled as ``reopen``).
    """
    version.updated_at = utcnow()
    version.updated_by_id = user.id if user is not None else None
    if version.status is VersionStatus.REJECTED:
        version.status = VersionStatus.DRAFT
        record_event(
            session,
            user,
            "reopen",
            "flow_version",
            version.id,
            before={"status": "rejected"},
            after={"status": "draft"},
        )


def integrity_code(error: IntegrityError) -> Refusal:
    """Name the kind of constraint the database refused: duplicate, in-use or invalid-value.

    Both backends are covered: PostgreSQL's SQLSTATE and SQLite's message.
    """
    state = getattr(error.orig, "sqlstate", None)
    text = str(error.orig).lower()
    if state == "23505" or "unique" in text:
        return Refusal.DUPLICATE
    if state == "23503" or "foreign key" in text:
        return Refusal.IN_USE
    return Refusal.INVALID_VALUE


def ensure_draft(version: FlowVersion | None) -> None:
    """Refuse a change to the content of a version that is not a draft (or rejected)."""
    if version is not None and not version.status.editable:
        raise ChangeRefused(
            Refusal.NOT_DRAFT,
            f"version {version.number} is {version.status.value}",
            status=version.status,
        )


def _refuse_flow_content(obj: object) -> None:
    if isinstance(obj, Step | Transition):
        # A programming error, not a user's: flow content has its own checked path.
        raise TypeError(f"{type(obj).__name__} rows change through workflow_model.flow_editing")


def _access_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(key) != after.get(key) for key in ("roles", "active"))


def stage(session: Session, user: User | None, obj: object, before: dict[str, Any] | None) -> bool:
    """Check a new (`before` None) or changed row, flush it and journal it, without committing.

    The part of `save` that a larger change shares (an import stores the procedure and
    its case this way, then its version, in one transaction). Returns whether the row
    changed. Raises `ChangeRefused` when the domain refuses the change, including a
    duplicate code, email or key; the caller rolls back.
    """
    _refuse_flow_content(obj)
    # Checked before anything is flushed, so a refusal is reported as such.
    with session.no_autoflush:
        _check(session, obj, before)
        # Rows the change removes (a procedure's dossier component dropped from its
        # form) must be unused, like a row deleted on its own.
        for removed in list(session.deleted):
            found = usages(session, removed)
            if found:
                raise InUse(found)
    session.add(obj)
    try:
        session.flush()
    except IntegrityError as error:
        raise ChangeRefused(integrity_code(error), str(error.orig).splitlines()[0]) from error
    after = entity_state(obj)
    if isinstance(obj, User) and before is not None and _access_changed(before, after):
        # Sessions opened under the old roles (or before a deactivation) end.
        end_sessions(session, obj)
    if before == after:
        return False
    action = "create" if before is None else "update"
    record_event(session, user, action, entity_name(obj), _id(obj), before=before, after=after)
    return True


def save(session: Session, user: User | None, obj: object, before: dict[str, Any] | None) -> None:
    """Check and store a new (`before` None) or changed row, journal it, and commit.

    Raises `ChangeRefused` (and rolls back) when the domain refuses the change, including
    a duplicate code, email or key.
    """
    try:
        stage(session, user, obj, before)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ChangeRefused(integrity_code(error), str(error.orig).splitlines()[0]) from error
    except ChangeRefused:
        session.rollback()
        raise


def delete(session: Session, user: User | None, obj: object) -> None:
    """Delete a row that nothing uses, journal it, and commit; else raise `InUse`."""
    _refuse_flow_content(obj)
    found = usages(session, obj)
    if found:
        session.rollback()
        raise InUse(found)
    before = entity_state(obj)
    record_event(session, user, "delete", entity_name(obj), _id(obj), before=before)
    session.delete(obj)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise InUse([Usage("row", str(error.orig).splitlines()[0])]) from error


def _id(obj: object) -> str:
    identity = sa.inspect(obj).identity
    return ",".join(str(part) for part in identity) if identity else ""


def _step_usages(session: Session, condition: sa.ColumnElement[bool], *joins: Any) -> list[Usage]:
    statement = (
        sa.select(Step.key, Step.name, Procedure.code, FlowVersion.number)
        .join(FlowVersion, Step.version_id == FlowVersion.id)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
    )
    for join in joins:
        statement = statement.join(*join)
    rows = session.execute(statement.where(condition).order_by(Procedure.code, Step.position))
    return [Usage("step", f"{name} ({key})", code, number) for key, name, code, number in rows]


def usages(session: Session, obj: object) -> list[Usage]:
    """Where `obj` is still used, in words the UI can show; empty when it may be deleted."""
    if isinstance(obj, Unit):
        found = _step_usages(session, Step.unit_id == obj.id)
        found += [
            Usage("officer", name)
            for name in session.execute(
                sa.select(Officer.full_name).where(Officer.unit_id == obj.id)
            ).scalars()
        ]
        found += [
            Usage("unit", name)
            for name in session.execute(
                sa.select(Unit.name).where(Unit.parent_id == obj.id)
            ).scalars()
        ]
        found += [
            Usage("procedure", code)
            for code in session.execute(
                sa.select(Procedure.code).where(Procedure.lead_unit_id == obj.id)
            ).scalars()
        ]
        in_versions = session.execute(
            sa.select(sa.func.count()).select_from(VersionUnit).where(VersionUnit.unit_id == obj.id)
        ).scalar_one()
        if in_versions and not found:
            found.append(Usage("version", str(in_versions)))
        return found
    if isinstance(obj, Officer):
        return _step_usages(
            session, StepOfficer.officer_id == obj.id, (StepOfficer, StepOfficer.step_id == Step.id)
        )
    if isinstance(obj, DossierComponent):
        return _step_usages(
            session,
            StepDocument.component_id == obj.id,
            (StepDocument, StepDocument.step_id == Step.id),
        )
    if isinstance(obj, Level):
        units = session.execute(sa.select(Unit.name).where(Unit.level_id == obj.id).limit(20))
        procedures = session.execute(
            sa.select(Procedure.code).where(Procedure.level_id == obj.id).limit(20)
        )
        return [Usage("unit", n) for n in units.scalars()] + [
            Usage("procedure", c) for c in procedures.scalars()
        ]
    if isinstance(obj, Procedure):
        # Its cases' versions would go with it (ON DELETE CASCADE), approved ones too.
        versions = session.execute(
            sa.select(sa.func.count())
            .select_from(FlowVersion)
            .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
            .where(ProcedureCase.procedure_id == obj.id)
        ).scalar_one()
        return [Usage("version", str(versions))] if versions else []
    if isinstance(obj, Field):
        procedures = session.execute(
            sa.select(Procedure.code).where(Procedure.field_id == obj.id).limit(20)
        )
        return [Usage("procedure", code) for code in procedures.scalars()]
    return []
