"""The time rules: durations, the critical path against the legal time, time by unit."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import sample_paths
from flow_samples import findings, flow, step

from validators import RULES, Severity, validate
from workflow_model.document import Duration, load_document
from workflow_model.models import TimeUnit

CODES = {rule.code: rule for rule in RULES}


def test_rules_pass_on_the_base_flow() -> None:
    for code in ("invalid-duration", "time-budget-exceeded", "time-budget-unallocated"):
        assert findings(flow(), code) == []


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_invalid_duration_of_a_step(value: float) -> None:
    # The loader refuses such values; a document built in code can still hold them.
    doc = flow()
    broken = dataclasses.replace(doc.steps[1], duration=Duration(value, TimeUnit.WORKING_DAY))
    doc = dataclasses.replace(doc, steps=(doc.steps[0], broken, *doc.steps[2:]))
    (found,) = findings(doc, "invalid-duration")
    assert found.severity is Severity.ERROR and found.steps == ("s2",)
    assert "Thẩm định hồ sơ" in found.message_vi


def test_invalid_legal_time() -> None:
    doc = flow()
    procedure = dataclasses.replace(doc.procedure, legal_time=Duration(-2, TimeUnit.WORKING_DAY))
    report = validate(dataclasses.replace(doc, procedure=procedure))
    assert [f.code for f in report.findings] == ["invalid-duration"]


def test_time_budget_exceeded_lists_the_critical_path() -> None:
    doc = flow(lambda d: step(d, "s3").update(duration={"value": 12, "unit": "working_hour"}))
    (found,) = findings(doc, "time-budget-exceeded")
    assert found.severity is Severity.ERROR
    assert found.steps == ("s1", "s2", "s3", "s4")
    assert found.transitions == (("s1", "s2"), ("s2", "s3"), ("s3", "s4"))
    assert "4,5 ngày làm việc" in found.message_vi and "4 ngày làm việc" in found.message_vi
    assert "4.5 working days" in found.message_en


def test_time_budget_unallocated_is_a_warning() -> None:
    doc = flow(lambda d: d["procedure"].update(legal_time={"value": 5, "unit": "working_day"}))
    (found,) = findings(doc, "time-budget-unallocated")
    assert found.severity is Severity.WARNING
    assert "1 ngày làm việc chưa giao" in found.message_vi
    assert validate(doc).ok


def test_the_longest_branch_counts_not_the_shortest() -> None:
    # The refusal branch (s2 → s5) is shorter; only the longest path is held to the law.
    doc = flow(lambda d: step(d, "s5").update(duration={"value": 3, "unit": "working_day"}))
    path = validate(doc).critical_path
    assert path is not None and path.steps == ("s1", "s2", "s5") and path.hours == 44


def test_time_by_unit_and_by_agency() -> None:
    report = validate(flow())
    assert report.time_by_unit == {"tt": 8.0, "svh-qlvh": 16.0, "svh": 8.0}
    assert report.time_by_agency == {"tt": 8.0, "svh": 24.0}


def test_budget_rules_do_not_run_without_a_path() -> None:
    doc = flow(lambda d: step(d, "s1").update(kind="task"))
    report = validate(doc)
    assert report.critical_path is None
    assert not report.codes() & {"time-budget-exceeded", "time-budget-unallocated"}


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.name)
def test_real_flows_have_no_structural_error(path) -> None:
    doc = load_document(path.read_bytes())
    report = validate(doc)
    structural = {rule.code for rule in RULES if rule.severity is Severity.ERROR} - {
        "time-budget-exceeded"
    }
    assert not report.codes() & structural, [f.message_en for f in report.findings]
    note = (doc.source or {}).get("note", "")
    # Where the transcription notes that the decision's step times overrun its total,
    # the validator must say so.
    overrun = "không khớp" in note.casefold()
    assert ("time-budget-exceeded" in report.codes()) == overrun, note
