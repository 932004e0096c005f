"""Run every rule over a flow document and gather the report."""

from __future__ import annotations

from workflow_model.document import FlowDocument

from . import rules  # noqa: F401 - registers the rules
from .context import FlowContext
from .findings import Report
from .registry import RULES


def validate(doc: FlowDocument) -> Report:
    """Check `doc` against every rule and return the findings with the critical path.

    >>> from workflow_model.document import load_document
    >>> # report = validate(load_document(path.read_bytes())); report.ok
    """
    context = FlowContext(doc)
    findings = tuple(finding for rule in RULES for finding in rule.run(context))
    return Report(
        findings=findings,
        critical_path=context.flow.critical_path,
        time_by_unit=dict(context.flow.time_by_unit),
        time_by_agency=dict(context.flow.time_by_agency),
    )
