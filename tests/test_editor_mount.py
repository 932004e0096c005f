"""The graph editor (a Dash app at /editor/) behind the login, the CSRF check and the CSP.

Over real HTTP first: who may open it, which Content-Security-Policy it gets, how its
callbacks carry the CSRF token. Then in a real Chromium: the Cytoscape canvas renders, the
server and clientside callbacks run, and no error (a CSP violation is one) is logged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from conftest import Database, LiveServer
from support.browser import record_problems, wait_until
from support.html import csrf_token
from support.web import logged_in

from workflow_model.db import make_engine, make_session_factory
from workflow_model.models import FlowVersion, Step, Transition

CALLBACK = "/editor/_dash-update-component"


def demo_version_id(server: LiveServer) -> int:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.min(FlowVersion.id))).scalar_one()
    finally:
        engine.dispose()


def open_callback(server: LiveServer) -> dict[str, Any]:
    """The editor's callback on the page's path, as Dash declares it to the browser."""
    dependencies = logged_in(server).get(f"{server.url}/editor/_dash-dependencies").json()
    (spec,) = [d for d in dependencies if d["inputs"] == [{"id": "url", "property": "pathname"}]]
    return spec


def callback_body(spec: dict[str, Any], pathname: str) -> dict[str, object]:
    """What dash-renderer posts for the callback `spec` when the page's path is `pathname`."""
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        component, prop = part.split(".", 1)
        outputs.append({"id": component, "property": prop})
    return {
        "output": spec["output"],
        "outputs": outputs,
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "changedPropIds": ["url.pathname"],
        "state": [],
    }


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_anonymous_visitor_is_sent_to_login(live_server: LiveServer) -> None:
    response = requests.get(f"{live_server.url}/editor/5", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "next=%2Feditor%2F5" in response.headers["Location"]


def test_anonymous_visitor_gets_no_csrf_cookie(live_server: LiveServer) -> None:
    response = requests.get(f"{live_server.url}/editor/5", allow_redirects=False, timeout=10)
    assert "_csrf_token" not in response.headers.get("Set-Cookie", "")


def test_anonymous_callbacks_and_dash_routes_get_401(live_server: LiveServer) -> None:
    response = requests.post(
        f"{live_server.url}{CALLBACK}",
        json=callback_body(open_callback(live_server), "/editor/5"),
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 401
    for route in ("_dash-layout", "_dash-dependencies"):
        response = requests.get(
            f"{live_server.url}/editor/{route}", allow_redirects=False, timeout=10
        )
        assert response.status_code == 401, route


def test_editor_page_keeps_scripts_strict(live_server: LiveServer) -> None:
    client = logged_in(live_server)
    version = demo_version_id(live_server)
    response = client.get(f"{live_server.url}/editor/{version}", allow_redirects=False)
    assert response.status_code == 200
    assert "<title>Sơ Đồ</title>" in response.text
    policy = directives(response.headers["Content-Security-Policy"])
    (nonce,) = (value for value in policy["script-src"] if value.startswith("'nonce-"))
    assert policy["script-src"] == ["'self'", nonce]
    # Dash's bundles inject <style> elements: inline styles, and only styles, are allowed.
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    # Every script of the page, the renderer's inline start among them, carries the nonce.
    page = re.sub(r"<!--.*?-->", "", response.text, flags=re.DOTALL)  # Dash's note for IE
    scripts = re.findall(r"<script\b[^>]*>", page)
    executable = [tag for tag in scripts if 'type="application/json"' not in tag]
    assert executable and all(f'nonce="{nonce[7:-1]}"' in tag for tag in executable)
    assert 'id="_dash-renderer"' in " ".join(executable)
    assert '<script src="/static/editor.js"' in response.text.replace(f' nonce="{nonce[7:-1]}"', "")
    assert 'href="/static/editor.css"' in response.text
    # Nothing from a CDN.
    assert not re.search(r'(src|href)="(https?:)?//', response.text)
    # The rest of the site keeps its nonce-only style-src.
    home = directives(client.get(f"{live_server.url}/").headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in home["style-src"]
    assert any(value.startswith("'nonce-") for value in home["style-src"])


def test_editor_page_sets_the_csrf_cookie_for_dash(live_server: LiveServer) -> None:
    client = logged_in(live_server)
    response = client.get(f"{live_server.url}/editor/{demo_version_id(live_server)}")
    (cookie,) = [c for c in response.raw.headers.getlist("Set-Cookie") if "_csrf_token=" in c]
    assert "Path=/editor/" in cookie and "SameSite=Strict" in cookie
    assert "HttpOnly" not in cookie  # dash-renderer reads it from document.cookie
    assert "Secure" not in cookie  # plain HTTP here; set on HTTPS requests


def test_csrf_cookie_is_secure_over_https(sqlite_database: Database, tmp_path: Path) -> None:
    from admin import create_app
    from admin.demo import load_demo

    with make_session_factory(sqlite_database.engine)() as session:
        password = load_demo(session).passwords["admin"]
    app = create_app(
        {
            "DATABASE_URL": sqlite_database.url,
            "SECRET_KEY": "test-secret-key",
            "SODO_INSTANCE": str(tmp_path / "instance"),
        }
    )
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    form = client.get("/login", **https).get_data(as_text=True)
    client.post(
        "/login",
        data={"username": "admin", "password": password, "csrf_token": csrf_token(form)},
        headers={"Referer": "https://localhost/login"},  # Flask-WTF's check on HTTPS
        **https,
    )
    response = client.get("/editor/1", **https)
    assert response.status_code == 200
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if "_csrf_token=" in c]
    assert "Secure" in cookie and "SameSite=Strict" in cookie and "Path=/editor/" in cookie


def test_callbacks_need_the_csrf_header(live_server: LiveServer) -> None:
    client = logged_in(live_server)
    version = demo_version_id(live_server)
    client.get(f"{live_server.url}/editor/{version}")
    token = client.cookies.get("_csrf_token", path="/editor/")
    assert token
    url = f"{live_server.url}{CALLBACK}"
    body = callback_body(open_callback(live_server), f"/editor/{version}")
    assert client.post(url, json=body).status_code == 400
    assert client.post(url, json=body, headers={"X-CSRFToken": "forged"}).status_code == 400
    response = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    answer = response.json()["response"]
    assert set(answer) >= {"version", "lock", "header", "canvas", "findings", "inspector"}
    assert answer["version"] == {"data": version}
    # The demo's first version is approved: read only, with no right-click menu.
    assert answer["canvas"]["autoungrabify"] is True
    assert answer["canvas"]["contextMenu"] == []
    assert "Phiên bản 1" in json.dumps(answer["header"], ensure_ascii=False)


@pytest.mark.browser
def test_editor_renders_the_graph_and_runs_callbacks(
    browser,
    live_server: LiveServer,
) -> None:
    version = demo_version_id(live_server)
    engine = make_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            steps, transitions = (
                connection.execute(
                    sa.select(sa.func.count()).where(table.version_id == version)
                ).scalar_one()
                for table in (Step, Transition)
            )
    finally:
        engine.dispose()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    record_problems(page, problems)
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "admin")
    page.fill("#password", live_server.passwords["admin"])
    page.click("button[type=submit].primary")
    page.wait_for_selector("#counts")
    response = page.goto(f"{live_server.url}/editor/{version}")
    assert response is not None and response.ok
    # dash-cytoscape keeps the Cytoscape instance in window.cy; steps have a key, lanes not.
    wait_until(page, f"window.cy !== undefined && window.cy.nodes('[key]').length === {steps}")
    assert page.evaluate("window.cy.edges().length") == transitions
    # The server callback (a CSRF-checked POST) filled the header: an approved version.
    page.locator("#header").filter(has_text="Phiên bản 1").wait_for()
    assert page.locator("#status").inner_text() == "Đã phê duyệt"
    # A tap on a step runs the server callbacks that show it in the inspector.
    # (Returning nothing: Playwright would serialise the whole collection, for seconds.)
    page.evaluate("() => { window.cy.nodes('[key = \"s2\"]').emit('tap'); }")
    page.locator("#inspector h2[data-key='s2']").wait_for()
    # A clientside callback (static/editor.js): the search selects the step it finds.
    page.fill("#search", "tiep nhan, kiem tra")
    wait_until(page, "window.cy.$(':selected').map(e => e.data('key')).join() === 's1'")
    # Our stylesheet applied: the canvas is framed.
    border = page.evaluate(
        "getComputedStyle(document.querySelector('.sodo-canvas-wrap')).borderTopStyle"
    )
    assert border == "solid"
    assert page.title() == "Sơ Đồ"
    assert problems == []
    context.close()
