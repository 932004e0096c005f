"""How fast the graph editor answers an edit, and how fast its page becomes usable.

Run it from the project root::

    .venv/bin/python benchmarks/editor.py [--edits 50] [--loads 7] [--steps 60]
        [--no-browser] [--check] [--profile]

What it measures
----------------
The editor (`admin.editor`, a Dash app at ``/editor/<version id>``) must stay quick on a
large draft. The script makes a temporary SQLite database (`workflow_model.migrate.upgrade`),
creates a user with the admin role (`workflow_model.accounts.create_user`) and imports one
flow of ``--steps`` steps as a draft (`workflow_model.conversion.create_draft_from_document`).
The flow is `validate_catalog.synthetic_flow`: the first seed from 1 on whose flow validates
with warnings and no error (a legal time longer than the critical path), and two of its task
steps lose their officers, so the draft shows the findings a draft in progress has (three
warnings), the critical path and the lanes of several agencies.

1. Edits, server side. The app (`admin.app.create_app`, CSRF protection on) is driven by
   Flask's test client: ``POST /login`` with the form's CSRF token, ``GET /editor/<id>``
   (which sets the ``_csrf_token`` cookie), then ``POST /editor/_dash-update-component``
   with that cookie's value as ``X-CSRFToken``, as dash-renderer does. The request bodies
   are built from ``GET /editor/_dash-dependencies``, the way `tests/test_editor_callbacks`
   builds a forged click, posting each gesture to the edit callback that has it as an
   input (palette and tools, Save, node taps): the output spec, the outputs, the inputs
   (pattern-matching ``ALL``
   inputs as lists of the buttons on the page), the states (the lock counter, the undo
   history, the selection, the canvas's elements and extent as last answered) and
   ``changedPropIds``. Each round does one edit of each kind, each timed with
   `time.perf_counter` around the client call: ``add`` (a click on the palette's "task"
   button), ``connect`` (a tap on a step in connect mode, with the connection's source
   already chosen: a forward shortcut between two steps not yet linked), ``move`` (the
   ``drag-end`` store a drag sets: ``{"positions": {key: [x, y]}, "at": n}``) and ``save``
   (the ``save-request`` store the inspector's form sets when it saves itself, for a step,
   with every field filled: name, kind, unit, officers, duration ``"0,5"``, duration
   unit, dossier components, split, join and a new description). After ``add`` and
   ``connect`` an untimed request deletes the new step or transition (the "Delete"
   tool), so the draft keeps its size for the whole run. Every
   request carries the lock counter of the previous answer; an edit counts as saved when
   it answers 200 and its answer carries a higher lock counter, and at the end the
   database's counter must equal the last one answered. Each answer is what the editor
   really sends: the version read again, validated (`validators.validate`) and turned into
   the diagram, findings, budget, legend and header. 2 untimed rounds warm up first, then
   ``--edits`` rounds are timed. SQL statements per request are counted as in
   `admin_lists` (``before_cursor_execute``), and so is the time in the cyclic GC.

2. Page load, in a real browser. The same app is served over HTTP on 127.0.0.1 (werkzeug's
   ``make_server(..., threaded=True)`` in a thread, as the tests' ``live_server``), and
   Debian's headless Chromium (``/usr/bin/chromium``, or ``$SODO_CHROMIUM``) is driven by
   Playwright with the tests' launch arguments. The script logs in once through the form,
   then loads ``/editor/<id>`` ``--loads`` times (after ``about:blank``, so each load is a
   new document; the browser's cache is warm after one untimed load, whose time is shown
   as "first load"). A load is timed from ``page.goto`` until the graph can be used:
   ``window.cy`` exists, holds every step's node (nodes without ``lane_box``) and the
   editor's drag listener is bound (``cy.scratch('_sodoBound')``), polled with
   ``page.evaluate`` every 5 ms (the site's Content-Security-Policy blocks
   ``page.wait_for_function``). Page errors and console errors are counted. Without
   Chromium or Playwright this part is skipped with a message; ``--no-browser`` skips it.

How to read the output
----------------------
The header says what ran (Python, Dash, SQLAlchemy, the machine, Chromium) and what the
draft holds, with its findings before and after the edits. The first table gives, per kind
of edit, the number of timed requests, the median and the 95th percentile (p95,
interpolated between the sorted samples) in milliseconds, the mean time per request in
Python's cyclic garbage collector (``GC ms``, from `gc.callbacks`), the SQL statements per
request (min-max), the size of the answer, the median as a multiple of the baseline, the
median of ``validate`` alone as a share of the edit's median (what part of an edit is spent
validating), the target and whether the p95 is within it. An edit allocates many objects
that live until its answer is sent, so every dozen or two requests one of them pays for a
full collection of the whole process; those requests make the p95, so read it with the
``GC ms`` column (a p95 far above the median with a high ``GC ms`` is the collector, not
the edit).
Below the line: the BASELINE, the median of ``GET /static/sodo.css`` through the same
client in the same process (the floor of the framework: routing, login check, headers, a
small file), and the time of `validators.validate` alone on the same document, without
HTTP or database. The second table gives the browser's load times in seconds, with the
BASELINE of the home page ``/`` loaded in the same browser (until its ``load`` event).

Targets: each kind of edit p95 under 150 ms, validation included; the editor page usable
within 1.5 s (p95 of the timed loads). The exit code is 0 (these are measurements) unless
``--check`` is given, in which case a missed target, an edit that was not saved or a load
that never became usable exits with 1 (a skipped browser part is not a miss).
``--profile`` prints a cProfile of 5 more rounds of edits when an edit kind missed its
target.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import json
import logging
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from admin_lists import GC_CLOCK, PASSWORD, USERNAME, StatementCounter, database, render_rows
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import selectinload
from validate_catalog import synthetic_flow
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from chromium import CHROMIUM, CHROMIUM_ARGS

from admin.app import create_app
from validators import Report, Severity, validate
from workflow_model.accounts import create_user
from workflow_model.conversion import create_draft_from_document
from workflow_model.db import make_engine, make_session_factory
from workflow_model.document import FlowDocument
from workflow_model.lifecycle import version_document
from workflow_model.migrate import upgrade
from workflow_model.models import FlowVersion, Role, Step, StepKind

SEED = 1
WARM_UP_ROUNDS = 2
EDIT_TARGET_MS = 150.0
LOAD_TARGET_S = 1.5
CALLBACK = "/editor/_dash-update-component"
EDIT_KINDS = {
    "add": "add a step (palette 'task')",
    "connect": "connect two steps (connect mode)",
    "move": "move a step (drag-end)",
    "save": "inspector save (step, all fields)",
}
STEPS_WITHOUT_OFFICERS = 2
EXTENT = {"x1": -100.0, "y1": -100.0, "x2": 1900.0, "y2": 900.0, "w": 2000.0, "h": 1000.0}
"""The visible part of the canvas the browser would send (the whole 60-step flow, zoomed out)."""
FIELDS = (
    "name",
    "kind",
    "unit",
    "officers",
    "duration",
    "duration_unit",
    "documents",
    "split",
    "join",
    "description",
)
LOAD_TIMEOUT_S = 30.0
POLL_S = 0.005
READY_SCRIPT = """() => {
  const cy = window.cy;
  if (!cy || !cy.scratch('_sodoBound')) { return -1; }
  return cy.nodes().filter((node) => !node.data('lane_box')).length;
}"""


# --------------------------------------------------------------------------------------
# Samples.
# --------------------------------------------------------------------------------------


@dataclass
class Timing:
    """The samples of one measure, in seconds, with what each request cost and any failure."""

    label: str
    target: float | None = None
    """The target for the p95, in the unit of the table (ms or s); None: no target."""
    samples: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    gc_seconds: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median, in seconds."""
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95(self) -> float:
        """The 95th percentile, in seconds (interpolated between the sorted samples)."""
        if len(self.samples) < 2:
            return self.samples[0] if self.samples else math.nan
        return statistics.quantiles(self.samples, n=20, method="inclusive")[-1]

    def within(self, scale: float) -> bool | None:
        """Whether the p95 (times `scale`) is within the target; False on any failure."""
        if self.failures or not self.samples:
            return False
        if self.target is None:
            return None
        return self.p95 * scale < self.target


# --------------------------------------------------------------------------------------
# The draft.
# --------------------------------------------------------------------------------------


def draft_document(steps: int) -> FlowDocument:
    """A synthetic flow of `steps` steps with the findings of a draft in progress.

    The first seed from `SEED` on whose flow has warnings and no error, with the officers
    of `STEPS_WITHOUT_OFFICERS` task steps removed (each a ``step-without-officer``).
    """
    doc = synthetic_flow(random.Random(SEED), steps, 0)
    for seed in range(SEED, SEED + 200):
        candidate = synthetic_flow(random.Random(seed), steps, 0)
        severities = {f.severity for f in validate(candidate).findings}
        if Severity.WARNING in severities and Severity.ERROR not in severities:
            doc = candidate
            break
    tasks = [s.key for s in doc.steps if s.kind is StepKind.TASK and s.officers]
    bare = set(tasks[-STEPS_WITHOUT_OFFICERS:])
    return dataclasses.replace(
        doc,
        steps=tuple(dataclasses.replace(s, officers=()) if s.key in bare else s for s in doc.steps),
    )


def describe_findings(report: Report) -> str:
    """The findings of a report, by severity and code."""
    counts = Counter((f.severity.value, f.code) for f in report.findings)
    if not counts:
        return "none"
    return ", ".join(f"{severity} {code} ×{n}" for (severity, code), n in sorted(counts.items()))


@dataclass(frozen=True)
class Draft:
    """The imported draft: its id, lock counter, document and step rows' references."""

    version_id: int
    lock: int
    document: FlowDocument
    fields: dict[str, dict[str, Any]]
    """Per step key, the inspector's field values as the form would hold them."""


def import_draft(url: str, steps: int) -> Draft:
    """Create the admin user, import the draft, and read back what the inspector shows."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine)() as session:
            user = create_user(session, USERNAME, PASSWORD, [Role.ADMIN], full_name="Bench")
            session.commit()
            version = create_draft_from_document(session, draft_document(steps), user)
            version_id = version.id
        with make_session_factory(engine)() as session:
            version = session.get(FlowVersion, version_id)
            assert version is not None
            document = version_document(session, version)
            rows = session.execute(
                sa.select(Step)
                .where(Step.version_id == version_id)
                .options(selectinload(Step.officer_links), selectinload(Step.document_links))
            ).scalars()
            fields = {step.key: _form_values(step) for step in rows}
            return Draft(version_id, version.lock_counter, document, fields)
    finally:
        engine.dispose()


def _form_values(step: Step) -> dict[str, Any]:
    """What the inspector's form holds for `step` (the rows' ids for references)."""
    return {
        "name": step.name,
        "kind": step.kind.value,
        "unit": step.unit_id,
        "officers": [link.officer_id for link in step.officer_links],
        "duration": "0,5",
        "duration_unit": step.duration_unit.value,
        "documents": [link.component_id for link in step.document_links],
        "split": step.split.value,
        "join": step.join.value,
        "description": step.description,
    }


def database_lock(url: str, version_id: int) -> int:
    """The version's lock counter as the database holds it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.select(FlowVersion.lock_counter).where(FlowVersion.id == version_id)
            ).scalar_one()
    finally:
        engine.dispose()


def current_findings(url: str, version_id: int) -> str:
    """The findings of the version as it now is in the database."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            version = session.get(FlowVersion, version_id)
            assert version is not None
            return describe_findings(validate(version_document(session, version)))
    finally:
        engine.dispose()


def connect_pairs(doc: FlowDocument, count: int) -> list[tuple[str, str]]:
    """`count` forward pairs (source before target) that no transition links yet.

    Never into the start step nor out of an end step, so no edit is refused.
    """
    rng = random.Random(SEED * 31)
    order = [s.key for s in doc.steps]
    kinds = {s.key: s.kind for s in doc.steps}
    linked = {(t.source, t.target) for t in doc.transitions}
    pairs = [
        (a, b)
        for i, a in enumerate(order)
        for b in order[i + 2 :]
        if (a, b) not in linked and kinds[a] is not StepKind.END and kinds[b] is not StepKind.START
    ]
    rng.shuffle(pairs)
    return [pairs[i % len(pairs)] for i in range(count)]


# --------------------------------------------------------------------------------------
# The editor as dash-renderer drives it.
# --------------------------------------------------------------------------------------


def _prop_id(raw: str) -> Any:
    return json.loads(raw) if raw.startswith("{") else raw


def _outputs(spec: str) -> list[dict[str, Any]]:
    """The ``outputs`` of a callback body, from its output spec (``..a.b@hash...c.d..``)."""
    outputs = []
    for part in spec.strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        outputs.append({"id": _prop_id(ident), "property": prop.split("@")[0]})
    return outputs


def _fires(spec: dict[str, str], changed: str) -> bool:
    """Whether the input `spec` of a callback is the property `changed` names.

    A pattern-matching input (``{"palette": ["ALL"]}``) matches any id with its keys.
    """
    ident, _, prop = changed.rpartition(".")
    if spec["property"] != prop:
        return False
    if not spec["id"].startswith("{") or not ident.startswith("{"):
        return spec["id"] == ident
    return set(json.loads(spec["id"])) == set(json.loads(ident))


def _changed(ident: dict[str, Any] | str, prop: str) -> str:
    """A ``changedPropIds`` entry: dictionary ids as dash-renderer writes them."""
    if isinstance(ident, dict):
        return f"{json.dumps(ident, separators=(',', ':'), sort_keys=True)}.{prop}"
    return f"{ident}.{prop}"


def _buttons(role: str, names: Sequence[str], clicks: Counter[str]) -> list[dict[str, Any]]:
    return [
        {"id": {role: name}, "property": "n_clicks", "value": clicks[f"{role}:{name}"]}
        for name in names
    ]


@dataclass
class Answer:
    """One callback request: its status, time, cost and the outputs it answered."""

    status: int
    seconds: float
    gc_seconds: float
    statements: int
    size: int
    outputs: dict[str, dict[str, Any]]


@dataclass
class Editor:
    """The browser's side of the editor: the client, and what the page currently holds."""

    client: FlaskClient
    counter: StatementCounter
    callbacks: list[dict[str, Any]]
    token: str
    version_id: int
    lock: int
    elements: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=lambda: {"undo": [], "redo": []})
    selection: dict[str, Any] | None = None
    source: str | None = None
    tapped: dict[str, Any] | None = None
    drag: dict[str, Any] | None = None
    save_request: dict[str, Any] | None = None
    clicks: Counter[str] = field(default_factory=Counter)

    def post(
        self,
        changed: str,
        *,
        connect_mode: bool = False,
        fields: dict[str, Any] | None = None,
    ) -> Answer:
        """Send the edit callback as dash-renderer would after `changed` changed."""
        values = {
            "canvas.tapNodeData": self.tapped,
            "canvas.contextMenuData": None,
            "drag-end.data": self.drag,
            "save-request.data": self.save_request,
            "layout-done.data": None,
            "version.data": self.version_id,
            "lock.data": self.lock,
            "history.data": self.history,
            "selection.data": self.selection,
            "connect-mode.data": connect_mode,
            "connect-source.data": self.source,
            "canvas.extent": EXTENT,
            "canvas.elements": self.elements,
        }
        form = fields or {}
        patterns: dict[str, list[dict[str, Any]]] = {
            '{"palette":["ALL"]}.n_clicks': _buttons(
                "palette", ("start", "task", "end"), self.clicks
            ),
            '{"edit":["ALL"]}.n_clicks': _buttons(
                "edit", ("delete", "undo", "redo", "lanes-layout"), self.clicks
            ),
            '{"field":["ALL"]}.value': [
                {"id": {"field": name}, "property": "value", "value": value}
                for name, value in form.items()
            ],
            '{"field":["ALL"]}.id': [
                {"id": {"field": name}, "property": "id", "value": {"field": name}} for name in form
            ],
        }

        def entry(spec: dict[str, str]) -> Any:
            key = f"{spec['id']}.{spec['property']}"
            if spec["id"].startswith("{"):
                return patterns.get(key, [])
            return {"id": spec["id"], "property": spec["property"], "value": values.get(key)}

        callback = next(c for c in self.callbacks if any(_fires(i, changed) for i in c["inputs"]))
        body = {
            "output": callback["output"],
            "outputs": _outputs(callback["output"]),
            "inputs": [entry(spec) for spec in callback["inputs"]],
            "state": [entry(spec) for spec in callback["state"]],
            "changedPropIds": [changed],
        }
        data = json.dumps(body)
        headers = {"X-CSRFToken": self.token, "Content-Type": "application/json"}
        self.counter.count = 0
        GC_CLOCK.seconds = 0.0
        clock = time.perf_counter
        began = clock()
        response = self.client.post(CALLBACK, data=data, headers=headers)
        raw = response.get_data()
        seconds = clock() - began
        answer = Answer(
            response.status_code, seconds, GC_CLOCK.seconds, self.counter.count, len(raw), {}
        )
        response.close()
        if response.status_code == 200:
            answer.outputs = json.loads(raw).get("response", {})
            self._apply(answer.outputs)
        return answer

    def _apply(self, outputs: dict[str, dict[str, Any]]) -> None:
        """Keep what the answer changed, as dash-renderer updates the page's stores."""
        if "canvas" in outputs:
            self.elements = outputs["canvas"]["elements"]
        if "lock" in outputs and outputs["lock"]["data"] is not None:
            self.lock = outputs["lock"]["data"]
        if "history" in outputs:
            self.history = outputs["history"]["data"]
        if "selection" in outputs:
            self.selection = outputs["selection"]["data"]
        if "connect-source" in outputs:
            self.source = outputs["connect-source"]["data"]

    def click(self, role: str, name: str, **kwargs: Any) -> Answer:
        """A click on the button ``{role: name}``."""
        self.clicks[f"{role}:{name}"] += 1
        return self.post(_changed({role: name}, "n_clicks"), **kwargs)

    def node(self, key: str) -> dict[str, Any]:
        """The canvas element of step `key`."""
        for element in self.elements:
            if element["data"].get("key") == key and "position" in element:
                return element
        raise KeyError(f"no node for step {key!r} on the canvas")


class NotSaved(Exception):
    """An edit that did not answer 200 or did not move the lock counter."""


def _saved(editor: Editor, before: int, answer: Answer, what: str) -> None:
    if answer.status != 200:
        raise NotSaved(f"{what}: HTTP {answer.status}")
    if editor.lock <= before:
        message = json.dumps(answer.outputs.get("message", {}), ensure_ascii=False)[:300]
        raise NotSaved(f"{what}: lock counter stayed at {editor.lock} ({message})")


def _record(timing: Timing, answer: Answer) -> None:
    timing.samples.append(answer.seconds)
    timing.statements.append(answer.statements)
    timing.gc_seconds.append(answer.gc_seconds)
    timing.sizes.append(answer.size)


@dataclass
class Workload:
    """What each round edits: the steps in turn, and the pairs to connect."""

    keys: list[str]
    pairs: list[tuple[str, str]]
    forms: dict[str, dict[str, Any]]


def edit_round(editor: Editor, work: Workload, n: int, timings: dict[str, Timing] | None) -> None:
    """One edit of each kind (round `n`), timed into `timings` unless it is None."""

    def measured(kind: str, what: str, action: Callable[[], Answer]) -> bool:
        """Run `action`, time it into `timings`; whether it was saved."""
        before = editor.lock
        answer = action()
        if timings is not None:
            _record(timings[kind], answer)
        try:
            _saved(editor, before, answer, what)
        except NotSaved as error:
            if timings is None:
                raise
            timings[kind].failures.append(str(error))
            return False
        return True

    def delete(selection: dict[str, Any]) -> None:
        before = editor.lock
        editor.selection = selection
        answer = editor.click("edit", "delete")
        _saved(editor, before, answer, f"delete {selection['key']}")

    # Add a step; the answer selects it. Then delete it (untimed).
    added = measured("add", "add", lambda: editor.click("palette", "task"))
    selected = editor.selection
    if added and selected and selected["kind"] == "step" and selected["key"] not in work.forms:
        delete(selected)

    # Connect: the source chosen, the target tapped. Then delete the transition (untimed).
    source, target = work.pairs[n]
    editor.source = source
    editor.tapped = editor.node(target)["data"]
    if measured(
        "connect",
        f"connect {source}>{target}",
        lambda: editor.post("canvas.tapNodeData", connect_mode=True),
    ):
        delete({"kind": "transition", "key": f"{source}>{target}"})
    editor.source = None

    # Move one step, as a drag would.
    key = work.keys[n % len(work.keys)]
    point = editor.node(key)["position"]
    editor.drag = {
        "positions": {key: [round(point["x"]) + 20, round(point["y"]) + 10]},
        "at": 1_700_000_000_000 + n,
    }
    measured("move", f"move {key}", lambda: editor.post("drag-end.data"))

    # Save the inspector's form of one step (selected by a tap), as editor.js sends it.
    editor.selection = {"kind": "step", "key": key}
    form = dict(work.forms[key])
    form["description"] = f"{form['description']} (sửa lần {n + 1})".strip()
    editor.save_request = {"form": {"kind": "step", "key": key}, "fields": form, "seq": n + 1}
    measured("save", f"save {key}", lambda: editor.post("save-request.data"))


# --------------------------------------------------------------------------------------
# Part 1: the edit callbacks through the test client.
# --------------------------------------------------------------------------------------


def build_app(url: str, folder: str) -> Flask:
    """The web app on `url`, with CSRF protection on, as in production."""
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SODO_INSTANCE": folder})


_CSRF_FIELD = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def log_in(client: FlaskClient) -> None:
    """Log in through the login form, with its CSRF token; raise when it fails."""
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF_FIELD.search(page)
    if match is None:
        raise RuntimeError("no CSRF token in the login form")
    response = client.post(
        "/login", data={"username": USERNAME, "password": PASSWORD, "csrf_token": match[1]}
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")


def open_editor(client: FlaskClient, counter: StatementCounter, draft: Draft) -> Editor:
    """Open the editor page as a browser would: its cookie, callbacks and first content."""
    page = client.get(f"/editor/{draft.version_id}")
    if page.status_code != 200:
        raise RuntimeError(f"GET /editor/{draft.version_id}: HTTP {page.status_code}")
    cookie = client.get_cookie("_csrf_token", path="/editor/")
    if cookie is None:
        raise RuntimeError("the editor page set no _csrf_token cookie")
    dependencies = client.get("/editor/_dash-dependencies").get_json()
    # The edit callbacks: those that answer with the canvas and the lock counter.
    callbacks = [
        c
        for c in dependencies
        if "..lock.data@" in c["output"] and "..canvas.elements@" in c["output"]
    ]
    if not callbacks:
        raise RuntimeError("no edit callback in /editor/_dash-dependencies")
    editor = Editor(client, counter, callbacks, cookie.value, draft.version_id, draft.lock)
    editor.elements = _first_elements(client, dependencies, cookie.value, draft.version_id)
    return editor


def _first_elements(
    client: FlaskClient, dependencies: list[dict[str, Any]], token: str, version_id: int
) -> list[dict[str, Any]]:
    """The canvas's elements as the page's first callback (on the URL) answers them."""
    opening = next(
        c for c in dependencies if c["inputs"] == [{"id": "url", "property": "pathname"}]
    )
    body = {
        "output": opening["output"],
        "outputs": _outputs(opening["output"]),
        "inputs": [{"id": "url", "property": "pathname", "value": f"/editor/{version_id}"}],
        "state": [],
        "changedPropIds": ["url.pathname"],
    }
    response = client.post(CALLBACK, json=body, headers={"X-CSRFToken": token})
    if response.status_code != 200:
        raise RuntimeError(f"the editor's opening callback answered HTTP {response.status_code}")
    return response.get_json()["response"]["canvas"]["elements"]


def time_static(client: FlaskClient, counter: StatementCounter, requests: int) -> Timing:
    """The baseline: ``GET /static/sodo.css`` through the same client."""
    timing = Timing("BASELINE GET /static/sodo.css")
    for _ in range(2):
        client.get("/static/sodo.css").close()
    clock = time.perf_counter
    for _ in range(requests):
        counter.count = 0
        GC_CLOCK.seconds = 0.0
        began = clock()
        response = client.get("/static/sodo.css")
        body = response.get_data()
        timing.samples.append(clock() - began)
        timing.statements.append(counter.count)
        timing.gc_seconds.append(GC_CLOCK.seconds)
        timing.sizes.append(len(body))
        if response.status_code != 200:
            timing.failures.append(f"HTTP {response.status_code}")
        response.close()
    return timing


def time_validate(doc: FlowDocument, runs: int) -> Timing:
    """`validators.validate` alone on the draft's document, `runs` times after 2 more."""
    timing = Timing(f"validators.validate alone ({len(doc.steps)} steps, no HTTP)")
    for _ in range(2):
        validate(doc)
    clock = time.perf_counter
    for _ in range(runs):
        GC_CLOCK.seconds = 0.0
        began = clock()
        validate(doc)
        timing.samples.append(clock() - began)
        timing.gc_seconds.append(GC_CLOCK.seconds)
    return timing


@dataclass
class EditResults:
    """The timings of part 1 and what they were measured on."""

    edits: dict[str, Timing]
    static: Timing
    validation: Timing
    final_lock: int
    database_lock: int
    untimed: int
    more_rounds: Callable[[], None]
    """Runs 5 more rounds (untimed), for ``--profile``."""


def run_edits(app: Flask, url: str, draft: Draft, rounds: int) -> EditResults:
    """Part 1: warm up, then time `rounds` rounds of edits; the baselines last."""
    counter = StatementCounter(app.extensions["sodo.engine"])
    client = app.test_client()
    log_in(client)
    editor = open_editor(client, counter, draft)
    keys = [s.key for s in draft.document.steps]
    total = WARM_UP_ROUNDS + rounds + 5
    work = Workload(keys, connect_pairs(draft.document, total), draft.fields)
    for n in range(WARM_UP_ROUNDS):
        edit_round(editor, work, n, None)
    gc.collect()
    timings = {kind: Timing(label, EDIT_TARGET_MS) for kind, label in EDIT_KINDS.items()}
    for n in range(WARM_UP_ROUNDS, WARM_UP_ROUNDS + rounds):
        edit_round(editor, work, n, timings)
    static = time_static(client, counter, rounds)
    validation = time_validate(draft.document, rounds)
    untimed = 2 * (WARM_UP_ROUNDS + rounds) + 4 * WARM_UP_ROUNDS
    final_lock = editor.lock
    saved = database_lock(url, draft.version_id)

    def more_rounds() -> None:
        for n in range(WARM_UP_ROUNDS + rounds, total):
            edit_round(editor, work, n, None)

    return EditResults(timings, static, validation, final_lock, saved, untimed, more_rounds)


def profile_edits(results: EditResults) -> None:
    """Print a cProfile of 5 more rounds of edits (each kind 5 times, the deletes too)."""
    profiler = cProfile.Profile()
    profiler.enable()
    results.more_rounds()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


# --------------------------------------------------------------------------------------
# Part 2: the page in headless Chromium.
# --------------------------------------------------------------------------------------


@dataclass
class LoadResults:
    """The timings of part 2, or why it was skipped."""

    skipped: str = ""
    editor: Timing | None = None
    first: Timing | None = None
    home: Timing | None = None
    problems: list[str] = field(default_factory=list)
    versions: str = ""


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 in a thread; yield its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _wait(page: Any, script: str, wanted: Callable[[Any], bool], timeout: float) -> Any:
    """Poll `script` with ``page.evaluate`` until `wanted` of its value; return the value."""
    deadline = time.perf_counter() + timeout
    value = None
    while time.perf_counter() < deadline:
        try:
            value = page.evaluate(script)
        except Exception:  # the page is still being replaced: try again
            value = None
        if wanted(value):
            return value
        time.sleep(POLL_S)
    return value


def run_loads(app: Flask, version_id: int, steps: int, loads: int) -> LoadResults:
    """Part 2: log in once, then time `loads` loads of the editor and of the home page."""
    if not CHROMIUM.exists():
        return LoadResults(skipped=f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return LoadResults(skipped="the playwright package is not installed")
    results = LoadResults(
        editor=Timing(f"editor /editor/{version_id}, usable", LOAD_TARGET_S),
        first=Timing("first load (cold cache)"),
        home=Timing("BASELINE home page /, load event"),
    )
    assert results.editor and results.first and results.home
    with serving(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            results.versions = (
                f"Chromium {browser.version}, Playwright {metadata.version('playwright')}"
            )
            context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.on("pageerror", lambda error: results.problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda message: (
                    results.problems.append(f"console: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            page.goto(f"{base}/login")
            page.fill("#username", USERNAME)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_selector("#counts")

            def editor_load(timing: Timing) -> None:
                page.goto("about:blank")
                began = time.perf_counter()
                page.goto(f"{base}/editor/{version_id}")
                count = _wait(page, READY_SCRIPT, lambda v: v == steps, LOAD_TIMEOUT_S)
                timing.samples.append(time.perf_counter() - began)
                if count != steps:
                    timing.failures.append(f"not usable after {LOAD_TIMEOUT_S:.0f} s ({count})")

            def home_load(timing: Timing) -> None:
                page.goto("about:blank")
                began = time.perf_counter()
                page.goto(f"{base}/", wait_until="load")
                timing.samples.append(time.perf_counter() - began)
                if not page.evaluate("() => document.querySelector('#counts') !== null"):
                    timing.failures.append("the home page has no #counts")

            editor_load(results.first)
            home_load(Timing("warm-up"))
            for _ in range(loads):
                editor_load(results.editor)
            for _ in range(loads):
                home_load(results.home)
            context.close()
        finally:
            browser.close()
    return results


# --------------------------------------------------------------------------------------
# Reporting.
# --------------------------------------------------------------------------------------


def _range(values: Sequence[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def _within(timing: Timing, scale: float) -> str:
    if timing.failures:
        return f"NO ({len(timing.failures)} failed)"
    return {True: "yes", False: "NO", None: "-"}[timing.within(scale)]


def edit_table(results: EditResults) -> list[str]:
    """Part 1 as a text table: the edits, then the two baselines."""
    base = results.static.median
    validation = results.validation.median
    rows: list[tuple[str, ...]] = [
        (
            "edit callback",
            "n",
            "median ms",
            "p95 ms",
            "GC ms",
            "SQL/req",
            "KiB",
            "x base",
            "validate %",
            "target p95",
            "within",
        )
    ]
    for t in (*results.edits.values(), results.static, results.validation):
        http = t is not results.validation
        rows.append(
            (
                t.label,
                str(len(t.samples)),
                f"{t.median * 1000:.1f}",
                f"{t.p95 * 1000:.1f}",
                f"{statistics.fmean(t.gc_seconds) * 1000:.1f}" if t.gc_seconds else "-",
                _range(t.statements) if http else "-",
                f"{statistics.median(t.sizes) / 1024:.0f}" if t.sizes else "-",
                f"{t.median / base:.1f}",
                f"{validation / t.median * 100:.0f}%" if t in results.edits.values() else "-",
                "-" if t.target is None else f"< {t.target:.0f}",
                _within(t, 1000),
            )
        )
    return render_rows(rows, 2)


def load_table(results: LoadResults) -> list[str]:
    """Part 2 as a text table: the editor's loads, the first load, the home page."""
    assert results.editor and results.first and results.home
    base = results.home.median
    rows: list[tuple[str, ...]] = [
        ("page load (Chromium)", "n", "median s", "p95 s", "x base", "target p95", "within")
    ]
    for t in (results.editor, results.first, results.home):
        rows.append(
            (
                t.label,
                str(len(t.samples)),
                f"{t.median:.3f}",
                f"{t.p95:.3f}",
                f"{t.median / base:.1f}",
                "-" if t.target is None else f"< {t.target:.1f}",
                _within(t, 1),
            )
        )
    return render_rows(rows, 1)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--edits", type=int, default=50, help="timed edits of each kind")
    parser.add_argument("--loads", type=int, default=7, help="timed loads of each page")
    parser.add_argument("--steps", type=int, default=60, help="steps of the draft")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--check", action="store_true", help="exit with 1 if a target is missed")
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of edits when one is too slow"
    )
    args = parser.parse_args(argv)
    if args.edits < 1 or args.loads < 1:
        parser.error("--edits and --loads must be at least 1")
    if args.steps < 12:
        parser.error("--steps must be at least 12")
    return args


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: Sequence[str] | None = None) -> int:
    """Import the draft, time the edits and the page loads, print the report."""
    args = parse_args(argv)
    with database(None) as (url, folder):
        draft = import_draft(url, args.steps)
        doc = draft.document
        print(
            f"Benchmark of the graph editor — {args.edits} edits of each kind, "
            f"{args.loads} page loads"
        )
        print(
            f"Python {platform.python_version()}, Dash {_version('dash')}, "
            f"dash-cytoscape {_version('dash-cytoscape')}, SQLAlchemy {sa.__version__}, "
            f"sqlite; {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs"
        )
        print(
            f"Draft #{draft.version_id}: {len(doc.steps)} steps, {len(doc.transitions)} "
            f"transitions, {len(doc.units)} units, {len(doc.officers)} officers; "
            f"findings: {describe_findings(validate(doc))}"
        )
        app = build_app(url, folder)
        try:
            edits = run_edits(app, url, draft, args.edits)
        except NotSaved as error:  # in a warm-up round or an untimed delete
            print(f"The editor did not save an edit: {error}")
            return 1
        print(f"After the edits: {current_findings(url, draft.version_id)}")
        saved = edits.final_lock == edits.database_lock
        print(
            f"Lock counter: {draft.lock} at import, {edits.final_lock} in the last answer, "
            f"{edits.database_lock} in the database ({'consistent' if saved else 'MISMATCH'}); "
            f"{edits.untimed} untimed requests (warm-up rounds, deletes)"
        )
        print()
        print("\n".join(edit_table(edits)))
        for t in edits.edits.values():
            for failure in t.failures[:3]:
                print(f"  {t.label}: {failure}")
        print()

        missed = [t.label for t in edits.edits.values() if not t.within(1000)]
        if args.profile and missed:
            print(f"cProfile of 5 more rounds of edits ({'; '.join(missed)} missed):")
            profile_edits(edits)
        if not saved:
            missed.append("lock counter of the database")
        verdicts = [
            f"edits p95 < {EDIT_TARGET_MS:.0f} ms: "
            + ("yes" if all(t.within(1000) for t in edits.edits.values()) else "NO")
        ]
        if args.no_browser:
            loads = LoadResults(skipped="--no-browser")
        else:
            loads = run_loads(app, draft.version_id, len(doc.steps), args.loads)
        if loads.skipped:
            print(f"Browser part SKIPPED: {loads.skipped}.")
            verdicts.append(f"editor usable < {LOAD_TARGET_S} s: skipped")
        else:
            assert loads.editor is not None
            print(loads.versions)
            print("\n".join(load_table(loads)))
            print(f"Page or console errors: {len(loads.problems)}")
            for problem in loads.problems[:5]:
                print(f"  {problem}")
            within = loads.editor.within(1)
            verdicts.append(f"editor usable, p95 < {LOAD_TARGET_S} s: {'yes' if within else 'NO'}")
            if not within:
                missed.append(loads.editor.label)
        print()
        print("Targets: " + "; ".join(verdicts))
        if missed:
            print("missed: " + "; ".join(missed))
        app.extensions["sodo.engine"].dispose()
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
