"""The editor's page: the fixed frame, and the pieces callbacks fill in.

Components that exist only in some states (the palette, the inspector's inputs) have
dictionary ids, so callbacks match them with ``ALL`` whether they are there or not.
Every text is translatable and rendered as text, never as HTML.
"""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from dash import dcc, html
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from validators import Severity
from workflow_model.choices import Choice
from workflow_model.document import StepEntry
from workflow_model.flow_editing import transition_id
from workflow_model.models import Join, Split, StepKind, TimeUnit

from ..vocabulary import STATUS_LABELS
from .elements import duration_text, stylesheet
from .state import EditorView, language

KIND_LABELS = {
    StepKind.START: _l("Reception (start)"),
    StepKind.TASK: _l("Task"),
    StepKind.END: _l("End (result)"),
}
UNIT_LABELS = {TimeUnit.WORKING_DAY: _l("working days"), TimeUnit.WORKING_HOUR: _l("working hours")}
SPLIT_LABELS = {
    Split.EXCLUSIVE: _l("One of the next steps (decision)"),
    Split.PARALLEL: _l("All next steps at once"),
}
JOIN_LABELS = {Join.ANY: _l("The first incoming step"), Join.ALL: _l("All incoming steps")}
STATUS_CLASSES = {"draft": "secondary", "submitted": "info", "approved": "success"}


def frame() -> html.Div:
    """The page's frame; the callback on the URL fills it for the version asked for."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="version"),
            dcc.Store(id="lock"),
            dcc.Store(id="history", data={"undo": [], "redo": []}),
            dcc.Store(id="selection"),
            dcc.Store(id="connect-mode", data=False),
            dcc.Store(id="connect-source"),
            dcc.Store(id="drag-end"),
            dcc.Store(id="layout-done"),
            dcc.Store(id="focus"),
            dcc.Store(id="finding-targets", data=[]),
            html.Header(id="header", className="sodo-editor-header"),
            html.Div(id="toolbar", className="sodo-toolbar"),
            html.Div(
                [
                    html.Div(
                        cyto.Cytoscape(
                            id="canvas",
                            elements=[],
                            # The page frames the view itself (static/editor.js): at a
                            # readable zoom on opening, and never again on its own, since a
                            # refit after each added step would shrink the text again.
                            layout={"name": "preset", "fit": False},
                            autoRefreshLayout=False,
                            stylesheet=stylesheet(),
                            style={"width": "100%", "height": "100%"},
                            minZoom=0.2,
                            maxZoom=2.5,
                            boxSelectionEnabled=False,
                            className="sodo-canvas",
                        ),
                        className="sodo-canvas-wrap",
                    ),
                    html.Aside(
                        [
                            html.Div(id="message", role="status", **{"aria-live": "polite"}),
                            html.Div(id="budget", className="sodo-budget-box"),
                            html.Div(id="inspector", className="sodo-inspector"),
                            html.Div(id="findings", className="sodo-findings"),
                            html.Div(id="legend", className="sodo-legend"),
                        ],
                        className="sodo-side",
                    ),
                ],
                className="sodo-editor-body",
            ),
        ],
        className="sodo-editor",
        id="editor",
    )


def context_menu(view: EditorView) -> list[dict[str, Any]]:
    """The right-click menu of a draft's canvas; a version that cannot be edited has none.

    Its items only report the click (`contextMenuData`): the edit callback acts on it.
    """
    if not view.editable:
        return []
    return [
        {"id": "connect-from", "label": _("Connect from here"), "availableOn": ["node"]},
        {"id": "delete", "label": _("Delete"), "availableOn": ["node", "edge"]},
        # On a node too: inside a lane, the lane's box is the node under the pointer.
        {"id": "add-task", "label": _("Add a task here"), "availableOn": ["canvas", "node"]},
    ]


def not_found() -> html.Div:
    """What the page says for a version that does not exist."""
    return html.Div(_("This version does not exist."), className="alert alert-warning")


def header(view: EditorView) -> list[Any]:
    """The procedure, the version and its status, and the way back to its versions page."""
    procedure = view.case.procedure
    status = view.version.status.value
    case = f" — {view.case.name}" if view.case.name else ""
    return [
        html.A(
            "← " + _("Versions"),
            href=url_for("versions.procedure", procedure_id=procedure.id),
            className="sodo-back",
        ),
        html.H1(f"{procedure.code} · {procedure.name}{case}", className="sodo-title"),
        html.Span(
            _("Version %(number)s", number=view.version.number), className="sodo-version-number"
        ),
        html.Span(
            _status_label(status),
            className=f"badge badge-{STATUS_CLASSES.get(status, 'dark')} sodo-status",
            id="status",
        ),
        html.Span(
            _("Read only") if not view.editable else _("Every change is saved at once."),
            className="sodo-mode",
        ),
    ]


def _status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _button(
    label: str, role: str, name: str, title: str = "", *, primary: bool = False
) -> html.Button:
    return html.Button(
        label,
        id={role: name},
        n_clicks=0,
        **{"data-sodo-tool": name},
        title=title or label,
        className=f"btn btn-sm {'btn-primary' if primary else 'btn-outline-secondary'}",
        type="button",
    )


def toolbar(view: EditorView) -> list[Any]:
    """Palette and edit tools for a draft; view tools (lanes, path, fit, search) always."""
    tools: list[Any] = []
    if view.editable:
        tools += [
            html.Div(
                [
                    html.Span(_("Add:"), className="sodo-toolbar-label"),
                    _palette(StepKind.START, _("Start")),
                    _palette(StepKind.TASK, _("Task")),
                    _palette(StepKind.END, _("End")),
                ],
                className="sodo-palette btn-group-sm",
            ),
            html.Div(
                [
                    _button(
                        _("Connect"), "tool", "connect", _("Tap the source step, then the target")
                    ),
                    _button(
                        _("Delete"), "edit", "delete", _("Delete the selected step or transition")
                    ),
                    _button("↶ " + _("Undo"), "edit", "undo", _("Undo (Ctrl+Z)")),
                    _button("↷ " + _("Redo"), "edit", "redo", _("Redo (Ctrl+Shift+Z)")),
                    _button(
                        _("Auto layout"), "tool", "dagre", _("Lay the steps out left to right")
                    ),
                    _button(
                        _("Arrange in lanes"), "edit", "lanes-layout", _("One band per agency")
                    ),
                ],
                className="sodo-tools",
            ),
        ]
    tools += [
        html.Div(
            [
                dcc.Checklist(
                    id="view-options",
                    options=[
                        {"label": _("Swimlanes"), "value": "lanes"},
                        {"label": _("Critical path"), "value": "critical"},
                    ],
                    value=["lanes"],
                    inline=True,
                    className="sodo-view-options",
                ),
                html.Button(
                    _("Fit"), id="fit", n_clicks=0, className="btn btn-sm btn-outline-secondary"
                ),
                dcc.Input(
                    id="search",
                    type="search",
                    placeholder=_("Find a step…"),
                    debounce=False,
                    className="form-control form-control-sm sodo-search",
                ),
            ],
            className="sodo-view-tools",
        )
    ]
    return tools


def _palette(kind: StepKind, label: str) -> html.Button:
    return html.Button(
        "+ " + label,
        id={"palette": kind.value},
        n_clicks=0,
        **{"data-sodo-tool": kind.value},
        className=f"btn btn-sm btn-outline-primary sodo-palette-{kind.value}",
        type="button",
    )


def budget(view: EditorView) -> list[Any]:
    """How much of the legal time the critical path uses, as a bar and in words."""
    path = view.report.critical_path
    legal = view.document.procedure.legal_time
    if path is None:
        return [html.P(_("No path leads from the start to an end yet."), className="sodo-muted")]
    share = path.hours / path.budget_hours if path.budget_hours else 1.0
    state = "over" if path.exceeds_budget else "ok"
    return [
        html.Div(
            _(
                "Critical path: %(used)s of %(legal)s working hours (legal time %(time)s)",
                used=format_decimal(path.hours),
                legal=format_decimal(path.budget_hours),
                time=duration_text(legal.value, legal.unit),
            ),
            className="sodo-budget-text",
        ),
        html.Div(
            html.Div(
                className=f"sodo-budget-fill sodo-budget-{state}",
                style={"width": f"{min(share, 1.0) * 100:.1f}%"},
            ),
            className="sodo-budget-bar",
            id="budget-bar",
            title=f"{share * 100:.0f}%",
            **{"data-state": state},
        ),
    ]


def findings(view: EditorView) -> tuple[list[Any], list[list[str]]]:
    """The findings as clickable items, and the element ids each one points at."""
    ids = _element_ids(view)
    items: list[Any] = []
    targets: list[list[str]] = []
    lang = language()
    for index, finding in enumerate(view.report.findings):
        names = list(finding.steps) + [transition_id(a, b) for a, b in finding.transitions]
        targets.append([ids[name] for name in names if name in ids])
        items.append(
            html.Li(
                html.Button(
                    [
                        html.Span(
                            _severity_label(finding.severity),
                            className=f"sodo-severity sodo-{finding.severity.value}",
                        ),
                        " ",
                        finding.message(lang),
                    ],
                    id={"finding": index},
                    n_clicks=0,
                    type="button",
                    className="sodo-finding",
                    **{"data-code": finding.code},
                )
            )
        )
    title = html.H2(_("Checks"), className="sodo-side-title")
    if not items:
        return [title, html.P(_("No problems found."), className="sodo-ok")], targets
    return [title, html.Ul(items, className="sodo-finding-list")], targets


def _severity_label(severity: Severity) -> str:
    return {
        Severity.ERROR: _("Error"),
        Severity.WARNING: _("Warning"),
        Severity.INFO: _("Note"),
    }[severity]


def _element_ids(view: EditorView) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in view.diagram.elements:
        data = element["data"]
        if "key" in data:
            found[data["key"]] = data["id"]
    return found


def legend(view: EditorView) -> list[Any]:
    """The agencies by lane colour."""
    if not view.diagram.lanes:
        return []
    return [
        html.H2(_("Agencies"), className="sodo-side-title"),
        html.Ul(
            [
                html.Li(
                    [
                        html.Span(className="sodo-swatch", style={"background": lane["colour"]}),
                        lane["name"] or _("No unit"),
                    ]
                )
                for lane in view.diagram.lanes
            ],
            className="sodo-legend-list",
        ),
    ]


def find_step(view: EditorView, key: str) -> StepEntry | None:
    """The step `key` of the view's document."""
    return next((step for step in view.document.steps if step.key == key), None)


def _fixed_choice(field: str, labels: dict[Any, Any], value: str, **extra: Any) -> Any:
    """A dropdown over a closed vocabulary (kind, unit of time, split, join): no search."""
    return dcc.Dropdown(
        id={"field": field},
        options=[{"label": str(label), "value": key.value} for key, label in labels.items()],
        value=value,
        clearable=False,
        searchable=False,
        **extra,
    )


def options(choices: list[Choice]) -> list[dict[str, Any]]:
    """Dropdown options; `search` is the folded text typed without diacritics matches."""
    return [
        {"label": choice.label, "value": choice.id, "search": choice.search} for choice in choices
    ]


def _dropdown_labels() -> dict[str, str]:
    """The texts of a searchable dropdown, which Dash would otherwise show in English."""
    return {
        "search": _("Search"),
        "clear_search": _("Clear search"),
        "clear_selection": _("Clear selection"),
        "no_options_found": _("No options found"),
        "select_all": _("Select all"),
        "deselect_all": _("Deselect all"),
        "selected_count": _("{num_selected} selected"),
    }


def _row(label: str, control: Any) -> html.Div:
    return html.Div(
        [html.Label(label, className="sodo-field-label"), control], className="form-group"
    )


def step_form(
    step: StepEntry,
    ids: dict[str, Any],
    units: list[Choice],
    officers: list[Choice],
    documents: list[Choice],
) -> list[Any]:
    """The inspector's inputs for one step; `ids` holds the rows' ids of its references."""
    return [
        html.H2(_("Step %(key)s", key=step.key), className="sodo-side-title"),
        _row(
            _("Name"),
            dcc.Input(
                id={"field": "name"},
                value=step.name,
                type="text",
                maxLength=1000,
                className="form-control form-control-sm",
            ),
        ),
        _row(
            _("Kind"),
            _fixed_choice("kind", KIND_LABELS, step.kind.value),
        ),
        _row(
            _("Unit"),
            dcc.Dropdown(
                id={"field": "unit"},
                options=options(units),
                value=ids["unit"],
                placeholder=_("Choose a unit…"),
                searchable=True,
                labels=_dropdown_labels(),
            ),
        ),
        _row(
            _("Officers (the first one is in charge)"),
            dcc.Dropdown(
                id={"field": "officers"},
                options=options(officers),
                value=ids["officers"],
                multi=True,
                placeholder=_("Choose officers…"),
                searchable=True,
                labels=_dropdown_labels(),
            ),
        ),
        _row(
            _("Duration"),
            html.Div(
                [
                    dcc.Input(
                        id={"field": "duration"},
                        value=format_decimal(step.duration.value),
                        type="text",
                        inputMode="decimal",
                        className="form-control form-control-sm sodo-duration",
                    ),
                    _fixed_choice(
                        "duration_unit",
                        UNIT_LABELS,
                        step.duration.unit.value,
                        className="sodo-duration-unit",
                    ),
                ],
                className="sodo-duration-row",
            ),
        ),
        _row(
            _("Dossier components checked"),
            dcc.Checklist(
                id={"field": "documents"},
                options=[{"label": c.label, "value": c.id} for c in documents],
                value=ids["documents"],
                className="sodo-documents",
            ),
        ),
        _row(
            _("With several next steps"),
            _fixed_choice("split", SPLIT_LABELS, step.split.value),
        ),
        _row(
            _("With several previous steps, wait for"),
            _fixed_choice("join", JOIN_LABELS, step.join.value),
        ),
        _row(
            _("Description"),
            dcc.Textarea(
                id={"field": "description"},
                value=step.description,
                className="form-control form-control-sm",
                rows=3,
            ),
        ),
        html.Button(
            _("Save"),
            id={"save": "step"},
            n_clicks=0,
            type="button",
            className="btn btn-primary btn-sm",
        ),
    ]


def transition_form(key: str, label: str, names: tuple[str, str]) -> list[Any]:
    """The inspector's input for a transition: its label."""
    return [
        html.H2(_("Transition"), className="sodo-side-title"),
        html.P(f"{names[0]} → {names[1]}", className="sodo-muted"),
        _row(
            _("Label"),
            dcc.Input(
                id={"field": "label"},
                value=label,
                type="text",
                maxLength=1000,
                className="form-control form-control-sm",
                placeholder=_("e.g. Eligible"),
            ),
        ),
        html.Button(
            _("Save"),
            id={"save": "transition"},
            n_clicks=0,
            type="button",
            className="btn btn-primary btn-sm",
        ),
    ]


def step_details(step: StepEntry, unit: str, officers: list[str], documents: list[str]) -> list:
    """A read-only step, as text."""
    rows = [
        (_("Name"), step.name),
        (_("Kind"), str(KIND_LABELS[step.kind])),
        (_("Unit"), unit or "—"),
        (_("Officers"), ", ".join(officers) or "—"),
        (_("Duration"), duration_text(step.duration.value, step.duration.unit)),
        (_("Dossier components checked"), ", ".join(documents) or "—"),
        (_("Description"), step.description or "—"),
    ]
    return [
        html.H2(_("Step %(key)s", key=step.key), className="sodo-side-title"),
        html.Dl([part for label, value in rows for part in (html.Dt(label), html.Dd(value))]),
    ]


def hint(view: EditorView) -> list[Any]:
    """What the inspector says before anything is selected."""
    if view.editable:
        text = _(
            "Add steps from the palette, drag them into place, and connect them with "
            "Connect or the right-click menu. Select a step to edit it."
        )
    else:
        text = _("This version is not a draft: it opens read only. Select a step to see it.")
    return [html.P(text, className="sodo-muted")]


def message(text: str, kind: str = "danger") -> html.Div:
    """A notice above the inspector: a refusal, a conflict, or what was done."""
    return html.Div(text, className=f"alert alert-{kind} sodo-message", role="alert")
