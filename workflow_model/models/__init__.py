"""The SQLAlchemy models of `sodo` (typed declarative mapping, no Flask)."""

from ..enums import (
    EDITABLE_STATUSES,
    FROZEN_STATUSES,
    HOURS_PER_WORKING_DAY,
    OPEN_STATUSES,
    STANDARD_LEVELS,
    Join,
    Role,
    Split,
    StepKind,
    TimeUnit,
    VersionStatus,
)
from . import search  # noqa: F401 - keeps search_text columns in step
from .accounts import AuditEvent, LoginFailure, LoginThrottle, User, UserRole
from .api_tokens import ApiToken
from .base import Base, utcnow
from .calendar import DayOverride
from .catalogue import DEFAULT_CASE_KEY, DossierComponent, Field, Procedure, ProcedureCase
from .checks import VersionCheck
from .delivery import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryOrigin,
    DeliveryStatus,
    DeliveryTarget,
    TargetKind,
)
from .directory import Level, Officer, Unit
from .flow import (
    FlowVersion,
    Step,
    StepDocument,
    StepOfficer,
    Transition,
    VersionOfficer,
    VersionUnit,
)

__all__ = [
    "DEFAULT_CASE_KEY",
    "EDITABLE_STATUSES",
    "FROZEN_STATUSES",
    "HOURS_PER_WORKING_DAY",
    "OPEN_STATUSES",
    "STANDARD_LEVELS",
    "ApiToken",
    "AttemptOutcome",
    "AuditEvent",
    "Base",
    "DayOverride",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryOrigin",
    "DeliveryStatus",
    "DeliveryTarget",
    "DossierComponent",
    "Field",
    "FlowVersion",
    "Join",
    "Level",
    "LoginFailure",
    "LoginThrottle",
    "Officer",
    "Procedure",
    "ProcedureCase",
    "Role",
    "Split",
    "Step",
    "StepDocument",
    "StepKind",
    "StepOfficer",
    "TargetKind",
    "TimeUnit",
    "Transition",
    "Unit",
    "User",
    "UserRole",
    "VersionCheck",
    "VersionOfficer",
    "VersionStatus",
    "VersionUnit",
    "utcnow",
]
