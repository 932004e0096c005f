"""The graph editor in a real Chromium: one logged-in page, its gestures and what it draws.

`Editor` drives the editor with the mouse and the keyboard and waits for the callbacks
each gesture sets off, never sleeping through them: `settle` reads Dash's own record of
pending callbacks in the page (`TRACK_CALLBACKS`), waits for the gesture's callbacks to
start, then until none is pending and none has started for a short while. `geometry`
reads what Cytoscape draws (`window.cy`): the zoom, every label's font size, and the
boxes of the steps and the lanes. `vi` is what the Vietnamese interface shows for a
message, read from the catalogue the server compiles.
"""

from __future__ import annotations

import functools
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from babel.messages.pofile import read_po

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

CATALOGUE = Path(__file__).resolve().parents[2] / "admin/translations/vi/LC_MESSAGES/messages.po"
CALLBACK = "_dash-update-component"

# Follows Dash's redux store (`window.store`, which dash-renderer sets) in the page itself:
# a callback is pending from the moment an input changes until its outputs are applied,
# dependent callbacks included, so there is no gap between a response and the request it
# sets off, and no delay from Playwright's events reaching Python. `rounds` counts the
# changes from idle to busy: a gesture's answer has come once it has grown and the store
# is idle again.
TRACK_CALLBACKS = """() => {
    if (window.__sodoCallbacks) { return true; }
    const store = window.store;
    if (!store || !store.getState().callbacks) { return false; }
    const pending = () => {
        const lists = store.getState().callbacks;
        return Object.keys(lists)
            .filter(name => Array.isArray(lists[name]) && name !== "stored")
            .reduce((count, name) => count + lists[name].length, 0);
    };
    const track = window.__sodoCallbacks = {rounds: 0, busy: false, since: performance.now()};
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
    const track = window.__sodoCallbacks;
    return [track.rounds, track.busy, (performance.now() - track.since) / 1000];
}"""


@functools.cache
def _catalogue() -> Any:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


def vi(msgid: str) -> str:
    """What the Vietnamese UI shows for `msgid`: its translation, or itself if there is none.

    Read from the catalogue the server compiles at start (fuzzy entries are left out, as
    when compiling), so the tests follow the translations as they change.
    """
    message = _catalogue().get(msgid)
    if message is None or message.fuzzy or not message.string:
        return msgid
    return str(message.string)


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


SMALLEST_TEXT = 12.0  # CSS pixels, at 1440×900


def overlap(a: list[float], b: list[float]) -> bool:
    """Whether two boxes ``[x1, y1, x2, y2]`` share more than an edge."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: list[float], view: list[float]) -> bool:
    return view[0] <= box[0] and view[1] <= box[1] and box[2] <= view[2] and box[3] <= view[3]


def assert_readable(shown: dict[str, Any]) -> None:
    zoom = shown["zoom"]
    small = [(name, zoom * size) for name, size in shown["fonts"] if zoom * size < SMALLEST_TEXT]
    assert shown["fonts"] and not small, f"labels under {SMALLEST_TEXT}px: {small}"


def assert_apart(shown: dict[str, Any]) -> None:
    for kind in ("steps", "lanes"):
        crossing = [
            (a, b)
            for (a, box_a), (b, box_b) in itertools.combinations(shown[kind].items(), 2)
            if overlap(box_a, box_b)
        ]
        assert not crossing, f"{kind} overlap: {crossing}"


@dataclass
class Editor:
    """One logged-in browser context on the editor, recording what went wrong in it."""

    page: Any
    url: str
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    in_flight: int = 0

    def watch(self) -> None:
        record_problems(self.page, self.problems)
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _started(self, request: Any) -> None:
        if CALLBACK in request.url:
            self.in_flight += 1

    def _ended(self, request: Any) -> None:
        if CALLBACK in request.url:
            self.in_flight -= 1

    def rounds(self) -> int:
        """How many times the page's callbacks went from idle to busy so far."""
        return int(self.page.evaluate(CALLBACK_STATE)[0])

    def settle(self, after: int | None = None, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until the page's callbacks are done and none started for `quiet` seconds.

        `after` is `rounds()` read before a gesture that always calls back: its callbacks
        must have started before idleness counts (under load they may start late, and
        the page is idle until then). Without it, the quiet time counts from this call,
        so that a callback set off a moment after the gesture is not missed. A
        callback's answer often starts another (a new lock redraws the inspector), so a
        single response is not the end of a round trip.
        """
        start = time.monotonic()
        deadline = start + timeout
        while True:
            rounds, busy, calm = self.page.evaluate(CALLBACK_STATE)
            waited = time.monotonic() - start
            answered = after is None or rounds > after
            if (
                answered
                and not busy
                and self.in_flight == 0
                and calm >= quiet
                and (after is not None or waited >= quiet)
            ):
                return
            assert time.monotonic() < deadline, (
                f"callbacks not done after {timeout}s: rounds {rounds} (before {after}), "
                f"busy {busy}, requests in flight {self.in_flight}"
            )
            self.page.wait_for_timeout(50)

    def answered(self, gesture: Callable[[], object]) -> None:
        """Do `gesture`, which always calls back, and wait for all its answers."""
        before = self.rounds()
        gesture()
        self.settle(after=before)

    def press(self, keys: str) -> None:
        """Press `keys` on the page (a shortcut that calls back) and wait for the answers."""
        self.answered(lambda: self.page.keyboard.press(keys))

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

    # The canvas.

    def steps(self) -> dict[str, dict[str, Any]]:
        """Each step's Cytoscape data, with its model position, by key."""
        return self.page.evaluate(
            """() => Object.fromEntries(window.cy.nodes('[key]').map(node => [
                node.data('key'),
                Object.assign({}, node.data(), {position: node.position()})
            ]))"""
        )

    def edges(self) -> set[str]:
        return set(self.page.evaluate("window.cy.edges().map(edge => edge.data('key'))"))

    def selected(self) -> set[str]:
        """The keys of the selected steps and transitions."""
        return set(self.page.evaluate("window.cy.$(':selected').map(e => e.data('key'))"))

    def point(self, key: str) -> tuple[float, float]:
        """Where step `key` is on the screen, once panned into view as a person would.

        The editor opens at a readable zoom, so a large diagram runs past the canvas.
        """
        x, y = self.page.evaluate(
            """key => {
                const node = window.cy.nodes().filter(n => n.data('key') === key).first();
                const near = node.renderedBoundingBox();
                const [w, h] = [window.cy.width(), window.cy.height()];
                if (near.x1 < 20 || near.y1 < 20 || near.x2 > w - 20 || near.y2 > h - 20) {
                    window.cy.center(node);
                }
                const box = window.cy.container().getBoundingClientRect();
                const at = node.renderedPosition();
                return [box.left + at.x, box.top + at.y];
            }""",
            key,
        )
        return x, y

    def edge_point(self, key: str) -> tuple[float, float]:
        """Where the middle of transition `key` is on the screen, panned into view."""
        x, y = self.page.evaluate(
            """key => {
                const edge = window.cy.edges().filter(e => e.data('key') === key).first();
                const middle = edge.renderedMidpoint();
                const [w, h] = [window.cy.width(), window.cy.height()];
                if (middle.x < 20 || middle.y < 20 || middle.x > w - 20 || middle.y > h - 20) {
                    window.cy.center(edge);
                }
                const box = window.cy.container().getBoundingClientRect();
                const at = edge.renderedMidpoint();
                return [box.left + at.x, box.top + at.y];
            }""",
            key,
        )
        return x, y

    def tap(self, key: str) -> None:
        """Click step `key` with the mouse and wait for the answers (a tap always selects)."""
        self.answered(lambda: self.page.mouse.click(*self.point(key)))

    def drag(self, key: str, dx: float, dy: float, moves: bool = True) -> None:
        """Drag step `key` by (`dx`, `dy`) pixels, in small moves as a hand would.

        `moves`: the step can be moved, so the drop is sent to the server (not so on a
        read-only version, where nothing calls back).
        """
        x, y = self.point(key)
        mouse = self.page.mouse
        before = self.rounds()
        mouse.move(x, y)
        mouse.down()
        mouse.move(x + dx, y + dy, steps=10)
        mouse.up()
        self.settle(after=before if moves else None)

    def tool(self, name: str) -> None:
        """Click a palette or tool button (``data-sodo-tool``)."""
        self.answered(lambda: self.page.click(f"[data-sodo-tool={name}]"))

    def connect(self, *pairs: tuple[str, str]) -> None:
        """Connect each pair with connect mode, then leave it."""
        self.tool("connect")
        for source, target in pairs:
            self.tap(source)
            self.tap(target)
        self.tool("connect")

    # The side panel.

    def message(self) -> str:
        return self.page.locator("#message").inner_text().strip()

    def field(self, name: str) -> Any:
        """The inspector's control `name` (Dash renders the id {"field": name} as JSON)."""
        dom_id = json.dumps({"field": name}, separators=(",", ":"))
        return self.page.locator(f"#inspector [id='{dom_id}']")

    def select(self, key: str) -> None:
        """Tap step `key` and wait for its form."""
        self.tap(key)
        self.page.locator(f"#inspector h2[data-key='{key}']").wait_for()
        self.settle()  # the form may be drawn more than once; use the last one

    def choose(self, name: str, typed: str, option: str) -> None:
        """Open the dropdown `name`, type `typed` in its search box, pick `option`."""
        self.field(name).click()
        self.page.keyboard.type(typed)
        # The list is filtered, and may be redrawn by a callback, while typing: click
        # once it has settled.
        self.settle()
        choice = self.page.locator(".dash-dropdown-option", has_text=option).first
        choice.wait_for(state="visible")
        choice.click()
        self.page.keyboard.press("Escape")
        self.settle()

    def save(self) -> None:
        """Leave the field being typed in, so the form saves itself, and wait for that."""
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.settle()

    def geometry(self) -> dict[str, Any]:
        """What Cytoscape draws: zoom, label sizes, step and lane boxes, the visible part."""
        return self.page.evaluate(GEOMETRY)

    def finding(self, code: str) -> Any:
        return self.page.locator(f"#findings .sodo-finding[data-code='{code}']")


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
