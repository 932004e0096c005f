"""Swimlanes and the auto-layout: every step gets a place, each lane its own band."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest
from conftest import sample_paths
from flow_samples import flow, step
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow_model.diagram import (
    COLUMN_GAP,
    LANE_LABEL,
    LANE_PADDING,
    auto_layout,
    lanes,
    step_positions,
    step_size,
    wrap_label,
)
from workflow_model.document import Position, load_document


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
    doc = flow()
    names = {step.key: step.name for step in doc.steps}
    half = (step_size(names["s2"]).width + step_size(names["s3"]).width) / 2
    assert positions["s3"].x - positions["s2"].x >= half + COLUMN_GAP


def test_a_box_is_as_wide_as_its_label_needs_and_as_tall_as_its_lines() -> None:
    short, long = step_size("Kết thúc"), step_size("Thẩm định hồ sơ " * 6)
    assert short.width < long.width
    assert short.height < long.height
    assert wrap_label("", 10) == [""]
    assert wrap_label("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_saved_positions_win_and_missing_ones_are_filled_in() -> None:
    doc = flow()
    positions = step_positions(doc)
    assert (positions["s1"].x, positions["s1"].y) == (0, 0)
    assert (positions["s2"].x, positions["s2"].y) == (220, 0)
    assert set(positions) == {"s1", "s2", "s3", "s4", "s5"}
    assert positions["s3"] == auto_layout(doc, placed={"s1", "s2"})["s3"]
    assert set(auto_layout(doc, placed={"s1", "s2"})) == {"s3", "s4", "s5"}


def test_a_step_dropped_on_a_diagram_never_arranged_moves_no_other() -> None:
    def unarranged(data: dict) -> None:
        data["layout"] = {}

    def dropped(data: dict) -> None:
        unarranged(data)
        new = dict(step(data, "s3"), key="s9", name="Bước mới có tên rất dài " * 3)
        data["steps"].append(new)
        data["layout"] = {"s9": {"x": 2000, "y": 120}}

    before, after = step_positions(flow(unarranged)), step_positions(flow(dropped))
    assert after == before | {"s9": Position(2000, 120)}


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
    sizes = {step.key: step_size(step.name) for step in doc.steps}
    boxes = {
        key: (
            p.x - sizes[key].width / 2,
            p.y - sizes[key].height / 2,
            p.x + sizes[key].width / 2,
            p.y + sizes[key].height / 2,
        )
        for key, p in positions.items()
    }
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        apart = box_a[2] <= box_b[0] or box_b[2] <= box_a[0]
        assert apart or box_a[3] <= box_b[1] or box_b[3] <= box_a[1], f"{a} and {b} overlap"
    # Each lane's box, its padding and its name above it, stacked without overlapping.
    bands = [
        (
            min(boxes[key][1] for key in lane.steps) - LANE_PADDING - LANE_LABEL,
            max(boxes[key][3] for key in lane.steps) + LANE_PADDING,
        )
        for lane in lanes(doc)
    ]
    for (_, bottom), (top, _) in itertools.pairwise(bands):
        assert bottom < top, "lanes overlap"


def _boxes(doc: Any, positions: dict[str, Position]) -> dict[str, tuple[float, ...]]:
    sizes = {s.key: step_size(s.name) for s in doc.steps}
    return {
        key: (
            p.x - sizes[key].width / 2,
            p.y - sizes[key].height / 2,
            p.x + sizes[key].width / 2,
            p.y + sizes[key].height / 2,
        )
        for key, p in positions.items()
    }


def _cross(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(sample_paths()),
    chosen=st.sets(st.integers(min_value=0, max_value=40), max_size=4),
    longer=st.integers(min_value=0, max_value=3),
)
def test_a_step_without_a_place_never_covers_one_with_it(
    path: Path, chosen: set[int], longer: int
) -> None:
    """Saved steps keep their place even after growing; the others are pushed clear of them."""
    doc = load_document(Path(path).read_bytes())
    drawn = auto_layout(dataclasses.replace(doc, layout={}))
    saved_keys = {doc.steps[i % len(doc.steps)].key for i in chosen}
    # Saved where they were drawn, then renamed longer: they grow around their centre.
    steps = tuple(
        dataclasses.replace(s, name=s.name + " thêm tên" * 4 * longer) if s.key in saved_keys else s
        for s in doc.steps
    )
    grown = dataclasses.replace(doc, steps=steps, layout={key: drawn[key] for key in saved_keys})
    positions = step_positions(grown)
    assert {key: positions[key] for key in saved_keys} == {k: drawn[k] for k in saved_keys}
    boxes = _boxes(grown, positions)
    for key in positions.keys() - saved_keys:
        for other, box in boxes.items():
            if other != key:
                assert not _cross(boxes[key], box), f"{key} covers {other}"
