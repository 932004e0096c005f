"""The directory: administrative levels, units (cơ quan, đơn vị) and officers (cán bộ)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Level(Base):
    """An administrative level (cấp): ministry, province, district, commune or a local one."""

    __tablename__ = "levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", index=True)

    __search_fields__ = ("key", "name")

    __table_args__ = (sa.CheckConstraint("length(key) > 0", name="key_not_empty"),)

    def __repr__(self) -> str:
        return f"<Level {self.key}>"

    def __str__(self) -> str:
        return self.name


class Unit(Base):
    """A unit of the directory: an agency or one of its departments, in a tree via `parent`.

    `one_stop` marks a one-stop desk (Bộ phận Một cửa / Trung tâm Phục vụ hành chính công),
    where dossiers are received and results returned.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("levels.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    one_stop: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(sa.String(500), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    active: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(sa.String(800), default="", index=True)
    updated_at: Mapped[datetime | None] = mapped_column()

    __search_fields__ = ("code", "name")

    level: Mapped[Level] = relationship()
    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Officer(Base):
    """An officer (cán bộ, công chức) who handles steps; the email identifies the person."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Whether citizens see this officer's name and contacts on the public pages.
    public: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    search_text: Mapped[str] = mapped_column(sa.String(1000), default="", index=True)
    updated_at: Mapped[datetime | None] = mapped_column()

    __search_fields__ = ("full_name", "title", "email", "phone")

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<Officer {self.full_name}>"

    def __str__(self) -> str:
        return self.full_name
