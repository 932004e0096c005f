"""The version report: composes the domain (document, calendar) and the validators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from validators import Finding, Report, Severity, validate
from workflow_model.calendar import DueDates, due_dates
from workflow_model.calendar_store import working_calendar
from workflow_model.conversion import document_from_version
from workflow_model.document import FlowDocument
from workflow_model.models import FlowVersion


@dataclass(frozen=True)
class VersionReport:
    """Everything the report page shows about one version."""

    version: FlowVersion
    document: FlowDocument
    report: Report
    due: DueDates

    def findings(self, severity: str) -> tuple[Finding, ...]:
        """The findings of one severity (``error``, ``warning``, ``info``)."""
        return self.report.by_severity(Severity(severity))

    def step_name(self, key: str) -> str:
        """A step's name for the page, or its key when it has none."""
        return next((s.name for s in self.document.steps if s.key == key), key)

    def unit_name(self, key: str) -> str:
        """A unit's name for the page, or its key when it has none."""
        return next((u.name for u in self.document.units if u.key == key), key or "—")

    @property
    def used_share(self) -> float:
        """The critical path's hours as a share of the legal time (may exceed 1)."""
        path = self.report.critical_path
        if path is None or path.budget_hours <= 0:
            return 0.0
        return path.hours / path.budget_hours


def version_report(session: Session, version_id: int, now: datetime) -> VersionReport | None:
    """Validate a version and compute its due dates for a dossier received at `now`."""
    version = session.get(FlowVersion, version_id)
    if version is None:
        return None
    document = document_from_version(session, version)
    return VersionReport(
        version=version,
        document=document,
        report=validate(document),
        due=due_dates(document, now, working_calendar(session)),
    )
