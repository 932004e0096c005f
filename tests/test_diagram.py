"""Swimlanes and the auto-layout: every step gets a place, each lane its own band."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import sample_paths
from flow_samples import flow

from workflow_model.diagram import COLUMN_WIDTH, auto_layout, lanes, step_positions
from workflow_model.document import load_document


def test_lanes_follow_the_agencies_in_flow_order() -> None:
    doc = flow()
    found = [(lane.key, lane.steps) for lane in lanes(doc)]
    # By column: s5 (refusal) comes right after s2, before s4. The office joins its department.
    assert found == [("tt", ("s1", "s5", "s4")), ("svh", ("s2", "s3"))]
    assert lanes(doc)[1].name == "Sở Văn hóa, Thể thao và Du lịch"


def test_steps_without_a_unit_share_the_last_lane() -> None:
    def drop_unit(data: dict) -> None:
        data["steps"][1]["unit"] = None

    assert lanes(flow(drop_unit))[-1].key == ""
    assert lanes(flow(drop_unit))[-1].steps == ("s2",)


def test_auto_layout_goes_left_to_right_along_the_flow() -> None:
    positions = auto_layout(flow())
    assert positions["s1"].x < positions["s2"].x < positions["s3"].x < positions["s4"].x
    assert positions["s3"].x - positions["s2"].x == COLUMN_WIDTH


def test_saved_positions_win_and_missing_ones_are_filled_in() -> None:
    doc = flow()
    positions = step_positions(doc)
    assert (positions["s1"].x, positions["s1"].y) == (0, 0)
    assert (positions["s2"].x, positions["s2"].y) == (220, 0)
    assert set(positions) == {"s1", "s2", "s3", "s4", "s5"}
    assert positions["s3"] == auto_layout(doc)["s3"]


def test_a_loop_does_not_stop_the_layout() -> None:
    def loop(data: dict) -> None:
        data["transitions"].append({"from": "s3", "to": "s2", "label": "Bổ sung"})

    positions = auto_layout(flow(loop))
    assert len(positions) == 5
    assert positions["s2"].x == positions["s3"].x  # one loop, one column


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: Path(p).stem)
def test_every_real_flow_gets_separate_places_and_bands(path: Path) -> None:
    doc = load_document(path.read_bytes())
    positions = auto_layout(doc)
    assert set(positions) == {step.key for step in doc.steps}
    points = {(p.x, p.y) for p in positions.values()}
    assert len(points) == len(positions), "two steps on the same spot"
    bands = []
    for lane in lanes(doc):
        ys = [positions[key].y for key in lane.steps]
        bands.append((min(ys), max(ys)))
    for (_, bottom), (top, _) in itertools.pairwise(bands):
        assert bottom < top, "lanes overlap"
