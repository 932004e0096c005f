"""The graph editor's canvas in a real Chromium: what it shows, and gestures on it.

`Canvas` drives one logged-in page of the editor with the mouse, waiting for the
callbacks each gesture sets off; `geometry` reads what Cytoscape draws (`window.cy`):
the zoom, every label's font size, and the boxes of the steps and the lanes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from support.browser import record_problems, wait_until
from workflow_model.db import make_engine
from workflow_model.models import (
    FlowVersion,
    Procedure,
    ProcedureCase,
    Step,
    Unit,
    VersionStatus,
)

CALLBACK = "_dash-update-component"

# Dash's redux store (`window.store`) holds the callbacks pending: `rounds` counts the
# changes from idle to busy, so a gesture's answers are in once it grew and all is idle.
TRACK_CALLBACKS = """() => {
    if (window.__sodoCanvas) { return true; }
    const store = window.store;
    if (!store || !store.getState().callbacks) { return false; }
    const pending = () => {
        const lists = store.getState().callbacks;
        return Object.keys(lists)
            .filter(name => Array.isArray(lists[name]) && name !== "stored")
            .reduce((count, name) => count + lists[name].length, 0);
    };
    const track = window.__sodoCanvas = {rounds: 0, busy: false, since: performance.now()};
    const look = () => {
        const busy = pending() > 0;
        if (busy !== track.busy) {
            track.busy = busy;
            track.since = performance.now();
            if (busy) { track.rounds += 1; }
        }
    };
    look();
    store.subscribe(look);
    return true;
}"""
CALLBACK_STATE = """() => {
    const track = window.__sodoCanvas;
    return [track.rounds, track.busy, (performance.now() - track.since) / 1000];
}"""

# Boxes are [x1, y1, x2, y2] in model units, labels included; `view` is the visible part.
GEOMETRY = """() => {
    const cy = window.cy;
    const box = ele => {
        const b = ele.boundingBox({includeLabels: true, includeOverlays: false});
        return [b.x1, b.y1, b.x2, b.y2];
    };
    const ext = cy.extent();
    return {
        zoom: cy.zoom(),
        fonts: cy.elements().filter(e => e.style('label')).map(
            e => [e.id(), e.numericStyle('font-size')]),
        steps: Object.fromEntries(cy.nodes('[key]').map(n => [n.data('key'), box(n)])),
        lanes: Object.fromEntries(cy.nodes('[?lane_box]').map(n => [n.id(), box(n)])),
        lane_of: Object.fromEntries(cy.nodes('[key]').map(n => [n.data('key'), n.data('lane')])),
        view: [ext.x1, ext.y1, ext.x2, ext.y2],
        panning: cy.userPanningEnabled(),
    };
}"""

# Pan a step into view if any of it is outside the canvas, as a person would drag the
# background, then answer where its centre is on the screen.
POINT = """key => {
    const cy = window.cy;
    const node = cy.nodes().filter(n => n.data('key') === key).first();
    const near = node.renderedBoundingBox();
    if (near.x1 < 20 || near.y1 < 20 || near.x2 > cy.width() - 20 || near.y2 > cy.height() - 20) {
        cy.center(node);
    }
    const box = cy.container().getBoundingClientRect();
    const at = node.renderedPosition();
    return [box.left + at.x, box.top + at.y];
}"""


@dataclass
class Canvas:
    """One logged-in browser page on the editor, recording what went wrong in it."""

    page: Any
    url: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    in_flight: int = 0

    def watch(self) -> None:
        record_problems(self.page, self.problems)
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self._count(r, 1))
        self.page.on("requestfinished", lambda r: self._count(r, -1))
        self.page.on("requestfailed", lambda r: self._count(r, -1))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _count(self, request: Any, change: int) -> None:
        if CALLBACK in request.url:
            self.in_flight += change

    def log_in(self, username: str, password: str) -> None:
        self.page.goto(f"{self.url}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_selector("#counts")

    def open(self, version_id: int, steps: int) -> None:
        """Open the editor on a version of `steps` steps and wait until it is drawn."""
        response = self.page.goto(f"{self.url}/editor/{version_id}")
        assert response is not None and response.ok
        self.page.wait_for_selector("#findings .sodo-side-title")
        wait_until(self.page, f"window.cy && window.cy.nodes('[key]').length === {steps}")
        wait_until(self.page, TRACK_CALLBACKS)
        self.settle()

    def settle(self, after: int | None = None, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until no callback is pending nor started for `quiet` seconds.

        `after`: the rounds counted before a gesture that always calls back, which must
        have started before idleness counts.
        """
        start = time.monotonic()
        while True:
            rounds, busy, calm = self.page.evaluate(CALLBACK_STATE)
            answered = after is not None and rounds > after
            waited = after is None and time.monotonic() - start >= quiet
            if (answered or waited) and not busy and self.in_flight == 0 and calm >= quiet:
                return
            assert time.monotonic() - start < timeout, f"callbacks not done: {rounds}, {busy}"
            self.page.wait_for_timeout(50)

    def answered(self, gesture: Callable[[], object]) -> None:
        """Do `gesture`, which always calls back, and wait for all its answers."""
        before = int(self.page.evaluate(CALLBACK_STATE)[0])
        gesture()
        self.settle(after=before)

    def geometry(self) -> dict[str, Any]:
        return self.page.evaluate(GEOMETRY)

    def tap(self, key: str) -> None:
        """Click step `key` (a tap always selects, and calls back)."""
        self.answered(lambda: self.page.mouse.click(*self.page.evaluate(POINT, key)))

    def drag(self, key: str, dx: float, dy: float) -> None:
        """Drag step `key` by (`dx`, `dy`) pixels, in small moves as a hand would."""
        x, y = self.page.evaluate(POINT, key)
        mouse = self.page.mouse

        def gesture() -> None:
            mouse.move(x, y)
            mouse.down()
            mouse.move(x + dx, y + dy, steps=10)
            mouse.up()

        self.answered(gesture)

    def tool(self, name: str) -> None:
        """Click a palette or tool button (``data-sodo-tool``) and wait for the answers."""
        self.answered(lambda: self.page.click(f"[data-sodo-tool={name}]"))


def version_id(
    database_url: str, code: str, case: str = "", status: VersionStatus | None = None
) -> int:
    """The newest version of procedure `code`, case `case` (with `status`, if given)."""
    query = (
        sa.select(FlowVersion.id)
        .join(ProcedureCase, FlowVersion.case_id == ProcedureCase.id)
        .join(Procedure, ProcedureCase.procedure_id == Procedure.id)
        .where(Procedure.code == code, ProcedureCase.key == case)
        .order_by(FlowVersion.number.desc())
        .limit(1)
    )
    if status is not None:
        query = query.where(FlowVersion.status == status)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(query).scalar_one()
    finally:
        engine.dispose()


def step_units(database_url: str, version: int) -> dict[str, str | None]:
    """Each saved step of `version`, by key: the name of its unit."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(Step.key, Unit.name)
                .outerjoin(Unit, Step.unit_id == Unit.id)
                .where(Step.version_id == version)
            )
            return {key: name for key, name in rows}
    finally:
        engine.dispose()
