"""The editor's callbacks over real HTTP, as a forged request would call them.

Whatever the browser shows, the server decides: an approved version cannot be edited, a
user without the admin role cannot edit, and a refusal changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from conftest import LiveServer
from support.web import logged_in

from workflow_model.conversion import document_from_version
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import dump_document
from workflow_model.models import AuditEvent, FlowVersion, VersionStatus

CALLBACK = "/editor/_dash-update-component"


def _version(server: LiveServer, status: VersionStatus) -> tuple[int, int]:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(FlowVersion.id, FlowVersion.lock_counter)
                .where(FlowVersion.status == status)
                .order_by(FlowVersion.id)
            ).first()
            assert row is not None
            return row.id, row.lock_counter
    finally:
        engine.dispose()


def _state(server: LiveServer, version_id: int) -> tuple[str, int, int]:
    """The version's canonical dump, its lock counter, and the journal's length."""
    engine = make_engine(server.database_url)
    try:
        with make_session_factory(engine)() as session:
            version = session.get(FlowVersion, version_id)
            assert version is not None
            dump = dump_document(document_from_version(session, version))
            events = session.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
            return dump, version.lock_counter, events
    finally:
        engine.dispose()


def _edit_callback(browser: requests.Session, server: LiveServer) -> dict[str, Any]:
    dependencies = browser.get(f"{server.url}/editor/_dash-dependencies").json()
    for callback in dependencies:
        if any(i["id"] == '{"palette":["ALL"]}' for i in callback["inputs"]):
            return callback
    raise AssertionError("no edit callback")


def _prop_id(raw: str) -> Any:
    return json.loads(raw) if raw.startswith("{") else raw


def _outputs(spec: str) -> list[dict[str, str]]:
    outputs = []
    for part in spec.strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        outputs.append({"id": _prop_id(ident), "property": prop.split("@")[0]})
    return outputs


def forged_click(
    browser: requests.Session, server: LiveServer, version_id: int, lock: int
) -> requests.Response:
    """Post what dash-renderer would post for a click on the palette's "task" button."""
    callback = _edit_callback(browser, server)
    values: dict[str, Any] = {
        "version.data": version_id,
        "lock.data": lock,
        "history.data": {"undo": [], "redo": []},
        "connect-mode.data": False,
    }
    inputs: list[Any] = []
    for spec in callback["inputs"]:
        if spec["id"] == '{"palette":["ALL"]}':
            inputs.append([{"id": {"palette": "task"}, "property": "n_clicks", "value": 1}])
        elif spec["id"].startswith("{"):
            inputs.append([])
        else:
            inputs.append({"id": spec["id"], "property": spec["property"], "value": None})
    state: list[Any] = []
    for spec in callback["state"]:
        if spec["id"].startswith("{"):
            state.append([])
        else:
            key = f"{spec['id']}.{spec['property']}"
            state.append({"id": spec["id"], "property": spec["property"], "value": values.get(key)})
    body = {
        "output": callback["output"],
        "outputs": _outputs(callback["output"]),
        "inputs": inputs,
        "state": state,
        "changedPropIds": ['{"palette":"task"}.n_clicks'],
    }
    token = browser.cookies.get("_csrf_token", path="/editor/")
    return browser.post(f"{server.url}{CALLBACK}", json=body, headers={"X-CSRFToken": token})


def _open(browser: requests.Session, server: LiveServer, version_id: int) -> None:
    response = browser.get(f"{server.url}/editor/{version_id}")
    assert response.status_code == 200


def test_an_admin_adds_a_step_to_a_draft(live_server: LiveServer) -> None:
    browser = logged_in(live_server, "admin")
    version_id, lock = _version(live_server, VersionStatus.DRAFT)
    _open(browser, live_server, version_id)
    before, _, events = _state(live_server, version_id)
    response = forged_click(browser, live_server, version_id, lock)
    assert response.status_code == 200, response.text
    after, new_lock, new_events = _state(live_server, version_id)
    assert after != before
    assert new_lock > lock
    assert new_events > events
    assert str(new_lock) in response.text


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", VersionStatus.APPROVED), ("approver", VersionStatus.DRAFT)],
    ids=["approved-version", "no-admin-role"],
)
def test_a_forged_edit_is_refused_and_changes_nothing(
    live_server: LiveServer, username: str, status: VersionStatus
) -> None:
    browser = logged_in(live_server, username)
    version_id, lock = _version(live_server, status)
    _open(browser, live_server, version_id)
    before = _state(live_server, version_id)
    response = forged_click(browser, live_server, version_id, lock)
    assert response.status_code == 200, response.text
    assert "alert-danger" in response.text  # the refusal, shown above the inspector
    assert _state(live_server, version_id) == before


def test_a_stale_lock_is_a_conflict_and_changes_nothing(live_server: LiveServer) -> None:
    browser = logged_in(live_server, "admin")
    version_id, lock = _version(live_server, VersionStatus.DRAFT)
    _open(browser, live_server, version_id)
    assert forged_click(browser, live_server, version_id, lock).status_code == 200
    before = _state(live_server, version_id)
    response = forged_click(browser, live_server, version_id, lock)  # the old counter again
    assert response.status_code == 200
    assert "alert-warning" in response.text
    assert "admin" in response.text  # "changed by admin at …"
    assert _state(live_server, version_id) == before


def test_the_version_list_and_procedure_page_link_to_the_editor(live_server: LiveServer) -> None:
    browser = logged_in(live_server, "admin")
    version_id, _ = _version(live_server, VersionStatus.DRAFT)
    listing = browser.get(f"{live_server.url}/flowversion/").text
    assert f'href="/editor/{version_id}"' in listing
    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            procedure_id = session.get(FlowVersion, version_id).case.procedure_id
    finally:
        engine.dispose()
    page = browser.get(f"{live_server.url}/versions/procedure/{procedure_id}").text
    assert f'href="/editor/{version_id}"' in page
