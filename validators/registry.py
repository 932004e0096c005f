"""The registry of rules: each rule has a code that never changes, a severity and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .context import FlowContext
from .findings import Finding, Severity


@dataclass(frozen=True)
class Issue:
    """What a check yields: the messages and the elements concerned, without code or severity."""

    message_vi: str
    message_en: str
    steps: tuple[str, ...] = ()
    transitions: tuple[tuple[str, str], ...] = ()


Check = Callable[[FlowContext], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """A named rule: `code` is a public contract, never renamed; `severity` is fixed."""

    code: str
    severity: Severity
    description: str
    check: Check

    def run(self, context: FlowContext) -> list[Finding]:
        """Run the check on `context` and return its findings."""
        return [
            Finding(self.code, self.severity, i.message_vi, i.message_en, i.steps, i.transitions)
            for i in self.check(context)
        ]


RULES: list[Rule] = []
"""Every registered rule, in the order their findings are reported."""


def rule(code: str, severity: Severity, description: str) -> Callable[[Check], Check]:
    """Register the decorated check as the rule `code`.

    Used as ``@rule("self-loop", Severity.ERROR, "A transition from a step to itself.")``
    over a function that takes a `FlowContext` and yields `Issue`s.
    """

    def register(check: Check) -> Check:
        if any(existing.code == code for existing in RULES):
            raise ValueError(f"rule {code!r} is registered twice")
        RULES.append(Rule(code, severity, description, check))
        return check

    return register
