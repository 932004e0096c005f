"""The demo catalogue: real processes transcribed from provincial decisions, and demo users."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from validators import Severity, validate
from workflow_model.accounts import create_user, set_password
from workflow_model.conversion import create_draft_from_document
from workflow_model.document import FlowDocument, StepEntry, load_document
from workflow_model.document.durations import format_duration
from workflow_model.lifecycle import LifecycleRefused, approve, submit
from workflow_model.models import (
    DEFAULT_CASE_KEY,
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Role,
    StepKind,
    TimeUnit,
    User,
    utcnow,
)
from workflow_model.tracking import CheckKeys
from workflow_model.tracking.demo_dossiers import DEMO_DAYS, load_demo_dossiers

DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "Quản trị viên (demo)", Role.ADMIN),
    ("approver", "Lãnh đạo phê duyệt (demo)", Role.APPROVER),
    ("exporter", "Cán bộ CNTT (demo)", Role.EXPORTER),
    ("supervisor", "Lãnh đạo giám sát (demo)", Role.SUPERVISOR),
)
"""Username, full name and role of each demo user."""

DRAFT_EVERY = 4
"""Every fourth demo flow also gets a second, draft version with a small change."""

IN_FORCE_DAYS = DEMO_DAYS + 30
"""The demo's approved versions take effect this many days before the load, so that the
demo dossiers of the last `DEMO_DAYS` days were received under them."""


class DemoRefused(RuntimeError):
    """The database holds data that is not the demo's; loading needs `force`."""


@dataclass
class DemoResult:
    """What `load_demo` did: flows loaded and skipped, drafts made, passwords created."""

    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    """Why each flow of `invalid` stays a draft, in English, by label."""
    passwords: dict[str, str] = field(default_factory=dict)
    usernames: list[str] = field(default_factory=list)
    dossiers: int = 0
    """Demo dossiers loaded now (through the ingest service)."""
    dossiers_present: int = 0
    """Demo dossiers found already there, in which case none was loaded."""
    dossiers_rejected: list[str] = field(default_factory=list)
    sample_dossier: tuple[str, str] | None = None
    """One loaded dossier's code and check value, to try the lookup page with."""


def demo_documents() -> list[tuple[str, FlowDocument]]:
    """Return the demo flows shipped with the package, as (file name, document), by name."""
    folder = resources.files("workflow_model.demo_data").joinpath("flows")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [(f.name, load_document(f.read_bytes())) for f in files]


def _flow_label(doc: FlowDocument) -> str:
    case = doc.procedure.case
    return doc.procedure.code + (f" ({case.key})" if case is not None else "")


def non_demo_data(session: Session, documents: list[tuple[str, FlowDocument]]) -> list[str]:
    """Describe what the database holds beyond the demo: procedures, officers, users."""
    codes = {doc.procedure.code for _, doc in documents}
    emails = {o.email for _, doc in documents for o in doc.officers}
    usernames = {username for username, _, _ in DEMO_USERS}
    found = []
    procedures = session.execute(sa.select(Procedure.code).where(Procedure.code.not_in(codes)))
    found += [f"procedure {code}" for code in procedures.scalars()]
    officers = session.execute(
        sa.select(Officer.full_name).where(
            sa.or_(Officer.email.is_(None), Officer.email.not_in(emails))
        )
    )
    found += [f"officer {name}" for name in officers.scalars()]
    users = session.execute(sa.select(User.username).where(User.username.not_in(usernames)))
    found += [f"user {name}" for name in users.scalars()]
    return found


def why_invalid(doc: FlowDocument) -> str:
    """Say in a few English words why `doc` does not validate, for the demo's output.

    >>> from workflow_model.demo_data import demo_flow
    >>> why_invalid(demo_flow("sonla-2_002760-1.json"))
    'its longest path takes 40 working days, against a legal time of 30 working days'
    """
    report = validate(doc)
    path = report.critical_path
    if path is not None and path.exceeds_budget:
        days = (path.hours / 8, TimeUnit.WORKING_DAY)
        return (
            f"its longest path takes {format_duration(days, 'en')}, "
            f"against a legal time of {format_duration(doc.procedure.legal_time, 'en')}"
        )
    codes = sorted({f.code for f in report.by_severity(Severity.ERROR)})
    return "its findings: " + ", ".join(codes) if codes else "it did not pass submission"


def _existing_version(session: Session, doc: FlowDocument) -> FlowVersion | None:
    case_key = doc.procedure.case.key if doc.procedure.case else DEFAULT_CASE_KEY
    return session.execute(
        sa.select(FlowVersion)
        .join(ProcedureCase)
        .join(Procedure)
        .where(Procedure.code == doc.procedure.code, ProcedureCase.key == case_key)
        .limit(1)
    ).scalar()


def _ensure_users(session: Session, reset_passwords: bool, result: DemoResult) -> dict[str, User]:
    users = {}
    for username, full_name, role in DEMO_USERS:
        user = session.execute(sa.select(User).where(User.username == username)).scalar()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = create_user(session, username, password, [role], full_name=full_name)
            result.passwords[username] = password
        elif reset_passwords:
            password = secrets.token_urlsafe(12)
            set_password(session, user, password)
            result.passwords[username] = password
        users[username] = user
        result.usernames.append(username)
    session.commit()
    return users


def amended(doc: FlowDocument) -> FlowDocument:
    """Return `doc` with a small change, as a second draft: its longest task half a day shorter.

    >>> from workflow_model.demo_data import demo_flow
    >>> doc = demo_flow("caobang-1_004944-1.json")
    >>> changed = [(a.key, a.duration.value, b.duration.value)
    ...            for a, b in zip(doc.steps, amended(doc).steps) if a != b]
    >>> changed
    [('s3', 2, 1.5)]
    """
    tasks = [s for s in doc.steps if s.kind is StepKind.TASK and s.duration.hours > 4]
    if not tasks:
        return doc
    longest = max(tasks, key=lambda s: s.duration.hours)
    hours = longest.duration.hours - 4
    value = hours / 8 if longest.duration.unit is TimeUnit.WORKING_DAY else hours
    changed: StepEntry = dataclasses.replace(
        longest,
        duration=dataclasses.replace(longest.duration, value=value),
        description="Dự thảo: rút ngắn 0,5 ngày làm việc so với quy trình đang áp dụng.",
    )
    steps = tuple(changed if s.key == longest.key else s for s in doc.steps)
    return dataclasses.replace(doc, steps=steps)


def load_demo(
    session: Session,
    *,
    force: bool = False,
    reset_passwords: bool = False,
    dossiers: int = 0,
    check_keys: CheckKeys | None = None,
    now: datetime | None = None,
) -> DemoResult:
    """Load the demo catalogue and users; running it again changes nothing.

    Each demo flow is imported as a draft by the demo administrator, submitted, and
    approved by the demo approver: the versions in force have their frozen snapshot and
    SHA-256. A flow that does not validate (Sơn La's, whose steps take 40 of its 30
    legal days) stays a draft showing its finding. Every `DRAFT_EVERY`-th flow also gets
    a draft version 2 with a small change, and the first of those waits for review.
    Demo users get random passwords, returned once in `DemoResult.passwords` and stored
    only as hashes. Raises `DemoRefused` when the database holds other data, unless
    `force` is true.

    The versions approved here take effect `IN_FORCE_DAYS` before `now` (by default the
    current time): the demo presents processes already in use. With `dossiers` > 0 it
    then loads that many demo dossiers of the last `DEMO_DAYS` days through the ingest
    service (`load_demo_dossiers`, which needs the `check_keys` of the app's
    `SECRET_KEY`), unless demo dossiers are there already.
    """
    if dossiers > 0 and check_keys is None:
        raise ValueError("loading demo dossiers needs the check keys of the app's SECRET_KEY")
    moment = now or utcnow()
    documents = demo_documents()
    others = non_demo_data(session, documents)
    if others and not force:
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        raise DemoRefused(f"the database already holds data that is not the demo's: {shown}")
    result = DemoResult()
    users = _ensure_users(session, reset_passwords, result)
    author, approver = users["admin"], users["approver"]
    for index, (_name, doc) in enumerate(documents):
        label = _flow_label(doc)
        if _existing_version(session, doc) is not None:
            result.skipped.append(label)
            continue
        version = create_draft_from_document(session, doc, author)
        try:
            submit(session, version, author, validate=validate)
        except LifecycleRefused:
            result.invalid.append(label)
            result.reasons[label] = why_invalid(doc)
            continue
        approve(
            session,
            version,
            approver,
            comment="Dữ liệu mẫu: quy trình đang áp dụng.",
            effective_from=moment - timedelta(days=IN_FORCE_DAYS),
            reviewed_sha256=version.submitted_sha256,
            validate=validate,
        )
        result.loaded.append(label)
        if index % DRAFT_EVERY == 0:
            draft = create_draft_from_document(session, amended(doc), author)
            if not result.drafts:
                submit(session, draft, author, validate=validate)
                result.submitted.append(label)
            result.drafts.append(label)
    if dossiers > 0 and check_keys is not None:
        loaded = load_demo_dossiers(session, check_keys=check_keys, count=dossiers, now=moment)
        result.dossiers, result.dossiers_present = loaded.loaded, loaded.already
        result.dossiers_rejected, result.sample_dossier = loaded.rejected, loaded.sample
    return result
