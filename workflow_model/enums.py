"""Closed vocabularies of the domain; their values are stored and exchanged as is."""

from __future__ import annotations

import enum


class TimeUnit(enum.StrEnum):
    """Unit of a legal time or a step duration (ngày làm việc / giờ làm việc)."""

    WORKING_DAY = "working_day"
    WORKING_HOUR = "working_hour"


HOURS_PER_WORKING_DAY = 8


class StepKind(enum.StrEnum):
    """What a step is: the reception (start), a task, or a step that ends the process."""

    START = "start"
    TASK = "task"
    END = "end"


class Split(enum.StrEnum):
    """What a step with several outgoing transitions does."""

    EXCLUSIVE = "exclusive"
    PARALLEL = "parallel"


class Join(enum.StrEnum):
    """What a step with several incoming transitions waits for."""

    ANY = "any"
    ALL = "all"


class VersionStatus(enum.StrEnum):
    """Lifecycle status of a flow version."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    RETIRED = "retired"

    @property
    def editable(self) -> bool:
        """Whether a version in this status may have its content changed.

        A rejected version is edited back into a draft; every other status is frozen or
        waiting for a decision.

        >>> VersionStatus.REJECTED.editable, VersionStatus.SUBMITTED.editable
        (True, False)
        """
        return self in (VersionStatus.DRAFT, VersionStatus.REJECTED)

    @property
    def open(self) -> bool:
        """Whether the version is still on its way to approval (a case has one at a time).

        >>> VersionStatus.SUBMITTED.open, VersionStatus.APPROVED.open
        (True, False)
        """
        return self in (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.REJECTED)

    @property
    def frozen(self) -> bool:
        """Whether the version carries an approved, immutable snapshot.

        >>> VersionStatus.SUPERSEDED.frozen
        True
        """
        return self in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED, VersionStatus.RETIRED)


class Role(enum.StrEnum):
    """What a user may do; a user may hold several roles."""

    ADMIN = "admin"
    APPROVER = "approver"
    EXPORTER = "exporter"
    SUPERUSER = "superuser"
    SUPERVISOR = "supervisor"
    """Lãnh đạo, giám sát: reads everything, changes nothing; may be scoped to a unit's subtree."""


STANDARD_LEVELS: dict[str, str] = {
    "ministry": "Bộ, ngành",
    "province": "Cấp tỉnh",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}
"""The standard administrative levels (cấp hành chính); deployments may add their own."""


EDITABLE_STATUSES = tuple(status for status in VersionStatus if status.editable)
"""Statuses whose content may change, for queries (``status.in_(EDITABLE_STATUSES)``)."""
OPEN_STATUSES = tuple(status for status in VersionStatus if status.open)
FROZEN_STATUSES = tuple(status for status in VersionStatus if status.frozen)
