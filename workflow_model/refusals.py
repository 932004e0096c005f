"""Why the domain refuses a change: one code per reason, stable across languages.

Every service that changes data raises `ChangeRefused` with a `Refusal` code and the
details a message needs (`params`). The web layer keeps one message per code and
language (`admin.vocabulary.REFUSAL_MESSAGES`); the CLI and the API print the code.
A refusal always means nothing was written.
"""

from __future__ import annotations

import enum
from typing import Any


class Refusal(enum.StrEnum):
    """The reasons a change can be refused; the values never change once published."""

    # Any row
    INVALID_VALUE = "invalid-value"
    DUPLICATE = "duplicate"
    IN_USE = "in-use"
    NOT_FOUND = "not-found"
    NOT_PERMITTED = "not-permitted"
    CONFLICT = "conflict"
    # Directory (danh bạ)
    INVALID_PHONE = "invalid-phone"
    INVALID_EMAIL = "invalid-email"
    PARENT_CYCLE = "parent-cycle"
    PARENT_LEVEL = "parent-level"
    # A version's content
    NOT_DRAFT = "not-draft"
    EMPTY_NAME = "empty-name"
    INVALID_KEY = "invalid-key"
    INVALID_DURATION = "invalid-duration"
    SELF_LOOP = "self-loop"
    DUPLICATE_TRANSITION = "duplicate-transition"
    INTO_START = "into-start"
    # The version lifecycle
    ILLEGAL_TRANSITION = "illegal-transition"
    NOT_APPROVER = "not-approver"
    FOUR_EYES = "four-eyes"
    FOUR_EYES_EDITOR = "four-eyes-editor"
    HAS_ERRORS = "has-errors"
    CHANGED_SINCE_SUBMISSION = "changed-since-submission"
    SUBMISSION_NOT_FROZEN = "submission-not-frozen"
    SUBMISSION_HAS_ERRORS = "submission-has-errors"
    REASON_REQUIRED = "reason-required"
    RETIRED_SOURCE = "retired-source"
    NOT_IN_FORCE = "not-in-force"
    NOT_ONE_STOP = "not-one-stop"
    NOT_APPROVED = "not-approved"
    OPEN_VERSION = "open-version"
    UNDER_REVIEW = "under-review"
    CORRUPT_SNAPSHOT = "corrupt-snapshot"
    # Dossier tracking: an event the ingest refuses (`workflow_model.tracking`)
    INVALID_EVENT = "invalid-event"
    UNKNOWN_PROCEDURE = "unknown-procedure"
    UNKNOWN_CASE = "unknown-case"
    UNKNOWN_STEP = "unknown-step"
    STEP_NOT_IN_VERSION = "step-not-in-version"
    NO_VERSION_IN_FORCE = "no-version-in-force"
    UNKNOWN_DOSSIER = "unknown-dossier"
    DOSSIER_EXISTS = "dossier-exists"
    DOSSIER_MISMATCH = "dossier-mismatch"
    DOSSIER_CLOSED = "dossier-closed"
    BEFORE_RECEPTION = "before-reception"
    EVENT_IN_FUTURE = "event-in-future"


class ChangeRefused(ValueError):
    """A change the domain refuses; `code` and `params` let each interface say why.

    >>> error = ChangeRefused(Refusal.SELF_LOOP, "step 's2' cannot lead to itself")
    >>> error.code == "self-loop", str(error)
    (True, "step 's2' cannot lead to itself")
    """

    def __init__(self, code: Refusal | str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = Refusal(code)
        self.params = params
