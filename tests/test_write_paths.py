"""Every refusal, through every path that can attempt it: the same refusal, nothing written.

A draft's steps and transitions change through `flow_editing` whatever sends the change:
a direct service call (as an import or the API would make), undo and redo (`restore`,
whose states come back from the browser), and the step and transition forms (over HTTP,
with the lock counter the form carries). Each case below is one refusal on one path;
after it, the version's canonical dump, its lock counter and the journal are unchanged.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import FLOWS_DIR, Database
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.orm import Session
from support.admin_site import field_errors
from support.dash_calls import CALLBACK, callback_body, click, save_request
from support.signoff import approved_flow, author_and_approver

from admin import create_app
from admin.vocabulary import refusal_message
from workflow_model import flow_editing as fe
from workflow_model.conversion import document_from_version
from workflow_model.conversion.step_content import step_values
from workflow_model.db import make_session_factory
from workflow_model.document import dump_document
from workflow_model.lifecycle import new_draft
from workflow_model.models import AuditEvent, FlowVersion, Step, StepKind, User
from workflow_model.refusals import ChangeRefused, Refusal

# Đăng ký cai nghiện ma túy tự nguyện: s1 (start) → s2 → …, an approved version 1.
VINHLONG = FLOWS_DIR / "vinhlong-3_000527_H61-1.json"
PASSWORDS = {"tac.gia": "mật khẩu dài 1", "phe.duyet": "mật khẩu dài 2"}


@dataclass
class Scene:
    """A draft (version 2) beside its approved version 1, and a way to look at both."""

    database: Database
    draft_id: int
    approved_id: int
    app: Any

    def session(self) -> Session:
        return make_session_factory(self.database.engine)()

    def lock(self, version_id: int) -> int:
        with self.session() as s:
            return s.get(FlowVersion, version_id).lock_counter

    def observe(self) -> tuple[bytes, bytes, int, int, int]:
        """Both versions' dumps, the draft's lock and the journal's length."""
        with self.session() as s:
            draft, approved = (
                s.get(FlowVersion, self.draft_id),
                s.get(FlowVersion, self.approved_id),
            )
            events = s.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
            return (
                dump_document(document_from_version(s, draft)),
                dump_document(document_from_version(s, approved)),
                draft.lock_counter,
                approved.lock_counter,
                events,
            )

    def step_id(self, version_id: int, key: str) -> int:
        with self.session() as s:
            return s.execute(
                sa.select(Step.id).where(Step.version_id == version_id, Step.key == key)
            ).scalar_one()

    def client(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        response = client.post(
            "/login", data={"username": username, "password": PASSWORDS[username]}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client


@pytest.fixture
def scene(database: Database, tmp_path: Path) -> Scene:
    with make_session_factory(database.engine)() as session:
        author, approver = author_and_approver(session)
        first = approved_flow(session, VINHLONG, author, approver)
        draft = new_draft(session, first.case, author)
        draft_id, approved_id = draft.id, first.id
    app = create_app(
        {
            "DATABASE_URL": database.url,
            "SECRET_KEY": "test-secret-key",
            "SODO_INSTANCE": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    return Scene(database, draft_id, approved_id, app)


# --- the paths -------------------------------------------------------------------------
# Each takes the scene, the gesture's arguments, the version, the user and the lock, and
# returns the refusal code the path reports (or the HTTP status for a refused role).


def _service(scene: Scene, call: Callable[..., fe.EditResult], username: str) -> str:
    with scene.session() as s:
        user = s.execute(sa.select(User).where(User.username == username)).scalar_one()
        with pytest.raises(ChangeRefused) as caught:
            call(s, user)
        s.commit()  # whatever a refusal left in the session would be saved now
    return caught.value.code


def _form(scene: Scene, username: str, url: str, data: dict[str, Any]) -> str | int:
    client = scene.client(username)
    response = client.post(url, data=data)
    if response.status_code == 403:
        return 403
    errors = field_errors(response)
    if errors:
        return f"field error: {', '.join(sorted(errors))}"
    return _refusal_in(scene, html.unescape(response.get_data(as_text=True)))


def _editor(scene: Scene, username: str, version_id: int, lock: int, **call: Any) -> str:
    """Post one editor callback as dash-renderer would, and read the refusal it shows.

    `call` gives `trigger`, `changed`, the page's values `known` and the `patterns`.
    """
    client = scene.client(username)
    assert client.get(f"/editor/{version_id}").status_code == 200
    dependencies = client.get("/editor/_dash-dependencies").get_json()
    known = {
        "url.pathname": f"/editor/{version_id}",
        "version.data": version_id,
        "lock.data": lock,
        "history.data": {"undo": [], "redo": []},
        "connect-mode.data": False,
        **call.pop("known", {}),
    }
    body = callback_body(dependencies, known=known, **call)
    response = client.post(CALLBACK, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return _refusal_in(scene, json.dumps(response.get_json(), ensure_ascii=False))


def _refusal_in(scene: Scene, text: str) -> Refusal:
    """The refusal whose Vietnamese message `text` shows."""
    with scene.app.test_request_context(), force_locale("vi"):
        for code in Refusal:
            message = refusal_message(ChangeRefused(code, "", by="?", at="?"))
            if message.split("?")[0] in text:
                return code
    raise AssertionError(f"no refusal message in the answer: {text[:300]}")


def _editor_undo(scene: Scene, username: str, version_id: int, lock: int, states: Any) -> str:
    """Undo in the editor, with a history whose last entry restores `states`."""
    changed, patterns = click("edit", "undo")
    history = {"undo": [{"undo": states, "redo": states}], "redo": []}
    return _editor(
        scene,
        username,
        version_id,
        lock,
        trigger='{"edit":["ALL"]}.n_clicks',
        changed=changed,
        patterns=patterns,
        known={"history.data": history},
    )


def connect(from_key: str, to_key: str, *, version: str = "draft", lock: str = "current"):
    """The gesture "connect FROM to TO", on each path."""

    def service(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        return _service(
            scene, lambda s, u: fe.connect(s, u, version_id, lock_value, from_key, to_key), username
        )

    def undo(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        states = {"transitions": {fe.transition_id(from_key, to_key): {"label": "", "position": 9}}}
        return _service(
            scene, lambda s, u: fe.restore(s, u, version_id, lock_value, states), username
        )

    def editor(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        return _editor(
            scene,
            username,
            version_id,
            lock_value,
            trigger="canvas.tapNodeData",
            changed="canvas.tapNodeData",
            known={
                "canvas.tapNodeData": {"key": to_key},
                "connect-mode.data": True,
                "connect-source.data": from_key,
            },
        )

    def editor_undo(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        states = {"transitions": {fe.transition_id(from_key, to_key): {"label": "", "position": 9}}}
        return _editor_undo(scene, username, version_id, lock_value, states)

    def form(scene: Scene, username: str) -> str | int:
        version_id, lock_value = _target(scene, version, lock)
        data = {
            "version": version_id,
            "from_key": from_key,
            "to_key": to_key,
            "label": "Nhánh",
            "version_lock": lock_value,
        }
        return _form(scene, username, f"/transition/new/?version={version_id}", data)

    return {
        "service": service,
        "undo": undo,
        "form": form,
        "editor": editor,
        "editor undo": editor_undo,
    }


def make_start(key: str, *, version: str = "draft", lock: str = "current"):
    """The gesture "make step KEY the start step" (KEY has incoming transitions)."""

    def values(scene: Scene, version_id: int) -> dict[str, Any]:
        with scene.session() as s:
            step = s.get(Step, scene.step_id(version_id, key))
            return {**step_values(step), "kind": StepKind.START.value}

    def service(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        new = values(scene, version_id)
        return _service(
            scene, lambda s, u: fe.update_step(s, u, version_id, lock_value, key, new), username
        )

    def undo(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        states = {"steps": {key: {**values(scene, version_id), "x": 0, "y": 0, "position": 1}}}
        return _service(
            scene, lambda s, u: fe.restore(s, u, version_id, lock_value, states), username
        )

    def editor(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        new = values(scene, version_id)
        fields = {
            "name": new["name"],
            "kind": "start",
            "unit": new["unit"],
            "officers": new["officers"],
            "duration": "1",
            "duration_unit": new["duration"]["unit"],
            "documents": new["documents"],
            "split": new["split"],
            "join": new["join"],
            "description": new["description"],
        }
        trigger, known = save_request("step", key, fields)
        return _editor(
            scene, username, version_id, lock_value, trigger=trigger, changed=trigger, known=known
        )

    def editor_undo(scene: Scene, username: str) -> str:
        version_id, lock_value = _target(scene, version, lock)
        states = {"steps": {key: {**values(scene, version_id), "x": 0, "y": 0, "position": 1}}}
        return _editor_undo(scene, username, version_id, lock_value, states)

    def form(scene: Scene, username: str) -> str | int:
        version_id, lock_value = _target(scene, version, lock)
        new = values(scene, version_id)
        data = {
            "name": new["name"],
            "kind": "start",
            "unit": new["unit"] or "__None",
            "duration_value": new["duration"]["value"],
            "duration_unit": new["duration"]["unit"],
            "split": new["split"],
            "join": new["join"],
            "description": new["description"],
            "version_lock": lock_value,
        }
        step_id = scene.step_id(version_id, key)
        return _form(scene, username, f"/step/edit/?id={step_id}", data)

    return {
        "service": service,
        "undo": undo,
        "form": form,
        "editor": editor,
        "editor undo": editor_undo,
    }


def _target(scene: Scene, version: str, lock: str) -> tuple[int, int]:
    version_id = scene.draft_id if version == "draft" else scene.approved_id
    current = scene.lock(version_id)
    return version_id, current if lock == "current" else current - 1


CASES = {
    "self-loop": (Refusal.SELF_LOOP, "tac.gia", connect("s2", "s2")),
    "into-start": (Refusal.INTO_START, "tac.gia", connect("s2", "s1")),
    "into-start by kind": (Refusal.INTO_START, "tac.gia", make_start("s2")),
    "duplicate pair": (Refusal.DUPLICATE_TRANSITION, "tac.gia", connect("s1", "s2")),
    "stale lock": (Refusal.CONFLICT, "tac.gia", connect("s3", "s5", lock="stale")),
    "not a draft": (Refusal.NOT_DRAFT, "tac.gia", connect("s3", "s5", version="approved")),
    "wrong role": (Refusal.NOT_PERMITTED, "phe.duyet", connect("s3", "s5")),
}
# Restoring an existing pair sets its label: no refusal to attempt there.
NOT_ATTEMPTABLE = {("duplicate pair", "undo"), ("duplicate pair", "editor undo")}


PATHS = ("service", "undo", "form", "editor", "editor undo")


@pytest.mark.parametrize(
    ("case", "path"),
    [(case, path) for case in CASES for path in PATHS if (case, path) not in NOT_ATTEMPTABLE],
)
def test_every_refusal_on_every_path_changes_nothing(scene: Scene, case: str, path: str) -> None:
    code, username, gesture = CASES[case]
    before = scene.observe()
    answer = gesture[path](scene, username)
    if path == "form" and code is Refusal.NOT_PERMITTED:
        # The forms refuse a role on the server before any service is called.
        assert answer == 403
    elif path == "form" and code is Refusal.NOT_DRAFT:
        # The create form offers drafts only: a forged approved version is not a choice.
        assert answer == "field error: version"
    else:
        assert answer == code
    assert scene.observe() == before


def test_a_refusal_is_a_message_but_a_bug_is_a_logged_500_with_a_trace_id(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = scene.client("tac.gia")
    step_id = scene.step_id(scene.draft_id, "s2")
    before = scene.observe()

    def broken(*args: Any, **kwargs: Any) -> fe.EditResult:
        raise RuntimeError("a bug in the service")

    monkeypatch.setattr(fe, "update_step", broken)
    response = client.post(
        f"/step/edit/?id={step_id}",
        data={"name": "Thẩm định", "kind": "task", "version_lock": scene.lock(scene.draft_id)},
    )
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    match = re.search(r'<code id="trace-id">([0-9a-f]{12})</code>', page)
    assert match, page
    assert "Đã xảy ra lỗi." in page  # the translated page, not a refusal message
    assert "a bug in the service" not in page
    (record,) = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert record.exc_info is not None and "a bug in the service" in str(record.exc_info[1])
    assert scene.observe() == before


def _forged(scene: Scene, **overrides: Any) -> dict[str, Any]:
    """An undo state of step s3 as the browser would send it back, with `overrides`."""
    with scene.session() as s:
        step = s.get(Step, scene.step_id(scene.draft_id, "s3"))
        return {**fe.step_state(step), **overrides}


FORGED_UNDO: dict[str, tuple[Refusal, Callable[[Scene], Any]]] = {
    "a start step that steps lead into": (
        Refusal.INTO_START,
        lambda scene: {"steps": {"s3": _forged(scene, kind="start")}},
    ),
    "a number for a name": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, name=42)}},
    ),
    "an order number of 2**70": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, position=2**70)}},
    ),
    "a coordinate that is not a number": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, x="nan")}},
    ),
    "an infinite coordinate": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, y=float("inf"))}},
    ),
    "an unknown kind": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, kind="fork")}},
    ),
    "a field missing": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": {k: v for k, v in _forged(scene).items() if k != "join"}}},
    ),
    "a state that is not an object": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": [1, 2]}},
    ),
    "a snapshot that is not an object": (Refusal.INVALID_VALUE, lambda scene: ["steps"]),
    "a duration of 1e309": (
        Refusal.INVALID_DURATION,
        lambda scene: {
            "steps": {"s3": _forged(scene, duration={"value": 1e309, "unit": "working_day"})}
        },
    ),
    "an officer id that is text": (
        Refusal.INVALID_VALUE,
        lambda scene: {"steps": {"s3": _forged(scene, officers=["1"])}},
    ),
    "a transition key without steps": (
        Refusal.INVALID_VALUE,
        lambda scene: {"transitions": {"s1-s3": {"label": "", "position": 0}}},
    ),
}


@pytest.mark.parametrize("case", list(FORGED_UNDO))
def test_a_forged_undo_state_is_refused_and_changes_nothing(scene: Scene, case: str) -> None:
    code, states = FORGED_UNDO[case]
    forged = states(scene)
    before = scene.observe()
    lock = scene.lock(scene.draft_id)
    answer = _service(scene, lambda s, u: fe.restore(s, u, scene.draft_id, lock, forged), "tac.gia")
    assert answer == code
    assert scene.observe() == before


def test_the_step_and_transition_forms_speak_the_users_words(scene: Scene) -> None:
    client = scene.client("tac.gia")
    page = client.get(f"/step/edit/?id={scene.step_id(scene.draft_id, 's2')}").get_data(
        as_text=True
    )
    assert re.search(r'<option selected value="task">Xử lý</option>', page), page
    assert ">ngày làm việc</option>" in page
    assert re.search(
        r'<input id="version_lock" name="version_lock" type="hidden" value="\d+">', page
    )
    assert "Version Lock" not in page and "&lt;input" not in page
    page = client.get(f"/transition/new/?version={scene.draft_id}").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    # Drafts only, named by procedure, number and status in Vietnamese.
    assert options == ["3.000527.H61 v2 (Bản nháp)"], options
