"""Reports as plain data and as text, in Vietnamese or English, for the CLI and pages."""

from __future__ import annotations

from typing import Any

from .findings import Report, Severity
from .rules.time import days_en, days_vi

SEVERITY_WORDS = {
    "vi": {Severity.ERROR: "lỗi", Severity.WARNING: "cảnh báo", Severity.INFO: "thông tin"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}


def report_data(report: Report, lang: str = "vi") -> dict[str, Any]:
    """Return `report` as JSON-ready data: ok, findings (message in `lang`), critical path."""
    path = report.critical_path
    return {
        "ok": report.ok,
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message(lang),
                "steps": list(f.steps),
                "transitions": [list(pair) for pair in f.transitions],
            }
            for f in report.findings
        ],
        "critical_path": None
        if path is None
        else {"steps": list(path.steps), "hours": path.hours, "budget_hours": path.budget_hours},
    }


def _count(report: Report, severity: Severity, lang: str) -> str:
    count = len(report.by_severity(severity))
    word = SEVERITY_WORDS[lang][severity]
    return f"{count} {word}" + ("s" if lang == "en" and count != 1 else "")


def report_text(name: str, report: Report, lang: str = "vi") -> str:
    """Return `report` as lines of text headed by `name` (usually the file path)."""
    words = SEVERITY_WORDS[lang]
    if not report.findings:
        verdict = "đạt, không có lỗi" if lang == "vi" else "passes, no findings"
        lines = [f"{name}: {verdict}"]
    else:
        counts = ", ".join(_count(report, s, lang) for s in Severity if report.by_severity(s))
        lines = [f"{name}: {counts}"]
    for finding in report.findings:
        lines.append(f"  [{words[finding.severity]}] {finding.code}: {finding.message(lang)}")
    path = report.critical_path
    if path is not None:
        days = days_vi if lang == "vi" else days_en
        label = "Đường găng" if lang == "vi" else "Critical path"
        budget = "thời hạn" if lang == "vi" else "legal time"
        lines.append(
            f"  {label}: {days(path.hours)} / {budget} {days(path.budget_hours)}: "
            + " → ".join(path.steps)
        )
    return "\n".join(lines)
