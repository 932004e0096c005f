"""The editor's callbacks: they turn clicks into `workflow_model.flow_editing` calls.

No rule lives here. A callback reads what the user did, calls the one service function
that does it (which checks the draft, the lock and the input, journals and commits), and
answers with the version read fresh from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, html, no_update
from flask_babel import gettext as _

from workflow_model import flow_editing
from workflow_model.choices import document_choices, officer_choices, unit_choices
from workflow_model.conversion.step_content import DurationValues, StepValues
from workflow_model.diagram import auto_layout
from workflow_model.editing import ChangeRefused
from workflow_model.flow_editing import EditResult, split_transition_id
from workflow_model.models import StepKind

from ..admin_views.base import acting_user
from ..database import db_session
from . import page
from .elements import STEP_HEIGHT, STEP_WIDTH, stylesheet
from .messages import refusal_text
from .paths import version_id
from .state import EditorView, editor_view, may_edit

HISTORY_LIMIT = 50
RELOADING_REFUSALS = frozenset({"conflict", "not-found"})
"""Refusals that mean the page's copy is stale: the answer shows the version anew."""


def _default_name(kind: StepKind) -> str:
    names = {
        StepKind.START: _("Receive the dossier"),
        StepKind.TASK: _("New step"),
        StepKind.END: _("Return the result"),
    }
    return names[kind]


def _refresh(view: EditorView) -> dict[str, Any]:
    """Everything the canvas and side panel show, read from `view`."""
    findings, targets = page.findings(view)
    return {
        "elements": view.diagram.elements,
        "lock": view.lock,
        "findings": findings,
        "targets": targets,
        "budget": page.budget(view),
        "legend": page.legend(view),
        "header": page.header(view),
    }


def register(dash_app: dash.Dash) -> None:
    """Attach the editor's callbacks to `dash_app` (never to Dash's global registry)."""
    _register_open(dash_app)
    _register_edit(dash_app)
    _register_inspector(dash_app)
    _register_view_tools(dash_app)
    _register_clientside(dash_app)


def _register_open(dash_app: dash.Dash) -> None:
    @dash_app.callback(
        Output("version", "data"),
        Output("lock", "data"),
        Output("header", "children"),
        Output("toolbar", "children"),
        Output("canvas", "elements"),
        Output("canvas", "autoungrabify"),
        Output("canvas", "contextMenu"),
        Output("findings", "children"),
        Output("finding-targets", "data"),
        Output("budget", "children"),
        Output("legend", "children"),
        Output("inspector", "children"),
        Output("message", "children"),
        Input("url", "pathname"),
    )
    def open_version(pathname: str | None) -> tuple[Any, ...]:
        """Show the version of the page's path; read only unless a draft and an admin."""
        view = editor_view(db_session(), version_id(dash_app, pathname))
        if view is None:
            return (None, None, [], [], [], True, [], [], [], [], [], [], page.not_found())
        parts = _refresh(view)
        return (
            view.version.id,
            view.lock,
            parts["header"],
            page.toolbar(view),
            parts["elements"],
            not view.editable,
            page.context_menu(view),
            parts["findings"],
            parts["targets"],
            parts["budget"],
            parts["legend"],
            page.hint(view),
            [],
        )


EDIT_OUTPUTS = (
    Output("canvas", "elements", allow_duplicate=True),
    Output("lock", "data", allow_duplicate=True),
    Output("findings", "children", allow_duplicate=True),
    Output("finding-targets", "data", allow_duplicate=True),
    Output("budget", "children", allow_duplicate=True),
    Output("legend", "children", allow_duplicate=True),
    Output("header", "children", allow_duplicate=True),
    Output("history", "data", allow_duplicate=True),
    Output("message", "children", allow_duplicate=True),
    Output("selection", "data", allow_duplicate=True),
    Output("connect-source", "data", allow_duplicate=True),
)


class _Edit:
    """One request of the edit callback: the inputs, and the answer being built."""

    def __init__(self, version_id: int, lock: int, history: dict[str, Any] | None) -> None:
        self.session = db_session()
        self.user = acting_user(self.session)
        self.version_id = version_id
        self.lock = lock
        self.history: dict[str, list[Any]] = {
            "undo": list((history or {}).get("undo") or []),
            "redo": list((history or {}).get("redo") or []),
        }
        self.message: Any = []
        self.selection: Any = no_update
        self.source: Any = no_update

    def done(self, result: EditResult, *, remember: bool = True) -> None:
        """Keep what a successful change returned: its lock, and how to undo it."""
        if result.changed and remember:
            self.history["undo"] = [
                *self.history["undo"][-(HISTORY_LIMIT - 1) :],
                {"undo": result.undo, "redo": result.redo},
            ]
            self.history["redo"] = []
        if result.selected is not None:
            self.selection = {"kind": result.selected_kind, "key": result.selected}

    def answer(self) -> tuple[Any, ...]:
        """Every output of the edit callback, from the version as it now is."""
        view = editor_view(self.session, self.version_id)
        if view is None:
            return (no_update,) * (len(EDIT_OUTPUTS) - 2) + (page.not_found(), None, None)
        parts = _refresh(view)
        return (
            parts["elements"],
            parts["lock"],
            parts["findings"],
            parts["targets"],
            parts["budget"],
            parts["legend"],
            parts["header"],
            self.history,
            self.message,
            self.selection,
            self.source,
        )


def _register_edit(dash_app: dash.Dash) -> None:
    """The edits, as three callbacks with the same outputs.

    Dash drops the answer of a callback still running when the same callback is called
    again. A tap outside connect mode, or the Save button of a form just drawn, calls
    its callback for nothing: were they the same callback as a change in flight (a
    connection, a move), that change would be saved but its answer lost, and the page
    would keep a stale lock. So taps, saves and the other edits are separate callbacks.
    """

    @dash_app.callback(
        *EDIT_OUTPUTS,
        Input({"palette": ALL}, "n_clicks"),
        Input({"edit": ALL}, "n_clicks"),
        Input("canvas", "contextMenuData"),
        Input("drag-end", "data"),
        Input("layout-done", "data"),
        State("version", "data"),
        State("lock", "data"),
        State("history", "data"),
        State("selection", "data"),
        State("canvas", "extent"),
        State("canvas", "elements"),
        prevent_initial_call=True,
    )
    def edit(*args: Any) -> tuple[Any, ...]:
        """Do what the user asked (add, move, delete, undo, redo, the right-click menu)."""
        (
            _palette,
            _tools,
            menu,
            drag,
            laid_out,
            version_id,
            lock,
            history,
            selection,
            extent,
            elements,
        ) = args
        trigger = ctx.triggered_id
        if not _was_clicked(trigger):
            raise dash.exceptions.PreventUpdate
        return _run(
            version_id,
            lock,
            history,
            lambda edit: _dispatch(
                edit, trigger, menu, drag, laid_out, selection, extent, elements
            ),
        )

    @dash_app.callback(
        *EDIT_OUTPUTS,
        Input({"save": ALL}, "n_clicks"),
        State("version", "data"),
        State("lock", "data"),
        State("history", "data"),
        State("selection", "data"),
        State({"field": ALL}, "value"),
        State({"field": ALL}, "id"),
        prevent_initial_call=True,
    )
    def save(*args: Any) -> tuple[Any, ...]:
        """Save the inspector's form."""
        _saves, version_id, lock, history, selection, values, ids = args
        trigger = ctx.triggered_id
        if not _was_clicked(trigger):
            raise dash.exceptions.PreventUpdate
        fields = {field["field"]: value for field, value in zip(ids, values, strict=False)}
        return _run(
            version_id, lock, history, lambda edit: _save(edit, trigger["save"], selection, fields)
        )

    @dash_app.callback(
        *EDIT_OUTPUTS,
        Input("canvas", "tapNodeData"),
        State("version", "data"),
        State("lock", "data"),
        State("history", "data"),
        State("connect-mode", "data"),
        State("connect-source", "data"),
        prevent_initial_call=True,
    )
    def connect_tap(*args: Any) -> tuple[Any, ...]:
        """In connect mode, or after "Connect from here", a tap picks a source or a target."""
        tapped, version_id, lock, history, connect_mode, source = args
        if (not connect_mode and source is None) or not tapped or "key" not in tapped:
            raise dash.exceptions.PreventUpdate
        return _run(version_id, lock, history, lambda edit: _connect_tap(edit, tapped, source))


def _run(
    version_id: int | None,
    lock: int | None,
    history: dict[str, Any] | None,
    action: Callable[[_Edit], None],
) -> tuple[Any, ...]:
    """Do `action` as the logged-in user, and answer every output of an edit."""
    if version_id is None or lock is None:
        raise dash.exceptions.PreventUpdate
    if not may_edit():
        refused = page.message(_("Only an administrator can edit."))
        return (no_update,) * 8 + (refused, no_update, no_update)
    edit = _Edit(version_id, lock, history)
    try:
        action(edit)
    except _Partial:
        return (no_update,) * 8 + (edit.message, no_update, edit.source)
    except ChangeRefused as error:
        edit.session.rollback()
        if error.code not in RELOADING_REFUSALS:
            # Nothing changed, here or elsewhere: the inspector keeps what was typed.
            return (no_update,) * 8 + (page.message(refusal_text(error)), no_update, edit.source)
        edit.message = page.message(refusal_text(error))
        if error.code == "conflict":
            edit.history = {"undo": [], "redo": []}
            edit.message = page.message(refusal_text(error), "warning")
    return edit.answer()


def _was_clicked(trigger: Any) -> bool:
    """False for the zero clicks of buttons that just appeared (a new toolbar or form)."""
    if not ctx.triggered:
        return False
    value = ctx.triggered[0].get("value")
    if isinstance(trigger, dict) and (
        "palette" in trigger or "edit" in trigger or "save" in trigger
    ):
        return bool(value)
    return value is not None


def _dispatch(
    edit: _Edit,
    trigger: Any,
    menu: dict[str, Any] | None,
    drag: dict[str, Any] | None,
    laid_out: dict[str, Any] | None,
    selection: dict[str, Any] | None,
    extent: dict[str, Any] | None,
    elements: list[dict[str, Any]] | None,
) -> None:
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if isinstance(trigger, dict) and "palette" in trigger:
        kind = StepKind(trigger["palette"])
        x, y = _free_spot(extent, elements)
        edit.done(
            flow_editing.add_step(
                session, user, version_id, lock, kind=kind, name=_default_name(kind), x=x, y=y
            )
        )
    elif isinstance(trigger, dict) and "edit" in trigger:
        _tool(edit, trigger["edit"], selection)
    elif trigger == "canvas":
        _context_menu(edit, menu, elements)
    elif trigger in ("drag-end", "layout-done"):
        moved = (drag if trigger == "drag-end" else laid_out) or {}
        positions = {
            str(key): (float(point[0]), float(point[1]))
            for key, point in (moved.get("positions") or {}).items()
        }
        if positions:
            edit.done(flow_editing.move_steps(session, user, version_id, lock, positions))


def _free_spot(extent: dict[str, Any] | None, elements: list[dict[str, Any]] | None) -> tuple:
    """Where a new step goes: the middle of the visible canvas, clear of other steps.

    A spot is taken when a step there would overlap one already drawn (steps are
    `STEP_WIDTH` × `STEP_HEIGHT`); the new step then goes below, until it is clear.
    """
    x = float((extent or {}).get("x1", 0) + (extent or {}).get("w", 600) / 2)
    y = float((extent or {}).get("y1", 0) + (extent or {}).get("h", 400) / 2)
    taken = [
        (float(e["position"]["x"]), float(e["position"]["y"]))
        for e in elements or []
        if e.get("position") and not (e.get("data") or {}).get("lane_box")
    ]
    while any(abs(x - a) < STEP_WIDTH + 20 and abs(y - b) < STEP_HEIGHT + 20 for a, b in taken):
        y += STEP_HEIGHT + 30
    return round(x), round(y)


def _tool(edit: _Edit, tool: str, selection: dict[str, Any] | None) -> None:
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if tool == "delete":
        if not selection:
            edit.message = page.message(_("Select a step or a transition first."), "info")
            return
        steps = [selection["key"]] if selection["kind"] == "step" else []
        links = [selection["key"]] if selection["kind"] == "transition" else []
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
        result = flow_editing.restore(session, user, version_id, lock, entry[tool])
        edit.history[stack] = edit.history[stack][:-1]
        edit.history[other] = [*edit.history[other], entry]
        edit.done(result, remember=False)
    elif tool == "lanes-layout":
        view = editor_view(session, version_id)
        assert view is not None
        positions = {key: (p.x, p.y) for key, p in auto_layout(view.document).items()}
        edit.done(flow_editing.move_steps(session, user, version_id, lock, positions))


def _save(edit: _Edit, what: str, selection: dict[str, Any] | None, fields: dict[str, Any]) -> None:
    if not selection:
        return
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if what == "transition" and selection["kind"] == "transition":
        result = flow_editing.set_label(
            session, user, version_id, lock, selection["key"], fields.get("label") or ""
        )
        edit.done(result)
        edit.message = page.message(_("Saved."), "success") if result.changed else []
        return
    if what != "step" or selection["kind"] != "step":
        return
    values = StepValues(
        name=str(fields.get("name") or ""),
        kind=str(fields.get("kind") or StepKind.TASK),
        unit=fields.get("unit"),
        duration=DurationValues(
            value=flow_editing.parse_duration(fields.get("duration")),
            unit=str(fields.get("duration_unit") or "working_day"),
        ),
        officers=[int(i) for i in fields.get("officers") or ()],
        documents=[int(i) for i in fields.get("documents") or ()],
        split=str(fields.get("split") or "exclusive"),
        join=str(fields.get("join") or "any"),
        description=str(fields.get("description") or ""),
    )
    result = flow_editing.update_step(session, user, version_id, lock, selection["key"], values)
    edit.done(result)
    edit.message = page.message(_("Saved."), "success") if result.changed else []


def _connect_tap(edit: _Edit, tapped: dict[str, Any], source: str | None) -> None:
    """Connect mode, or a source chosen from the menu: the first tap picks the source."""
    key = str(tapped["key"])
    if source is None:
        edit.source = key
        edit.message = page.message(_("Now tap the step it leads to."), "info")
        raise _Partial
    edit.source = None
    edit.done(
        flow_editing.connect(edit.session, edit.user, edit.version_id, edit.lock, source, key)
    )


class _Partial(Exception):
    """Only the connection's source (and the message) changed: no need to read the version."""


def _context_menu(
    edit: _Edit, menu: dict[str, Any] | None, elements: list[dict[str, Any]] | None
) -> None:
    if not menu or not menu.get("menuItemId"):
        raise dash.exceptions.PreventUpdate
    keys = {e["data"]["id"]: e["data"].get("key") for e in elements or [] if "data" in e}
    item = menu["menuItemId"]
    target = keys.get(menu.get("elementId") or "")
    session, user, version_id, lock = edit.session, edit.user, edit.version_id, edit.lock
    if item == "add-task":
        edit.done(
            flow_editing.add_step(
                session,
                user,
                version_id,
                lock,
                kind=StepKind.TASK,
                name=_default_name(StepKind.TASK),
                x=round(float(menu.get("x") or 0)),
                y=round(float(menu.get("y") or 0)),
            )
        )
    elif item in ("connect-from", "delete") and not target:
        # The lane's box, not a step: nothing to connect or delete there.
        edit.message = page.message(_("Right-click a step or a transition."), "info")
        raise _Partial
    elif item == "connect-from":
        edit.source = target
        edit.message = page.message(_("Now tap the step it leads to."), "info")
        raise _Partial
    elif item == "delete":
        kind = "transitions" if menu.get("edgeSource") else "steps"
        edit.done(flow_editing.delete_elements(session, user, version_id, lock, **{kind: [target]}))
        edit.selection = None


def _register_inspector(dash_app: dash.Dash) -> None:
    @dash_app.callback(
        Output("selection", "data"),
        Input("canvas", "tapNodeData"),
        Input("canvas", "tapEdgeData"),
        State("selection", "data"),
        prevent_initial_call=True,
    )
    def select(
        node: dict[str, Any] | None, edge: dict[str, Any] | None, current: dict[str, Any] | None
    ) -> Any:
        """Remember the step or transition last tapped (lanes cannot be selected).

        Tapping what is already selected (such as the step just added) changes nothing:
        drawing the inspector again would throw away what is being typed in it.
        """
        data = edge if ctx.triggered_id and "tapEdgeData" in ctx.triggered[0]["prop_id"] else node
        if not data or "key" not in data:
            raise dash.exceptions.PreventUpdate
        chosen = {"kind": "transition" if "source" in data else "step", "key": data["key"]}
        if chosen == current:
            raise dash.exceptions.PreventUpdate
        return chosen

    @dash_app.callback(
        Output("inspector", "children", allow_duplicate=True),
        Input("selection", "data"),
        Input("lock", "data"),
        State("version", "data"),
        prevent_initial_call=True,
    )
    def inspect(selection: dict[str, Any] | None, _lock: int | None, version_id: Any) -> Any:
        """Show the selected element: a form for a draft, text otherwise."""
        view = editor_view(db_session(), version_id)
        if view is None:
            raise dash.exceptions.PreventUpdate
        return inspector(view, selection)

    @dash_app.callback(
        Output({"field": "officers"}, "options"),
        Input({"field": "unit"}, "value"),
        State({"field": "officers"}, "value"),
        prevent_initial_call=True,
    )
    def officers_for_unit(unit_id: int | None, chosen: list[int] | None) -> list[dict]:
        """Offer the officers of the chosen unit and its sub-units first."""
        return page.options(officer_choices(db_session(), unit_id, tuple(chosen or ())))


def inspector(view: EditorView, selection: dict[str, Any] | None) -> list[Any]:
    """The inspector's content for `selection` in `view`."""
    if not selection:
        return page.hint(view)
    if selection.get("kind") == "transition":
        return _transition_inspector(view, str(selection["key"]))
    step = page.find_step(view, str(selection.get("key")))
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
    ids = {
        "unit": row.unit_id,
        "officers": [link.officer_id for link in row.officer_links],
        "documents": [link.component_id for link in row.document_links],
    }
    return page.step_form(
        step,
        ids,
        unit_choices(session, keep=ids["unit"]),
        officer_choices(session, ids["unit"], tuple(ids["officers"])),
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
    names = tuple(
        (page.find_step(view, k).name if page.find_step(view, k) else k) for k in (from_key, to_key)
    )
    if not view.editable:
        return [
            html.H2(_("Transition"), className="sodo-side-title"),
            html.P(f"{names[0]} → {names[1]}"),
            html.P(transition.label or "—"),
        ]
    return page.transition_form(key, transition.label, names)  # type: ignore[arg-type]


def _register_view_tools(dash_app: dash.Dash) -> None:
    @dash_app.callback(
        Output("canvas", "stylesheet"),
        Input("view-options", "value"),
        Input("connect-source", "data"),
        prevent_initial_call=True,
    )
    def restyle(options: list[str] | None, source: str | None) -> list[dict[str, Any]]:
        """Show or hide the lanes and the critical path; mark a connection's source."""
        chosen = set(options or ())
        return stylesheet(
            show_lanes="lanes" in chosen, show_critical="critical" in chosen, source=source
        )

    @dash_app.callback(
        Output("connect-mode", "data"),
        Output("connect-source", "data"),
        Output("message", "children", allow_duplicate=True),
        Input({"tool": "connect"}, "n_clicks"),
        State("connect-mode", "data"),
        prevent_initial_call=True,
    )
    def toggle_connect(clicks: int | None, active: bool) -> tuple[Any, ...]:
        """Connect mode on or off; on, the next two taps make a transition."""
        if not clicks:
            raise dash.exceptions.PreventUpdate
        if active:
            return False, None, []
        return True, None, page.message(_("Connect: tap the step where it starts."), "info")


def _register_clientside(dash_app: dash.Dash) -> None:
    def client(name: str) -> ClientsideFunction:
        return ClientsideFunction(namespace="sodo", function_name=name)

    dash_app.clientside_callback(
        client("bindCanvas"), Output("canvas", "className"), Input("canvas", "elements")
    )
    dash_app.clientside_callback(
        client("focusFinding"),
        Output("focus", "data"),
        Input({"finding": ALL}, "n_clicks"),
        State("finding-targets", "data"),
        prevent_initial_call=True,
    )
    dash_app.clientside_callback(
        client("findStep"),
        Output("search", "className"),
        Input("search", "value"),
        prevent_initial_call=True,
    )
    dash_app.clientside_callback(
        client("fit"),
        Output("fit", "className"),
        Input("fit", "n_clicks"),
        prevent_initial_call=True,
    )
    dash_app.clientside_callback(
        client("runDagre"),
        Output("layout-done", "data"),
        Input({"tool": "dagre"}, "n_clicks"),
        prevent_initial_call=True,
    )
    dash_app.clientside_callback(
        client("showConnectMode"),
        Output({"tool": "connect"}, "className"),
        Input("connect-mode", "data"),
        prevent_initial_call=True,
    )
