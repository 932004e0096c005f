"""API tokens: issued once, kept as a hash, scoped, revocable, journaled without secrets.

The service on SQLite and PostgreSQL, and `sodo tokens` on a real database file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from support.cli import sodo_in_folder as run

from workflow_model.accounts import create_user
from workflow_model.api_tokens import (
    authenticate,
    create_token,
    has_scopes,
    list_tokens,
    revoke_token,
)
from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import ApiToken, AuditEvent, Role, utcnow
from workflow_model.refusals import ChangeRefused
from workflow_model.target_secrets import SecretBox

BOX = SecretBox.from_keys("a test key that seals signing secrets")


def journal_text(session: Session) -> str:
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "api_token"))
    return json.dumps([[e.action, e.before, e.after] for e in events], ensure_ascii=False)


def test_a_token_is_shown_once_and_kept_as_its_hash(session: Session) -> None:
    issued = create_token(session, "igate", ["events:write"], by=None)
    session.commit()
    assert issued.token.startswith("sodo_") and len(issued.token) > 40
    stored = session.scalar(sa.select(ApiToken))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token.startswith(stored.prefix) and len(stored.prefix) < 16
    dumped = json.dumps(
        [list(r) for r in session.execute(sa.select(ApiToken.__table__)).all()], default=str
    )
    assert issued.token not in dumped
    assert issued.token not in journal_text(session)
    assert authenticate(session, issued.token) == stored
    assert has_scopes(stored, ["events:write"]) and not has_scopes(stored, ["dossiers:read"])


@pytest.mark.parametrize(
    "token", ["", "sodo_", "sodo_wrong", "Bearer x", "x" * 5000, "sodo_" + "a" * 43]
)
def test_a_wrong_token_opens_nothing(session: Session, token: str) -> None:
    create_token(session, "igate", ["events:write"], by=None)
    session.commit()
    assert authenticate(session, token) is None


def test_a_revoked_token_stops_at_once_and_revoking_twice_changes_nothing(
    session: Session,
) -> None:
    issued = create_token(session, "igate", ["events:write", "dossiers:read"], by=None)
    session.commit()
    revoke_token(session, issued.row.id, by=None)
    session.commit()
    assert authenticate(session, issued.token) is None
    when = issued.row.revoked_at
    revoke_token(session, issued.row.id, by=None)
    session.commit()
    assert issued.row.revoked_at == when
    actions = session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")
    ).all()
    assert actions == ["create", "revoke"]


def test_a_signed_token_keeps_its_secret_sealed(session: Session) -> None:
    issued = create_token(session, "igate", ["events:write"], by=None, box=BOX)
    session.commit()
    assert issued.signing_secret
    sealed = issued.row.signing_secret
    assert sealed is not None and issued.signing_secret not in sealed
    assert BOX.open(sealed) == issued.signing_secret
    assert issued.signing_secret not in journal_text(session)
    assert '"signed": true' in journal_text(session)


@pytest.mark.parametrize(
    ("source", "scopes", "field"),
    [
        ("", ["events:write"], "source"),
        ("igate tỉnh", ["events:write"], "source"),
        ("x" * 65, ["events:write"], "source"),
        ("igate", [], "scopes"),
        ("igate", ["events:write", "admin:all"], "scopes"),
    ],
)
def test_bad_tokens_are_refused_and_nothing_is_written(
    session: Session, source: str, scopes: list[str], field: str
) -> None:
    with pytest.raises(ChangeRefused) as refused:
        create_token(session, source, scopes, by=None)
    session.rollback()
    assert refused.value.code == "invalid-value" and refused.value.params["field"] == field
    assert list_tokens(session) == []


def test_only_a_superuser_issues_or_revokes(session: Session) -> None:
    admin = create_user(session, "quan.tri", "a long enough secret", roles=[Role.ADMIN])
    root = create_user(session, "goc", "a long enough secret", roles=[Role.SUPERUSER])
    session.commit()
    with pytest.raises(ChangeRefused) as refused:
        create_token(session, "igate", ["events:write"], by=admin)
    assert refused.value.code == "not-permitted"
    session.rollback()
    issued = create_token(session, "igate", ["events:write"], by=root)
    session.commit()
    with pytest.raises(ChangeRefused):
        revoke_token(session, issued.row.id, by=admin)
    session.rollback()
    assert authenticate(session, issued.token) is not None
    with pytest.raises(ChangeRefused) as missing:
        revoke_token(session, 999_999, by=root)
    assert missing.value.code == "not-found"


def test_the_last_use_is_noted_at_most_once_a_minute(session: Session) -> None:
    issued = create_token(session, "igate", ["events:write"], by=None)
    session.commit()
    start = utcnow()
    authenticate(session, issued.token, now=start)
    assert issued.row.last_used_at == start
    authenticate(session, issued.token, now=start + timedelta(seconds=30))
    assert issued.row.last_used_at == start
    later = start + timedelta(minutes=2)
    authenticate(session, issued.token, now=later)
    assert issued.row.last_used_at == later


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path) -> Path:
    shutil.copyfile(sqlite_template, tmp_path / "cli.db")
    return tmp_path


def stored_tokens(folder: Path) -> list[ApiToken]:
    engine = make_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with make_session_factory(engine)() as session:
            rows = list_tokens(session)
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


def test_the_command_line_issues_lists_and_revokes(cli_db: Path) -> None:
    made = run(
        cli_db, "tokens", "create", "--source", "igate", "--scope", "events:write", "--signed"
    )
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    token, secret = lines[1], lines[3]
    assert token.startswith("sodo_") and secret
    assert "cannot be shown again" in made.stderr
    (row,) = stored_tokens(cli_db)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.signing_secret and secret not in row.signing_secret
    listed = run(cli_db, "tokens", "list")
    assert listed.returncode == 0 and row.prefix in listed.stdout
    assert token not in listed.stdout and "active, signed" in listed.stdout
    revoked = run(cli_db, "tokens", "revoke", str(row.id))
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert "revoked" in run(cli_db, "tokens", "list").stdout


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--source", "bad source", "--scope", "events:write"),
        ("create", "--source", "igate", "--scope", "everything"),
        ("create", "--source", "igate"),
        ("revoke", "12345"),
    ],
)
def test_the_command_line_refuses_bad_input_clearly(cli_db: Path, args: tuple[str, ...]) -> None:
    result = run(cli_db, "tokens", *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert stored_tokens(cli_db) == []


def test_a_key_rotation_reseals_the_signing_secrets_too(session: Session) -> None:
    from workflow_model.delivery import reseal_secrets

    old = SecretBox.from_keys("the old key")
    issued = create_token(session, "igate", ["events:write"], by=None, box=old)
    session.commit()
    rotated = SecretBox.from_keys("the new key", ["the old key"])
    done = reseal_secrets(session, rotated)
    assert done.resealed == [f"API token {issued.row.id} (igate)"] and not done.unreadable
    sealed = issued.row.signing_secret
    assert sealed is not None
    assert SecretBox.from_keys("the new key").open(sealed) == issued.signing_secret
