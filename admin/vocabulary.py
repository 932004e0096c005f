"""The words of the staff interface, each defined once: labels, refusals, durations.

Every page, form, the editor and the journal take their words from here, so that a
status, an enum value, a refusal or a duration reads the same everywhere and is
translated once (the catalogues in `translations/`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from workflow_model.diff import DocumentChange, value_text
from workflow_model.document.durations import format_duration, format_hours_as_days
from workflow_model.document.types import Duration, Fee
from workflow_model.models import Join, Split, StepKind, TimeUnit, VersionStatus
from workflow_model.refusals import ChangeRefused, Refusal
from workflow_model.starting_points import StartingPoint

STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.SUBMITTED: _l("Submitted"),
    VersionStatus.APPROVED: _l("Approved"),
    VersionStatus.REJECTED: _l("Rejected"),
    VersionStatus.SUPERSEDED: _l("Superseded"),
    VersionStatus.RETIRED: _l("Retired"),
}
"""A version's status (trạng thái phiên bản), keyed by the enum (equal to its value)."""

ENUM_LABELS: dict[str, Any] = {
    StepKind.START: _l("Start (reception)"),
    StepKind.TASK: _l("Task"),
    StepKind.END: _l("End"),
    TimeUnit.WORKING_DAY: _l("working days"),
    TimeUnit.WORKING_HOUR: _l("working hours"),
    Split.EXCLUSIVE: _l("One branch (decision)"),
    Split.PARALLEL: _l("All branches (parallel)"),
    Join.ANY: _l("First arrival"),
    Join.ALL: _l("Every branch"),
    **STATUS_LABELS,
}
"""Every stored enum value shown in lists and forms, by value."""

STARTING_POINT_LABELS = {
    StartingPoint.SKELETON: _l(
        "The standard one-stop path: receive at the one-stop desk → appraise → the leader "
        "approves → return the result, with the one-stop unit and the lead unit filled in"
    ),
    StartingPoint.EMPTY: _l("Empty: a reception step and an end step"),
    StartingPoint.COPY: _l("A copy of another procedure's version in force"),
}
"""Where a first draft may start (`workflow_model.starting_points`), as the form offers it."""

FIELD_LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "unit": _l("Unit"),
    "officers": _l("Officers"),
    "duration": _l("Duration"),
    "documents": _l("Dossier components"),
    "split": _l("Split"),
    "join": _l("Join"),
    "description": _l("Description"),
    "label": _l("Label"),
    "level": _l("Level"),
    "field": _l("Field"),
    "result": _l("Result"),
    "legal_basis": _l("Legal basis"),
    "fees": _l("Fees"),
    "legal_time": _l("Legal time"),
    "code": _l("Code"),
    "dossier_components": _l("Dossier components"),
    "case": _l("Case"),
    "title": _l("Title"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "one_stop": _l("One-stop desk"),
    "parent": _l("Parent unit"),
    "step": _l("Step"),
    "transition": _l("Transition"),
    "officer": _l("Officers"),
    "document": _l("Other content of the document"),
}
"""The fields of a flow document's procedure, steps, transitions, units and officers, and the
kinds of element, as the diff names them."""

REFUSAL_MESSAGES = {
    Refusal.INVALID_VALUE: _l("A value is out of the allowed range or not allowed here."),
    Refusal.DUPLICATE: _l("Another record already has this code, key or email."),
    Refusal.IN_USE: _l("It refers to a record that does not exist any more, or is still used."),
    Refusal.NOT_FOUND: _l("This step or transition no longer exists; reload the page."),
    Refusal.NOT_PERMITTED: _l("Your role does not allow this change."),
    Refusal.CONFLICT: _l("This version was changed by %(by)s at %(at)s; reload the page."),
    Refusal.INVALID_PHONE: _l(
        "The phone number is not a Vietnamese number: 10 digits starting with 0, or 11 "
        "digits starting with 02 (+84 may replace the leading 0)."
    ),
    Refusal.INVALID_EMAIL: _l("The email address is not valid."),
    Refusal.PARENT_CYCLE: _l("A unit cannot be placed under itself or under one of its own units."),
    Refusal.PARENT_LEVEL: _l(
        "A unit's parent unit must be of the same level or above it, "
        "never below (a commune unit cannot be the parent of a province unit)."
    ),
    Refusal.NOT_DRAFT: _l("Only a draft version can be changed; create a new draft instead."),
    Refusal.EMPTY_NAME: _l("A step needs a name."),
    Refusal.INVALID_KEY: _l(
        "A key uses letters, digits and _ . - only, starts with a letter or digit, "
        "and has at most 64 characters."
    ),
    Refusal.INVALID_DURATION: _l(
        "The duration must be a number from 0 to 100000, such as 4 or 0,5. Nothing was saved."
    ),
    Refusal.SELF_LOOP: _l("A step cannot lead to itself."),
    Refusal.DUPLICATE_TRANSITION: _l("These two steps are already connected."),
    Refusal.INTO_START: _l(
        "Nothing can lead into the start step: it is where the dossier arrives."
    ),
    Refusal.ILLEGAL_TRANSITION: _l("This action is not possible in the version's current status."),
    Refusal.NOT_APPROVER: _l("Only an approver can do this."),
    Refusal.FOUR_EYES: _l("The author or submitter of a version cannot approve it: four eyes."),
    Refusal.FOUR_EYES_EDITOR: _l(
        "You changed the content of this version, so you cannot approve it: four eyes."
    ),
    Refusal.HAS_ERRORS: _l("The version has errors, so it cannot be submitted:"),
    Refusal.CHANGED_SINCE_SUBMISSION: _l(
        "The version changed since it was submitted, so it is not what you reviewed: "
        "%(changes)s. Nothing was approved; send it back so that it is submitted again."
    ),
    Refusal.SUBMISSION_NOT_FROZEN: _l(
        "This version was submitted before submitted versions were kept as reviewed; "
        "send it back so that it is submitted again."
    ),
    Refusal.SUBMISSION_HAS_ERRORS: _l(
        "The version as submitted no longer passes the checks, so it cannot be approved:"
    ),
    Refusal.REASON_REQUIRED: _l("A rejection needs a reason."),
    Refusal.RETIRED_SOURCE: _l("A retired version cannot be restored."),
    Refusal.NOT_APPROVED: _l(
        "Only approved versions can be exported; a draft only as a JSON or BPMN preview."
    ),
    Refusal.NOT_IN_FORCE: _l("Only a version in force can be copied into a new draft."),
    Refusal.NOT_ONE_STOP: _l("Choose a one-stop unit from the list."),
    Refusal.OPEN_VERSION: _l(
        "Version %(number)s of this case is still open (%(status)s): edit it, or wait for "
        "the decision on it, before starting another. Nothing was created."
    ),
    Refusal.UNDER_REVIEW: _l(
        "A version of this procedure is under review, so its catalogue entry cannot change "
        "until it is approved or rejected. Nothing was changed."
    ),
    Refusal.CORRUPT_SNAPSHOT: _l(
        "The stored snapshot of version %(number)s is corrupt: it is not what was approved, "
        "so it is not shown, exported or delivered. The other versions are not affected; "
        "IT can check every snapshot with “sodo versions verify”."
    ),
    Refusal.INVALID_EVENT: _l(
        "The field “%(field)s” of the event is missing or not valid. The event was not recorded."
    ),
    Refusal.UNKNOWN_PROCEDURE: _l(
        "There is no procedure with code %(procedure)s. The event was not recorded."
    ),
    Refusal.UNKNOWN_CASE: _l(
        "Procedure %(procedure)s has no case “%(case)s”; "
        "name the case when the procedure has several. "
        "The event was not recorded."
    ),
    Refusal.UNKNOWN_STEP: _l(
        "The process of this procedure has no step “%(step)s”. The event was not recorded."
    ),
    Refusal.STEP_NOT_IN_VERSION: _l(
        "Step “%(step)s” is not in the version of the process the dossier was received under. "
        "The event was not recorded."
    ),
    Refusal.NO_VERSION_IN_FORCE: _l(
        "No approved process of this case was in force when the dossier was received. "
        "The event was not recorded."
    ),
    Refusal.UNKNOWN_DOSSIER: _l(
        "Dossier %(dossier)s has not been received from this system; send its reception first. "
        "The event was not recorded."
    ),
    Refusal.DOSSIER_EXISTS: _l(
        "Dossier %(dossier)s was received already. The event was not recorded."
    ),
    Refusal.DOSSIER_MISMATCH: _l(
        "Dossier %(dossier)s belongs to another procedure or case. The event was not recorded."
    ),
    Refusal.DOSSIER_CLOSED: _l(
        "Dossier %(dossier)s was closed before this time. The event was not recorded."
    ),
    Refusal.BEFORE_RECEPTION: _l(
        "The event's time is before dossier %(dossier)s was received. The event was not recorded."
    ),
    Refusal.EVENT_IN_FUTURE: _l("The event's time is in the future. The event was not recorded."),
}
"""One message per refusal code; the catalogues give each its Vietnamese text."""

TRACKING_REFUSALS = frozenset(
    Refusal[c]
    for c in (
        "INVALID_EVENT",
        "UNKNOWN_PROCEDURE",
        "UNKNOWN_CASE",
        "UNKNOWN_STEP",
        "STEP_NOT_IN_VERSION",
        "NO_VERSION_IN_FORCE",
        "UNKNOWN_DOSSIER",
        "DOSSIER_EXISTS",
        "DOSSIER_MISMATCH",
        "DOSSIER_CLOSED",
        "BEFORE_RECEPTION",
        "EVENT_IN_FUTURE",
    )
)
"""The refusals of a reported dossier event, whose messages name the field, step or dossier."""


class _Known(dict[str, Any]):
    """The details of a refusal, "?" for any a message names and the refusal lacks."""

    def __missing__(self, key: str) -> str:
        return "?"


FLAG_LABELS = {True: _l("Yes"), False: _l("No")}
"""A yes-or-no value (a flag column, a ticked box) in lists, details and CSV exports."""

EMPTY_CHOICE = _l("— none —")
"""What an empty choice of a select reads, instead of its internal value."""

CORRUPT_MARK = _l("Corrupt snapshot")
"""The mark of a version whose stored snapshot is corrupt, in lists and on pages."""


ENUM_KEYS = frozenset({"kind", "duration_unit", "legal_time_unit", "split", "join", "status"})
"""The keys of a journaled state whose value is a closed vocabulary's (`ENUM_LABELS`)."""


def journal_value(key: str, value: Any) -> str:
    """One value of a row's state as the journal stored it, in the user's words.

    An enum value says its label ("ngày làm việc", not ``working_day``), a flag yes or
    no; lists and objects stay JSON, every other value is shown as it is.
    """
    if isinstance(value, bool):
        return str(FLAG_LABELS[value])
    if value is None:
        return ""
    if key in ENUM_KEYS and isinstance(value, str):
        return str(ENUM_LABELS.get(value, value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def language() -> str:
    """The language of the current request, for the domain's formatters."""
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def refusal_message(error: ChangeRefused) -> str:
    """The message of a refused change, with its details, in the user's language."""
    if error.code is Refusal.CONFLICT:
        if not error.params.get("by"):
            return str(_l("This version was changed meanwhile; reload the page."))
        at = error.params.get("at")
        when = format_datetime(at, "short") if isinstance(at, datetime) else at
        return str(
            REFUSAL_MESSAGES[Refusal.CONFLICT]
            % {"by": error.params.get("by") or "?", "at": when or "?"}
        )
    if error.code is Refusal.CHANGED_SINCE_SUBMISSION:
        changes = error.params.get("changes", ())
        if not changes:
            return str(_l("This is not the version you reviewed; reload the review page."))
        return str(
            REFUSAL_MESSAGES[Refusal.CHANGED_SINCE_SUBMISSION]
            % {"changes": "; ".join(change_text(c) for c in changes)}
        )
    if error.code is Refusal.OPEN_VERSION:
        status = error.params.get("status")
        return str(
            REFUSAL_MESSAGES[error.code]
            % {
                "number": error.params.get("number", "?"),
                "status": STATUS_LABELS.get(status, status) if status else "?",
            }
        )
    if error.code in TRACKING_REFUSALS:
        return str(REFUSAL_MESSAGES[error.code] % _Known(error.params))
    if error.code is Refusal.CORRUPT_SNAPSHOT:
        return str(REFUSAL_MESSAGES[error.code] % {"number": error.params.get("number", "?")})
    message = str(REFUSAL_MESSAGES[error.code])
    if error.code in (Refusal.HAS_ERRORS, Refusal.SUBMISSION_HAS_ERRORS):
        key = "message_vi" if language() == "vi" else "message_en"
        message += " " + "; ".join(e[key] for e in error.params.get("errors", ()))
    return message


def duration_text(duration: Duration | tuple[float, TimeUnit | str], *, short: bool = False) -> str:
    """A duration in the user's language: "0,5 ngày làm việc" or "0.5 working days"."""
    return format_duration(duration, language(), short=short)


def fee_text(fee: Fee) -> str:
    """A fee in the user's words: "Lệ phí: 6.000.000 VND (mỗi lượt)"."""
    amount = format_decimal(fee.amount)
    note = f" ({fee.note})" if fee.note else ""
    return f"{fee.name}: {amount} {fee.currency}{note}"


def hours_as_days_text(hours: float) -> str:
    """Working hours said as working days in the user's language."""
    return format_hours_as_days(hours, language())


def change_text(change: DocumentChange) -> str:
    """A change since submission in the user's words: where, which field, before → after.

    Names the field as the diff does (`FIELD_LABELS`), e.g. "Thời hạn giải quyết: 17
    ngày làm việc → 1 ngày làm việc".
    """
    field = str(FIELD_LABELS.get(change.field, change.field))
    where = f"{change.subject} – {field}" if change.subject else field
    if change.old is None and change.new is None:
        return where
    old, new = value_label(change.old) or "—", value_label(change.new) or "—"
    return f"{where}: {old} → {new}"


def value_label(value: Any) -> str:
    """A typed value of a diff or the drift box, in the user's words.

    Durations say their unit, enum values their label, lists are joined, and a flag
    says yes or no.
    """
    if isinstance(value, Duration):
        return duration_text(value)
    if isinstance(value, bool):
        return str(FLAG_LABELS[value]).lower()
    if isinstance(value, str) and value in ENUM_LABELS:
        return str(ENUM_LABELS[value])
    if isinstance(value, Fee):
        return fee_text(value)
    if isinstance(value, tuple | list):
        return ", ".join(value_label(item) for item in value)
    return value_text(value, language())
