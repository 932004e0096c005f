"""The diagram at first sight, in Chromium at 1440×900: readable, nothing overlapping.

Every demo flow opens with every label at least 12 CSS pixels high (Cytoscape's zoom ×
the label's font size), no two steps and no two lanes overlapping (their boxes with their
labels), and the view on the diagram's start; "Fit" still shows it whole. A step from the
palette lands right of the selected one, in its lane, clear of the others and in view,
and "Arrange in lanes" brings the view back onto the diagram.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer
from support.editor import Editor, assert_apart, assert_readable, inside, step_units, version_id

from workflow_model.demo_data import demo_flow
from workflow_model.models import VersionStatus

pytestmark = pytest.mark.browser

FLOWS = sorted(
    path.name
    for path in (Path(__file__).parents[1] / "workflow_model/demo_data/flows").glob("*.json")
)
CHAIN_CODE = "1.013871"  # a demo draft of 9 steps in two lanes


def assert_view_on_the_start(shown: dict[str, Any]) -> None:
    """Some steps are in full view, and whatever is not lies further on, right or below,
    a pan away: nothing is cut off on the left or above."""
    view, boxes = shown["view"], list(shown["steps"].values())
    assert any(inside(box, view) for box in boxes)
    left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
    assert view[0] <= left and view[1] <= top, (view, left, top)


@pytest.fixture
def canvas(browser: Any, live_server: LiveServer) -> Iterator[Editor]:
    """The administrator, logged in, in a Vietnamese browser window of 1440×900."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 900})
    session = Editor(context.new_page(), live_server.url)
    session.watch()
    session.log_in("admin", live_server.passwords["admin"])
    yield session
    context.close()


@pytest.mark.parametrize("flow", FLOWS, ids=lambda name: name.removesuffix(".json"))
def test_every_demo_flow_opens_readable_with_nothing_overlapping(
    canvas: Editor, live_server: LiveServer, flow: str
) -> None:
    procedure = demo_flow(flow).procedure
    case = procedure.case.key if procedure.case else ""
    version = version_id(live_server.database_url, procedure.code, case)
    count = len(step_units(live_server.database_url, version))
    canvas.open(version, steps=count)
    shown = canvas.geometry()
    assert len(shown["steps"]) == count and shown["lanes"]
    assert_readable(shown)
    assert_apart(shown)
    assert_view_on_the_start(shown)
    assert shown["panning"]  # a diagram larger than the canvas is a drag away

    # "Fit" still shows the whole diagram, however small.
    canvas.page.click("#fit")
    canvas.page.wait_for_timeout(100)
    fitted = canvas.geometry()
    assert fitted["zoom"] <= shown["zoom"]
    assert all(inside(box, fitted["view"]) for box in fitted["steps"].values())
    assert canvas.problems == [] and canvas.dialogs == []


def test_a_new_step_goes_right_of_the_selected_one_in_its_lane_and_in_view(
    canvas: Editor, live_server: LiveServer
) -> None:
    url = live_server.database_url
    version = version_id(url, CHAIN_CODE, status=VersionStatus.DRAFT)
    canvas.open(version, steps=len(step_units(url, version)))
    first = canvas.geometry()
    # The first step of the first lane, which has other steps to its right.
    chosen = min(first["steps"], key=lambda key: first["steps"][key][0])
    canvas.tap(chosen)
    for count in (1, 2):
        beside = canvas.geometry()["steps"][chosen]
        canvas.tool("task")
        shown = canvas.geometry()
        added = set(shown["steps"]) - set(first["steps"])
        assert len(added) == count
        new = max(added, key=lambda key: int(key.removeprefix("s")))
        box = shown["steps"][new]
        assert box[0] > beside[2], "not right of the step it follows"
        assert box[1] < beside[3] and beside[1] < box[3], "not level with it"
        assert shown["lane_of"][new] == shown["lane_of"][chosen], "not in its lane"
        assert inside(box, shown["view"]), "out of view"
        assert_apart(shown)
        assert_readable(shown)
        units = step_units(url, version)
        assert units[new] == units[chosen] is not None
        chosen = new  # the new step is selected: the next one follows it
    assert canvas.problems == [] and canvas.dialogs == []


def test_arranging_in_lanes_brings_the_view_back_to_the_diagram(
    canvas: Editor, live_server: LiveServer
) -> None:
    url = live_server.database_url
    version = version_id(url, CHAIN_CODE, status=VersionStatus.DRAFT)
    canvas.open(version, steps=len(step_units(url, version)))
    # Drag a step far off, then look somewhere else altogether.
    canvas.drag(next(iter(canvas.geometry()["steps"])), 300, 250)
    canvas.page.evaluate("window.cy.panBy({x: -4000, y: -3000})")
    away = canvas.geometry()
    assert not any(inside(box, away["view"]) for box in away["steps"].values())

    canvas.tool("lanes-layout")
    canvas.page.wait_for_timeout(100)
    shown = canvas.geometry()
    assert_readable(shown)
    assert_apart(shown)
    assert_view_on_the_start(shown)
    assert canvas.problems == [] and canvas.dialogs == []
