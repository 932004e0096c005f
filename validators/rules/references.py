"""Rules on keys: unique within their list, and every reference names something that exists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from ..context import FlowContext
from ..findings import Severity
from ..registry import Issue, rule

_LISTS_VI = {
    "units": "đơn vị",
    "officers": "cán bộ",
    "documents": "thành phần hồ sơ",
    "steps": "bước",
}


def _repeated(keys: Iterable[str]) -> list[tuple[str, int]]:
    return [(key, count) for key, count in Counter(keys).items() if count > 1]


@rule("duplicate-key", Severity.ERROR, "Two units, officers, documents or steps share a key.")
def duplicate_key(context: FlowContext) -> Iterator[Issue]:
    """Keys must be unique within their list, or references become ambiguous."""
    doc = context.doc
    lists = {
        "units": (u.key for u in doc.units),
        "officers": (o.key for o in doc.officers),
        "documents": (c.key for c in doc.procedure.dossier_components),
        "steps": (s.key for s in doc.steps),
    }
    for name, keys in lists.items():
        for key, count in _repeated(keys):
            yield Issue(
                f"Mã “{key}” được dùng cho {count} {_LISTS_VI[name]}; mỗi mã chỉ dùng một lần.",
                f"The key “{key}” is used by {count} {name}; each key must be unique.",
                steps=(key,) if name == "steps" else (),
            )


@rule("unknown-step", Severity.ERROR, "A transition or layout entry names a missing step.")
def unknown_step(context: FlowContext) -> Iterator[Issue]:
    """Transitions and diagram positions must name existing steps."""
    for transition in context.doc.transitions:
        missing = [k for k in (transition.source, transition.target) if k not in context.steps]
        if missing:
            names = ", ".join(f"“{k}”" for k in missing)
            yield Issue(
                f"Chuyển tiếp “{transition.source}” → “{transition.target}” nhắc đến bước "
                f"không tồn tại: {names}.",
                f"The transition “{transition.source}” → “{transition.target}” names a step "
                f"that does not exist: {names}.",
                steps=tuple(
                    k for k in (transition.source, transition.target) if k in context.steps
                ),
                transitions=((transition.source, transition.target),),
            )
    for key in context.doc.layout:
        if key not in context.steps:
            yield Issue(
                f"Sơ đồ có vị trí cho bước “{key}” không tồn tại.",
                f"The diagram layout has a position for the step “{key}”, which does not exist.",
            )


@rule("unknown-unit", Severity.ERROR, "A step, officer or unit parent names a missing unit.")
def unknown_unit(context: FlowContext) -> Iterator[Issue]:
    """Every unit a step, an officer or another unit names must be in the document."""
    units = context.units
    for step in context.doc.steps:
        if step.unit and step.unit not in units:
            yield Issue(
                f"Bước {context.step_name(step.key)} giao cho đơn vị “{step.unit}” không tồn tại.",
                f"The step {context.step_name(step.key)} is assigned to the unit "
                f"“{step.unit}”, which does not exist.",
                steps=(step.key,),
            )
    for officer in context.doc.officers:
        if officer.unit not in units:
            yield Issue(
                f"Cán bộ {context.officer_name(officer.key)} thuộc đơn vị “{officer.unit}” "
                "không tồn tại.",
                f"The officer {context.officer_name(officer.key)} belongs to the unit "
                f"“{officer.unit}”, which does not exist.",
            )
    for unit in context.doc.units:
        if unit.parent is not None and unit.parent not in units:
            yield Issue(
                f"Đơn vị {context.unit_name(unit.key)} có đơn vị cấp trên “{unit.parent}” "
                "không tồn tại.",
                f"The unit {context.unit_name(unit.key)} has the parent “{unit.parent}”, "
                "which does not exist.",
            )


@rule("unknown-officer", Severity.ERROR, "A step names an officer that does not exist.")
def unknown_officer(context: FlowContext) -> Iterator[Issue]:
    """Every officer a step names must be in the document."""
    for step in context.doc.steps:
        for key in step.officers:
            if key not in context.officers:
                yield Issue(
                    f"Bước {context.step_name(step.key)} giao cho cán bộ “{key}” không tồn tại.",
                    f"The step {context.step_name(step.key)} names the officer “{key}”, "
                    "which does not exist.",
                    steps=(step.key,),
                )


@rule("unknown-document", Severity.ERROR, "A step names a dossier component that does not exist.")
def unknown_document(context: FlowContext) -> Iterator[Issue]:
    """Every dossier component (thành phần hồ sơ) a step checks must be in the procedure."""
    for step in context.doc.steps:
        for key in step.documents:
            if key not in context.documents:
                yield Issue(
                    f"Bước {context.step_name(step.key)} kiểm tra thành phần hồ sơ “{key}” "
                    "không có trong thủ tục.",
                    f"The step {context.step_name(step.key)} checks the dossier component "
                    f"“{key}”, which the procedure does not list.",
                    steps=(step.key,),
                )


@rule("step-without-unit", Severity.ERROR, "A step has no unit.")
def step_without_unit(context: FlowContext) -> Iterator[Issue]:
    """Every step must say which unit handles it."""
    for step in context.doc.steps:
        if not step.unit:
            yield Issue(
                f"Bước {context.step_name(step.key)} chưa được giao cho đơn vị nào.",
                f"The step {context.step_name(step.key)} is not assigned to any unit.",
                steps=(step.key,),
            )
