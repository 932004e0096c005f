"""The catalogue of administrative procedures (thủ tục hành chính)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import TimeUnit
from .base import Base, enum_column_type
from .directory import Level, Unit

DEFAULT_CASE_KEY = ""
"""Key of the single case of a procedure that has no cases (trường hợp)."""


class Field(Base):
    """A field of administration (lĩnh vực), such as "Đầu tư tại Việt Nam"."""

    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", index=True)

    __search_fields__ = ("name",)

    def __repr__(self) -> str:
        return f"<Field {self.name}>"

    def __str__(self) -> str:
        return self.name


class Procedure(Base):
    """An administrative procedure of the catalogue, identified by its national code.

    Its legal time lives on its cases (`ProcedureCase`), since each case (trường hợp)
    may have its own. `applicants` says who may apply (đối tượng thực hiện), as the
    catalogue words it. `legal_basis` (căn cứ pháp lý) is a list of texts; `fees`
    (phí, lệ phí) a list of ``{"name", "amount", "currency"}``.
    """

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(1000))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("levels.id", ondelete="RESTRICT"))
    field_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fields.id", ondelete="RESTRICT"))
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="RESTRICT"))
    applicants: Mapped[str] = mapped_column(sa.String(1000), default="")
    result: Mapped[str] = mapped_column(sa.String(2000), default="")
    legal_basis: Mapped[list[Any]] = mapped_column(default=list)
    fees: Mapped[list[Any]] = mapped_column(default=list)
    accepts_direct: Mapped[bool] = mapped_column(default=True)
    accepts_online: Mapped[bool] = mapped_column(default=False)
    accepts_postal: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(sa.String(2200), default="", index=True)

    __search_fields__ = ("code", "name")

    level: Mapped[Level] = relationship()
    field: Mapped[Field | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    dossier_components: Mapped[list[DossierComponent]] = relationship(
        back_populates="procedure",
        order_by="DossierComponent.position",
        cascade="all, delete-orphan",
    )
    cases: Mapped[list[ProcedureCase]] = relationship(
        back_populates="procedure",
        order_by="ProcedureCase.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (sa.CheckConstraint("length(code) > 0", name="code_not_empty"),)

    def __repr__(self) -> str:
        return f"<Procedure {self.code}>"

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DossierComponent(Base):
    """A component of the dossier (thành phần hồ sơ) that the applicant submits."""

    __tablename__ = "dossier_components"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(1000))
    originals: Mapped[int] = mapped_column(default=1)
    copies: Mapped[int] = mapped_column(default=0)
    form_name: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    procedure: Mapped[Procedure] = relationship(back_populates="dossier_components")

    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "key"),
        sa.CheckConstraint("originals >= 0", name="originals_not_negative"),
        sa.CheckConstraint("copies >= 0", name="copies_not_negative"),
    )


class ProcedureCase(Base):
    """A case (trường hợp) of a procedure, with its own legal time and its own process.

    A procedure without cases has one case whose key is `DEFAULT_CASE_KEY`.
    """

    __tablename__ = "procedure_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_CASE_KEY)
    name: Mapped[str] = mapped_column(sa.String(1000), default="")
    legal_time_value: Mapped[float] = mapped_column(sa.Float(53))
    legal_time_unit: Mapped[TimeUnit] = mapped_column(enum_column_type(TimeUnit, "time_unit"))
    position: Mapped[int] = mapped_column(default=0)

    procedure: Mapped[Procedure] = relationship(back_populates="cases")

    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "key"),
        # The upper bound also rejects NaN and infinity, which PostgreSQL sorts above all numbers.
        sa.CheckConstraint(
            "legal_time_value >= 0 AND legal_time_value <= 100000", name="legal_time_in_range"
        ),
    )

    @property
    def is_default(self) -> bool:
        """True for the single case of a procedure that has no cases."""
        return self.key == DEFAULT_CASE_KEY
