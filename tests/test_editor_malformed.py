"""Forged editor callbacks with malformed bodies, over real HTTP, on SQLite and PostgreSQL.

The browser is not trusted: whatever it posts to ``/editor/_dash-update-component``, the
answer is a normal Dash answer (with the editor's "invalid value" notice when the
callback edits) or a 4xx when Dash itself cannot read the body; never a 500, and the
draft, its lock counter and the journal stay as they were.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from babel.messages.pofile import read_po
from conftest import empty_postgres
from support.dash_calls import CALLBACK, callback_body, click, save_request
from werkzeug.serving import make_server

from workflow_model.conversion import document_from_version
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import dump_document
from workflow_model.flow_editing import step_state
from workflow_model.models import AuditEvent, FlowVersion, Step, VersionStatus

CATALOGUE = Path(__file__).resolve().parents[1] / "admin/translations/vi/LC_MESSAGES/messages.po"
INVALID_VALUE = "A value is out of the allowed range or not allowed here."
HUGE = 2**70


@functools.cache
def vi(msgid: str) -> str:
    """The Vietnamese text the UI shows for `msgid` (the default language)."""
    with CATALOGUE.open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and message.string, msgid
    return str(message.string)


@dataclass
class Editor:
    """A logged-in admin with the editor page of a draft open, and the database behind."""

    url: str
    database_url: str
    browser: requests.Session
    token: str
    dependencies: list[dict[str, Any]]
    version_id: int
    step_key: str
    step_state: dict[str, Any]

    def state(self) -> tuple[str, int, int]:
        """The draft's canonical dump, its lock counter, and the journal's length."""
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as session:
                version = session.get(FlowVersion, self.version_id)
                assert version is not None
                dump = dump_document(document_from_version(session, version))
                events = session.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
                return dump, version.lock_counter, events
        finally:
            engine.dispose()

    def post(self, data: str | bytes, content_type: str = "application/json") -> requests.Response:
        """Post a raw body with the CSRF header, as dash-renderer does."""
        headers = {"X-CSRFToken": self.token, "Content-Type": content_type}
        return self.browser.post(f"{self.url}{CALLBACK}", data=data, headers=headers)


def _serve(database_url: str, instance: Path) -> Iterator[tuple[str, dict[str, str]]]:
    from admin import create_app
    from admin.demo import load_demo

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            passwords = load_demo(session).passwords
    finally:
        engine.dispose()
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "SODO_INSTANCE": str(instance)}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", passwords
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["sodo.engine"].dispose()


def _login(url: str, password: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{url}/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = browser.post(
        f"{url}/login", data={"username": "admin", "password": password, "csrf_token": token}
    )
    assert response.status_code == 200 and 'id="counts"' in response.text
    return browser


def _first_draft(database_url: str) -> tuple[int, str, dict[str, Any]]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            version_id = (
                session.execute(
                    sa.select(FlowVersion.id)
                    .where(FlowVersion.status == VersionStatus.DRAFT)
                    .order_by(FlowVersion.id)
                )
                .scalars()
                .first()
            )
            assert version_id is not None
            step = (
                session.execute(
                    sa.select(Step).where(Step.version_id == version_id).order_by(Step.position)
                )
                .scalars()
                .first()
            )
            assert step is not None
            return version_id, step.key, step_state(step)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def editor(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[Editor]:
    """One server per database for the whole module: no case may change anything."""
    folder = tmp_path_factory.mktemp(f"malformed-{request.param}")
    if request.param == "sqlite":
        path = folder / "sodo.db"
        path.write_bytes(sqlite_template.read_bytes())
        database_url = f"sqlite:///{path}"
    else:
        engine = request.getfixturevalue("pg_engine")
        empty_postgres(engine)
        database_url = request.getfixturevalue("pg_url")
    for url, passwords in _serve(database_url, folder / "instance"):
        browser = _login(url, passwords["admin"])
        version_id, step_key, state = _first_draft(database_url)
        assert browser.get(f"{url}/editor/{version_id}").status_code == 200
        token = browser.cookies.get("_csrf_token", path="/editor/")
        assert token
        dependencies = browser.get(f"{url}/editor/_dash-dependencies").json()
        yield Editor(url, database_url, browser, token, dependencies, version_id, step_key, state)


# The bodies dash-renderer would post, with some values forged.


def body(
    editor: Editor,
    trigger: str,
    changed: str,
    *,
    output: str = "lock.data",
    values: dict[str, Any] | None = None,
    patterns: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The body of the callback with input `trigger` (``"id.property"``) and output `output`.

    `values` holds forged values by ``"id.property"`` over the page's current ones;
    `patterns` the items of pattern-matching inputs and states (``ALL``), else empty.
    """
    _, lock, _ = editor.state()
    known: dict[str, Any] = {
        "url.pathname": f"/editor/{editor.version_id}",
        "version.data": editor.version_id,
        "lock.data": lock,
        "history.data": {"undo": [], "redo": []},
        "connect-mode.data": False,
        **(values or {}),
    }
    return callback_body(
        editor.dependencies, trigger, changed, known, output=output, patterns=patterns
    )


def tool(editor: Editor, name: Any, **values: Any) -> dict[str, Any]:
    """A click on the toolbar's edit tool `name` (delete, undo, redo, lanes-layout)."""
    changed, patterns = click("edit", name)
    return body(editor, '{"edit":["ALL"]}.n_clicks', changed, values=values, patterns=patterns)


def palette(editor: Editor, kind: Any, **values: Any) -> dict[str, Any]:
    """A click on the palette's button for steps of `kind`."""
    changed, patterns = click("palette", kind)
    trigger = '{"palette":["ALL"]}.n_clicks'
    return body(editor, trigger, changed, values=values, patterns=patterns)


def undo_with(editor: Editor, change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Undo, with a history whose one entry restores the first step as `change` leaves it."""
    state = copy.deepcopy(editor.step_state)
    snapshot: Any = {"steps": {editor.step_key: state}, "transitions": {}}
    replaced = change(snapshot)
    if replaced is not None:
        snapshot = replaced
    history = {"undo": [{"undo": snapshot, "redo": snapshot}], "redo": []}
    return tool(editor, "undo", **{"history.data": history})


def save_step(editor: Editor, **forged: Any) -> dict[str, Any]:
    """The inspector's Save of the first step, with every field valid but `forged`."""
    state = editor.step_state
    fields = {
        "name": state["name"] + " (sửa)",
        "kind": state["kind"],
        "unit": state["unit"],
        "officers": state["officers"],
        "duration": "1",
        "duration_unit": state["duration"]["unit"],
        "documents": state["documents"],
        "split": state["split"],
        "join": state["join"],
        "description": state["description"],
        **forged,
    }
    trigger, values = save_request("step", editor.step_key, fields)
    return body(editor, trigger, trigger, values=values)


def drag(editor: Editor, positions: Any) -> dict[str, Any]:
    """A drag's end, as editor.js reports it, with `positions` forged."""
    return body(
        editor, "drag-end.data", "drag-end.data", values={"drag-end.data": {"positions": positions}}
    )


def menu(editor: Editor, **data: Any) -> dict[str, Any]:
    """A click in the right-click menu."""
    return body(
        editor,
        "canvas.contextMenuData",
        "canvas.contextMenuData",
        values={"canvas.contextMenuData": data},
    )


def tap(editor: Editor, tapped: Any, source: Any) -> dict[str, Any]:
    """A tap on a step in connect mode, the connection's source already chosen."""
    return body(
        editor,
        "canvas.tapNodeData",
        "canvas.tapNodeData",
        values={
            "canvas.tapNodeData": tapped,
            "connect-mode.data": True,
            "connect-source.data": source,
        },
    )


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(snapshot: dict[str, Any]) -> None:
        target = snapshot
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _drop(path: tuple[str, ...], field: str) -> Callable[[dict[str, Any]], None]:
    def change(snapshot: dict[str, Any]) -> None:
        target = snapshot
        for part in path:
            target = target[part]
        del target[field]

    return change


def _step(editor: Editor, field: str, value: Any) -> dict[str, Any]:
    return undo_with(editor, _set(("steps", editor.step_key, field), value))


REFUSED_EDITS: dict[str, Callable[[Editor], Any]] = {
    # The inspector's Save.
    "name-a-number": lambda e: save_step(e, name=5),
    "kind-unknown": lambda e: save_step(e, kind="gateway"),
    "unit-a-string": lambda e: save_step(e, unit="1"),
    "unit-huge": lambda e: save_step(e, unit=HUGE),
    "officers-not-a-list": lambda e: save_step(e, officers=7),
    "officers-of-strings": lambda e: save_step(e, officers=["x"]),
    "officer-huge": lambda e: save_step(e, officers=[HUGE]),
    "documents-of-booleans": lambda e: save_step(e, documents=[True]),
    "duration-a-list": lambda e: save_step(e, duration=[1]),
    "duration-unit-unknown": lambda e: save_step(e, duration_unit="fortnight"),
    "split-unknown": lambda e: save_step(e, split=3),
    "description-a-dict": lambda e: save_step(e, description={"a": 1}),
    # Undo with a forged history.
    "position-huge": lambda e: _step(e, "position", HUGE),
    "x-infinite": lambda e: _step(e, "x", "__1e400__"),
    "y-nan-string": lambda e: _step(e, "y", "nan"),
    "x-nan": lambda e: _step(e, "x", "__NaN__"),
    "state-not-a-dict": lambda e: undo_with(e, _set(("steps", e.step_key), "a step")),
    "state-kind-unknown": lambda e: _step(e, "kind", "gateway"),
    "state-without-name": lambda e: undo_with(e, _drop(("steps", e.step_key), "name")),
    "state-name-a-number": lambda e: _step(e, "name", 12),
    "state-officers-of-floats": lambda e: _step(e, "officers", [1.5]),
    "state-duration-not-an-object": lambda e: _step(e, "duration", 1e300),
    "state-unit-a-list": lambda e: _step(e, "unit", [1]),
    "steps-not-a-dict": lambda e: undo_with(e, _set(("steps",), ["s1"])),
    "snapshot-not-a-dict": lambda e: undo_with(e, lambda s: "everything"),
    "transition-state-position-huge": lambda e: undo_with(
        e, _set(("transitions",), {"s1>s2": {"label": "", "position": HUGE}})
    ),
    "transition-label-a-number": lambda e: undo_with(
        e, _set(("transitions",), {"s1>s2": {"label": 4, "position": 0}})
    ),
    "history-not-a-dict": lambda e: tool(e, "undo", **{"history.data": ["undo"]}),
    "history-entry-not-a-dict": lambda e: tool(
        e, "undo", **{"history.data": {"undo": ["x"], "redo": []}}
    ),
    # The other gestures.
    "palette-kind-unknown": lambda e: palette(e, "hub"),
    "tool-unknown": lambda e: tool(e, "explode"),
    "version-a-string": lambda e: tool(e, "lanes-layout", **{"version.data": "1"}),
    "version-huge": lambda e: tool(e, "lanes-layout", **{"version.data": HUGE}),
    "lock-huge": lambda e: tool(e, "lanes-layout", **{"lock.data": HUGE}),
    "lock-a-float": lambda e: tool(e, "lanes-layout", **{"lock.data": 1.5}),
    "selection-not-a-dict": lambda e: tool(e, "delete", **{"selection.data": "s1"}),
    "selection-key-a-number": lambda e: tool(
        e, "delete", **{"selection.data": {"kind": "step", "key": 1}}
    ),
    "selection-kind-unknown": lambda e: tool(
        e, "delete", **{"selection.data": {"kind": "lane", "key": e.step_key}}
    ),
    "drag-infinite": lambda e: drag(e, {e.step_key: ["__1e400__", 0]}),
    "drag-point-a-string": lambda e: drag(e, {e.step_key: "here"}),
    "drag-positions-a-list": lambda e: drag(e, [[1, 2]]),
    "drag-three-coordinates": lambda e: drag(e, {e.step_key: [1, 2, 3]}),
    "menu-x-nan-string": lambda e: menu(e, menuItemId="add-task", x="nan", y=0),
    "menu-item-a-number": lambda e: menu(e, menuItemId=5),
    "menu-item-unknown": lambda e: menu(e, menuItemId="format-disk"),
    "tap-key-a-number": lambda e: tap(e, {"key": 5}, e.step_key),
    "tap-not-a-dict": lambda e: tap(e, "s1", e.step_key),
    "source-a-number": lambda e: tap(e, {"key": e.step_key}, 3),
    "extent-not-numbers": lambda e: palette(
        e, "task", **{"canvas.extent": {"x1": "left", "y1": 0, "w": 10, "h": 10}}
    ),
    "elements-not-a-list": lambda e: palette(e, "task", **{"canvas.elements": 5}),
    "element-position-nan": lambda e: palette(
        e, "task", **{"canvas.elements": [{"data": {"id": "a"}, "position": {"x": "nan", "y": 0}}]}
    ),
}


def _send(editor: Editor, forged: dict[str, Any]) -> requests.Response:
    # json cannot write 1e400 or NaN as such: they are spelled out in the raw text.
    raw = json.dumps(forged).replace('"__1e400__"', "1e400").replace('"__NaN__"', "NaN")
    return editor.post(raw)


def _notice(response: requests.Response) -> str:
    answer = response.json()["response"]
    message = answer["message"]["children"]
    assert message["props"]["className"].startswith("alert alert-danger"), message
    return str(message["props"]["children"])


@pytest.mark.parametrize("case", list(REFUSED_EDITS))
def test_a_malformed_edit_is_refused_as_an_invalid_value(editor: Editor, case: str) -> None:
    before = editor.state()
    response = _send(editor, REFUSED_EDITS[case](editor))
    assert response.status_code == 200, response.text[:2000]
    assert _notice(response) == vi(INVALID_VALUE)
    assert editor.state() == before


def _dash_body(editor: Editor) -> dict[str, Any]:
    return tool(editor, "lanes-layout")


UNREADABLE: dict[str, Callable[[Editor], str]] = {
    "not-json": lambda e: "{this is not json",
    "a-list": lambda e: "[1, 2]",
    "a-string": lambda e: '"edit"',
    "no-output": lambda e: json.dumps({k: v for k, v in _dash_body(e).items() if k != "output"}),
    "unknown-output": lambda e: json.dumps({**_dash_body(e), "output": "..nothing.data.."}),
    "output-a-number": lambda e: json.dumps({**_dash_body(e), "output": 5}),
    "inputs-a-string": lambda e: json.dumps({**_dash_body(e), "inputs": "all"}),
    "inputs-missing-one": lambda e: json.dumps(
        {**_dash_body(e), "inputs": _dash_body(e)["inputs"][:-1]}
    ),
    "input-without-id": lambda e: json.dumps(
        {**_dash_body(e), "inputs": [{"property": "x"}, *_dash_body(e)["inputs"][1:]]}
    ),
    "state-of-numbers": lambda e: json.dumps(
        {**_dash_body(e), "state": [1] * len(_dash_body(e)["state"])}
    ),
    "outputs-missing": lambda e: json.dumps({**_dash_body(e), "outputs": []}),
    "outputs-of-another-callback": lambda e: json.dumps(
        {**_dash_body(e), "outputs": [{"id": "focus", "property": "data"}] * 11}
    ),
    "changed-not-an-input": lambda e: json.dumps(
        {**_dash_body(e), "changedPropIds": ["{not json.n_clicks"]}
    ),
    "changed-a-number": lambda e: json.dumps({**_dash_body(e), "changedPropIds": [5]}),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_a_body_dash_cannot_read_is_a_400(editor: Editor, case: str) -> None:
    before = editor.state()
    response = editor.post(UNREADABLE[case](editor))
    assert response.status_code == 400, response.text[:2000]
    assert editor.state() == before


def test_a_body_that_is_not_json_by_type_is_a_4xx(editor: Editor) -> None:
    before = editor.state()
    response = editor.post(b"output=canvas", content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500
    assert editor.state() == before


def _view(editor: Editor, trigger: str, output: str, **values: Any) -> Any:
    return body(editor, trigger, trigger, output=output, values=values)


IGNORED_VIEWS: dict[str, Callable[[Editor], dict[str, Any]]] = {
    "open-path-a-number": lambda e: _view(e, "url.pathname", "toolbar", **{"url.pathname": 5}),
    "inspect-selection-a-string": lambda e: _view(
        e, "selection.data", "inspector.children", **{"selection.data": "s1"}
    ),
    "inspect-version-a-string": lambda e: _view(
        e,
        "selection.data",
        "inspector.children",
        **{"selection.data": {"kind": "step", "key": "s1"}, "version.data": "x"},
    ),
    "select-node-a-number": lambda e: _view(
        e, "canvas.tapNodeData", "selection.data", **{"canvas.tapNodeData": 5}
    ),
    "officers-unit-a-string": lambda e: _view(
        e,
        '{"field":"unit"}.value',
        '{"field":"officers"}.options',
        **{'{"field":"unit"}.value': "u"},
    ),
    "restyle-options-a-number": lambda e: _view(
        e, "view-options.value", "canvas.stylesheet", **{"view-options.value": 5}
    ),
    "toggle-connect-clicks-a-string": lambda e: _view(
        e,
        '{"tool":"connect"}.n_clicks',
        "connect-mode",
        **{'{"tool":"connect"}.n_clicks': "many"},
    ),
}


@pytest.mark.parametrize("case", list(IGNORED_VIEWS))
def test_a_malformed_view_callback_changes_nothing(editor: Editor, case: str) -> None:
    before = editor.state()
    response = _send(editor, IGNORED_VIEWS[case](editor))
    assert response.status_code in (200, 204), response.text[:2000]
    assert editor.state() == before


def test_a_version_id_too_large_for_the_database_is_not_found(editor: Editor) -> None:
    response = _send(
        editor,
        _view(editor, "url.pathname", "toolbar", **{"url.pathname": f"/editor/{HUGE}"}),
    )
    assert response.status_code == 200, response.text[:2000]
    message = response.json()["response"]["message"]["children"]
    assert message["props"]["className"] == "alert alert-warning"  # "does not exist"
