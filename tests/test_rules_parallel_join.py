"""`parallel-without-join` in one pass, against the walk it replaced.

The reference below is the former rule: for every parallel split, walk each branch to the
end of the flow and look for a step with join = all that every walk reaches. It is
quadratic but plainly right; the rule must give exactly its findings, in the same order, on
any graph: with cycles, unreachable steps, dead ends, several or no start and end steps.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators import validate
from validators.context import FlowContext
from workflow_model.demo_data import demo_flow
from workflow_model.document import (
    Duration,
    FlowDocument,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
)
from workflow_model.flowgraph import closure
from workflow_model.models import Join, Split, StepKind, TimeUnit

CODE = "parallel-without-join"
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROCEDURE = ProcedureEntry(
    code="1.000001",
    name="Thủ tục thử",
    level="province",
    field="Thử nghiệm",
    legal_time=Duration(1000, TimeUnit.WORKING_DAY),
    result="Giấy chứng nhận",
)
HALF_DAY = Duration(0.5, TimeUnit.WORKING_DAY)
DEMO_FLOWS = sorted(
    path.name
    for path in (Path(__file__).parents[1] / "workflow_model/demo_data/flows").glob("*.json")
)


def reference_warned(doc: FlowDocument) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The splits the former walk warned about, with their branch transitions, in order."""
    context = FlowContext(doc)
    graph = context.flow.graph
    warned = []
    for key, step in context.steps.items():
        branches = [target for target in graph.successors(key) if target != key]
        if step.split is not Split.PARALLEL or len(branches) < 2:
            continue
        reached = [closure([branch], graph.successors) for branch in branches]
        meeting = set.intersection(*reached)
        if not any(context.steps[node].join is Join.ALL for node in meeting):
            warned.append((key, tuple((key, branch) for branch in branches)))
    return warned


def rule_warned(doc: FlowDocument) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The rule's findings, as (split, branch transitions), in the order it reports them."""
    found = [f for f in validate(doc).findings if f.code == CODE]
    for finding in found:
        assert len(finding.steps) == 1
    return [(f.steps[0], f.transitions) for f in found]


def document(steps: list[StepEntry], edges: list[tuple[str, str]]) -> FlowDocument:
    transitions = tuple(TransitionEntry(source, target) for source, target in edges)
    return FlowDocument(procedure=PROCEDURE, steps=tuple(steps), transitions=transitions)


def entry(key: str, kind: StepKind, split: Split, join: Join) -> StepEntry:
    return StepEntry(key, f"Bước {key}", kind, "tt", HALF_DAY, split=split, join=join)


@pytest.mark.parametrize("name", DEMO_FLOWS)
def test_demo_flows_get_the_former_findings(name: str) -> None:
    doc = demo_flow(name)
    assert rule_warned(doc) == reference_warned(doc)


@st.composite
def random_flows(draw):
    """Any small directed graph: random kinds, splits, joins; cycles and dead ends too."""
    n = draw(st.integers(2, 14))
    keys = [f"s{i}" for i in range(n)]
    kinds = draw(st.lists(st.sampled_from(list(StepKind)), min_size=n, max_size=n))
    splits = draw(st.lists(st.sampled_from(list(Split)), min_size=n, max_size=n))
    joins = draw(st.lists(st.sampled_from(list(Join)), min_size=n, max_size=n))
    node = st.integers(0, n - 1)
    pairs = draw(st.lists(st.tuples(node, node), max_size=3 * n, unique=True))
    steps = [entry(*values) for values in zip(keys, kinds, splits, joins, strict=True)]
    return document(steps, [(keys[i], keys[j]) for i, j in pairs])


@SETTINGS
@given(random_flows())
def test_on_any_graph_the_rule_gives_the_former_findings(doc: FlowDocument) -> None:
    assert rule_warned(doc) == reference_warned(doc)


@st.composite
def block_flows(draw):
    """A block-structured flow: a chain whose pieces are tasks, decisions or parallel blocks.

    A parallel block is a split whose 2–3 branches (each a short chain, possibly with a
    nested block) all run into one join; the join waits for all or, sometimes, for any. A
    decision may send a branch to a refusal end; some flows get one more transition anywhere
    (often a cycle).
    """
    steps: list[StepEntry] = []
    edges: list[tuple[str, str]] = []

    def new(kind=StepKind.TASK, split=Split.EXCLUSIVE, join=Join.ANY) -> str:
        key = f"s{len(steps)}"
        steps.append(entry(key, kind, split, join))
        return key

    def chain(head: str, depth: int) -> str:
        for _ in range(draw(st.integers(1, 4))):
            piece = draw(
                st.sampled_from(["task", "parallel", "decision"] if depth < 2 else ["task"])
            )
            if piece == "task":
                following = new()
                edges.append((head, following))
                head = following
            elif piece == "parallel":
                split = new(split=Split.PARALLEL)
                edges.append((head, split))
                join = new(join=draw(st.sampled_from([Join.ALL, Join.ALL, Join.ANY])))
                for _ in range(draw(st.integers(2, 3))):
                    first = new()
                    edges.append((split, first))
                    edges.append((chain(first, depth + 1), join))
                head = join
            else:
                decision = new()
                edges.append((head, decision))
                refusal = new(kind=StepKind.END)
                edges.append((decision, refusal))
                head = decision
        return head

    start = new(kind=StepKind.START)
    last = chain(start, 0)
    end = new(kind=StepKind.END)
    edges.append((last, end))
    if draw(st.booleans()) and len(steps) > 3:
        source, target = draw(st.lists(st.sampled_from(steps), min_size=2, max_size=2))
        edges.append((source.key, target.key))
    return document(steps, edges)


@SETTINGS
@given(block_flows())
def test_on_block_structured_flows_the_rule_gives_the_former_findings(doc: FlowDocument) -> None:
    assert rule_warned(doc) == reference_warned(doc)


def test_a_branch_that_can_also_leave_to_another_end_still_meets_the_others() -> None:
    # s1 splits to a and b; both reach j (join = all); b can also leave to the end e2.
    # As before, the branches count as meeting in j; without join = all they do not.
    steps = [
        entry("s0", StepKind.START, Split.EXCLUSIVE, Join.ANY),
        entry("s1", StepKind.TASK, Split.PARALLEL, Join.ANY),
        entry("a", StepKind.TASK, Split.EXCLUSIVE, Join.ANY),
        entry("b", StepKind.TASK, Split.EXCLUSIVE, Join.ANY),
        entry("j", StepKind.TASK, Split.EXCLUSIVE, Join.ALL),
        entry("e1", StepKind.END, Split.EXCLUSIVE, Join.ANY),
        entry("e2", StepKind.END, Split.EXCLUSIVE, Join.ANY),
    ]
    edges = [("s0", "s1"), ("s1", "a"), ("s1", "b"), ("a", "j"), ("b", "j"), ("j", "e1")]
    edges.append(("b", "e2"))
    assert rule_warned(document(steps, edges)) == []
    steps[4] = entry("j", StepKind.TASK, Split.EXCLUSIVE, Join.ANY)
    assert rule_warned(document(steps, edges)) == [("s1", (("s1", "a"), ("s1", "b")))]
