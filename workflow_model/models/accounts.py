"""Users, their roles, and the audit trail of every change."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import Role
from .base import Base, enum_column_type, utcnow

if TYPE_CHECKING:
    from .directory import Unit

#: The longest username `users` and `login_failures` hold.
USERNAME_LENGTH = 64


class User(Base):
    """A person who logs in; the password is stored only as a salted hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(USERNAME_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    locale: Mapped[str] = mapped_column(sa.String(8), default="vi")
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", index=True)
    #: Stored in each login's session; bumped to end every session of the user at once
    #: (logout, new password, other roles), since the session cookie itself cannot be revoked.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A supervisor's scope: this unit and every unit under it (None: the whole province).
    #: RESTRICT, since deleting the unit must never widen what its supervisors see.
    scope_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="RESTRICT")
    )
    scope_unit: Mapped[Unit | None] = relationship("Unit", foreign_keys=[scope_unit_id])

    __search_fields__ = ("username", "full_name", "email")

    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("length(username) > 0", name="username_not_empty"),
        sa.CheckConstraint("locale IN ('vi', 'en')", name="known_locale"),
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles the user holds."""
        return frozenset(link.role for link in self.role_links)

    def has_role(self, role: Role) -> bool:
        """Return True when the user holds `role`."""
        return role in self.roles

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def __str__(self) -> str:
        return self.username


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"), primary_key=True)


class AuditEvent(Base):
    """A journal entry: who did what to which entity, when, with before and after states."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()

    user: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)


class LoginThrottle(Base):
    """One row per username tried: the row whose lock serializes its password checks.

    A password is checked only after a failure is reserved for it under this lock, so
    parallel attempts cannot check more passwords than the lockout allows.
    """

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(sa.String(USERNAME_LENGTH), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)


class LoginFailure(Base):
    """A failed login for a username, kept to lock out password guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(USERNAME_LENGTH), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
