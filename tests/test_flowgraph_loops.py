"""A loop sets aside only its back edge: the budget reads the process once through.

A dossier sent back for correction (s3 → s2) is a loop; the `cycle` rule reports it, and
the critical path, the shares of time, the due dates and the budget rules must read the
flow as the decision does, as if the back edge were not there.
"""

from __future__ import annotations

import sys
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flow_samples import flow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators import validate
from workflow_model.calendar import due_dates
from workflow_model.document import (
    Duration,
    FlowDocument,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
)
from workflow_model.flowgraph import FlowGraph
from workflow_model.models import StepKind, TimeUnit

BUDGET_CODES = ("time-budget-exceeded", "time-budget-unallocated")
RECEIVED = datetime(2026, 3, 9, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def add(data: dict[str, Any], source: str, target: str, label: str = "Cần bổ sung") -> None:
    data["transitions"].append({"from": source, "to": target, "label": label})


def lengthen(data: dict[str, Any]) -> None:
    """Put two more tasks (s6, s7) between s3 and s4: s1 → s2 → s3 → s6 → s7 → s4."""
    for key in ("s6", "s7"):
        data["steps"].append(
            {
                "key": key,
                "name": f"Bước {key}",
                "kind": "task",
                "unit": "svh-qlvh",
                "officers": ["o2"],
                "duration": {"value": 4, "unit": "working_hour"},
            }
        )
    data["transitions"].remove({"from": "s3", "to": "s4", "label": ""})
    add(data, "s3", "s6", "")
    add(data, "s6", "s7", "")
    add(data, "s7", "s4", "")


def legal_days(days: float):
    return lambda data: data["procedure"].update(legal_time={"value": days, "unit": "working_day"})


def budget_view(doc: FlowDocument) -> tuple[object, ...]:
    """Everything the budget reads: path, shares, the budget findings and the due dates."""
    report = validate(doc)
    return (
        report.critical_path,
        report.time_by_unit,
        report.time_by_agency,
        [f for f in report.findings if f.code in BUDGET_CODES],
        due_dates(doc, RECEIVED).steps,
    )


def both(*changes) -> tuple[FlowDocument, FlowDocument]:
    """The flow with `changes`, without and with the loops the last change adds."""

    def apply(data: dict[str, Any], upto: int) -> None:
        for change in changes[:upto]:
            change(data)

    return (
        flow(lambda d: apply(d, len(changes) - 1)),
        flow(lambda d: apply(d, len(changes))),
    )


@pytest.mark.parametrize(
    ("days", "expected"),
    [(4, ()), (5, ("time-budget-unallocated",)), (3, ("time-budget-exceeded",))],
)
def test_a_loop_in_the_middle_of_the_main_path_leaves_the_budget_as_it_is(
    days: float, expected: tuple[str, ...]
) -> None:
    plain, looped = both(legal_days(days), lambda d: add(d, "s3", "s2"))
    assert budget_view(looped) == budget_view(plain)
    report = validate(looped)
    assert report.critical_path is not None
    assert report.critical_path.steps == ("s1", "s2", "s3", "s4")
    assert report.critical_path.hours == 32
    assert report.time_by_agency == {"tt": 8.0, "svh": 24.0}
    assert tuple(f.code for f in report.findings if f.code in BUDGET_CODES) == expected
    (cycle,) = [f for f in report.findings if f.code == "cycle"]
    assert cycle.steps == ("s2", "s3") and ("s3", "s2") in cycle.transitions
    assert not report.ok
    assert FlowGraph(looped).back_edges == {("s3", "s2")}


def test_a_back_edge_written_first_in_the_document_is_still_the_back_edge() -> None:
    # The search starts from the start step, so the transition listed first does not
    # decide which edge of the loop is set aside.
    def loop_first(data: dict[str, Any]) -> None:
        data["transitions"].insert(0, {"from": "s3", "to": "s2", "label": "Cần bổ sung"})

    plain, looped = both(legal_days(5), loop_first)
    assert FlowGraph(looped).back_edges == {("s3", "s2")}
    assert budget_view(looped) == budget_view(plain)


def test_a_longer_return_loop_as_in_the_real_process() -> None:
    # s6 → s7 → s3 … as the Hà Nội process's s5 → s6 → s7 → s5: only the refusal branch
    # would be left if the loop's steps were dropped.
    plain, looped = both(lengthen, legal_days(6), lambda d: add(d, "s7", "s3"))
    assert budget_view(looped) == budget_view(plain)
    path = validate(looped).critical_path
    assert path is not None and path.steps == ("s1", "s2", "s3", "s6", "s7", "s4")
    assert path.hours == 40
    assert FlowGraph(looped).back_edges == {("s7", "s3")}


def test_a_self_loop_is_a_back_edge() -> None:
    plain, looped = both(legal_days(5), lambda d: add(d, "s3", "s3"))
    assert FlowGraph(looped).back_edges == {("s3", "s3")}
    assert budget_view(looped) == budget_view(plain)
    assert [f.steps for f in validate(looped).findings if f.code == "self-loop"] == [("s3",)]


def test_two_nested_loops() -> None:
    def loops(data: dict[str, Any]) -> None:
        add(data, "s6", "s3")  # inner: s3 → s6 → s3
        add(data, "s7", "s2")  # outer: s2 → s3 → s6 → s7 → s2

    plain, looped = both(lengthen, legal_days(5), loops)
    assert FlowGraph(looped).back_edges == {("s6", "s3"), ("s7", "s2")}
    assert budget_view(looped) == budget_view(plain)
    report = validate(looped)
    assert report.critical_path is not None and report.critical_path.hours == 40
    assert [f.code for f in report.findings if f.code == "cycle"] == ["cycle"]


def test_a_loop_no_start_reaches_neither_hangs_nor_counts() -> None:
    def island(data: dict[str, Any]) -> None:
        for key in ("x1", "x2"):
            data["steps"].append(
                {
                    "key": key,
                    "name": f"Bước {key}",
                    "kind": "task",
                    "unit": "tt",
                    "officers": ["o1"],
                    "duration": {"value": 9, "unit": "working_day"},
                }
            )
        add(data, "x1", "x2", "")
        add(data, "x2", "x1")
        add(data, "x2", "s4", "")

    plain = flow(legal_days(5))
    looped = flow(lambda d: (legal_days(5)(d), island(d)))
    # The search restarts from x1, the first step it has not reached, in document order.
    assert FlowGraph(looped).back_edges == {("x2", "x1")}
    assert budget_view(looped) == budget_view(plain)


def test_back_edges_of_a_long_loop_need_no_recursion() -> None:
    n = sys.getrecursionlimit() * 3
    keys = [f"s{i}" for i in range(n)]
    kinds = [StepKind.START] + [StepKind.TASK] * (n - 2) + [StepKind.END]
    transitions = [*pairwise(keys), (keys[-2], keys[1])]
    graph = FlowGraph(document(list(zip(keys, kinds, [1] * n, strict=True)), transitions))
    assert graph.back_edges == {(keys[-2], keys[1])}
    assert graph.critical_path is not None and graph.critical_path.hours == n


# --- A DAG plus edges back to a depth-first ancestor has the DAG's critical path ---------

PROCEDURE = ProcedureEntry(
    code="1.000001",
    name="Thủ tục thử",
    level="commune",
    field="Thử nghiệm",
    legal_time=Duration(5, TimeUnit.WORKING_DAY),
    result="Giấy chứng nhận",
)


def document(steps: list[tuple[str, StepKind, int]], transitions) -> FlowDocument:
    """A document of `steps` (key, kind, hours) joined by `transitions` (from, to)."""
    return FlowDocument(
        procedure=PROCEDURE,
        units=(UnitEntry("tt", "Bộ phận Một cửa", "commune", True),),
        officers=(),
        steps=tuple(
            StepEntry(key, f"Bước {key}", kind, "tt", Duration(hours, TimeUnit.WORKING_HOUR))
            for key, kind, hours in steps
        ),
        transitions=tuple(TransitionEntry(a, b, f"nhánh {b}") for a, b in transitions),
    )


def dfs_ancestors(start: str, transitions: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Reference: each node's ancestors in a recursive DFS from `start`, in document order."""
    successors: dict[str, list[str]] = {}
    for source, target in transitions:
        successors.setdefault(source, []).append(target)
    ancestors: dict[str, list[str]] = {}

    def visit(node: str, path: list[str]) -> None:
        ancestors[node] = list(path)
        for target in successors.get(node, []):
            if target not in ancestors:
                visit(target, [*path, node])

    visit(start, [])
    return ancestors


@st.composite
def dags_with_back_edges(draw):
    """A DAG from one start to its ends, and edges from nodes to DFS ancestors of theirs."""
    n_tasks = draw(st.integers(1, 30))
    n_ends = draw(st.integers(1, 3))
    n = 1 + n_tasks + n_ends
    edges = {(draw(st.integers(0, min(j - 1, n_tasks))), j) for j in range(1, n)}
    extra = draw(st.lists(st.tuples(st.integers(0, n_tasks), st.integers(1, n - 1)), max_size=n))
    edges |= {(i, j) for i, j in extra if i < j}
    names = draw(st.permutations(range(n)))
    keys = [f"s{names[i]}" for i in range(n)]
    kinds = [StepKind.START] + [StepKind.TASK] * n_tasks + [StepKind.END] * n_ends
    hours = draw(st.lists(st.integers(0, 16), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    steps = [(keys[i], kinds[i], hours[i]) for i in order]
    transitions = draw(st.permutations(sorted((keys[i], keys[j]) for i, j in edges)))
    ancestors = dfs_ancestors(keys[0], transitions)
    candidates = sorted((node, above) for node, path in ancestors.items() for above in path)
    candidates += [(node, node) for node in sorted(ancestors)]  # self-loops
    back = draw(st.lists(st.sampled_from(candidates), max_size=6, unique=True))
    return steps, transitions, back


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags_with_back_edges())
def test_back_edges_to_dfs_ancestors_leave_the_dag_critical_path(case) -> None:
    steps, transitions, back = case
    dag = FlowGraph(document(steps, transitions))
    looped = FlowGraph(document(steps, [*transitions, *back]))
    assert dag.back_edges == frozenset()
    assert looped.back_edges == frozenset(back)
    assert looped.critical_path == dag.critical_path
    assert looped.time_by_agency == dag.time_by_agency
