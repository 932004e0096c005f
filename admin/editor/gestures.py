"""The gestures on the canvas and the toolbar, each turned into one service call.

The palette adds a step, the tools delete, undo, redo and arrange in lanes, the
right-click menu adds, connects or deletes, a drag or a layout moves steps, and in
connect mode two taps make a transition. Each reads what the browser sent through
`inputs`, so a forged value is refused as invalid before it reaches a
`workflow_model.flow_editing` service, and runs inside `edit.run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash
from dash import ctx
from flask_babel import gettext as _

from workflow_model import flow_editing
from workflow_model.diagram import COLUMN_GAP, MIN_STEP_WIDTH, auto_layout, step_size
from workflow_model.flow_editing import MAX_COORDINATE
from workflow_model.models import StepKind

from . import inputs, page
from .edit import Edit, Partial
from .state import editor_view

TOOLS = frozenset({"delete", "undo", "redo", "lanes-layout"})
MENU_ITEMS = frozenset({"add-task", "connect-from", "delete"})
CLICKED_ROLES = ("palette", "edit")
"""Buttons that appear with a new toolbar or form: their zero clicks are not clicks."""


def default_name(kind: StepKind) -> str:
    """The name a step added from the palette or the menu starts with."""
    names = {
        StepKind.START: _("Receive the dossier"),
        StepKind.TASK: _("New step"),
        StepKind.END: _("Return the result"),
    }
    return names[kind]


def was_clicked(trigger: Any) -> bool:
    """False for the zero clicks of buttons that just appeared (a new toolbar or form)."""
    if not ctx.triggered:
        return False
    value = ctx.triggered[0].get("value")
    if isinstance(trigger, dict) and any(role in trigger for role in CLICKED_ROLES):
        return bool(value)
    return value is not None


def dispatch(
    edit: Edit,
    trigger: Any,
    menu: Any,
    drag: Any,
    laid_out: Any,
    selection: Any,
    extent: Any,
    elements: Any,
) -> None:
    """Do the gesture `trigger` names: a palette button, a tool, the menu, a move."""
    if isinstance(trigger, dict) and "palette" in trigger:
        kind = inputs.choice(trigger["palette"], StepKind)
        spot = new_step_spot(kind, selection, extent, elements)
        edit.done(
            flow_editing.add_step(
                edit.session,
                edit.user,
                edit.version_id,
                edit.lock,
                kind=kind,
                name=default_name(kind),
                x=spot.x,
                y=spot.y,
                unit_of=spot.beside,
            )
        )
    elif isinstance(trigger, dict) and "edit" in trigger:
        _tool(edit, trigger["edit"], selection)
    elif trigger == "canvas":
        _context_menu(edit, menu, elements)
    elif trigger in ("drag-end", "layout-done"):
        positions = inputs.positions(drag if trigger == "drag-end" else laid_out)
        if positions:
            edit.done(
                flow_editing.move_steps(
                    edit.session, edit.user, edit.version_id, edit.lock, positions
                )
            )


@dataclass(frozen=True)
class Spot:
    """Where a palette step goes, and the step it goes beside (whose unit it takes)."""

    x: int
    y: int
    beside: str | None


@dataclass(frozen=True)
class _Box:
    key: str
    x: float
    y: float
    width: float
    height: float


SPACING = 24
"""The least room left between a new step and any other."""


def new_step_spot(kind: StepKind, selection: Any, extent: Any, elements: Any) -> Spot:
    """Where a new step from the palette goes: right of the selected step, in its lane.

    Without a selected step, right of the last step drawn; on an empty canvas, the middle
    of the visible part. The step goes one arrow's length right of the step it follows,
    at its height, and further right past any step it would overlap, so it never covers
    another step nor leaves its lane's band; it takes that step's unit, so it is drawn in
    the same lane.
    """
    middle = _middle(extent)  # read, and so checked, whether it is used or not
    boxes = _step_boxes(elements)
    chosen = inputs.selection(selection)
    wanted = chosen["key"] if chosen and chosen["kind"] == "step" else None
    anchor = next((box for box in boxes if box.key == wanted), boxes[-1] if boxes else None)
    if anchor is None:
        return Spot(*middle, None)
    size = step_size(default_name(kind))
    x = anchor.x + anchor.width / 2 + COLUMN_GAP + size.width / 2
    y = anchor.y
    # The steps level with the new one, by their left side: once past one, the new step
    # never moves back, so one pass finds the first free place, even on a forged canvas.
    level = sorted(
        (box for box in boxes if abs(box.y - y) < (box.height + size.height) / 2 + SPACING),
        key=lambda box: box.x - box.width / 2,
    )
    for box in level:
        if box.x - box.width / 2 >= x + size.width / 2 + SPACING:
            break
        if abs(box.x - x) < (box.width + size.width) / 2 + SPACING:
            x = box.x + box.width / 2 + SPACING + size.width / 2
    return Spot(round(x), round(y), anchor.key)


def lane_member(elements: Any, element_id: Any) -> str | None:
    """A step of the lane right-clicked (its box or one of its steps), or None off lanes.

    A step added there takes that step's unit, so it is drawn in the lane it was put in,
    not in the unit-less lane, whose box would then spread over the others.
    """
    wanted = inputs.optional_key(element_id or None)
    if wanted is None:
        return None
    lane = wanted.removeprefix("lane:") if wanted.startswith("lane:") else None
    members: dict[str, str] = {}
    for element in inputs.items(elements):
        data = inputs.mapping(_element(element).get("data"))
        if not data.get("key") or data.get("source") or not isinstance(data.get("lane"), str):
            continue
        members.setdefault(data["lane"], inputs.key(data["key"]))
        if data.get("id") == wanted:
            lane = data["lane"]
    return members.get(lane) if lane is not None else None


def _middle(extent: Any) -> tuple[int, int]:
    visible = inputs.mapping(extent)

    def side(name: str, default: float) -> float:
        value = visible.get(name)
        return default if value is None else inputs.coordinate(value)

    return round(side("x1", 0) + side("w", 600) / 2), round(side("y1", 0) + side("h", 400) / 2)


def _step_boxes(elements: Any) -> list[_Box]:
    """The steps drawn on the canvas, in the order they were drawn, with their sizes."""
    boxes: list[_Box] = []
    for element in inputs.items(elements):
        data = inputs.mapping(_element(element).get("data"))
        where = inputs.mapping(element.get("position"))
        if not where or data.get("lane_box"):
            continue
        x, y = inputs.coordinate(where.get("x")), inputs.coordinate(where.get("y"))
        if data.get("lane_title") or not data.get("key"):
            continue
        boxes.append(
            _Box(
                inputs.key(data["key"]),
                x,
                y,
                inputs.number(data.get("width", MIN_STEP_WIDTH), 1, MAX_COORDINATE),
                inputs.number(data.get("height", MIN_STEP_WIDTH), 1, MAX_COORDINATE),
            )
        )
    return boxes


def _element(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise inputs.InvalidInput(f"not a canvas element: {type(value).__name__}")
    return value


def _element_keys(elements: Any) -> dict[str, str | None]:
    """The step key or transition id of each canvas element, by element id."""
    keys: dict[str, str | None] = {}
    for element in inputs.items(elements):
        if "data" in _element(element):
            data = inputs.mapping(element["data"])
            keys[inputs.key(data.get("id"))] = inputs.optional_key(data.get("key"))
    return keys


def _tool(edit: Edit, tool: Any, selection: Any) -> None:
    if not isinstance(tool, str) or tool not in TOOLS:
        raise inputs.InvalidInput(f"no tool {tool!r}")
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if tool == "delete":
        chosen = inputs.selection(selection)
        if not chosen:
            edit.message = page.message(_("Select a step or a transition first."), "info")
            return
        steps = [chosen["key"]] if chosen["kind"] == "step" else []
        links = [chosen["key"]] if chosen["kind"] == "transition" else []
        edit.done(
            flow_editing.delete_elements(
                session, user, version_id, lock, steps=steps, transitions=links
            )
        )
        edit.selection = None
    elif tool in ("undo", "redo"):
        stack, other = ("undo", "redo") if tool == "undo" else ("redo", "undo")
        if not edit.history[stack]:
            edit.message = page.message(
                _("Nothing to undo.") if tool == "undo" else _("Nothing to redo."), "info"
            )
            return
        entry = edit.history[stack][-1]
        states = inputs.snapshot(entry[tool])
        result = flow_editing.restore(session, user, version_id, lock, states)
        edit.history[stack] = edit.history[stack][:-1]
        edit.history[other] = [*edit.history[other], entry]
        edit.done(result, remember=False)
    elif tool == "lanes-layout":
        view = editor_view(session, version_id)
        if view is None:
            return  # deleted meanwhile: the answer says so
        positions = {key: (p.x, p.y) for key, p in auto_layout(view.document).items()}
        edit.done(flow_editing.move_steps(session, user, version_id, lock, positions))


def wants_connection(connect_mode: Any, source: Any, tapped: Any) -> bool:
    """Whether a tap on the canvas makes (half of) a connection.

    Outside connect mode with no source chosen, or on a lane (no key), a tap only
    selects (`inspector.selected`). Anything else goes on to `connect_tap`, which
    checks it.
    """
    if (not connect_mode and source is None) or not tapped:
        return False
    return not isinstance(tapped, dict) or "key" in tapped


def connect_tap(edit: Edit, tapped: Any, source: Any, connect_mode: Any) -> None:
    """Connect mode, or a source chosen from the menu: the first tap picks the source."""
    inputs.flag(connect_mode)
    chosen = inputs.optional_key(source)
    key = inputs.key(inputs.mapping(tapped)["key"])
    if chosen is None:
        edit.source = key
        edit.message = page.message(_("Now tap the step it leads to."), "info")
        raise Partial
    edit.source = None
    edit.done(
        flow_editing.connect(edit.session, edit.user, edit.version_id, edit.lock, chosen, key)
    )


def _context_menu(edit: Edit, menu: Any, elements: Any) -> None:
    if not menu:
        raise dash.exceptions.PreventUpdate
    clicked = inputs.mapping(menu)
    item = clicked.get("menuItemId")
    if not item:
        raise dash.exceptions.PreventUpdate
    if not isinstance(item, str) or item not in MENU_ITEMS:
        raise inputs.InvalidInput(f"no menu item {item!r}")
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if item == "add-task":
        edit.done(
            flow_editing.add_step(
                session,
                user,
                version_id,
                lock,
                kind=StepKind.TASK,
                name=default_name(StepKind.TASK),
                x=round(inputs.coordinate(clicked.get("x") or 0)),
                y=round(inputs.coordinate(clicked.get("y") or 0)),
                unit_of=lane_member(elements, clicked.get("elementId")),
            )
        )
        return
    element = inputs.optional_key(clicked.get("elementId") or None)
    target = _element_keys(elements).get(element or "")
    if not target:
        # The lane's box, not a step: nothing to connect or delete there.
        edit.message = page.message(_("Right-click a step or a transition."), "info")
        raise Partial
    if item == "connect-from":
        edit.source = target
        edit.message = page.message(_("Now tap the step it leads to."), "info")
        raise Partial
    kind = "transitions" if clicked.get("edgeSource") else "steps"
    edit.done(flow_editing.delete_elements(session, user, version_id, lock, **{kind: [target]}))
    edit.selection = None


def connect_mode(clicks: Any, active: Any, source: Any = None) -> tuple[Any, ...]:
    """Connect mode on or off; on, the next two taps make a transition.

    The mode and its prompt show in the connect banner (``editor.js``); turning it off
    says so, so that a second click on Connect is not silent. A source chosen with the
    right-click menu shows the same banner: Connect then leaves it too.
    """
    try:
        clicked, on = inputs.clicks(clicks), inputs.flag(active)
        chosen = inputs.optional_key(source)
    except inputs.InvalidInput:
        raise dash.exceptions.PreventUpdate from None
    if not clicked:
        raise dash.exceptions.PreventUpdate
    if on or chosen is not None:
        return False, None, page.message(_("Connect mode is off."), "info")
    return True, None, []
