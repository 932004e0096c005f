"""Exports of stored versions: read them from the database, hand them to `exporters`.

The CLI, the export page and the delivery worker all come through here, so they agree
on which version is exported (the one in force by default), on what is refused (a draft,
unless previewed in JSON or BPMN) and on the file names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from exporters import (
    ExportItem,
    ExportOptions,
    ExportRefused,
    VersionInfo,
    export,
    file_name,
    get_format,
)
from workflow_model.calendar_store import working_calendar
from workflow_model.lifecycle import version_document, version_in_force
from workflow_model.models import FlowVersion, Procedure, ProcedureCase, VersionStatus


@dataclass(frozen=True)
class ExportedFile:
    """The bytes of an export, with the name and media type to serve or write them under."""

    name: str
    media_type: str
    content: bytes


def export_item(session: Session, version: FlowVersion) -> ExportItem:
    """The document of `version` (an approved one from its frozen snapshot) and its version."""
    approver = version.approved_by
    return ExportItem(
        document=version_document(session, version),
        version=VersionInfo(
            number=version.number,
            status=version.status.value,
            approved_by=approver.full_name or approver.username if approver else None,
            approved_at=version.approved_at,
            effective_from=version.effective_from,
            snapshot_sha256=version.snapshot_sha256,
        ),
    )


def options(session: Session, *, allow_draft: bool = False) -> ExportOptions:
    """Export options with the deployment's working calendar (its overrides included)."""
    return ExportOptions(allow_draft=allow_draft, calendar=working_calendar(session))


def find_version(
    session: Session, code: str, case_key: str | None = None, number: int | None = None
) -> FlowVersion:
    """The version to export of procedure `code`: version `number`, or the one in force.

    `case_key` may be left out only when the procedure has a single case. Refusals are
    `ExportRefused` with codes ``unknown-procedure``, ``case-required``, ``unknown-case``,
    ``unknown-version`` and ``no-version-in-force``.
    """
    procedure = session.execute(sa.select(Procedure).where(Procedure.code == code)).scalar()
    if procedure is None:
        raise ExportRefused("unknown-procedure", f"no procedure {code!r}")
    cases = session.execute(
        sa.select(ProcedureCase).where(ProcedureCase.procedure_id == procedure.id)
    ).scalars()
    by_key = {case.key: case for case in cases}
    if case_key is None:
        if len(by_key) != 1:
            raise ExportRefused(
                "case-required", f"{code} has cases {', '.join(sorted(by_key))}: choose one"
            )
        (case,) = by_key.values()
    elif case_key in by_key:
        case = by_key[case_key]
    else:
        raise ExportRefused("unknown-case", f"{code} has no case {case_key!r}")
    if number is not None:
        version = session.execute(
            sa.select(FlowVersion).where(
                FlowVersion.case_id == case.id, FlowVersion.number == number
            )
        ).scalar()
        if version is None:
            raise ExportRefused("unknown-version", f"{code} has no version {number}")
        return version
    version = version_in_force(session, case.id)
    if version is None:
        raise ExportRefused("no-version-in-force", f"{code} has no approved version in force")
    return version


def export_version(
    session: Session,
    version: FlowVersion,
    format_name: str,
    *,
    allow_draft: bool = False,
    chosen: ExportOptions | None = None,
) -> ExportedFile:
    """Export one version in `format_name`; a draft only as a preview (JSON and BPMN).

    `chosen` saves reading the calendar again when many versions are exported in a row.
    """
    fmt = get_format(format_name)
    item = export_item(session, version)
    if chosen is None:
        chosen = options(session, allow_draft=allow_draft)
    content = export(fmt.name, [item], chosen)
    name = file_name(item, fmt)
    if item.version.is_draft:
        name = name.replace(f".{fmt.extension}", f"-draft.{fmt.extension}")
    return ExportedFile(name, fmt.media_type, content)


def versions_in_force(session: Session) -> Iterator[FlowVersion]:
    """The version in force of every procedure case, by procedure code and case key."""
    cases = session.execute(
        sa.select(ProcedureCase)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .options(selectinload(ProcedureCase.procedure))
        .order_by(Procedure.code, ProcedureCase.key)
    ).scalars()
    for case in cases:
        version = version_in_force(session, case.id)
        if version is not None:
            yield version


def cases_without_version(session: Session) -> list[str]:
    """Procedure cases that have no approved version in force, as ``code`` or ``code/case``."""
    approved = sa.select(FlowVersion.case_id).where(FlowVersion.status == VersionStatus.APPROVED)
    rows = session.execute(
        sa.select(Procedure.code, ProcedureCase.key)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(ProcedureCase.id.not_in(approved))
        .order_by(Procedure.code, ProcedureCase.key)
    )
    return [f"{code}/{key}" if key else code for code, key in rows]
