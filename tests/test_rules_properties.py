"""Property tests of the graph rules on random flows, against a reference written here.

The reference uses plain depth-first search only (no networkx, no `workflow_model.flowgraph`),
so a mistake in the graph code cannot hide behind the same mistake in the test.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from validators import RULES, Severity, validate
from workflow_model.document import (
    DocumentError,
    Duration,
    FlowDocument,
    OfficerEntry,
    ProcedureEntry,
    StepEntry,
    TransitionEntry,
    UnitEntry,
    load_document,
)
from workflow_model.document.limits import (
    KEY_RE,
    MAX_COORDINATE,
    MAX_DURATION,
    MAX_KEY_LENGTH,
    MAX_LEVEL_KEY_LENGTH,
)
from workflow_model.models import StepKind, TimeUnit

MAX_STEPS = 60
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STRUCTURAL_CODES = {
    "missing-start",
    "multiple-starts",
    "missing-end",
    "start-has-incoming",
    "end-has-outgoing",
    "self-loop",
    "duplicate-transition",
    "cycle",
    "unreachable-step",
    "dead-end",
    "unknown-step",
}
PROCEDURE = ProcedureEntry(
    code="1.000001",
    name="Thủ tục thử",
    level="commune",
    field="Thử nghiệm",
    legal_time=Duration(1000, TimeUnit.WORKING_DAY),
    result="Giấy chứng nhận",
)
HALF_DAY = Duration(0.5, TimeUnit.WORKING_DAY)


# --- The reference: plain depth-first search ---------------------------------------------


def successors_of(edges):
    """Adjacency sets from (from, to) pairs; duplicates collapse."""
    successors = {}
    for source, target in edges:
        successors.setdefault(source, set()).add(target)
    return successors


def dfs_reach(start, successors):
    """Every node some path of length ≥ 0 from `start` reaches (`start` included)."""
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for following in successors.get(node, ()):
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


def reference(keys, edges, starts, ends):
    """Expected `cycle`, `unreachable-step` and `dead-end` findings, as comparable values."""
    successors = successors_of(edges)
    reach = {key: dfs_reach(key, successors) for key in keys}
    components = set()
    for key in keys:
        component = frozenset(other for other in reach[key] if key in reach[other])
        if len(component) > 1:
            components.add(component)
    cycles = {
        component: {(s, t) for s, t in set(edges) if s in component and t in component and s != t}
        for component in components
    }
    unreachable = set()
    if starts:
        reached = set().union(*(reach[start] for start in starts))
        unreachable = {key for key in keys if key not in reached}
    dead = set()
    if ends:
        dead = {key for key in keys if not reach[key] & set(ends)}
    return cycles, unreachable, dead


# --- 1. Random directed graphs -----------------------------------------------------------


@st.composite
def random_graphs(draw):
    """Steps s0…s(n-1) of random kinds, and random transitions between them."""
    n = draw(st.integers(1, MAX_STEPS))
    kinds = [StepKind.TASK] * n
    positions = draw(st.permutations(range(n)))
    n_starts = draw(st.integers(0, min(3, n)))
    n_ends = draw(st.integers(0, min(4, n - n_starts)))
    for index in positions[:n_starts]:
        kinds[index] = StepKind.START
    for index in positions[n_starts : n_starts + n_ends]:
        kinds[index] = StepKind.END
    node = st.integers(0, n - 1)
    size = draw(st.integers(0, min(n * n, 3 * n)))  # up to 3 transitions a step on average
    near = node.flatmap(  # transitions between nearby steps make several small loops
        lambda i: st.tuples(st.just(i), st.integers(max(0, i - 3), min(n - 1, i + 3)))
    )
    pair = st.tuples(node, node) | near
    pairs = draw(st.lists(pair, min_size=size, max_size=size, unique=True))
    loops = draw(st.lists(node, max_size=3, unique=True))
    pairs += [(i, i) for i in loops if (i, i) not in pairs]
    repeated = draw(st.lists(st.sampled_from(pairs), max_size=3)) if pairs else []
    order = draw(st.permutations(pairs + repeated))
    keys = [f"s{i}" for i in range(n)]
    edges = [(keys[i], keys[j]) for i, j in order]
    return keys, kinds, edges


def graph_document(keys, kinds, edges):
    steps = tuple(
        StepEntry(key, f"Bước {key}", kind, "tt", HALF_DAY)
        for key, kind in zip(keys, kinds, strict=True)
    )
    transitions = tuple(TransitionEntry(source, target) for source, target in edges)
    return FlowDocument(procedure=PROCEDURE, steps=steps, transitions=transitions)


def findings_of(report, code):
    return [finding for finding in report.findings if finding.code == code]


@SETTINGS
@given(random_graphs())
def test_graph_rules_agree_with_depth_first_search(graph):
    keys, kinds, edges = graph
    starts = [key for key, kind in zip(keys, kinds, strict=True) if kind is StepKind.START]
    ends = [key for key, kind in zip(keys, kinds, strict=True) if kind is StepKind.END]
    report = validate(graph_document(keys, kinds, edges))
    cycles, unreachable, dead = reference(keys, edges, starts, ends)

    found_cycles = findings_of(report, "cycle")
    assert len(found_cycles) == len(cycles)
    by_component = {frozenset(finding.steps): finding for finding in found_cycles}
    assert set(by_component) == set(cycles)
    for component, finding in by_component.items():
        assert len(finding.steps) == len(component)
        assert sorted(finding.transitions) == sorted(cycles[component])
        assert finding.severity is Severity.ERROR

    found_unreachable = [f.steps for f in findings_of(report, "unreachable-step")]
    assert sorted(found_unreachable) == sorted((key,) for key in unreachable)
    assert not set(starts) & unreachable

    found_dead = [f.steps for f in findings_of(report, "dead-end")]
    assert sorted(found_dead) == sorted((key,) for key in dead)
    assert not set(ends) & {steps[0] for steps in found_dead}

    self_loops = {source for source, target in edges if source == target}
    assert sorted(f.steps for f in findings_of(report, "self-loop")) == sorted(
        (key,) for key in self_loops
    )
    repeated = {pair: count for pair, count in Counter(edges).items() if count > 1}
    assert {f.transitions[0] for f in findings_of(report, "duplicate-transition")} == set(repeated)


# --- 2. A back transition in an acyclic flow makes a cycle -------------------------------


@st.composite
def acyclic_flows(draw):
    """A valid acyclic flow: start first, tasks, ends last in a topological order.

    Every step has an earlier non-end predecessor (so the start reaches it) and every
    non-end step a later successor (so it reaches an end). Document order is shuffled.
    Returns the document's parts and two tasks (a, b) with a path a → … → b.
    """
    n_tasks = draw(st.integers(2, 40))
    n_ends = draw(st.integers(1, 4))
    n = 1 + n_tasks + n_ends
    last_task = n_tasks  # indices: 0 start, 1…n_tasks tasks, then ends
    edges = set()
    for j in range(1, n):
        edges.add((draw(st.integers(0, min(j - 1, last_task))), j))
    for i in range(last_task + 1):
        edges.add((i, draw(st.integers(i + 1, n - 1))))
    extra = draw(
        st.lists(st.tuples(st.integers(0, last_task), st.integers(1, n - 1)), max_size=2 * n)
    )
    edges |= {(i, j) for i, j in extra if i < j}

    successors = successors_of(edges)
    tasks = range(1, last_task + 1)
    pairs = sorted(
        (a, b) for a in tasks for b in dfs_reach(a, successors) if b != a and 1 <= b <= last_task
    )
    if pairs:
        a, b = draw(st.sampled_from(pairs))
    else:
        a = draw(st.integers(1, last_task - 1))
        b = draw(st.integers(a + 1, last_task))
        edges.add((a, b))

    names = draw(st.permutations(range(n)))  # step i gets the key s{names[i]}
    keys = [f"s{names[i]}" for i in range(n)]
    kinds = [StepKind.START] + [StepKind.TASK] * n_tasks + [StepKind.END] * n_ends
    order = draw(st.permutations(range(n)))
    steps = [(keys[i], kinds[i]) for i in order]
    transitions = draw(st.permutations(sorted((keys[i], keys[j]) for i, j in edges)))
    return steps, transitions, keys[a], keys[b]


def full_document(steps, transitions):
    """A document with valid units, officers and durations, so only the graph can fail."""
    return FlowDocument(
        procedure=PROCEDURE,
        units=(UnitEntry("tt", "Bộ phận Một cửa", "commune", True),),
        officers=(
            OfficerEntry(
                "o1", "Nguyễn Văn An", "Chuyên viên", "0912 345 678", "an.nv@example.gov.vn", "tt"
            ),
        ),
        steps=tuple(
            StepEntry(key, f"Bước {key}", kind, "tt", HALF_DAY, officers=("o1",))
            for key, kind in steps
        ),
        transitions=tuple(
            TransitionEntry(source, target, f"nhánh {target}") for source, target in transitions
        ),
    )


@SETTINGS
@given(acyclic_flows())
def test_back_transition_makes_a_cycle_naming_both_steps(flow):
    steps, transitions, a, b = flow
    before = validate(full_document(steps, transitions))
    assert not before.codes() & STRUCTURAL_CODES, before.findings
    assert before.ok, before.findings
    assert before.critical_path is not None

    after = validate(full_document(steps, [*transitions, (b, a)]))
    cycles = [f for f in findings_of(after, "cycle") if {a, b} <= set(f.steps)]
    assert len(cycles) == 1, after.findings
    assert (b, a) in cycles[0].transitions
    # The loop is exactly the steps on some path a → … → b, and the only one.
    successors = successors_of(transitions)
    between = {x for x in dfs_reach(a, successors) if b in dfs_reach(x, successors)}
    assert set(cycles[0].steps) == between
    assert len(findings_of(after, "cycle")) == 1
    assert not after.ok


# --- 3. validate never raises on a document the loader accepts ---------------------------

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠ "
)
PHRASES = [
    "",
    " ",
    "Tiếp nhận hồ sơ",
    "Thẩm định, trình ký",
    "Trả kết quả cho công dân",
    "UBND xã, phường",
    "Bộ phận Một cửa",
]
KEY_POOL = ["s1", "s2", "s3", "s4", "tt", "ub", "o1", "o2", "d1", "x", "bước_1", "Đơn-vị", "k" * 64]

# What the loader accepts, so that few generated documents are refused before the
# rules run (the loader's own refusals have their fuzz test): no NUL in texts, keys
# by `KEY_RE`, numbers within the bounds of `limits`.
texts = st.one_of(
    st.sampled_from(PHRASES),
    st.text(VIETNAMESE, max_size=30),
    st.text(st.characters(exclude_characters="\x00"), max_size=10),
)
key_texts = st.one_of(
    st.sampled_from(KEY_POOL),
    st.from_regex(KEY_RE, fullmatch=True).filter(lambda key: len(key) <= MAX_KEY_LENGTH),
)
level_keys = st.sampled_from(["commune", "district", "province", "ministry"]) | key_texts.filter(
    lambda key: len(key) <= MAX_LEVEL_KEY_LENGTH
)


def bounded(top: float) -> st.SearchStrategy[float]:
    """Integers and floats from 0 to `top`, its ends included."""
    return st.one_of(
        st.integers(0, int(top)),
        st.floats(min_value=0, max_value=top, allow_nan=False, allow_infinity=False),
        st.just(0),
        st.just(top),
    )


numbers = bounded(MAX_DURATION)
durations = st.fixed_dictionaries(
    {"value": numbers, "unit": st.sampled_from(["working_day", "working_hour"])}
)
phones = st.one_of(
    st.sampled_from(["", " ", "0912 345 678", "+84 222 3810 111", "0222.3810.111", "12345"]),
    st.text("0123456789+ .-", max_size=16),
    texts,
)
emails = st.one_of(
    st.sampled_from(
        ["", " ", "an.nv@example.gov.vn", "not-an-email", "tên@ví-dụ.vn", "a@b", "@", "a@@b.vn"]
    ),
    st.builds(lambda user, host: f"{user}@{host}", texts, texts),
    texts,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)


def with_optional(required, optional):
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def raw_documents(draw):
    """JSON-like documents of the right shape, with random and broken references."""
    components = draw(
        st.lists(
            with_optional(
                {"key": key_texts, "name": texts},
                {
                    "originals": st.integers(0, 5),
                    "copies": st.integers(0, 5),
                    "form": texts,
                },
            ),
            max_size=3,
        )
    )
    procedure = {
        "code": draw(key_texts),
        "name": draw(texts),
        "level": draw(level_keys),
        "field": draw(texts),
        "legal_time": draw(durations),
        "result": draw(texts),
        "legal_basis": draw(st.lists(texts, max_size=2)),
        "fees": draw(
            st.lists(
                with_optional({"name": texts, "amount": numbers}, {"currency": texts}),
                max_size=2,
            )
        ),
        "dossier_components": components,
    }
    if draw(st.booleans()):
        procedure["case"] = draw(
            st.none() | st.fixed_dictionaries({"key": key_texts, "name": texts})
        )

    unit_keys = draw(st.lists(key_texts, max_size=5))
    unit_ref = st.one_of(st.sampled_from(unit_keys), key_texts) if unit_keys else key_texts
    units = [
        {
            "key": key,
            "name": draw(texts),
            "level": draw(level_keys),
            "one_stop": draw(st.booleans()),
            # An earlier unit or a key naming nothing: the loader refuses a cycle.
            "parent": draw(
                st.none() | (st.sampled_from(unit_keys[:i]) if i else st.nothing()) | key_texts
            ),
        }
        for i, key in enumerate(unit_keys)
    ]
    officer_keys = draw(st.lists(key_texts, max_size=4))
    officers = [
        {
            "key": key,
            "name": draw(texts),
            "title": draw(texts),
            "phone": draw(phones),
            "email": draw(emails),
            "unit": draw(unit_ref),
        }
        for key in officer_keys
    ]
    officer_ref = st.one_of(st.sampled_from(officer_keys), key_texts) if officer_keys else key_texts
    document_keys = [c["key"] for c in components]
    document_ref = (
        st.one_of(st.sampled_from(document_keys), key_texts) if document_keys else key_texts
    )

    n_steps = draw(st.integers(0, 15))
    step_keys = [draw(st.just(f"s{i}") | key_texts) for i in range(n_steps)]
    steps = []
    for key in step_keys:
        step = {
            "key": key,
            "name": draw(texts),
            "kind": draw(st.sampled_from(["start", "task", "task", "task", "end"])),
            "unit": draw(st.none() | unit_ref),
            "officers": draw(st.lists(officer_ref, max_size=3)),
            "duration": draw(durations),
        }
        optional = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "documents": st.lists(document_ref, max_size=3),
                    "split": st.sampled_from(["exclusive", "parallel"]),
                    "join": st.sampled_from(["any", "all"]),
                    "description": texts,
                },
            )
        )
        steps.append(step | optional)

    step_ref = st.one_of(st.sampled_from(step_keys), key_texts) if step_keys else key_texts
    mostly_steps = (
        st.one_of(st.sampled_from(step_keys), st.sampled_from(step_keys), key_texts)
        if step_keys
        else key_texts
    )
    transitions = draw(
        st.lists(
            with_optional({"from": mostly_steps, "to": mostly_steps}, {"label": texts}),
            max_size=3 * n_steps + 2,
        )
    )
    data = {
        "format": "sodo.flow/1",
        "procedure": procedure,
        "units": units,
        "officers": officers,
        "steps": steps,
        "transitions": transitions,
    }
    if draw(st.booleans()):
        data["layout"] = draw(
            st.dictionaries(
                step_ref,
                st.fixed_dictionaries(
                    {"x": bounded(MAX_COORDINATE) | st.integers(-MAX_COORDINATE, 0), "y": numbers}
                ),
                max_size=4,
            )
        )
    if draw(st.booleans()):
        data["source"] = draw(st.none() | st.dictionaries(texts, json_values, max_size=3))
    return data


@pytest.mark.parametrize(
    "transitions",
    [
        [{"from": "s1", "to": "s1"}],  # a self-loop on a missing step
        [{"from": "a", "to": "b"}, {"from": "a", "to": "b"}],  # a duplicate, missing steps
    ],
)
def test_findings_name_only_existing_steps(transitions):
    """The smallest documents the property below found; `unknown-step` reports them."""
    report = validate(load_document(minimal_document(transitions)))
    assert "unknown-step" in report.codes()
    for finding in report.findings:
        assert finding.steps == (), finding


def is_path_of_transitions(steps, transitions):
    pairs = {(t.source, t.target) for t in transitions}
    return all(pair in pairs for pair in pairwise(steps))


def minimal_document(transitions):
    """A document with no step at all, only the given transitions."""
    return {
        "format": "sodo.flow/1",
        "procedure": {
            "code": "p",
            "name": "",
            "level": "commune",
            "field": "",
            "legal_time": {"value": 0, "unit": "working_day"},
            "result": "",
            "legal_basis": [],
            "fees": [],
            "dossier_components": [],
        },
        "units": [],
        "officers": [],
        "steps": [],
        "transitions": transitions,
    }


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw_documents())
def test_validate_never_raises_on_a_loadable_document(data):
    try:
        doc = load_document(data)
    except DocumentError:
        reject()  # the generator is meant to make this rare

    report = validate(doc)

    codes = {rule.code for rule in RULES}
    assert report.ok == (not any(f.severity is Severity.ERROR for f in report.findings))
    step_keys = {step.key for step in doc.steps}
    for finding in report.findings:
        assert finding.code in codes
        assert isinstance(finding.severity, Severity)
        assert finding.message_vi
        assert finding.message_en
        assert set(finding.steps) <= step_keys, finding

    path = report.critical_path
    if path is not None:
        first_of_key = {}
        for step in doc.steps:
            first_of_key.setdefault(step.key, step)
        assert len(path.steps) >= 2
        assert set(path.steps) <= step_keys
        assert first_of_key[path.steps[0]].kind is StepKind.START
        assert first_of_key[path.steps[-1]].kind is StepKind.END
        assert is_path_of_transitions(path.steps, doc.transitions)
        assert len(set(path.steps)) == len(path.steps)
