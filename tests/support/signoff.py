"""Versions taken through the lifecycle for tests: an author, an approver, approved flows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from validators import validate
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document
from workflow_model.document import FlowDocument, load_document
from workflow_model.lifecycle import approve, submit
from workflow_model.models import FlowVersion, Role, User

PASSWORDS = {"tac.gia": "mật khẩu dài 1", "phe.duyet": "mật khẩu dài 2"}
"""The passwords of the author (admin) and the approver that `author_and_approver` makes."""


def author_and_approver(session: Session) -> tuple[User, User]:
    """Two people, so four eyes hold: ``tac.gia`` (admin) and ``phe.duyet`` (approver)."""
    author = create_user(session, "tac.gia", PASSWORDS["tac.gia"], [Role.ADMIN])
    approver = create_user(session, "phe.duyet", PASSWORDS["phe.duyet"], [Role.APPROVER])
    session.commit()
    return author, approver


def submit_and_approve(
    session: Session, version: FlowVersion, author: User, approver: User
) -> FlowVersion:
    """Submit `version` as `author`, then approve what was submitted as `approver`."""
    submit(session, version, author, validate=validate)
    approve(
        session,
        version,
        approver,
        "Đồng ý.",
        reviewed_sha256=version.submitted_sha256 or "",
        validate=validate,
    )
    return version


def approved_flow(
    session: Session, flow: Path | FlowDocument, author: User, approver: User
) -> FlowVersion:
    """A flow file (or document) imported as a draft by `author`, submitted and approved."""
    doc = load_document(flow.read_bytes()) if isinstance(flow, Path) else flow
    version = create_draft_from_document(session, doc, author)
    return submit_and_approve(session, version, author, approver)


def people(session: Session) -> dict[str, User]:
    """An author (admin), an approver, and ``both`` who holds the two roles."""
    users = {
        "author": create_user(session, "tac.gia", PASSWORDS["tac.gia"], [Role.ADMIN]),
        "approver": create_user(session, "phe.duyet", PASSWORDS["phe.duyet"], [Role.APPROVER]),
        "both": create_user(session, "ca.hai", "mật khẩu dài 3", [Role.ADMIN, Role.APPROVER]),
    }
    session.commit()
    return users


def draft_of(session: Session, path: Path, user: User) -> FlowVersion:
    """The flow file at `path` imported as a new draft by `user`."""
    return create_draft_from_document(session, load_document(path.read_bytes()), user)
