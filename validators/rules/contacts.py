"""Rules on contacts: who handles each step, and phones and emails a citizen can use."""

from __future__ import annotations

from collections.abc import Iterator

from workflow_model.contacts import email_problem, is_valid_phone

from ..context import FlowContext
from ..findings import Severity
from ..registry import Issue, rule


def _steps_of(context: FlowContext, officer: str) -> tuple[str, ...]:
    return tuple(s.key for s in context.doc.steps if officer in s.officers)


@rule("invalid-phone", Severity.ERROR, "An officer's phone is not a Vietnamese number.")
def invalid_phone(context: FlowContext) -> Iterator[Issue]:
    """A citizen must be able to call the officer who handles the dossier."""
    for officer in context.doc.officers:
        if not is_valid_phone(officer.phone):
            shown = officer.phone or "(trống)"
            yield Issue(
                f"Số điện thoại của cán bộ {context.officer_name(officer.key)} không hợp lệ: "
                f"{shown}. Cần 10 số bắt đầu bằng 0 (di động) hoặc 11 số bắt đầu bằng 02 "
                "(cố định), có thể thay số 0 đầu bằng +84.",
                f"The phone of the officer {context.officer_name(officer.key)} is not a valid "
                f"Vietnamese number: {officer.phone or '(empty)'}. Expected 10 digits from 0 "
                "(mobile) or 11 digits from 02 (landline), or +84 instead of the leading 0.",
                steps=_steps_of(context, officer.key),
            )


@rule("invalid-email", Severity.ERROR, "An officer's email is not a valid address.")
def invalid_email(context: FlowContext) -> Iterator[Issue]:
    """A citizen must be able to write to the officer who handles the dossier."""
    for officer in context.doc.officers:
        problem = email_problem(officer.email)
        if problem is not None:
            yield Issue(
                f"Email của cán bộ {context.officer_name(officer.key)} không hợp lệ: "
                f"{officer.email or '(trống)'}.",
                f"The email of the officer {context.officer_name(officer.key)} is not valid: "
                f"{officer.email or '(empty)'} ({problem}).",
                steps=_steps_of(context, officer.key),
            )


@rule("step-without-officer", Severity.WARNING, "A step has no officer.")
def step_without_officer(context: FlowContext) -> Iterator[Issue]:
    """Without an officer, the citizen cannot see who handles the step."""
    for step in context.doc.steps:
        if not step.officers:
            yield Issue(
                f"Bước {context.step_name(step.key)} chưa có cán bộ xử lý: người dân không "
                "biết ai đang giải quyết hồ sơ.",
                f"The step {context.step_name(step.key)} has no officer: the citizen cannot "
                "see who handles it.",
                steps=(step.key,),
            )


@rule(
    "officer-unit-mismatch",
    Severity.WARNING,
    "A step's officer in charge belongs to a unit outside the step unit's subtree.",
)
def officer_unit_mismatch(context: FlowContext) -> Iterator[Issue]:
    """The officer in charge should belong to the step's unit or a unit below it."""
    for step in context.doc.steps:
        if not step.officers or not step.unit or step.unit not in context.units:
            continue
        officer = context.officers.get(step.officers[0])
        if officer is None or officer.unit not in context.units:
            continue
        if not context.within(officer.unit, step.unit):
            yield Issue(
                f"Cán bộ chủ trì {context.officer_name(officer.key)} của bước "
                f"{context.step_name(step.key)} thuộc {context.unit_name(officer.unit)}, "
                f"không thuộc {context.unit_name(step.unit)}.",
                f"The officer in charge {context.officer_name(officer.key)} of the step "
                f"{context.step_name(step.key)} belongs to {context.unit_name(officer.unit)}, "
                f"outside {context.unit_name(step.unit)}.",
                steps=(step.key,),
            )
