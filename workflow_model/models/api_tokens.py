"""Tokens that machines (the one-stop processing software) present to the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, utcnow


class ApiToken(Base):
    """A bearer token of one source system, with the scopes it may use.

    Only the token's SHA-256 is kept (`token_hash`): the token itself is shown once, when
    it is created. `prefix` (its first characters) tells tokens apart in lists and logs.
    `signing_secret`, when set, is sealed like a delivery target's secret and makes the
    API require an HMAC signature of each request's body.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(64), index=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    signing_secret: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    created_by: Mapped[User | None] = relationship()

    @property
    def active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_at is None

    def __str__(self) -> str:
        return f"{self.source} ({self.prefix}…)"
