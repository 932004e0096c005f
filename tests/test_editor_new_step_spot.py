"""Where the palette puts a new step: right of the selected (or last) step, clear of others."""

from __future__ import annotations

from typing import Any

import pytest

from admin.editor.gestures import SPACING, default_name, lane_member, new_step_spot
from admin.editor.inputs import InvalidInput
from workflow_model.diagram import COLUMN_GAP, step_size
from workflow_model.models import StepKind

EXTENT = {"x1": 0, "y1": 0, "w": 600, "h": 400}  # the middle is (300, 200)
TASK = step_size(default_name(StepKind.TASK))


def _step(
    key: str, x: float, y: float, width: float = 160, height: float = 70, lane: str = "l"
) -> dict[str, Any]:
    data = {"id": f"n:{lane}:{key}", "key": key, "lane": lane, "width": width, "height": height}
    return {"data": data, "position": {"x": x, "y": y}}


def _lane(x: float, y: float) -> dict[str, Any]:
    return {"data": {"id": "lane:l", "lane_box": 1}, "position": {"x": x, "y": y}}


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return abs(a[0] - b[0]) < (a[2] + b[2]) / 2 and abs(a[1] - b[1]) < (a[3] + b[3]) / 2


def test_an_empty_canvas_gets_the_step_in_its_middle() -> None:
    spot = new_step_spot(StepKind.TASK, None, EXTENT, [])
    assert (spot.x, spot.y, spot.beside) == (300, 200, None)
    # The extent before the canvas reported it.
    assert new_step_spot(StepKind.TASK, None, None, None).beside is None


def test_the_step_goes_right_of_the_selected_one_at_its_height() -> None:
    steps = [_step("s1", 100, 100), _step("s2", 400, 300), _step("s3", 700, 100)]
    spot = new_step_spot(StepKind.TASK, {"kind": "step", "key": "s2"}, EXTENT, steps)
    assert spot.beside == "s2"
    assert spot.y == 300
    assert spot.x == round(400 + 80 + COLUMN_GAP + TASK.width / 2)


def test_without_a_selected_step_it_follows_the_last_one() -> None:
    steps = [_step("s1", 100, 100), _step("s2", 400, 300)]
    for selection in (None, {"kind": "transition", "key": "s1>s2"}):
        spot = new_step_spot(StepKind.END, selection, EXTENT, [_lane(0, 0), *steps])
        assert (spot.beside, spot.y) == ("s2", 300)
        assert spot.x > 400 + 80


def test_a_row_of_steps_sends_it_past_all_of_them_in_one_pass() -> None:
    pitch = 160 + SPACING  # touching rows leave no gap wide enough
    row = [_step(f"s{i}", 100 + i * pitch, 100) for i in range(500)]
    spot = new_step_spot(StepKind.TASK, {"kind": "step", "key": "s0"}, EXTENT, row[::-1])
    new = (spot.x, spot.y, TASK.width, TASK.height)
    assert not any(_overlap(new, (100 + i * pitch, 100, 160, 70)) for i in range(500))
    assert spot.x == round(100 + 499 * pitch + 80 + SPACING + TASK.width / 2)


def test_a_gap_wide_enough_is_used_and_steps_of_other_rows_take_no_room() -> None:
    gap = 160 + 2 * SPACING + TASK.width + COLUMN_GAP + 10
    steps = [_step("s1", 100, 100), _step("s2", 100 + gap, 100), _step("s3", 400, 400)]
    spot = new_step_spot(StepKind.TASK, {"kind": "step", "key": "s1"}, EXTENT, steps)
    assert spot.x == round(100 + 80 + COLUMN_GAP + TASK.width / 2)


@pytest.mark.parametrize(
    "elements",
    [
        [_step("s1", 0, 0) | {"position": {"x": "nan", "y": 0}}],
        [{"data": {"id": "n", "key": "s1", "width": -5}, "position": {"x": 0, "y": 0}}],
        [{"data": {"id": "n", "key": 5}, "position": {"x": 0, "y": 0}}],
        [5],
        {"a": 1},
    ],
    ids=["coordinate-a-string", "negative-width", "key-a-number", "element-a-number", "not-a-list"],
)
def test_a_malformed_canvas_is_invalid_input(elements: Any) -> None:
    with pytest.raises(InvalidInput):
        new_step_spot(StepKind.TASK, None, EXTENT, elements)


def test_a_task_added_in_a_lane_with_the_menu_takes_a_step_of_that_lane() -> None:
    steps = [
        _step("s1", 0, 0, lane="a"),
        _step("s2", 0, 200, lane="b"),
        _step("s3", 300, 200, lane="b"),
    ]
    edge = {"data": {"id": "e", "key": "s1>s2", "source": "n:a:s1", "target": "n:b:s2"}}
    elements = [_lane(0, 0) | {"data": {"id": "lane:b", "lane_box": 1}}, *steps, edge]
    assert lane_member(elements, "lane:b") == "s2"
    assert lane_member(elements, "n:b:s3") == "s2"
    assert lane_member(elements, "n:a:s1") == "s1"
    assert lane_member(elements, "lane:nowhere") is None
    assert lane_member(elements, None) is None  # the background
    with pytest.raises(InvalidInput):
        lane_member(elements, ["lane:b"])
