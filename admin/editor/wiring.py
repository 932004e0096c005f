"""The editor's callbacks as registered on its Dash app: which inputs feed which outputs.

Only the wiring is here. Each callback hands what it received, unread, to the module
that knows what it means: `answers` for opening a version, `gestures` for the palette,
the tools, the right-click menu, drags and connect mode, `inspector` for the selection,
the inspector's panel and the saves of its form, `edit.run` around every change.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, ctx

from ..database import db_session
from . import answers, edit, gestures, inputs, inspector
from .answers import EditAnswer, OpenAnswer
from .elements import stylesheet
from .paths import version_id
from .state import editor_view


def register(dash_app: dash.Dash) -> None:
    """Attach the editor's callbacks to `dash_app` (never to Dash's global registry)."""
    _register_open(dash_app)
    _register_edit(dash_app)
    _register_inspector(dash_app)
    _register_view_tools(dash_app)
    _register_clientside(dash_app)


def _register_open(dash_app: dash.Dash) -> None:
    @dash_app.callback(*OpenAnswer.outputs(), Input("url", "pathname"))
    def open_version(pathname: Any) -> tuple[Any, ...]:
        """Show the version of the page's path; read only unless a draft and an admin."""
        view = editor_view(db_session(), version_id(dash_app, pathname))
        return answers.opened(view).as_tuple()


def _register_edit(dash_app: dash.Dash) -> None:
    """The edits, as three callbacks with the same outputs (`EditAnswer`).

    Dash drops the answer of a callback still running when the same callback is called
    again. A tap outside connect mode calls its callback for nothing, and the form saves
    itself while other gestures go on: were they the same callback as a change in flight
    (a connection, a move), that change would be saved but its answer lost, and the page
    would keep a stale lock. So taps, saves and the other edits are separate callbacks;
    ``editor.js`` sends one save at a time, the next once the last is answered.
    """

    @dash_app.callback(
        *EditAnswer.outputs(),
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
    def change(*args: Any) -> tuple[Any, ...]:
        """Do what the user asked (add, move, delete, undo, redo, the right-click menu)."""
        (
            _palette,
            _tools,
            menu,
            drag,
            laid_out,
            version,
            lock,
            history,
            selection,
            extent,
            elements,
        ) = args
        trigger = ctx.triggered_id
        if not gestures.was_clicked(trigger):
            raise dash.exceptions.PreventUpdate
        return edit.run(
            version,
            lock,
            history,
            lambda request: gestures.dispatch(
                request, trigger, menu, drag, laid_out, selection, extent, elements
            ),
        ).as_tuple()

    @dash_app.callback(
        *EditAnswer.outputs(),
        Input("save-request", "data"),
        State("version", "data"),
        State("lock", "data"),
        State("history", "data"),
        prevent_initial_call=True,
    )
    def save(*args: Any) -> tuple[Any, ...]:
        """Save the inspector's form, as ``editor.js`` sent it after a change."""
        request, version, lock, history = args
        try:
            answer = edit.run(
                version, lock, history, lambda change: inspector.save(change, request)
            )
        except dash.exceptions.PreventUpdate:
            answer = EditAnswer()
        # Always answered, so the page sends the next save (editor.js waits for this).
        answer.saved = inspector.request_number(request)
        return answer.as_tuple()

    @dash_app.callback(
        *EditAnswer.outputs(),
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
        tapped, version, lock, history, connect_mode, source = args
        if not gestures.wants_connection(connect_mode, source, tapped):
            raise dash.exceptions.PreventUpdate
        return edit.run(
            version,
            lock,
            history,
            lambda request: gestures.connect_tap(request, tapped, source, connect_mode),
        ).as_tuple()


def _register_inspector(dash_app: dash.Dash) -> None:
    @dash_app.callback(
        Output("selection", "data"),
        Input("canvas", "tapNodeData"),
        Input("canvas", "tapEdgeData"),
        State("selection", "data"),
        prevent_initial_call=True,
    )
    def select(node: Any, edge: Any, current: Any) -> Any:
        """Remember the step or transition last tapped."""
        edge_tapped = ctx.triggered_id and "tapEdgeData" in ctx.triggered[0]["prop_id"]
        return inspector.selected(edge if edge_tapped else node, current)

    @dash_app.callback(
        Output("inspector", "children", allow_duplicate=True),
        Input("selection", "data"),
        Input("inspector-refresh", "data"),
        State("version", "data"),
        prevent_initial_call=True,
    )
    def inspect(selection: Any, _refresh: Any, version: Any) -> Any:
        """Show the selected element: a form for a draft, text otherwise."""
        return inspector.inspect(selection, version)

    @dash_app.callback(
        Output({"field": "officers"}, "options"),
        Input({"field": "unit"}, "value"),
        State({"field": "officers"}, "value"),
        prevent_initial_call=True,
    )
    def officers_for_unit(unit_id: Any, chosen: Any) -> list[dict[str, Any]]:
        """Offer the officers of the chosen unit and its sub-units first."""
        return inspector.officer_options(unit_id, chosen)


def _register_view_tools(dash_app: dash.Dash) -> None:
    @dash_app.callback(
        Output("canvas", "stylesheet"),
        Input("view-options", "value"),
        Input("connect-source", "data"),
        prevent_initial_call=True,
    )
    def restyle(options: Any, source: Any) -> list[dict[str, Any]]:
        """Show or hide the lanes and the critical path; mark a connection's source."""
        with inputs.ignored():
            chosen = {inputs.key(option) for option in inputs.items(options)}
            marked = inputs.optional_key(source)
        return stylesheet(
            show_lanes="lanes" in chosen, show_critical="critical" in chosen, source=marked
        )

    @dash_app.callback(
        Output("connect-mode", "data"),
        Output("connect-source", "data"),
        Output("message", "children", allow_duplicate=True),
        Input({"tool": "connect"}, "n_clicks"),
        State("connect-mode", "data"),
        State("connect-source", "data"),
        prevent_initial_call=True,
    )
    def toggle_connect(clicks: Any, active: Any, source: Any) -> tuple[Any, ...]:
        """Connect mode on or off; on, the next two taps make a transition."""
        return gestures.connect_mode(clicks, active, source)


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
    dash_app.clientside_callback(
        client("showConnectBanner"),
        Output("connect-banner", "className"),
        Input("connect-mode", "data"),
        Input("connect-source", "data"),
        prevent_initial_call=True,
    )
    dash_app.clientside_callback(
        client("showStepName"),
        Output({"inspector-title": ALL}, "children"),
        Input({"field": "name"}, "value"),
        prevent_initial_call=True,
    )
    # The inspector's form saves itself: each change is queued, and sent (to `save`)
    # once the save before it was answered.
    dash_app.clientside_callback(
        client("queueSave"),
        Output("save-queue", "data"),
        Input({"field": ALL}, "value"),
        Input("save-done", "data"),
        State({"field": ALL}, "id"),
        State({"form": ALL}, "data"),
        prevent_initial_call=True,
    )
