"""The inspector: what is selected, its panel (a form on a draft), and saving the form.

A tap on a step or a transition selects it; the panel shows it as a form when the
version can be edited and as text otherwise. The form saves itself: each change (a text
field when it is left or Enter is pressed, a choice at once) is sent by ``editor.js`` as
one save request naming the form's element and carrying every field, which goes to one
`workflow_model.flow_editing` service (`update_step` or `set_label`) inside `edit.run`.
The request names its element, so a change still on its way when another element is
selected is saved where it was made. What the browser sends is read through `inputs`: a
malformed selection or tap is ignored, a malformed field refused as invalid.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html
from flask_babel import gettext as _

from workflow_model import flow_editing
from workflow_model.choices import document_choices, officer_choices, unit_choices
from workflow_model.conversion.step_content import DurationValues, StepValues
from workflow_model.flow_editing import MAX_DURATION, split_transition_id
from workflow_model.models import Join, Split, StepKind, TimeUnit
from workflow_model.refusals import ChangeRefused

from ..database import db_session
from . import inputs, page
from .edit import Edit
from .state import EditorView, editor_view


def selected(data: Any, current: Any) -> dict[str, str]:
    """The selection after a tap on the element whose data is `data`.

    Lanes (no key) cannot be selected. Tapping what is already selected (such as the
    step just added) changes nothing: drawing the inspector again would throw away what
    is being typed in it.
    """
    with inputs.ignored():
        if not data or "key" not in inputs.mapping(data):
            raise dash.exceptions.PreventUpdate
        chosen = {
            "kind": "transition" if "source" in data else "step",
            "key": inputs.key(data["key"]),
        }
    if chosen == current:
        raise dash.exceptions.PreventUpdate
    return chosen


def inspect(selection: Any, version_id: Any) -> list[Any]:
    """The panel for the selected element of the version the page shows."""
    with inputs.ignored():
        chosen = inputs.selection(selection)
        view = editor_view(db_session(), inputs.optional_id(version_id))
    if view is None:
        raise dash.exceptions.PreventUpdate
    return inspector(view, chosen)


def inspector(view: EditorView, selection: dict[str, str] | None) -> list[Any]:
    """The inspector's content for `selection` in `view`."""
    if not selection:
        return page.hint(view)
    if selection["kind"] == "transition":
        return _transition_inspector(view, selection["key"])
    step = page.find_step(view, selection["key"])
    if step is None:
        return page.hint(view)
    session = db_session()
    units = {u.key: u for u in view.document.units}
    officers = {o.key: o for o in view.document.officers}
    if not view.editable:
        components = {c.key: c.name for c in view.document.procedure.dossier_components}
        return page.step_details(
            step,
            units[step.unit].name if step.unit in units else "",
            [officers[k].name for k in step.officers if k in officers],
            [components.get(k, k) for k in step.documents],
        )
    row = flow_editing.step_row(session, view.version.id, step.key)
    if row is None:
        return page.hint(view)
    unit = row.unit_id
    officer_ids = [link.officer_id for link in row.officer_links]
    ids = {
        "unit": unit,
        "officers": officer_ids,
        "documents": [link.component_id for link in row.document_links],
    }
    return page.step_form(
        step,
        ids,
        unit_choices(session, keep=unit),
        officer_choices(session, unit, tuple(officer_ids)),
        document_choices(session, view.version),
    )


def _transition_inspector(view: EditorView, key: str) -> list[Any]:
    try:
        from_key, to_key = split_transition_id(key)
    except ChangeRefused:
        return page.hint(view)
    transition = next(
        (t for t in view.document.transitions if (t.source, t.target) == (from_key, to_key)),
        None,
    )
    if transition is None:
        return page.hint(view)
    source, target = page.find_step(view, from_key), page.find_step(view, to_key)
    names = (source.name if source else from_key, target.name if target else to_key)
    if not view.editable:
        return [
            html.H2(_("Transition"), className="sodo-side-title"),
            html.P(f"{names[0]} → {names[1]}"),
            html.P(transition.label or "—"),
        ]
    return page.transition_form(key, transition.label, names)


def officer_options(unit_id: Any, chosen: Any) -> list[dict[str, Any]]:
    """Offer the officers of the chosen unit and its sub-units first."""
    with inputs.ignored():
        unit, officers = inputs.optional_id(unit_id), inputs.ids(chosen)
    return page.options(officer_choices(db_session(), unit, officers))


def form_fields(value: Any) -> dict[str, Any]:
    """The fields of a save request by name: ``{"name": "Thẩm định", ...}``."""
    fields = inputs.mapping(value)
    if not all(isinstance(name, str) for name in fields):
        raise inputs.InvalidInput("not a field of the inspector")
    return fields


def save(edit: Edit, request: Any) -> None:
    """Save a form as the save request `request` sent it.

    The request is ``{"form": {"kind": "step" or "transition", "key": ...}, "fields":
    {...}}``: the element the form was drawn for, not the selection of the moment. The
    form stays as it is on the page (nothing is redrawn under the user's typing), and the
    selection is left alone: the user may already have moved on to another element.
    """
    data = inputs.mapping(request)
    form = inputs.selection(data.get("form"))
    if not form:
        raise inputs.InvalidInput("a save request names no form")
    fields = form_fields(data.get("fields"))
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if form["kind"] == "transition":
        label = inputs.text(fields.get("label"))
        result = flow_editing.set_label(session, user, version_id, lock, form["key"], label)
    else:
        result = flow_editing.update_step(
            session, user, version_id, lock, form["key"], step_changes(fields)
        )
    edit.done(result)
    edit.selection = dash.no_update
    edit.keep_form = True
    edit.message = page.message(_("Saved."), "success") if result.changed else []


def _given(value: Any, default: str) -> Any:
    return default if value is None else value


def step_changes(fields: dict[str, Any]) -> StepValues:
    """The inspector's fields, each checked, as the service takes a step's content."""
    return StepValues(
        name=inputs.text(fields.get("name")),
        kind=inputs.choice(_given(fields.get("kind"), StepKind.TASK.value), StepKind).value,
        unit=inputs.optional_id(fields.get("unit")),
        duration=DurationValues(
            value=flow_editing.parse_duration(_duration(fields.get("duration"))),
            unit=inputs.choice(
                _given(fields.get("duration_unit"), TimeUnit.WORKING_DAY.value), TimeUnit
            ).value,
        ),
        officers=list(inputs.ids(fields.get("officers"))),
        documents=list(inputs.ids(fields.get("documents"))),
        split=inputs.choice(_given(fields.get("split"), Split.EXCLUSIVE.value), Split).value,
        join=inputs.choice(_given(fields.get("join"), Join.ANY.value), Join).value,
        description=inputs.text(fields.get("description")),
    )


def _duration(value: Any) -> str | float:
    """The duration as typed ("0,5"), or a number; `parse_duration` reads either."""
    if value is None or isinstance(value, str):
        return inputs.text(value)
    return inputs.number(value, 0, MAX_DURATION)


def request_number(request: Any) -> int | None:
    """The number ``editor.js`` gave a save request, echoed so it knows which was answered."""
    value = request.get("seq") if isinstance(request, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
