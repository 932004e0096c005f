"""The editor's page: the fixed frame, and the pieces callbacks fill in.

Components that exist only in some states (the palette, the inspector's inputs) have
dictionary ids, so callbacks match them with ``ALL`` whether they are there or not.
Every text is translatable and rendered as text, never as HTML.
"""

from __future__ import annotations

import secrets
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

from ..vocabulary import ENUM_LABELS, STATUS_LABELS
from .elements import duration_text, stylesheet
from .navigation import main_menu
from .state import EditorView, language

KIND_LABELS = {
    StepKind.START: _l("Reception (start)"),
    StepKind.TASK: _l("Task"),
    StepKind.END: _l("End (result)"),
}
UNIT_LABELS = {unit: ENUM_LABELS[unit] for unit in TimeUnit}
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
            dcc.Store(id="save-request"),
            dcc.Store(id="save-done"),
            dcc.Store(id="save-queue"),
            dcc.Store(id="inspector-refresh"),
            main_menu(),
            html.Header(id="header", className="sodo-editor-header"),
            html.Div(id="toolbar", className="sodo-toolbar"),
            connect_banner(),
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


def connect_banner() -> html.Div:
    """Connect mode's state and prompt; ``editor.js`` shows the part for the next tap.

    Hidden outside connect mode, unless a source was chosen with the right-click menu.
    """
    return html.Div(
        [
            html.Strong(_("Connect mode"), className="sodo-connect-title"),
            html.Span(_("choose the source step"), className="sodo-connect-prompt-source"),
            html.Span(_("choose the target step"), className="sodo-connect-prompt-target"),
            html.Span(_("Esc or Connect again to leave"), className="sodo-connect-leave"),
        ],
        id="connect-banner",
        className="sodo-connect-banner sodo-connect-off",
        role="status",
        **{"aria-live": "polite"},
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
        # Review, report and diagram link to each other.
        html.A(
            _("Report"),
            href=url_for("report.version_report", version_id=view.version.id),
            className="sodo-back sodo-report-link",
        ),
        html.A(
            _("Review"),
            href=url_for("versions.review", version_id=view.version.id),
            className="sodo-back sodo-review-link",
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
            _("Read only")
            if not view.editable
            else _("Every change is saved by itself; a text field when you leave it."),
            className="sodo-mode",
            id="save-mode",
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
    """The inspector's inputs for one step; `ids` holds the rows' ids of its references.

    The form saves itself (``editor.js``): text fields when they are left, choices at
    once. Its store says which step it is for and what it showed when drawn.
    """
    duration = format_decimal(step.duration.value)
    drawn = {
        "name": step.name,
        "kind": step.kind.value,
        "unit": ids["unit"],
        "officers": ids["officers"],
        "duration": duration,
        "duration_unit": step.duration.unit.value,
        "documents": ids["documents"],
        "split": step.split.value,
        "join": step.join.value,
        "description": step.description,
    }
    return [
        _form_store("step", step.key, drawn),
        step_title(step),
        _row(
            _("Name"),
            dcc.Input(
                id={"field": "name"},
                value=step.name,
                type="text",
                maxLength=1000,
                debounce=True,
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
                        value=duration,
                        type="text",
                        debounce=True,
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
    ]


def transition_form(key: str, label: str, names: tuple[str, str]) -> list[Any]:
    """The inspector's input for a transition: its label."""
    return [
        _form_store("transition", key, {"label": label}),
        html.H2(_("Transition"), className="sodo-side-title"),
        html.P(f"{names[0]} → {names[1]}", className="sodo-muted"),
        _row(
            _("Label"),
            dcc.Input(
                id={"field": "label"},
                value=label,
                type="text",
                maxLength=1000,
                debounce=True,
                className="form-control form-control-sm",
                placeholder=_("e.g. Eligible"),
            ),
        ),
    ]


def _form_store(kind: str, key: str, drawn: dict[str, Any]) -> dcc.Store:
    """What ``editor.js`` needs to save a form: its element, and its values as drawn.

    The token tells one drawing of a form from the next, even of the same element.
    """
    return dcc.Store(
        id={"form": kind},
        data={"kind": kind, "key": key, "token": secrets.token_hex(8), "drawn": drawn},
    )


def step_title(step: StepEntry) -> html.H2:
    """The inspector's title: the step's name (its key, internal, only as data).

    ``editor.js`` shows a new name there as soon as it is typed and committed.
    """
    return html.H2(
        step.name or _("Unnamed step"),
        id={"inspector-title": step.key},
        className="sodo-side-title",
        **{"data-key": step.key},
    )


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
        step_title(step),
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
