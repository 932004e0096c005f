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
from .tracking import (
    CLOSING_KINDS,
    Channel,
    Dossier,
    DossierEvent,
    DossierStatus,
    DossierStepRun,
    EventKind,
    Verdict,
)

__all__ = [
    "CLOSING_KINDS",
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
    "Channel",
    "DayOverride",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryOrigin",
    "DeliveryStatus",
    "DeliveryTarget",
    "Dossier",
    "DossierComponent",
    "DossierEvent",
    "DossierStatus",
    "DossierStepRun",
    "EventKind",
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
    "Verdict",
    "VersionCheck",
    "VersionOfficer",
    "VersionStatus",
    "VersionUnit",
    "utcnow",
]
