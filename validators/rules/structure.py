"""Rules on the shape of the process: one start, ends, no loops, every step on a path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from workflow_model.enums import Join, Split

from ..context import FlowContext
from ..findings import Severity
from ..registry import Issue, rule


@rule("missing-start", Severity.ERROR, "No step of kind start.")
def missing_start(context: FlowContext) -> Iterator[Issue]:
    """The process must have a reception step where the dossier enters."""
    if not context.flow.starts:
        yield Issue(
            "Quy trình chưa có bước bắt đầu (tiếp nhận hồ sơ).",
            "The process has no start step (where the dossier is received).",
        )


@rule("multiple-starts", Severity.ERROR, "More than one start step.")
def multiple_starts(context: FlowContext) -> Iterator[Issue]:
    """A dossier enters a process at exactly one step."""
    starts = context.flow.starts
    if len(starts) > 1:
        yield Issue(
            f"Quy trình có {len(starts)} bước bắt đầu: {context.step_names(starts)}; "
            "chỉ được có một.",
            f"The process has {len(starts)} start steps: {context.step_names(starts)}; "
            "there must be exactly one.",
            steps=starts,
        )


@rule("missing-end", Severity.ERROR, "No step of kind end.")
def missing_end(context: FlowContext) -> Iterator[Issue]:
    """The process must finish somewhere: returning the result or the dossier."""
    if not context.flow.ends:
        yield Issue(
            "Quy trình chưa có bước kết thúc (trả kết quả hoặc trả hồ sơ).",
            "The process has no end step (returning the result or the dossier).",
        )


@rule("start-has-incoming", Severity.ERROR, "A transition leads into the start step.")
def start_has_incoming(context: FlowContext) -> Iterator[Issue]:
    """Nothing may lead back into the reception step."""
    for start in context.flow.starts:
        incoming = tuple((source, start) for source in context.flow.graph.predecessors(start))
        if incoming:
            sources = context.step_names([source for source, _ in incoming])
            yield Issue(
                f"Bước bắt đầu {context.step_name(start)} không được có bước dẫn vào "
                f"(từ {sources}).",
                f"The start step {context.step_name(start)} must have no incoming "
                f"transition (from {sources}).",
                steps=(start,),
                transitions=incoming,
            )


@rule("end-has-outgoing", Severity.ERROR, "A transition leaves an end step.")
def end_has_outgoing(context: FlowContext) -> Iterator[Issue]:
    """An end step finishes the process: nothing may follow it."""
    for end in context.flow.ends:
        outgoing = tuple((end, target) for target in context.flow.graph.successors(end))
        if outgoing:
            targets = context.step_names([target for _, target in outgoing])
            yield Issue(
                f"Bước kết thúc {context.step_name(end)} không được dẫn sang bước khác "
                f"({targets}).",
                f"The end step {context.step_name(end)} must have no outgoing transition "
                f"(to {targets}).",
                steps=(end,),
                transitions=outgoing,
            )


@rule("self-loop", Severity.ERROR, "A transition from a step to itself.")
def self_loop(context: FlowContext) -> Iterator[Issue]:
    """A step that hands the dossier to itself can repeat forever."""
    seen: set[str] = set()
    for transition in context.doc.transitions:
        key = transition.source
        # A loop on a missing step is the unknown-step rule's to report.
        if key == transition.target and key in context.steps and key not in seen:
            seen.add(key)
            yield Issue(
                f"Bước {context.step_name(key)} chuyển hồ sơ cho chính nó.",
                f"The step {context.step_name(key)} hands the dossier to itself.",
                steps=(key,),
                transitions=((key, key),),
            )


@rule("duplicate-transition", Severity.ERROR, "The same from → to pair twice.")
def duplicate_transition(context: FlowContext) -> Iterator[Issue]:
    """Two transitions between the same steps are ambiguous."""
    counts = Counter((t.source, t.target) for t in context.doc.transitions)
    for (source, target), count in counts.items():
        if count > 1:
            yield Issue(
                f"Chuyển tiếp từ {context.step_name(source)} sang {context.step_name(target)} "
                f"được khai báo {count} lần.",
                f"The transition from {context.step_name(source)} to "
                f"{context.step_name(target)} is declared {count} times.",
                steps=tuple(key for key in (source, target) if key in context.steps),
                transitions=((source, target),),
            )


@rule("cycle", Severity.ERROR, "Steps that can loop forever.")
def cycle(context: FlowContext) -> Iterator[Issue]:
    """One finding per strongly connected component of two or more steps.

    Linear in the size of the graph: components, not the (exponentially many) cycles.
    """
    graph = context.flow.graph
    for component in context.flow.cyclic_components:
        inside = set(component)
        transitions = tuple(
            (source, target)
            for source in component
            for target in graph.successors(source)
            if target in inside and target != source
        )
        yield Issue(
            f"Các bước {context.step_names(component)} tạo thành vòng lặp: hồ sơ có thể "
            "quay vòng mãi không kết thúc.",
            f"The steps {context.step_names(component)} form a loop: a dossier can go "
            "round forever.",
            steps=tuple(component),
            transitions=transitions,
        )


@rule("unreachable-step", Severity.ERROR, "A step that no path from the start reaches.")
def unreachable_step(context: FlowContext) -> Iterator[Issue]:
    """Steps no dossier can ever arrive at (not reported when there is no start)."""
    if not context.flow.starts:
        return
    reachable = context.flow.reachable
    for key in context.steps:
        if key not in reachable:
            yield Issue(
                f"Không có đường nào từ bước bắt đầu đến bước {context.step_name(key)}.",
                f"No path from the start step reaches the step {context.step_name(key)}.",
                steps=(key,),
            )


@rule("dead-end", Severity.ERROR, "A non-end step from which no end can be reached.")
def dead_end(context: FlowContext) -> Iterator[Issue]:
    """Steps where a dossier gets stuck (not reported when there is no end at all)."""
    if not context.flow.ends:
        return
    reaches_end = context.flow.reaches_end
    for key in context.steps:
        if key not in reaches_end:
            yield Issue(
                f"Từ bước {context.step_name(key)} không có đường nào đến bước kết thúc: "
                "hồ sơ sẽ bị kẹt.",
                f"From the step {context.step_name(key)} no path leads to an end step: "
                "the dossier gets stuck.",
                steps=(key,),
            )


@rule(
    "decision-without-labels",
    Severity.WARNING,
    "A step with an exclusive split has an outgoing transition without a label.",
)
def decision_without_labels(context: FlowContext) -> Iterator[Issue]:
    """At a decision, each branch should say when it is taken."""
    outgoing: dict[str, list[tuple[str, str]]] = {}
    for transition in context.doc.transitions:
        outgoing.setdefault(transition.source, []).append((transition.target, transition.label))
    for key, branches in outgoing.items():
        step = context.steps.get(key)
        if step is None or step.split is not Split.EXCLUSIVE or len(branches) < 2:
            continue
        unlabelled = tuple((key, target) for target, label in branches if not label.strip())
        if unlabelled:
            yield Issue(
                f"Bước {context.step_name(key)} rẽ nhánh nhưng {len(unlabelled)} nhánh chưa "
                "ghi điều kiện (nhãn).",
                f"The step {context.step_name(key)} is a decision, but {len(unlabelled)} of "
                "its branches have no label saying when they are taken.",
                steps=(key,),
                transitions=unlabelled,
            )


def join_marks(context: FlowContext) -> dict[str, int]:
    """For each step, a bit set of the "last" steps with join = all that it reaches.

    Whether some join = all is reachable from every branch of a split is a question of
    common descendants. If such a step exists, so does one that reaches no other join = all
    (up to a loop): follow joins downstream. So it is enough to intersect, per branch, the
    set of those last joins, one bit each, computed in one pass over the components of the
    graph in reverse topological order. That is linear in steps and transitions times the
    words of a bit set; in a flow made of parallel blocks in sequence every join reaches
    the last one, so the sets hold a bit or two.

    >>> from validators.context import FlowContext
    >>> from workflow_model.demo_data import demo_flow
    >>> marks = join_marks(FlowContext(demo_flow("caobang-1_004944-1.json")))
    >>> sorted(set(marks.values()))
    [0]
    """
    # Each loop counts as one node, named by its first step (components are cached
    # for the `cycle` rule); the rest of the graph is taken as it is.
    group = {key: key for key in context.steps}
    for component in context.flow.cyclic_components:
        for key in component:
            group[key] = component[0]
    below_of: dict[str, set[str]] = {}
    waiting = dict.fromkeys(group.values(), 0)
    for source, target in context.flow.graph.edges:
        source, target = group[source], group[target]
        if source != target and target not in below_of.setdefault(source, set()):
            below_of[source].add(target)
            waiting[source] += 1
    above_of: dict[str, list[str]] = {}
    for source, targets in below_of.items():
        for target in targets:
            above_of.setdefault(target, []).append(source)
    has_join = dict.fromkeys(waiting, False)
    for key, head in group.items():
        if context.steps[key].join is Join.ALL:
            has_join[head] = True
    # Kahn's algorithm from the bottom: a node is done once everything below it is.
    ready = [node for node, count in waiting.items() if count == 0]
    reaches_join: dict[str, bool] = {}
    marks: dict[str, int] = {}
    bit = 0
    while ready:
        node = ready.pop()
        mark = 0
        further = False
        for following in below_of.get(node, ()):
            mark |= marks[following]
            further = further or has_join[following] or reaches_join[following]
        # A join = all that reaches no other is one of the last: it gets a bit.
        if has_join[node] and not further:
            mark |= 1 << bit
            bit += 1
        marks[node], reaches_join[node] = mark, further
        for preceding in above_of.get(node, ()):
            waiting[preceding] -= 1
            if not waiting[preceding]:
                ready.append(preceding)
    return {key: marks[head] for key, head in group.items()}


@rule(
    "parallel-without-join",
    Severity.WARNING,
    "The branches of a parallel split never meet in a step whose join is all before an end.",
)
def parallel_without_join(context: FlowContext) -> Iterator[Issue]:
    """Branches run in parallel must be awaited together somewhere (join = all).

    The branches meet when some step with join = all is reachable from each of them
    (the branch itself included); see `join_marks` for how that is found in one pass.
    """
    graph = context.flow.graph
    marks: dict[str, int] | None = None
    for key, step in context.steps.items():
        if step.split is not Split.PARALLEL:
            continue
        branches = [target for target in graph.successors(key) if target != key]
        if len(branches) < 2:
            continue
        if marks is None:
            marks = join_marks(context)
        common = -1
        for branch in branches:
            common &= marks[branch]
        if common:
            continue
        yield Issue(
            f"Các nhánh song song từ bước {context.step_name(key)} không gặp lại nhau ở "
            "bước nào chờ đủ các nhánh (join = all) trước khi kết thúc.",
            f"The parallel branches from the step {context.step_name(key)} never meet in "
            "a step that waits for all of them (join = all) before an end.",
            steps=(key,),
            transitions=tuple((key, branch) for branch in branches),
        )
