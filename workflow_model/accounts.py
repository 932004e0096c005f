"""User accounts: creation, password hashing and checking, login lockout, language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import record_event
from .models import LoginFailure, Role, User, UserRole
from .models.accounts import USERNAME_LENGTH
from .models.base import utcnow

#: This many failed logins for one username within `LOCKOUT_WINDOW` lock it out…
LOCKOUT_FAILURES = 5
#: …for this long, counted from the failure that completed the series.
LOCKOUT_WINDOW = timedelta(minutes=15)
#: The interface languages a user can choose for their profile.
LOCALES = ("vi", "en")

# A lockout ending after `now` started at most one window ago, from failures at most one
# more window before: older rows can never matter again and are deleted.
_FAILURES_KEPT = 2 * LOCKOUT_WINDOW

# A hash of a random password: checking against it when the user does not exist takes
# as long as a real check, so response times do not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not a password of anybody")


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of `password`, as stored in `User.password_hash`."""
    return generate_password_hash(password, method="scrypt")


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: Iterable[Role],
    *,
    full_name: str = "",
    email: str = "",
    actor: User | None = None,
) -> User:
    """Create a user with `roles`, journal it, and flush (the caller commits).

    The password is kept only as a hash; the audit event never contains it.
    """
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        password_hash=hash_password(password),
        role_links=[UserRole(role=Role(role)) for role in sorted(set(roles))],
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor,
        "create",
        "user",
        user.id,
        after={"username": username, "full_name": full_name, "roles": sorted(user.roles)},
    )
    return user


def set_password(session: Session, user: User, password: str, actor: User | None = None) -> None:
    """Replace the password of `user` and journal that it changed (not what it is)."""
    user.password_hash = hash_password(password)
    record_event(session, actor, "set-password", "user", user.id)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = session.execute(sa.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt gave: the user when it succeeded, else maybe a lockout.

    `locked_until` is set when the username is locked out after this attempt: either
    the attempt was refused unchecked because of an earlier lockout, or its failure
    completed the series that starts one. `user` is then always None.
    """

    user: User | None
    locked_until: datetime | None = None


def _failure_key(username: str) -> str:
    # No account has a longer name; the column would refuse it on PostgreSQL.
    return username[:USERNAME_LENGTH]


def locked_until(session: Session, username: str, now: datetime | None = None) -> datetime | None:
    """Return when the lockout of `username` ends, or None when it may log in at `now`.

    A username is locked out for `LOCKOUT_WINDOW` from the failure that makes
    `LOCKOUT_FAILURES` failures within `LOCKOUT_WINDOW`. Usernames nobody has count
    the same, so a lockout does not reveal which usernames exist.
    """
    now = now or utcnow()
    times = sorted(
        session.execute(
            sa.select(LoginFailure.at).where(
                LoginFailure.username == _failure_key(username),
                LoginFailure.at > now - _FAILURES_KEPT,
                LoginFailure.at <= now,
            )
        ).scalars()
    )
    ends = [
        times[last] + LOCKOUT_WINDOW
        for last in range(LOCKOUT_FAILURES - 1, len(times))
        if times[last] - times[last - LOCKOUT_FAILURES + 1] <= LOCKOUT_WINDOW
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None


def login(
    session: Session, username: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a login, counting failures per username and refusing a locked-out one; commits.

    While `username` is locked out every attempt is refused, the right password too,
    without checking it and without counting it (so the lockout ends when announced).
    A failure is recorded as a `LoginFailure` row, for usernames that do not exist as
    well; a success deletes that username's failures. The start of a lockout is
    journaled; the password never is.
    """
    now = now or utcnow()
    key = _failure_key(username)
    until = locked_until(session, key, now)
    if until is not None:
        return LoginResult(None, until)
    user = authenticate(session, username, password)
    if user is not None:
        session.execute(sa.delete(LoginFailure).where(LoginFailure.username == key))
        session.commit()
        return LoginResult(user)
    session.execute(sa.delete(LoginFailure).where(LoginFailure.at <= now - _FAILURES_KEPT))
    session.add(LoginFailure(username=key, at=now))
    session.flush()
    until = locked_until(session, key, now)
    if until is not None:
        record_event(
            session,
            None,
            "lock-out",
            "login",
            key,
            after={"username": key, "until": until.isoformat()},
        )
    session.commit()
    return LoginResult(None, until)


def set_locale(session: Session, user_id: int, locale: str) -> None:
    """Set the interface language of a user's profile ('vi' or 'en'), journal it, commit.

    Raises ValueError for any other language, or when no user has `user_id`.
    """
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}: expected one of {', '.join(LOCALES)}")
    user = session.get(User, user_id)
    if user is None:
        raise ValueError(f"no user with id {user_id}")
    if user.locale != locale:
        record_event(
            session,
            user,
            "set-locale",
            "user",
            user.id,
            before={"locale": user.locale},
            after={"locale": locale},
        )
        user.locale = locale
    session.commit()
