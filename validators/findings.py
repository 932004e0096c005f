"""What the validators report: findings that point at steps and transitions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from workflow_model.flowgraph import CriticalPath


class Severity(enum.StrEnum):
    """How bad a finding is: an error stops submission; warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One problem found in a flow document, in Vietnamese and English.

    `steps` and `transitions` name the elements concerned (step keys, and (from, to)
    pairs), so an editor can highlight them.
    """

    code: str
    severity: Severity
    message_vi: str
    message_en: str
    steps: tuple[str, ...] = ()
    transitions: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "vi") -> str:
        """Return the message in `lang` (``vi`` or ``en``)."""
        return self.message_en if lang == "en" else self.message_vi


@dataclass(frozen=True)
class Report:
    """The result of validating one flow document.

    `critical_path` is None when no path leads from the start to an end.
    `time_by_unit` maps each unit key to the working hours it holds on the critical path;
    `time_by_agency` does the same by agency (the top unit), each agency's share of the
    budget in an inter-level (liên thông) process.
    """

    findings: tuple[Finding, ...]
    critical_path: CriticalPath | None
    time_by_unit: dict[str, float] = field(default_factory=dict)
    time_by_agency: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def by_severity(self, severity: Severity) -> tuple[Finding, ...]:
        """The findings of one severity, in report order."""
        return tuple(f for f in self.findings if f.severity is severity)

    def codes(self) -> set[str]:
        """The distinct codes of the findings."""
        return {f.code for f in self.findings}
