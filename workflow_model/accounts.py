"""User accounts: creation, password hashing and checking, login lockout, language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import record_event
from .models import LoginFailure, LoginThrottle, Role, User, UserRole
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
    """Replace the password of `user`, end their sessions, journal that it changed (not what).

    A session opened with the old password (or a copy of its cookie) no longer works.
    """
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    record_event(session, actor, "set-password", "user", user.id)


def end_sessions(session: Session, user: User) -> None:
    """End every session of `user` (in any browser): the next request of each logs in again.

    A login keeps the user's `session_epoch` in its session, and a session whose epoch is
    not the user's current one is refused; this moves the epoch on. The caller commits.
    """
    session.flush()
    session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_epoch=User.session_epoch + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(user, ["session_epoch"])


def session_is_current(user: User, epoch: object) -> bool:
    """Return True when a session that holds `epoch` may still act as `user`.

    >>> user = User(session_epoch=2, active=True)
    >>> session_is_current(user, 2), session_is_current(user, 1)
    (True, False)
    """
    return user.active and type(epoch) is int and epoch == user.session_epoch


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


# A success deletes the row, so a waiting attempt may have to make it again.
_LOCK_TRIES = 5
# Old rows deleted per attempt: enough to keep up with any rate of attempts.
_CLEANUP_BATCH = 100


def _lock_throttle(session: Session, key: str) -> None:
    # The first write of the transaction, so it waits for, then holds, the row lock of
    # this username (PostgreSQL) or the database's write lock (SQLite) until the commit:
    # reservations for one username are made one after the other.
    for _ in range(_LOCK_TRIES):
        locked = session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.username == key)
            .values(attempts=LoginThrottle.attempts + 1)
            .returning(LoginThrottle.attempts)
        ).first()
        if locked is not None:
            return
        session.rollback()
        insert = _insert_for(session)(LoginThrottle).values(username=key, attempts=0)
        session.execute(insert.on_conflict_do_nothing(index_elements=["username"]))
        session.commit()
    # Deleted by a success each time between our insert and our update: give up loudly.
    raise RuntimeError(f"could not lock the login throttle of {key!r}")


def _insert_for(session: Session) -> Any:
    # INSERT … ON CONFLICT is spelled by each dialect's own `insert`.
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def _reserve(session: Session, key: str, now: datetime | None) -> tuple[datetime | None, datetime]:
    # Under the username's lock, a failure is recorded before the password is checked,
    # and only when the lockout allows one more; so however many attempts run in parallel,
    # at most `LOCKOUT_FAILURES` passwords are checked. The time is read once the lock is
    # held, so every reservation sees the ones made before it. Commits. Returns when the
    # lockout ends (None: reserved) and the time of the attempt.
    _lock_throttle(session, key)
    at = now or utcnow()
    until = locked_until(session, key, at)
    if until is not None:
        session.rollback()  # a refused attempt is not counted
        return until, at
    session.add(LoginFailure(username=key, at=at))
    session.commit()
    _forget_old(session, at)
    return None, at


def _forget_old(session: Session, now: datetime) -> None:
    # Failures that can no longer matter, and the lock rows of usernames left without
    # failures, a batch at a time. Rows another transaction holds are skipped, not waited
    # for (PostgreSQL), so this clean-up never blocks a login nor deadlocks with one.
    def batch(query: sa.Select[Any]) -> Any:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return query.limit(_CLEANUP_BATCH).scalar_subquery()

    old = sa.select(LoginFailure.id).where(LoginFailure.at <= now - _FAILURES_KEPT)
    session.execute(sa.delete(LoginFailure).where(LoginFailure.id.in_(batch(old))))
    failures = sa.select(LoginFailure.id).where(LoginFailure.username == LoginThrottle.username)
    idle = sa.select(LoginThrottle.username).where(~failures.exists())
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.username.in_(batch(idle))))
    session.commit()


def login(
    session: Session, username: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Check a login, counting failures per username and refusing a locked-out one; commits.

    While `username` is locked out every attempt is refused, the right password too,
    without checking it and without counting it (so the lockout ends when announced).
    Each attempt that is checked is counted as a failure before its password is checked,
    under a lock on the username's `LoginThrottle` row, for usernames that do not exist
    as well; so parallel attempts check at most `LOCKOUT_FAILURES` passwords. A success
    deletes that username's failures. The start of a lockout is journaled; the password
    never is.
    """
    key = _failure_key(username)
    until, at = _reserve(session, key, now)
    if until is not None:
        return LoginResult(None, until)
    user = authenticate(session, username, password)
    if user is not None:
        # The lock row first, as a reservation takes it, so the two never wait for each
        # other in opposite orders. Nothing is left to guard: a success leaves no trace
        # (attempts waiting for this row make it again).
        session.execute(sa.delete(LoginThrottle).where(LoginThrottle.username == key))
        session.execute(sa.delete(LoginFailure).where(LoginFailure.username == key))
        session.commit()
        return LoginResult(user)
    until = locked_until(session, key, at)
    if until is not None and until == at + LOCKOUT_WINDOW:
        # This failure completed the series (the lockout runs from it): journal it once.
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
