"""The version report: composes the domain (document, calendar) and the validators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from validators import Finding, Report, Severity, validate
from workflow_model.calendar import DueDates, WorkingCalendar, due_dates
from workflow_model.calendar_store import working_calendar
from workflow_model.check_cache import store_checks
from workflow_model.conversion import documents_from_versions
from workflow_model.document import FlowDocument
from workflow_model.flowgraph import step_hours
from workflow_model.lifecycle import CorruptSnapshot, check_snapshot, version_document
from workflow_model.models import FROZEN_STATUSES, FlowVersion, VersionCheck


@dataclass(frozen=True)
class PathStep:
    """A step of the critical path as the report lists it, once: time held and due date."""

    key: str
    name: str
    hours: float
    due: datetime
    late: bool
    """True when the step is due after the result itself is (the legal deadline)."""


@dataclass(frozen=True)
class VersionReport:
    """Everything the report page shows about one version."""

    version: FlowVersion
    document: FlowDocument
    report: Report
    due: DueDates
    calendar: WorkingCalendar

    @property
    def path_steps(self) -> tuple[PathStep, ...]:
        """The critical path's steps, each with its hours, its due date and whether it is late."""
        steps = {s.key: s for s in self.document.steps}
        return tuple(
            PathStep(
                key=key,
                name=self.step_name(key),
                hours=step_hours(steps[key]) if key in steps else 0.0,
                due=due,
                late=due > self.due.process,
            )
            for key, due in self.due.steps
        )

    @property
    def last_due(self) -> datetime | None:
        """When the last step of the critical path is due, or None without a path."""
        return self.due.steps[-1][1] if self.due.steps else None

    @property
    def margin_hours(self) -> float | None:
        """Working hours from the last step's due date to the legal deadline.

        Negative when the last step is due after the deadline; None without a path.
        """
        last = self.last_due
        if last is None:
            return None
        return self.calendar.working_hours_between(last, self.due.process)

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
    # An approved version is shown as it was frozen, whatever the directory says now.
    document = version_document(session, version)
    calendar = working_calendar(session)
    return VersionReport(
        version=version,
        document=document,
        report=validate(document),
        due=due_dates(document, now, calendar),
        calendar=calendar,
    )


def version_checks(
    session: Session, version_ids: list[int]
) -> dict[int, VersionCheck | CorruptSnapshot]:
    """Errors and warnings of each version: cached, or validated now and cached.

    Versions never checked (or changed since) are loaded in one batch and validated;
    the cache rows are committed (an upsert, since another request may be filling the
    same rows), so the next list of the same page reads them only.
    A version whose stored snapshot is corrupt (`lifecycle.snapshot_problem`: missing,
    changed since approval, or not a flow document) maps to its `CorruptSnapshot`
    instead, checked on every read, and is never cached; the other versions are not
    affected.
    """
    cached: dict[int, VersionCheck | CorruptSnapshot] = {
        check.version_id: check
        for check in session.execute(
            sa.select(VersionCheck).where(VersionCheck.version_id.in_(version_ids))
        ).scalars()
    }
    frozen: dict[int, FlowDocument] = {}
    stored = session.execute(
        sa.select(FlowVersion).where(
            FlowVersion.id.in_(version_ids),
            sa.or_(FlowVersion.snapshot.is_not(None), FlowVersion.status.in_(FROZEN_STATUSES)),
        )
    ).scalars()
    for version in stored:
        try:
            # A cached check needs only the snapshot's hash and syntax checked again.
            if version.id in cached:
                check_snapshot(version)
            else:
                frozen[version.id] = version_document(session, version)
        except CorruptSnapshot as error:
            cached[version.id] = error
    missing = [key for key in version_ids if key not in cached]
    if missing:
        live = documents_from_versions(session, [k for k in missing if k not in frozen])
        counts = {}
        for key, document in {**live, **frozen}.items():
            report = validate(document)
            counts[key] = (
                len(report.by_severity(Severity.ERROR)),
                len(report.by_severity(Severity.WARNING)),
            )
        cached.update(store_checks(session, counts))
    return cached
