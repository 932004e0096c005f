"""The graph editor's changes of a draft: checks, refusals, journal, undo and redo.

Everything goes through the public functions of `workflow_model.flow_editing`, on SQLite
and on PostgreSQL. What a change did is read back in a fresh session, as the canonical
dump of the version, so that only committed rows count.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, aliased
from support.signoff import approved_flow, author_and_approver

from validators import validate
from workflow_model import flow_editing as fe
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document, document_from_version
from workflow_model.conversion.step_content import STEP_FIELDS
from workflow_model.db import make_session_factory
from workflow_model.document import Duration, Position, dump_document, load_document
from workflow_model.editing import ChangeRefused
from workflow_model.lifecycle import new_draft, reject, submit
from workflow_model.models import (
    AuditEvent,
    DossierComponent,
    FlowVersion,
    Join,
    Officer,
    ProcedureCase,
    Role,
    Split,
    Step,
    StepKind,
    TimeUnit,
    Transition,
    Unit,
    User,
    VersionStatus,
)

# Đăng ký cai nghiện ma túy tự nguyện: 7 steps s1…s7, dossier components d1…d3.
VINHLONG = FLOWS_DIR / "vinhlong-3_000527_H61-1.json"
# Another procedure (1.013871), whose dossier components a Vĩnh Long step may not check.
HATINH = FLOWS_DIR / "hatinh-1_013871-1.json"


@dataclass
class Editor:
    """One draft open in the editor: the lock it holds, and who edits it."""

    session: Session
    author: User
    approver: User
    version_id: int
    lock: int

    def apply(self, function: Callable[..., fe.EditResult], *args: Any, **kwargs: Any):
        """Make a change as the editor does, keeping the lock it answers with."""
        result = function(self.session, self.author, self.version_id, self.lock, *args, **kwargs)
        self.lock = result.lock
        return result

    def fresh(self) -> Session:
        return Session(self.session.get_bind())

    def dump(self, version_id: int | None = None) -> bytes:
        """The canonical JSON of the version, as committed."""
        with self.fresh() as fresh:
            version = fresh.get(FlowVersion, version_id or self.version_id)
            return dump_document(document_from_version(fresh, version))

    def observe(self, version_id: int | None = None) -> tuple[bytes, int, int]:
        """What a refusal must leave alone: the dump, the lock and the journal's size."""
        with self.fresh() as fresh:
            lock = fresh.execute(
                sa.select(FlowVersion.lock_counter).where(
                    FlowVersion.id == (version_id or self.version_id)
                )
            ).scalar_one()
            events = fresh.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
        return self.dump(version_id), lock, events

    def status(self, version_id: int | None = None) -> VersionStatus:
        with self.fresh() as fresh:
            return fresh.get(FlowVersion, version_id or self.version_id).status

    def step_keys(self) -> list[str]:
        with self.fresh() as fresh:
            rows = fresh.execute(
                sa.select(Step.key).where(Step.version_id == self.version_id).order_by(Step.key)
            )
            return list(rows.scalars())

    def transition_keys(self) -> list[str]:
        source, target = aliased(Step), aliased(Step)
        with self.fresh() as fresh:
            rows = fresh.execute(
                sa.select(source.key, target.key)
                .select_from(Transition)
                .join(source, Transition.from_step_id == source.id)
                .join(target, Transition.to_step_id == target.id)
                .where(Transition.version_id == self.version_id)
            )
            return sorted(fe.transition_id(a, b) for a, b in rows)

    def step_state(self, key: str) -> dict[str, Any]:
        with self.fresh() as fresh:
            step = fresh.execute(
                sa.select(Step).where(Step.version_id == self.version_id, Step.key == key)
            ).scalar_one()
            return {"id": step.id, **fe.step_state(step)}

    def changes_of(self, key: str, **overrides: Any) -> dict[str, Any]:
        """The content of step `key` as it is, but for `overrides`.

        ``duration_value`` and ``duration_unit`` override one half of the duration.
        """
        state = self.step_state(key)
        values: dict[str, Any] = {name: state[name] for name in STEP_FIELDS}
        duration = dict(values["duration"])
        for name, value in overrides.items():
            if name.startswith("duration_"):
                duration[name.removeprefix("duration_")] = value
            else:
                values[name] = list(value) if isinstance(value, tuple) else value
        values["duration"] = duration
        return values

    def events_after(self, mark: int) -> list[AuditEvent]:
        with self.fresh() as fresh:
            rows = fresh.execute(
                sa.select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)
            )
            return list(rows.scalars())

    def last_event_id(self) -> int:
        with self.fresh() as fresh:
            return fresh.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one() or 0

    def refused(
        self,
        code: str,
        function: Callable[..., fe.EditResult],
        *args: Any,
        lock: int | None = None,
        version_id: int | None = None,
        user: User | None = None,
        **kwargs: Any,
    ) -> ChangeRefused:
        """Assert the change is refused with `code` and changes nothing at all."""
        version_id = version_id or self.version_id
        before = self.observe(version_id)
        with pytest.raises(ChangeRefused) as caught:
            function(
                self.session,
                user or self.author,
                version_id,
                self.lock if lock is None else lock,
                *args,
                **kwargs,
            )
        assert caught.value.code == code, f"{caught.value.code}: {caught.value}"
        # Whatever the refusal left in the session would be saved now.
        self.session.commit()
        assert self.observe(version_id) == before
        return caught.value


@pytest.fixture
def editor(session: Session) -> Editor:
    """A draft (version 2) of the Vĩnh Long flow, whose version 1 is approved."""
    author, approver = author_and_approver(session)
    first = approved_flow(session, VINHLONG, author, approver)
    draft = new_draft(session, first.case, author)
    assert draft.number == 2
    assert draft.status is VersionStatus.DRAFT
    return Editor(session, author, approver, draft.id, draft.lock_counter)


def approved_version_id(ed: Editor) -> int:
    with ed.fresh() as fresh:
        version = fresh.get(FlowVersion, ed.version_id)
        return fresh.execute(
            sa.select(FlowVersion.id).where(
                FlowVersion.case_id == version.case_id, FlowVersion.number == 1
            )
        ).scalar_one()


def components(ed: Editor) -> list[DossierComponent]:
    with ed.fresh() as fresh:
        version = fresh.get(FlowVersion, ed.version_id)
        case = fresh.get(ProcedureCase, version.case_id)
        return list(
            fresh.execute(
                sa.select(DossierComponent)
                .where(DossierComponent.procedure_id == case.procedure_id)
                .order_by(DossierComponent.position)
            ).scalars()
        )


# 1. Building a small process from an empty draft.


def test_build_a_process_from_an_empty_draft(editor: Editor) -> None:
    ed = editor
    result = ed.apply(fe.delete_elements, steps=ed.step_keys())
    assert result.changed
    assert ed.step_keys() == []
    assert ed.transition_keys() == []

    names = {
        "start": "Tiếp nhận hồ sơ tại Bộ phận một cửa",
        "check": "Thẩm định hồ sơ, đề xuất phương án giải quyết",
        "sign": "Lãnh đạo UBND xã ký duyệt",
        "end": "Trả kết quả cho tổ chức, cá nhân",
    }
    keys: dict[str, str] = {}
    for index, (role, kind) in enumerate(
        [
            ("start", StepKind.START),
            ("check", StepKind.TASK),
            ("sign", StepKind.TASK),
            ("end", StepKind.END),
        ]
    ):
        lock = ed.lock
        result = ed.apply(fe.add_step, kind=kind, name=f"  {names[role]} ", x=index * 200, y=0)
        assert result.changed
        assert result.lock != lock
        assert result.selected is not None
        keys[role] = result.selected
    assert len(set(keys.values())) == 4
    assert sorted(ed.step_keys()) == sorted(keys.values())

    for source, target in [("start", "check"), ("check", "sign"), ("sign", "end")]:
        result = ed.apply(fe.connect, keys[source], keys[target])
        assert result.selected == fe.transition_id(keys[source], keys[target])
    return_path = fe.transition_id(keys["check"], keys["end"])
    ed.apply(fe.connect, keys["check"], keys["end"], "Hồ sơ không hợp lệ")
    ed.apply(fe.set_label, fe.transition_id(keys["check"], keys["sign"]), "Đủ điều kiện")

    with ed.fresh() as fresh:
        # Not in id order: the order given is kept, and the first is in charge.
        chosen = list(fresh.execute(sa.select(Officer).order_by(Officer.id.desc())).scalars())[:3]
        chosen = [chosen[1], chosen[0], chosen[2]]
        officer_names = [o.full_name for o in chosen]
        unit = fresh.get(Unit, chosen[0].unit_id)
        unit_name = unit.name
    documents = components(ed)
    assert len(documents) == 3
    picked = [documents[2], documents[0]]
    changes = ed.changes_of(
        keys["check"],
        unit=unit.id,
        officers=tuple(o.id for o in chosen),
        duration_value=fe.parse_duration("0,5"),
        duration_unit=TimeUnit.WORKING_DAY,
        documents=tuple(c.id for c in picked),
        split=Split.EXCLUSIVE,
        description="Kiểm tra tính đầy đủ, hợp lệ của hồ sơ.",
    )
    result = ed.apply(fe.update_step, keys["check"], changes)
    assert result.changed
    assert result.selected == keys["check"]
    ed.apply(fe.move_steps, {keys["sign"]: (320.5, -40)})

    with ed.fresh() as fresh:
        doc = document_from_version(fresh, fresh.get(FlowVersion, ed.version_id))
    assert [s.key for s in doc.steps] == [keys[r] for r in ("start", "check", "sign", "end")]
    assert [s.name for s in doc.steps] == list(names.values())
    assert [s.kind for s in doc.steps] == [
        StepKind.START,
        StepKind.TASK,
        StepKind.TASK,
        StepKind.END,
    ]
    check = doc.steps[1]
    officers = {o.key: o.name for o in doc.officers}
    assert [officers[key] for key in check.officers] == officer_names
    assert {u.key: u.name for u in doc.units}[check.unit] == unit_name
    assert check.duration == Duration(0.5, TimeUnit.WORKING_DAY)
    assert check.documents == tuple(c.key for c in picked)
    assert check.description == "Kiểm tra tính đầy đủ, hợp lệ của hồ sơ."
    assert {(t.source, t.target): t.label for t in doc.transitions} == {
        (keys["start"], keys["check"]): "",
        (keys["check"], keys["sign"]): "Đủ điều kiện",
        (keys["sign"], keys["end"]): "",
        tuple(fe.split_transition_id(return_path)): "Hồ sơ không hợp lệ",
    }
    assert doc.layout[keys["sign"]] == Position(320.5, -40)
    assert doc.layout[keys["start"]] == Position(0, 0)
    dumped = ed.dump().decode("utf-8")
    for text in [*names.values(), "Đủ điều kiện", "Hồ sơ không hợp lệ", *officer_names]:
        assert text in dumped
    assert "cycle" not in validate(doc).codes()


# 2. Bad input is refused with its code, and changes nothing.


@pytest.mark.parametrize(
    "text", ["-1", "abc", "1e309", "nan", "inf", "", "  ", "1.2.3", "100001", None]
)
def test_parse_duration_refuses_what_is_not_a_duration(text: str | None) -> None:
    with pytest.raises(ChangeRefused) as caught:
        fe.parse_duration(text)
    assert caught.value.code == "invalid-duration"


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,5", 0.5), ("0.5", 0.5), (" 4 ", 4.0), (4, 4.0), (0.25, 0.25), ("100000", 100000.0)],
)
def test_parse_duration_reads_what_users_type(text: str | float, value: float) -> None:
    assert fe.parse_duration(text) == value


def test_empty_names_are_refused(editor: Editor) -> None:
    ed = editor
    for name in ["", "   ", "\t \n"]:
        ed.refused("empty-name", fe.add_step, kind=StepKind.TASK, name=name, x=0, y=0)
        ed.refused("empty-name", fe.update_step, "s2", ed.changes_of("s2", name=name))


def test_bad_durations_are_refused(editor: Editor) -> None:
    ed = editor
    for text in ["-1", "abc", "1e309", "nan", ""]:
        with pytest.raises(ChangeRefused) as caught:
            fe.parse_duration(text)
        assert caught.value.code == "invalid-duration"
        # The inspector may also hand over the text as typed.
        ed.refused(
            "invalid-duration", fe.update_step, "s2", ed.changes_of("s2", duration_value=text)
        )
    for value in [-1.0, float("nan"), float("inf"), float("1e309"), 100_001.0]:
        ed.refused(
            "invalid-duration", fe.update_step, "s2", ed.changes_of("s2", duration_value=value)
        )


def test_bad_connections_are_refused(editor: Editor) -> None:
    ed = editor
    ed.refused("self-loop", fe.connect, "s3", "s3")
    ed.refused("duplicate-transition", fe.connect, "s2", "s3")
    ed.refused("duplicate-transition", fe.connect, "s2", "s3", "Nhãn khác")
    ed.refused("into-start", fe.connect, "s3", "s1")
    ed.refused("not-found", fe.connect, "s3", "s99")
    # A pair connected once more, after a refusal, is refused the same way.
    ed.apply(fe.connect, "s3", "s7", "Không đạt")
    ed.refused("duplicate-transition", fe.connect, "s3", "s7")


def test_unknown_elements_are_refused(editor: Editor) -> None:
    ed = editor
    ed.refused("not-found", fe.update_step, "s99", ed.changes_of("s2"))
    ed.refused("not-found", fe.move_steps, {"s2": (1, 1), "s99": (2, 2)})
    ed.refused("not-found", fe.set_label, "s1>s3", "Nhãn")
    ed.refused("not-found", fe.delete_elements, steps=["s2", "s99"])
    ed.refused("not-found", fe.delete_elements, transitions=["s1>s2", "s1>s7"])
    ed.refused("not-found", fe.restore, {"transitions": {"s1>s99": {"label": "", "position": 9}}})
    before = ed.observe()
    with pytest.raises(ChangeRefused) as caught:
        fe.add_step(ed.session, ed.author, 10**6, 1, kind=StepKind.TASK, name="Bước", x=0, y=0)
    assert caught.value.code == "not-found"
    assert ed.observe() == before


def test_a_stale_lock_is_a_conflict_naming_who_changed_it(editor: Editor) -> None:
    ed = editor
    colleague = create_user(ed.session, "dong.nghiep", "mật khẩu dài 3", [Role.ADMIN])
    ed.session.commit()
    loaded = ed.lock
    ed.apply(fe.move_steps, {"s2": (10, 20)})
    for lock in (loaded, ed.lock + 1):
        error = ed.refused(
            "conflict",
            fe.add_step,
            kind=StepKind.TASK,
            name="Bước mới",
            x=0,
            y=0,
            lock=lock,
            user=colleague,
        )
        assert error.params["by"] == "tac.gia"
        ed.refused("conflict", fe.move_steps, {"s2": (0, 0)}, lock=lock)
        ed.refused("conflict", fe.restore, {"steps": {"s2": None}}, lock=lock)


def test_two_editors_of_one_draft_the_second_must_reload(editor: Editor) -> None:
    ed = editor
    with make_session_factory(ed.session.get_bind())() as other:
        # The second editor opened the draft too, and keeps it in its session.
        seen = other.get(FlowVersion, ed.version_id)
        assert seen.lock_counter == ed.lock
        ed.apply(fe.set_label, "s1>s2", "Chuyển xử lý")
        before = ed.observe()
        with pytest.raises(ChangeRefused) as caught:
            fe.move_steps(
                other, other.merge(ed.author), ed.version_id, seen.lock_counter, {"s2": (1, 1)}
            )
        assert caught.value.code == "conflict"
        assert caught.value.params["by"] == "tac.gia"
        other.commit()
        assert ed.observe() == before
        # After a reload it goes through, and the first editor's lock is the stale one now.
        fresh_lock = other.get(FlowVersion, ed.version_id).lock_counter
        author = other.merge(ed.author)
        result = fe.move_steps(other, author, ed.version_id, fresh_lock, {"s2": (1, 1)})
        assert result.changed
    ed.refused("conflict", fe.set_label, "s1>s2", "Nhãn khác")
    assert "Chuyển xử lý".encode() in ed.dump()


def test_a_version_that_is_not_a_draft_cannot_change(editor: Editor) -> None:
    ed = editor
    approved_id = approved_version_id(ed)
    with ed.fresh() as fresh:
        approved_lock = fresh.get(FlowVersion, approved_id).lock_counter
    step = ed.changes_of("s2", name="Đổi tên")
    for function, args, kwargs in [
        (fe.add_step, (), {"kind": StepKind.TASK, "name": "Bước mới", "x": 0, "y": 0}),
        (fe.update_step, ("s2", step), {}),
        (fe.move_steps, ({"s2": (1, 2)},), {}),
        (fe.connect, ("s3", "s7"), {}),
        (fe.set_label, ("s1>s2", "Nhãn"), {}),
        (fe.delete_elements, (), {"steps": ["s2"]}),
        (fe.delete_elements, (), {"transitions": ["s1>s2"]}),
        (fe.restore, ({"steps": {"s2": None}},), {}),
    ]:
        error = ed.refused(
            "not-draft", function, *args, lock=approved_lock, version_id=approved_id, **kwargs
        )
        assert error.params["status"] is VersionStatus.APPROVED
    assert ed.status(approved_id) is VersionStatus.APPROVED
    # A submitted draft waits for review: it cannot change either.
    with ed.fresh() as fresh:
        draft = fresh.get(FlowVersion, ed.version_id)
        submit(fresh, draft, fresh.get(User, ed.author.id), validate=validate)
        ed.lock = draft.lock_counter
    ed.refused("not-draft", fe.move_steps, {"s2": (1, 2)})
    ed.refused("not-draft", fe.add_step, kind=StepKind.TASK, name="Bước", x=0, y=0)


def test_references_that_do_not_exist_are_refused(editor: Editor, session: Session) -> None:
    ed = editor
    create_draft_from_document(session, load_document(HATINH.read_bytes()), ed.author)
    with ed.fresh() as fresh:
        ours = {c.id for c in components(ed)}
        other = fresh.execute(
            sa.select(DossierComponent.id).where(DossierComponent.id.not_in(ours)).limit(1)
        ).scalar_one()
        officer = fresh.execute(sa.select(Officer.id).limit(1)).scalar_one()
    missing = 10**6
    for overrides in [
        {"unit": missing},
        {"officers": (missing,)},
        {"officers": (officer, missing)},
        {"officers": (officer, officer)},
        {"documents": (other,)},
        {"documents": (min(ours), other)},
        {"documents": (missing,)},
        {"documents": (min(ours), min(ours))},
    ]:
        ed.refused("invalid-value", fe.update_step, "s2", ed.changes_of("s2", **overrides))


def test_malformed_input_is_refused_as_invalid(editor: Editor) -> None:
    ed = editor
    ed.refused("invalid-value", fe.add_step, kind="fork", name="Bước", x=0, y=0)
    ed.refused("invalid-value", fe.add_step, kind=StepKind.TASK, name="Bước", x=float("nan"), y=0)
    ed.refused("invalid-value", fe.move_steps, {"s2": (float("inf"), 0)})
    ed.refused("invalid-value", fe.add_step, kind=StepKind.TASK, name="x" * 1001, x=0, y=0)
    ed.refused("invalid-value", fe.set_label, "s1>s2", "x" * 1001)
    ed.refused("invalid-value", fe.restore, {"steps": {"s9": {"kind": "task"}}})
    ed.refused("invalid-value", fe.restore, {"transitions": {"s1-s3": {"label": ""}}})


# 3. Undo and redo.


def test_each_change_undoes_and_redoes_exactly(editor: Editor) -> None:
    ed = editor
    first, second = components(ed)[:2]
    changes: list[tuple[str, Callable[[], fe.EditResult]]] = [
        (
            "add",
            lambda: ed.apply(fe.add_step, kind=StepKind.TASK, name="Xác minh thực tế", x=5, y=6),
        ),
        (
            "update",
            lambda: ed.apply(
                fe.update_step,
                "s3",
                ed.changes_of(
                    "s3",
                    name="Chỉ huy Công an xã thẩm định",
                    duration_value=fe.parse_duration("1,5"),
                    duration_unit=TimeUnit.WORKING_HOUR,
                    officers=list(reversed(ed.changes_of("s4")["officers"]))
                    + ed.changes_of("s3")["officers"],
                    documents=(second.id, first.id),
                    join=Join.ALL,
                ),
            ),
        ),
        ("move", lambda: ed.apply(fe.move_steps, {"s1": (1.5, 2), "s2": (-300, 400.25)})),
        ("connect", lambda: ed.apply(fe.connect, "s3", "s8", "Cần xác minh thêm")),
        ("label", lambda: ed.apply(fe.set_label, "s2>s3", "Đủ điều kiện")),
        ("delete transition", lambda: ed.apply(fe.delete_elements, transitions=["s4>s7"])),
        ("delete step", lambda: ed.apply(fe.delete_elements, steps=["s2", "s8"])),
        ("add again", lambda: ed.apply(fe.add_step, kind=StepKind.END, name="Lưu hồ sơ", x=0, y=0)),
    ]
    for name, change in changes:
        before = ed.dump()
        result = change()
        after = ed.dump()
        assert result.changed, name
        assert after != before, name
        undone = ed.apply(fe.restore, result.undo)
        assert undone.changed, name
        assert ed.dump() == before, name
        redone = ed.apply(fe.restore, result.redo)
        assert redone.changed, name
        assert ed.dump() == after, name
        # A redo is a change like any other: it undoes and redoes the same way.
        ed.apply(fe.restore, redone.undo)
        assert ed.dump() == before, name
        ed.apply(fe.restore, redone.redo)
        assert ed.dump() == after, name


def test_deleting_a_step_and_undoing_brings_back_all_of_it(editor: Editor) -> None:
    ed = editor
    documents = components(ed)
    with ed.fresh() as fresh:
        officers = list(fresh.execute(sa.select(Officer.id).order_by(Officer.id)).scalars())
    ed.apply(
        fe.update_step,
        "s2",
        ed.changes_of(
            "s2",
            officers=(officers[2], officers[0], officers[1]),
            documents=(documents[1].id, documents[0].id),
            description="Vào sổ đăng ký.",
        ),
    )
    ed.apply(fe.move_steps, {"s2": (120.5, 80)})
    ed.apply(fe.set_label, "s1>s2", "Chuyển xử lý")
    state = ed.step_state("s2")
    links = [key for key in ed.transition_keys() if "s2" in fe.split_transition_id(key)]
    assert sorted(links) == ["s1>s2", "s2>s3", "s2>s7"]
    before = ed.dump()

    result = ed.apply(fe.delete_elements, steps=["s2"])
    assert "s2" not in ed.step_keys()
    assert not set(links) & set(ed.transition_keys())
    assert b'"key":"s2"' not in ed.dump()
    assert set(result.undo["transitions"]) == set(links)

    ed.apply(fe.restore, result.undo)
    again = ed.step_state("s2")
    assert again.pop("id") != state.pop("id")  # a new row, under the same key
    assert again == state
    assert again["officers"] == [officers[2], officers[0], officers[1]]
    assert again["documents"] == [documents[1].id, documents[0].id]
    assert (again["x"], again["y"]) == (120.5, 80)
    assert set(links) <= set(ed.transition_keys())
    with ed.fresh() as fresh:
        doc = document_from_version(fresh, fresh.get(FlowVersion, ed.version_id))
    labels = {fe.transition_id(t.source, t.target): t.label for t in doc.transitions}
    assert labels["s1>s2"] == "Chuyển xử lý"
    assert labels["s2>s3"] == "Hồ sơ hợp lệ, đủ thành phần"
    assert labels["s2>s7"].startswith("Hồ sơ chưa đầy đủ")
    assert ed.dump() == before


# 4. Any sequence of edits undoes and redoes exactly.

# Adding and connecting twice as often as the rest, so that graphs grow.
OPERATIONS = ["add", "add", "connect", "connect", "move", "rename", "label"]
OPERATIONS += ["delete-step", "delete-transition"]
NAMES = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãạệ ", max_size=12)
EDITS = st.lists(
    st.tuples(
        st.sampled_from(OPERATIONS),
        st.integers(0, 1000),
        st.integers(0, 1000),
        st.floats(-5000, 5000, allow_nan=False, allow_infinity=False),
        NAMES,
    ),
    min_size=1,
    max_size=8,
)
KINDS = (StepKind.START, StepKind.TASK, StepKind.END)


def full_snapshot(ed: Editor) -> fe.Snapshot:
    """Every step and transition of the draft, as `restore` takes them."""
    with ed.fresh() as fresh:
        steps = fresh.execute(sa.select(Step).where(Step.version_id == ed.version_id)).scalars()
        keys = {}
        states: fe.Snapshot = {"steps": {}, "transitions": {}}
        for step in steps:
            keys[step.id] = step.key
            states["steps"][step.key] = fe.step_state(step)
        rows = fresh.execute(sa.select(Transition).where(Transition.version_id == ed.version_id))
        for t in rows.scalars():
            key = fe.transition_id(keys[t.from_step_id], keys[t.to_step_id])
            states["transitions"][key] = {"label": t.label, "position": t.position}
    return states


def edit(ed: Editor, what: str, i: int, j: int, coordinate: float, text: str) -> fe.EditResult:
    steps, links = ed.step_keys(), ed.transition_keys()
    if what == "add" or not steps:
        return ed.apply(fe.add_step, kind=KINDS[i % 3], name=text, x=coordinate, y=j)
    step, other = steps[i % len(steps)], steps[j % len(steps)]
    if what == "connect" or (what in ("label", "delete-transition") and not links):
        return ed.apply(fe.connect, step, other, text)
    if what == "move":
        return ed.apply(fe.move_steps, {step: (coordinate, j), other: (i, -coordinate)})
    if what == "rename":
        return ed.apply(fe.update_step, step, ed.changes_of(step, name=text))
    if what == "label":
        return ed.apply(fe.set_label, links[i % len(links)], text)
    if what == "delete-step":
        return ed.apply(fe.delete_elements, steps=[step])
    return ed.apply(fe.delete_elements, transitions=[links[i % len(links)]])


@pytest.fixture
def baseline(editor: Editor) -> fe.Snapshot:
    return full_snapshot(editor)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_any_edits_undo_and_redo_exactly(
    editor: Editor, baseline: fe.Snapshot, edits: list[tuple[str, int, int, float, str]]
) -> None:
    ed = editor
    # Each example starts from the same draft, whatever the one before left.
    now = full_snapshot(ed)
    reset = {kind: {**{key: None for key in now[kind]}, **baseline[kind]} for kind in baseline}
    ed.apply(fe.restore, reset)
    assert full_snapshot(ed) == baseline
    original = ed.dump()
    done: list[fe.EditResult] = []
    for what, i, j, coordinate, text in edits:
        lock = ed.lock
        try:
            result = edit(ed, what, i, j, coordinate, text)
        except ChangeRefused:
            assert ed.observe()[1] == lock
            continue
        if result.changed:
            done.append(result)
        else:
            assert result.lock == lock
    final = ed.dump()
    # The editor keeps its undo stack in the browser: snapshots go through JSON.
    for result in reversed(done):
        ed.apply(fe.restore, json.loads(json.dumps(result.undo)))
    assert ed.dump() == original
    for result in done:
        ed.apply(fe.restore, json.loads(json.dumps(result.redo)))
    assert ed.dump() == final


# 5. The journal.


def test_each_edit_is_journaled_and_a_repeat_changes_nothing(editor: Editor) -> None:
    ed = editor
    prefix = f"{ed.version_id}:"

    def journaled(change: Callable[[], fe.EditResult]) -> list[AuditEvent]:
        mark, lock = ed.last_event_id(), ed.lock
        result = change()
        assert result.changed
        assert result.lock != lock
        events = ed.events_after(mark)
        assert events
        assert all(e.user_id == ed.author.id for e in events)
        return events

    def unchanged(change: Callable[[], fe.EditResult]) -> None:
        before = ed.observe()
        result = change()
        assert not result.changed
        assert result.lock == before[1]
        assert ed.observe() == before

    # Add: one "create" of the step.
    events = journaled(lambda: ed.apply(fe.add_step, kind=StepKind.TASK, name="Xác minh", x=1, y=2))
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("create", "step", prefix + "s8")
    ]
    assert events[0].before is None
    assert events[0].after["name"] == "Xác minh"

    # Update in the inspector: before and after.
    changes = ed.changes_of("s8", name="Xác minh thực tế", duration_value=2.5)
    events = journaled(lambda: ed.apply(fe.update_step, "s8", changes))
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("update", "step", prefix + "s8")
    ]
    assert (events[0].before["name"], events[0].after["name"]) == ("Xác minh", "Xác minh thực tế")
    assert (events[0].before["duration"]["value"], events[0].after["duration"]["value"]) == (
        0,
        2.5,
    )
    # Before and after have the same shape, so the journal shows only what changed.
    assert events[0].before.keys() == events[0].after.keys()
    differing = {k for k in events[0].after if events[0].before[k] != events[0].after[k]}
    assert differing == {"name", "duration"}
    unchanged(lambda: ed.apply(fe.update_step, "s8", changes))

    # Move.
    events = journaled(lambda: ed.apply(fe.move_steps, {"s8": (30, 40)}))
    assert [(e.action, e.entity_type) for e in events] == [("update", "step")]
    assert (events[0].before["x"], events[0].after["x"]) == (1, 30)
    unchanged(lambda: ed.apply(fe.move_steps, {"s8": (30, 40)}))
    unchanged(lambda: ed.apply(fe.move_steps, {}))

    # Connect and label.
    events = journaled(lambda: ed.apply(fe.connect, "s3", "s8"))
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("create", "transition", prefix + "s3>s8")
    ]
    assert events[0].before is None
    assert events[0].after["label"] == ""
    events = journaled(lambda: ed.apply(fe.set_label, "s3>s8", "Cần xác minh"))
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("update", "transition", prefix + "s3>s8")
    ]
    assert (events[0].before["label"], events[0].after["label"]) == ("", "Cần xác minh")
    unchanged(lambda: ed.apply(fe.set_label, "s3>s8", " Cần  xác minh "))
    ed.apply(fe.connect, "s8", "s4")

    # A restore of what is there already.
    unchanged(lambda: ed.apply(fe.restore, full_snapshot(ed)))
    unchanged(lambda: ed.apply(fe.restore, {}))

    # Delete a step with its transitions: a "delete" of each, with the state before.
    events = journaled(lambda: ed.apply(fe.delete_elements, steps=["s8"]))
    assert sorted((e.action, e.entity_type, e.entity_id) for e in events) == [
        ("delete", "step", prefix + "s8"),
        ("delete", "transition", prefix + "s3>s8"),
        ("delete", "transition", prefix + "s8>s4"),
    ]
    assert all(e.before is not None and e.after is None for e in events)
    unchanged(lambda: ed.apply(fe.delete_elements))

    # Undo is journaled like any change.
    events = journaled(lambda: ed.apply(fe.restore, {"transitions": {"s1>s2": None}}))
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("delete", "transition", prefix + "s1>s2")
    ]


# 6. A rejected version.


def test_a_rejected_version_becomes_a_draft_at_its_first_edit(editor: Editor) -> None:
    ed = editor
    with ed.fresh() as fresh:
        version = fresh.get(FlowVersion, ed.version_id)
        submit(fresh, version, fresh.get(User, ed.author.id), validate=validate)
        reject(fresh, version, fresh.get(User, ed.approver.id), "Thời hạn bước 2 chưa đúng.")
        ed.lock = version.lock_counter
    assert ed.status() is VersionStatus.REJECTED
    # Neither a refusal nor an edit that changes nothing reopens it.
    ed.refused("empty-name", fe.add_step, kind=StepKind.TASK, name=" ", x=0, y=0)
    with ed.fresh() as fresh:
        step = fresh.execute(
            sa.select(Step).where(Step.version_id == ed.version_id, Step.key == "s2")
        ).scalar_one()
        where = (step.x, step.y)
    if None not in where:
        assert not ed.apply(fe.move_steps, {"s2": where}).changed
    assert not ed.apply(fe.update_step, "s2", ed.changes_of("s2")).changed
    assert ed.status() is VersionStatus.REJECTED

    mark = ed.last_event_id()
    ed.apply(fe.set_label, "s1>s2", "Chuyển xử lý")
    assert ed.status() is VersionStatus.DRAFT
    events = ed.events_after(mark)
    reopen = [e for e in events if e.action == "reopen"]
    assert len(reopen) == 1
    assert reopen[0].entity_type == "flow_version"
    assert reopen[0].entity_id == str(ed.version_id)
    assert (reopen[0].before, reopen[0].after) == ({"status": "rejected"}, {"status": "draft"})
    # Once a draft again, it is submitted like any draft.
    with ed.fresh() as fresh:
        version = fresh.get(FlowVersion, ed.version_id)
        submit(fresh, version, fresh.get(User, ed.author.id), validate=validate)
    assert ed.status() is VersionStatus.SUBMITTED


def test_a_step_added_beside_another_takes_its_unit_and_undoes_whole(editor: Editor) -> None:
    ed = editor
    before = ed.dump()
    unit = ed.step_state("s2")["unit"]
    assert unit is not None
    result = ed.apply(fe.add_step, kind=StepKind.TASK, name="Bước mới", x=900, y=300, unit_of="s2")
    added = ed.step_state(result.selected)
    assert (added["unit"], added["officers"], added["x"], added["y"]) == (unit, [], 900, 300)
    ed.apply(fe.restore, result.undo)
    assert ed.dump() == before
    # Beside a step the version does not hold: refused, nothing added.
    for missing in ("s99", "not a key!"):
        code = "not-found" if missing == "s99" else "invalid-key"
        ed.refused(code, fe.add_step, kind=StepKind.TASK, name="Bước", x=0, y=0, unit_of=missing)
