"""The structure rules, each with a passing and a failing fixture."""

from __future__ import annotations

import pytest
from flow_samples import BASE, findings, flow, step

from validators import RULES, Severity, validate

CODES = {rule.code: rule for rule in RULES}


def test_the_base_flow_has_no_finding_at_all() -> None:
    report = validate(flow())
    assert report.findings == ()
    assert report.ok
    assert report.critical_path is not None
    assert report.critical_path.steps == ("s1", "s2", "s3", "s4")
    assert report.critical_path.hours == report.critical_path.budget_hours == 32


def add(data, source, target, label=""):
    data["transitions"].append({"from": source, "to": target, "label": label})


FAILING = {
    "missing-start": (lambda d: step(d, "s1").update(kind="task"), ()),
    "multiple-starts": (lambda d: step(d, "s3").update(kind="start"), ("s1", "s3")),
    "missing-end": (
        lambda d: [step(d, k).update(kind="task") for k in ("s4", "s5")],
        (),
    ),
    "start-has-incoming": (lambda d: add(d, "s3", "s1"), ("s1",)),
    "end-has-outgoing": (lambda d: add(d, "s5", "s3"), ("s5",)),
    "self-loop": (lambda d: add(d, "s2", "s2"), ("s2",)),
    "duplicate-transition": (lambda d: add(d, "s1", "s2"), ("s1", "s2")),
    "cycle": (lambda d: add(d, "s3", "s2", "Cần bổ sung"), ("s2", "s3")),
    "unreachable-step": (
        lambda d: d["transitions"].remove({"from": "s1", "to": "s2", "label": ""}),
        ("s2",),
    ),
    "dead-end": (
        lambda d: d["transitions"].remove({"from": "s3", "to": "s4", "label": ""}),
        ("s3",),
    ),
    "decision-without-labels": (
        lambda d: d["transitions"][2].update(label=""),
        ("s2",),
    ),
    "parallel-without-join": (
        lambda d: step(d, "s2").update(split="parallel"),
        ("s2",),
    ),
}


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_passes_on_the_base_flow(code: str) -> None:
    assert findings(flow(), code) == []


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_fails_on_its_fixture_and_points_at_the_steps(code: str) -> None:
    change, steps = FAILING[code]
    found = findings(flow(change), code)
    assert found, f"{code} found nothing"
    assert all(f.severity is CODES[code].severity for f in found)
    assert found[0].steps == steps
    assert found[0].message_vi and found[0].message_en
    for key in steps:
        name = step(BASE, key)["name"]
        assert name in found[0].message_vi and name in found[0].message_en


def test_severities_are_as_published() -> None:
    warnings = {"decision-without-labels", "parallel-without-join"}
    for code in FAILING:
        expected = Severity.WARNING if code in warnings else Severity.ERROR
        assert CODES[code].severity is expected, code


def test_cycle_lists_the_transitions_inside_the_component() -> None:
    (finding,) = findings(flow(lambda d: add(d, "s3", "s2", "Cần bổ sung")), "cycle")
    assert set(finding.transitions) == {("s2", "s3"), ("s3", "s2")}


def test_unreachable_and_dead_end_are_not_reported_without_start_or_end() -> None:
    no_start = flow(lambda d: step(d, "s1").update(kind="task"))
    assert findings(no_start, "unreachable-step") == []
    no_end = flow(lambda d: [step(d, k).update(kind="task") for k in ("s4", "s5")])
    assert findings(no_end, "dead-end") == []


def test_a_dead_end_task_with_no_outgoing_transition() -> None:
    def orphan(data):
        data["steps"].append(
            {
                "key": "s6",
                "name": "Lưu hồ sơ",
                "kind": "task",
                "unit": "tt",
                "officers": ["o1"],
                "duration": {"value": 0, "unit": "working_day"},
            }
        )
        add(data, "s3", "s6", "Lưu")
        data["transitions"][3]["label"] = "Trả"

    found = findings(flow(orphan), "dead-end")
    assert [f.steps for f in found] == [("s6",)]


def test_parallel_branches_that_meet_in_a_join_all_pass() -> None:
    def parallel(data):
        step(data, "s1").update(split="parallel")
        data["steps"].insert(
            2,
            {
                "key": "p",
                "name": "Lấy ý kiến Sở Tài chính",
                "kind": "task",
                "unit": "svh",
                "officers": ["o3"],
                "duration": {"value": 1, "unit": "working_day"},
            },
        )
        step(data, "s2").update(join="all")
        add(data, "s1", "p")
        add(data, "p", "s2")

    doc = flow(parallel)
    assert findings(doc, "parallel-without-join") == []
    # Without the join = all, the same branches never wait for each other.
    doc = flow(lambda d: (parallel(d), step(d, "s2").update(join="any")))
    assert [f.steps for f in findings(doc, "parallel-without-join")] == [("s1",)]


def test_a_long_cycle_is_one_finding_and_validation_terminates() -> None:
    def ring(data):
        for index in range(200):
            data["steps"].append(
                {
                    "key": f"r{index}",
                    "name": f"Vòng {index}",
                    "kind": "task",
                    "unit": "tt",
                    "officers": ["o1"],
                    "duration": {"value": 1, "unit": "working_hour"},
                }
            )
            add(data, f"r{index}", f"r{(index + 1) % 200}")
        add(data, "s3", "r0", "Vào vòng")
        data["transitions"][3]["label"] = "Trả"

    report = validate(flow(ring))
    (finding,) = [f for f in report.findings if f.code == "cycle"]
    assert len(finding.steps) == 200 and len(finding.transitions) == 200
    # The time rules leave the cyclic part out rather than loop.
    assert report.critical_path is not None and "r0" not in report.critical_path.steps
