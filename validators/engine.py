"""Run every rule over a flow document and gather the report."""

from __future__ import annotations

from workflow_model.document import FlowDocument

from . import rules  # noqa: F401 - registers the rules
from .context import FlowContext
from .findings import Report
from .registry import RULES


def validate(doc: FlowDocument) -> Report:
    """Check `doc` against every rule and return the findings with the critical path.

    >>> from workflow_model.demo_data import demo_flow
    >>> validate(demo_flow("caobang-1_004944-1.json")).ok
    True
    >>> report = validate(demo_flow("sonla-2_002760-1.json"))
    >>> report.ok, [finding.code for finding in report.findings][:2]
    (False, ['time-budget-exceeded', 'reception-not-at-one-stop'])
    """
    context = FlowContext(doc)
    findings = tuple(finding for rule in RULES for finding in rule.run(context))
    return Report(
        findings=findings,
        critical_path=context.flow.critical_path,
        time_by_unit=dict(context.flow.time_by_unit),
        time_by_agency=dict(context.flow.time_by_agency),
    )
