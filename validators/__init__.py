"""Validators: networkx rules over a flow document, with no database and no Flask.

``validate(doc)`` runs every rule of `RULES` and returns a `Report`. Rule codes are a
public contract: never renamed.
"""

from workflow_model.flowgraph import CriticalPath

from .engine import validate
from .findings import Finding, Report, Severity
from .registry import RULES, Rule

__all__ = ["RULES", "CriticalPath", "Finding", "Report", "Rule", "Severity", "validate"]
