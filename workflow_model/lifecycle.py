"""The life of a flow version: draft → submitted → approved (frozen) → superseded/retired.

Every UI and CLI path goes through these functions. Each checks the transition, the
roles and the four-eyes rule, journals the action and commits; a refusal changes
nothing and says why (`LifecycleRefused.code`, with `params` for the message).

Submission freezes the document: its canonical JSON and SHA-256 are kept on the version,
the review shows that document, and approval freezes exactly it, once the approver's
hash, the submitted one and the live document's agree (the lock covers the version's
rows, not the directory and catalogue rows its document reads).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import delivery
from .audit import content_editors, record_event
from .conversion import document_from_version, keyed_document, write_content
from .diff import DocumentChange, document_changes
from .document import DocumentError, FlowDocument, dump_document, load_document
from .models import (
    FROZEN_STATUSES,
    AuditEvent,
    FlowVersion,
    ProcedureCase,
    Role,
    User,
    VersionStatus,
    utcnow,
)
from .refusals import ChangeRefused, Refusal
from .starting_points import DraftStart, StartingPoint, starting_content
from .version_rules import refuse_open_version

log = logging.getLogger("sodo.integrity")

# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[VersionStatus, ...], VersionStatus]] = {
    "submit": ((VersionStatus.DRAFT,), VersionStatus.SUBMITTED),
    "approve": ((VersionStatus.SUBMITTED,), VersionStatus.APPROVED),
    "reject": ((VersionStatus.SUBMITTED,), VersionStatus.REJECTED),
    "retire": ((VersionStatus.APPROVED,), VersionStatus.RETIRED),
}


class LifecycleRefused(ChangeRefused):
    """A lifecycle action refused: an illegal transition, a missing role, four eyes."""


class CorruptSnapshot(LifecycleRefused):
    """A frozen snapshot that cannot be trusted: missing, changed, or not a flow document.

    `params` name the version (``version_id``, ``number``) and the ``problem``.
    """


class ValidationOutcome(Protocol):
    """What a validator returns: `ok`, and `findings` (dataclasses with code and severity)."""

    ok: bool
    findings: Any


Validate = Callable[[FlowDocument], ValidationOutcome]


def _refuse_transition(version: FlowVersion, action: str) -> None:
    allowed, target = TRANSITIONS[action]
    if version.status not in allowed:
        raise LifecycleRefused(
            Refusal.ILLEGAL_TRANSITION,
            f"cannot {action} version {version.number}: it is {version.status.value}, "
            f"and {action} leads from {'/'.join(s.value for s in allowed)} to {target.value}",
            current=version.status.value,
            requested=target.value,
        )


def require_role(user: User | None, role: Role) -> None:
    """Refuse an action to a user who does not hold `role` (checked here, not only in views).

    The approver's actions say ``not-approver``; every other role ``not-permitted``.
    """
    if user is None or role not in user.roles:
        code = Refusal.NOT_APPROVER if role is Role.APPROVER else Refusal.NOT_PERMITTED
        who = user.username if user is not None else "nobody"
        raise LifecycleRefused(code, f"{who} lacks the {role.value} role", role=role.value)


def _finding_data(finding: Any) -> dict[str, Any]:
    data = (
        asdict(finding)
        if is_dataclass(finding) and not isinstance(finding, type)
        else dict(finding)
    )
    data["severity"] = str(getattr(finding, "severity", data.get("severity", "")))
    data["steps"] = list(data.get("steps", ()))
    data["transitions"] = [list(pair) for pair in data.get("transitions", ())]
    return data


def _journal(
    session: Session,
    user: User | None,
    action: str,
    version: FlowVersion,
    before: str,
    **after: Any,
) -> None:
    # Who acted last, for the "changed by NAME at TIME" of a conflict.
    version.updated_at = utcnow()
    version.updated_by_id = user.id if user is not None else None
    record_event(
        session,
        user,
        action,
        "flow_version",
        version.id,
        before={"status": before},
        after={"status": version.status.value, **after},
    )


def _errors(report: ValidationOutcome) -> list[dict[str, Any]]:
    return [f for f in map(_finding_data, report.findings) if f["severity"] == "error"]


def submit(session: Session, version: FlowVersion, user: User, *, validate: Validate) -> None:
    """Submit a draft for review; refused, listing the errors, while it does not validate.

    Only an administrator may submit.

    The validation report is stored with the version, and so is the document as
    submitted (canonical JSON and SHA-256, `submitted_document`): what the approver
    reviews and what approval freezes. `validate` is `validators.validate` (passed in,
    since the domain does not depend on the validators).
    """
    _refuse_transition(version, "submit")
    require_role(user, Role.ADMIN)
    document = document_from_version(session, version)
    report = validate(document)
    findings = [_finding_data(f) for f in report.findings]
    if not report.ok:
        errors = _errors(report)
        raise LifecycleRefused(
            Refusal.HAS_ERRORS,
            f"{len(errors)} errors: " + "; ".join(f["code"] for f in errors),
            errors=errors,
        )
    frozen = dump_document(document)
    before = version.status.value
    version.status = VersionStatus.SUBMITTED
    version.submitted_by_id, version.submitted_at = user.id, utcnow()
    version.validation = {"ok": True, "findings": findings}
    version.submitted_snapshot = frozen.decode("utf-8")
    version.submitted_sha256 = hashlib.sha256(frozen).hexdigest()
    _journal(session, user, "submit", version, before, sha256=version.submitted_sha256)
    session.commit()


def submitted_document(version: FlowVersion) -> FlowDocument | None:
    """The document as it was submitted, while the version awaits a decision; else None."""
    if version.status is not VersionStatus.SUBMITTED or version.submitted_snapshot is None:
        return None
    return load_document(version.submitted_snapshot)


def submission_drift(session: Session, version: FlowVersion) -> tuple[DocumentChange, ...]:
    """What the live document says differently from the submitted one (empty if nothing).

    The version's rows are locked while it is submitted, so a change comes from the
    directory or the catalogue (an officer renamed, a case's legal time), and approval
    is refused until the version is submitted again.
    """
    submitted = submitted_document(version)
    if submitted is None:
        return ()
    live = document_from_version(session, version)
    if hashlib.sha256(dump_document(live)).hexdigest() == version.submitted_sha256:
        return ()
    return document_changes(submitted, live)


def four_eyes_refusal(session: Session, version: FlowVersion, user: User) -> Refusal | None:
    """Why four eyes keep `user` from approving `version`, or None when they do not.

    ``four-eyes`` for its author or submitter, ``four-eyes-editor`` for anyone the
    journal shows changing its content. `approve` enforces it; the pages ask it first,
    so the person concerned sees why before clicking.
    """
    if user.id in (version.created_by_id, version.submitted_by_id):
        return Refusal.FOUR_EYES
    if user.id in content_editors(session, version.id):
        return Refusal.FOUR_EYES_EDITOR
    return None


def approve(
    session: Session,
    version: FlowVersion,
    user: User,
    comment: str = "",
    effective_from: datetime | None = None,
    *,
    reviewed_sha256: str,
    validate: Validate,
) -> None:
    """Approve a submitted version: four eyes, then freeze the document as submitted.

    Refused for a user without the approver role, and for the user who created or
    submitted the version, or changed its content (any journaled edit of its steps,
    transitions or members), whatever other roles they hold.

    `reviewed_sha256` is the SHA-256 of the submitted document the approver reviewed
    (the review page posts it). Approval is refused, naming the fields, when it or the
    live document's hash differs from the submitted one (``changed-since-submission``),
    and when the submitted document no longer validates (``submission-has-errors``;
    `validate` is `validators.validate`, as for `submit`). What is frozen is the
    submitted document, byte for byte. One delivery per enabled delivery target is
    queued in the same transaction (`delivery.enqueue`).
    """
    _refuse_transition(version, "approve")
    require_role(user, Role.APPROVER)
    four_eyes = four_eyes_refusal(session, version, user)
    if four_eyes is Refusal.FOUR_EYES:
        raise LifecycleRefused(Refusal.FOUR_EYES, "the author or submitter cannot approve")
    if four_eyes is Refusal.FOUR_EYES_EDITOR:
        raise LifecycleRefused(
            Refusal.FOUR_EYES_EDITOR,
            f"{user.username} changed the content of version {version.number}",
        )
    submitted = submitted_document(version)
    if submitted is None or version.submitted_sha256 is None:
        raise LifecycleRefused(
            Refusal.SUBMISSION_NOT_FROZEN,
            f"version {version.number} was submitted without a frozen document; submit it again",
        )
    drift = submission_drift(session, version)
    if drift or reviewed_sha256 != version.submitted_sha256:
        raise LifecycleRefused(
            Refusal.CHANGED_SINCE_SUBMISSION,
            "changed since submission: "
            + (", ".join(map(str, drift)) if drift else "not the document reviewed"),
            changes=drift,
            reviewed=reviewed_sha256 == version.submitted_sha256,
        )
    errors = _errors(validate(submitted))
    if errors:
        raise LifecycleRefused(
            Refusal.SUBMISSION_HAS_ERRORS,
            f"{len(errors)} errors: " + "; ".join(f["code"] for f in errors),
            errors=errors,
        )
    now = utcnow()
    before = version.status.value
    version.status = VersionStatus.APPROVED
    version.snapshot = version.submitted_snapshot
    version.snapshot_sha256 = version.submitted_sha256
    version.submitted_snapshot = version.submitted_sha256 = None
    version.approved_by_id, version.approved_at = user.id, now
    version.approval_comment = comment.strip()
    version.effective_from = effective_from or now
    _journal(
        session,
        user,
        "approve",
        version,
        before,
        sha256=version.snapshot_sha256,
        comment=version.approval_comment,
        effective_from=version.effective_from.isoformat(),
    )
    session.flush()
    activate_due_versions(session, now, user)
    delivery.enqueue(session, version, user, now=now)
    session.commit()


def reject(session: Session, version: FlowVersion, user: User, reason: str) -> None:
    """Send a submitted version back to its author with a reason (required).

    The submitted document is dropped: what comes back for review is submitted anew.
    """
    _refuse_transition(version, "reject")
    require_role(user, Role.APPROVER)
    if not reason.strip():
        raise LifecycleRefused(Refusal.REASON_REQUIRED, "a rejection needs a reason")
    before = version.status.value
    version.status = VersionStatus.REJECTED
    version.rejection_reason = reason.strip()
    # Sent back to be edited: a new submission freezes the document again.
    version.submitted_snapshot = version.submitted_sha256 = None
    _journal(session, user, "reject", version, before, reason=version.rejection_reason)
    session.commit()


def retire(session: Session, version: FlowVersion, user: User) -> None:
    """Retire an approved version, when its procedure is abolished.

    The versions whose successor's effective date has come are superseded first, as
    `activate_due_versions` would have done by now: retiring the version in force never
    brings back the one it replaced, and a version already replaced is refused as
    superseded (the caller rolls back, as after any refusal).
    """
    _refuse_transition(version, "retire")
    require_role(user, Role.APPROVER)
    activate_due_versions(session, utcnow(), user)
    _refuse_transition(version, "retire")
    before = version.status.value
    version.status = VersionStatus.RETIRED
    _journal(session, user, "retire", version, before)
    session.commit()


def version_in_force(
    session: Session, case_id: int, now: datetime | None = None
) -> FlowVersion | None:
    """The approved version of a case whose effective date is the latest one reached."""
    moment = now or utcnow()
    return session.execute(
        sa.select(FlowVersion)
        .where(
            FlowVersion.case_id == case_id,
            FlowVersion.status == VersionStatus.APPROVED,
            FlowVersion.effective_from <= moment,
        )
        .order_by(FlowVersion.effective_from.desc(), FlowVersion.number.desc())
        .limit(1)
    ).scalar()


def activate_due_versions(
    session: Session, now: datetime | None = None, user: User | None = None
) -> list[FlowVersion]:
    """Supersede every approved version whose successor's effective date has arrived."""
    moment = now or utcnow()
    superseded: list[FlowVersion] = []
    cases = session.execute(
        sa.select(FlowVersion.case_id)
        .where(FlowVersion.status == VersionStatus.APPROVED)
        .group_by(FlowVersion.case_id)
        .having(sa.func.count() > 1)
    ).scalars()
    for case_id in list(cases):
        current = version_in_force(session, case_id, moment)
        if current is None:
            continue
        older = session.execute(
            sa.select(FlowVersion).where(
                FlowVersion.case_id == case_id,
                FlowVersion.status == VersionStatus.APPROVED,
                FlowVersion.id != current.id,
                FlowVersion.effective_from <= current.effective_from,
            )
        ).scalars()
        for version in older:
            version.status = VersionStatus.SUPERSEDED
            _journal(session, user, "supersede", version, "approved", by_version=current.id)
            superseded.append(version)
    return superseded


def new_draft(
    session: Session,
    case: ProcedureCase,
    user: User,
    from_version: FlowVersion | None = None,
    *,
    start: DraftStart | None = None,
) -> FlowVersion:
    """Open a draft of `case` and commit: a copy of the version in force, or of `from_version`.

    With `start`, the draft starts from that point instead (`starting_points`): empty,
    the one-stop skeleton, or a copy of `start.source`, which must be in force
    (``not-in-force``) and may belong to another procedure; the skeleton's unit must be
    an active one-stop unit (``not-one-stop``). A case has one open version
    (draft, submitted or rejected) at a time: while it has one, a new draft is refused
    (``open-version``), as an import is. Restoring from a retired version is refused
    (``retired-source``). Only an administrator may open a draft.
    """
    require_role(user, Role.ADMIN)
    refuse_open_version(session, case)
    if start is None:
        source = from_version or version_in_force(session, case.id)
        if source is not None and source.status is VersionStatus.RETIRED:
            raise LifecycleRefused(Refusal.RETIRED_SOURCE, f"version {source.number} is retired")
        content = keyed_document(session, source) if source is not None else None
    else:
        source = start.source
        if start.point is StartingPoint.COPY and (
            source is None or version_in_force(session, source.case_id) is not source
        ):
            raise LifecycleRefused(Refusal.NOT_IN_FORCE, "only a version in force can be copied")
        if start.one_stop is not None and not (start.one_stop.one_stop and start.one_stop.active):
            raise LifecycleRefused(Refusal.NOT_ONE_STOP, "the skeleton needs a one-stop unit")
        content = starting_content(session, case, start)
    highest = session.execute(
        sa.select(sa.func.max(FlowVersion.number)).where(FlowVersion.case_id == case.id)
    ).scalar()
    draft = FlowVersion(
        case=case,
        number=(highest or 0) + 1,
        status=VersionStatus.DRAFT,
        created_by=user,
        source=source.source if source is not None and start is None else None,
    )
    session.add(draft)
    session.flush()
    if content is not None:
        write_content(session, draft, content.document, content.unit_ids, content.officer_ids)
    after: dict[str, Any] = {
        "status": "draft",
        "number": draft.number,
        "from_version": source.id if source is not None else None,
    }
    if start is not None:
        after["start"] = start.point.value
    record_event(session, user, "new-draft", "flow_version", draft.id, after=after)
    session.commit()
    return draft


def check_lock(session: Session, version: FlowVersion, expected: int) -> None:
    """Refuse a change based on a stale copy: "changed by NAME at TIME; reload"."""
    session.refresh(version)
    if version.lock_counter != expected:
        who = version.updated_by.username if version.updated_by else ""
        when = version.updated_at.isoformat() if version.updated_at else ""
        raise LifecycleRefused(
            Refusal.CONFLICT,
            f"version changed by {who} at {when}; reload",
            by=who,
            at=version.updated_at,
        )


def snapshot_problem(version: FlowVersion) -> str | None:
    """What is wrong with the stored snapshot of `version`, or None when it may be served.

    A frozen version (approved, superseded, retired) must carry one; any stored snapshot
    must hash to its stored SHA-256 and be JSON. Reading it as a flow document is left
    to `version_document`.
    """
    if version.snapshot is None or version.snapshot_sha256 is None:
        return "no snapshot" if version.status.frozen or version.snapshot is not None else None
    digest = hashlib.sha256(version.snapshot.encode("utf-8")).hexdigest()
    if digest != version.snapshot_sha256:
        return f"SHA-256 {digest} differs from the stored one"
    try:
        json.loads(version.snapshot)
    except ValueError:
        return "not valid JSON"
    return None


def check_snapshot(version: FlowVersion) -> None:
    """Refuse a version whose stored snapshot is missing, changed or not JSON (and log it).

    Raises `CorruptSnapshot` naming the problem; a draft without a snapshot passes.
    """
    problem = snapshot_problem(version)
    if problem is not None:
        raise _corrupt(version, problem)


def _corrupt(version: FlowVersion, problem: str) -> CorruptSnapshot:
    # Logged where it is found, so a refused export or delivery leaves a trace.
    log.error("version %s (number %s): snapshot refused: %s", version.id, version.number, problem)
    return CorruptSnapshot(
        Refusal.CORRUPT_SNAPSHOT,
        f"the snapshot of version {version.number} is corrupt: {problem}",
        version_id=version.id,
        number=version.number,
        problem=problem,
    )


def _approval_hashes(session: Session) -> dict[str, str | None]:
    """The SHA-256 each approval journaled, by version id (as the journal stores it)."""
    rows = session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.after)
        .where(AuditEvent.entity_type == "flow_version", AuditEvent.action == "approve")
        .order_by(AuditEvent.id)
    )
    return {entity_id: (after or {}).get("sha256") for entity_id, after in rows}


def verify_snapshots(session: Session) -> list[tuple[FlowVersion, str]]:
    """Check every frozen snapshot; return the versions that fail, with what is wrong.

    Each snapshot must hash to its stored SHA-256, be a flow document, and its SHA-256
    must be the one the approval journaled, so a snapshot rewritten with a matching hash
    is found too.
    """
    problems: list[tuple[FlowVersion, str]] = []
    journaled = _approval_hashes(session)
    frozen = session.execute(
        sa.select(FlowVersion)
        .where(FlowVersion.status.in_(FROZEN_STATUSES))
        .order_by(FlowVersion.id)
    ).scalars()
    for version in frozen:
        problem = snapshot_problem(version)
        if problem is None:
            recorded = journaled.get(str(version.id))
            if recorded is None:
                problem = "the journal has no approval with a SHA-256"
            elif recorded != version.snapshot_sha256:
                problem = f"SHA-256 differs from the one journaled at approval ({recorded})"
        if problem is None:
            try:
                load_document(version.snapshot or "")
            except DocumentError as error:
                problem = f"not a flow document: {str(error).splitlines()[0]}"
        if problem is not None:
            problems.append((version, problem))
    return problems


def version_document(session: Session, version: FlowVersion) -> FlowDocument:
    """The document of a version: its frozen snapshot once approved, else the live rows.

    An approved version reads the same for display, export and diff whatever happened
    to the directory since (an officer's new phone is drift, not a change of it). Its
    snapshot is checked first: one that is missing, does not match its SHA-256 or is
    not a flow document is logged and refused with `CorruptSnapshot`, for this version
    alone.
    """
    if version.snapshot is None and not version.status.frozen:
        return document_from_version(session, version)
    check_snapshot(version)
    try:
        return load_document(version.snapshot or "")
    except DocumentError as error:
        raise _corrupt(version, f"not a flow document: {str(error).splitlines()[0]}") from None
