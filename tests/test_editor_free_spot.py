"""Where the palette puts a new step: the middle of the visible canvas, clear of others."""

from __future__ import annotations

from typing import Any

import pytest

from admin.editor.elements import STEP_HEIGHT, STEP_WIDTH
from admin.editor.gestures import free_spot
from admin.editor.inputs import InvalidInput

EXTENT = {"x1": 0, "y1": 0, "w": 600, "h": 400}  # the middle is (300, 200)
STEP = STEP_HEIGHT + 30  # how far down a taken spot sends the new step


def _node(x: float, y: float, **data: Any) -> dict[str, Any]:
    return {"data": {"id": f"n{x},{y}", **data}, "position": {"x": x, "y": y}}


def test_an_empty_canvas_gets_the_step_in_its_middle() -> None:
    assert free_spot(EXTENT, []) == (300, 200)
    assert free_spot(None, None) == (300, 200)  # the extent before the canvas reported it


def test_a_column_of_steps_sends_the_new_one_below_all_of_them() -> None:
    stacked = [_node(300, 200 + i * STEP) for i in range(500)]
    assert free_spot(EXTENT, list(reversed(stacked))) == (300, 200 + 500 * STEP)


def test_steps_beside_the_column_and_lane_boxes_take_no_room() -> None:
    beside = _node(300 + STEP_WIDTH + 20, 200)
    lane = _node(300, 200, lane_box=True)
    assert free_spot(EXTENT, [beside, lane]) == (300, 200)


def test_a_gap_between_steps_is_used_when_it_is_wide_enough() -> None:
    steps = [_node(300, 200), _node(300, 200 + 3 * STEP)]
    assert free_spot(EXTENT, steps) == (300, 200 + STEP)


@pytest.mark.parametrize(
    "elements",
    [[_node(300, 200) | {"position": {"x": "nan", "y": 0}}], [5], {"a": 1}],
    ids=["coordinate-a-string", "element-a-number", "not-a-list"],
)
def test_a_malformed_canvas_is_invalid_input(elements: Any) -> None:
    with pytest.raises(InvalidInput):
        free_spot(EXTENT, elements)
