"""User accounts: creation, password hashing and checking."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .audit import record_event
from .models import Role, User, UserRole

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
