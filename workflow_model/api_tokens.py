"""API tokens: one per source system, with scopes; only their hash is kept.

A token is ``sodo_`` and 43 URL-safe characters (256 random bits). Such a token cannot
be guessed, so a plain SHA-256 is the right way to keep it (a slow password hash would
only slow every request down): the database, its dumps and the journal never hold a
token, and a stolen table opens nothing. `authenticate` finds a token by its hash, so
the comparison leaks nothing about how much of a wrong token was right.

A token may also carry a signing secret (the HMAC key of ``X-Sodo-Signature``, the same
scheme as the delivery outbox uses): it is sealed with the app's key
(`target_secrets.SecretBox`), since it must be read back to check a signature.

>>> token_hash("sodo_x") == token_hash("sodo_x") != token_hash("sodo_y")
True
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .audit import record_event
from .enums import Role
from .models import ApiToken, User, utcnow
from .refusals import ChangeRefused, Refusal
from .target_secrets import SecretBox

TOKEN_PREFIX = "sodo_"
SOURCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A source system's name: what its events and dossiers are filed under."""
LAST_USED_EVERY = timedelta(minutes=1)
"""How stale `last_used_at` may get: a busy client does not write on every request."""


class ApiScope(enum.StrEnum):
    """What a token may do; the values are what clients and the CLI name."""

    EVENTS_WRITE = "events:write"
    DOSSIERS_READ = "dossiers:read"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: its row, and the token and signing secret, shown this once only."""

    row: ApiToken
    token: str
    signing_secret: str | None


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check(source: str, scopes: Sequence[str]) -> list[str]:
    if not SOURCE_PATTERN.fullmatch(source):
        raise ChangeRefused(
            Refusal.INVALID_VALUE,
            "a source is 1 to 64 letters, digits, '.', '_' or '-'",
            field="source",
        )
    known = {scope.value for scope in ApiScope}
    unknown = sorted(set(scopes) - known)
    if not scopes or unknown:
        raise ChangeRefused(
            Refusal.INVALID_VALUE,
            f"scopes must be some of {', '.join(sorted(known))}; got {unknown or 'none'}",
            field="scopes",
        )
    return sorted(set(scopes))


def _require_superuser(user: User | None) -> None:
    # The command line (user None) is the machine's own administrator.
    if user is not None and Role.SUPERUSER not in user.roles:
        raise ChangeRefused(Refusal.NOT_PERMITTED, f"{user.username} is not a superuser")


def create_token(
    session: Session,
    source: str,
    scopes: Sequence[str],
    *,
    by: User | None,
    box: SecretBox | None = None,
) -> IssuedToken:
    """Issue a token for `source` with `scopes`, journaled; commit is the caller's.

    With a `box`, the token also gets a signing secret, sealed in it: requests must then
    be signed. Raises `ChangeRefused` (``invalid-value``, ``not-permitted``); nothing is
    written then.
    """
    _require_superuser(by)
    wanted = _check(source, scopes)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    signing = secrets.token_urlsafe(32) if box is not None else None
    row = ApiToken(
        source=source,
        scopes=wanted,
        token_hash=token_hash(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        signing_secret=box.seal(signing) if box is not None and signing else None,
        created_by=by,
    )
    session.add(row)
    session.flush()
    record_event(session, by, "create", "api_token", row.id, after=_journaled(row))
    return IssuedToken(row, token, signing)


def revoke_token(session: Session, token_id: int, *, by: User | None) -> ApiToken:
    """Revoke a token at once, journaled; revoking it again changes nothing."""
    _require_superuser(by)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ChangeRefused(Refusal.NOT_FOUND, f"no token {token_id}", id=token_id)
    if row.revoked_at is None:
        before = _journaled(row)
        row.revoked_at = utcnow()
        record_event(
            session, by, "revoke", "api_token", row.id, before=before, after=_journaled(row)
        )
    return row


def authenticate(session: Session, token: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token `token` is, or None; notes when it was last used (once a minute)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = now or utcnow()
    last = row.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_EVERY:
        row.last_used_at = now
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first."""
    return list(session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())))


def has_scopes(row: ApiToken, scopes: Iterable[str]) -> bool:
    """Whether `row` grants every scope of `scopes`."""
    return set(scopes) <= set(row.scopes or ())


def _journaled(row: ApiToken) -> dict[str, object]:
    # What the journal shows of a token: never the hash or the sealed secret.
    return {
        "source": row.source,
        "scopes": list(row.scopes or ()),
        "prefix": row.prefix,
        "signed": row.signing_secret is not None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }
