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


class Role(enum.StrEnum):
    """What a user may do; a user may hold several roles."""

    ADMIN = "admin"
    APPROVER = "approver"
    EXPORTER = "exporter"
    SUPERUSER = "superuser"


STANDARD_LEVELS: dict[str, str] = {
    "ministry": "Bộ, ngành",
    "province": "Cấp tỉnh",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}
"""The standard administrative levels (cấp hành chính); deployments may add their own."""
