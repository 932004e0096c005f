"""What the callbacks that show a version answer, output by output, by name.

Dash takes a callback's answer as a tuple in the order of its ``Output``s. Here each
answer is a dataclass whose fields are named after its outputs; `OPEN_OUTPUTS` and
`EDIT_OUTPUTS` map those names to the ``Output``s the callbacks are registered with, and
`as_tuple` orders the fields by the same mapping, so the order is written once. A field
left out is ``no_update``: that output keeps what the page shows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from dash import Output, no_update

from . import page
from .budget import budget_panel
from .state import EditorView

OPEN_OUTPUTS: dict[str, Output] = {
    "version": Output("version", "data"),
    "lock": Output("lock", "data"),
    "header": Output("header", "children"),
    "toolbar": Output("toolbar", "children"),
    "elements": Output("canvas", "elements"),
    "ungrabbable": Output("canvas", "autoungrabify"),
    "menu": Output("canvas", "contextMenu"),
    "findings": Output("findings", "children"),
    "targets": Output("finding-targets", "data"),
    "budget": Output("budget", "children"),
    "legend": Output("legend", "children"),
    "inspector": Output("inspector", "children"),
    "message": Output("message", "children"),
}
"""The outputs of the callback that opens the version of the page's path."""

EDIT_OUTPUTS: dict[str, Output] = {
    "elements": Output("canvas", "elements", allow_duplicate=True),
    "lock": Output("lock", "data", allow_duplicate=True),
    "findings": Output("findings", "children", allow_duplicate=True),
    "targets": Output("finding-targets", "data", allow_duplicate=True),
    "budget": Output("budget", "children", allow_duplicate=True),
    "legend": Output("legend", "children", allow_duplicate=True),
    "header": Output("header", "children", allow_duplicate=True),
    "history": Output("history", "data", allow_duplicate=True),
    "message": Output("message", "children", allow_duplicate=True),
    "selection": Output("selection", "data", allow_duplicate=True),
    "source": Output("connect-source", "data", allow_duplicate=True),
    "refresh": Output("inspector-refresh", "data", allow_duplicate=True),
    "saved": Output("save-done", "data", allow_duplicate=True),
}
"""The outputs shared by the three edit callbacks (see `wiring`).

``refresh`` draws the inspector again from the database (after any change but the
inspector's own save); ``saved`` tells ``editor.js`` that a save request was answered,
so it may send the next one with the new lock.
"""


class _Answer:
    """A callback's answer by output name; `OUTPUTS` gives the names and their order."""

    OUTPUTS: ClassVar[dict[str, Output]]
    # Declared, not set: every answer is a dataclass (see `_same_names`), and saying so
    # lets `dataclasses.fields` take the answer classes.
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    @classmethod
    def outputs(cls) -> list[Output]:
        """The ``Output``s to register the callback with, in the order of `as_tuple`."""
        return list(cls.OUTPUTS.values())

    def as_tuple(self) -> tuple[Any, ...]:
        """The answer as Dash takes it: one value per output, in `OUTPUTS` order."""
        return tuple(getattr(self, name) for name in self.OUTPUTS)


_A = TypeVar("_A", bound=_Answer)


def _same_names(answer: type[_A]) -> type[_A]:
    """Check, once at import, that the dataclass has a field for every output, and no more."""
    fields = [field.name for field in dataclasses.fields(answer)]
    if fields != list(answer.OUTPUTS):
        raise TypeError(f"{answer.__name__} fields {fields} != outputs {list(answer.OUTPUTS)}")
    return answer


@_same_names
@dataclass
class OpenAnswer(_Answer):
    """What the page shows of the version it opens."""

    OUTPUTS: ClassVar[dict[str, Output]] = OPEN_OUTPUTS

    version: Any = no_update
    lock: Any = no_update
    header: Any = no_update
    toolbar: Any = no_update
    elements: Any = no_update
    ungrabbable: Any = no_update
    menu: Any = no_update
    findings: Any = no_update
    targets: Any = no_update
    budget: Any = no_update
    legend: Any = no_update
    inspector: Any = no_update
    message: Any = no_update


@_same_names
@dataclass
class EditAnswer(_Answer):
    """What an edit callback answers: by default, nothing changes on the page."""

    OUTPUTS: ClassVar[dict[str, Output]] = EDIT_OUTPUTS

    elements: Any = no_update
    lock: Any = no_update
    findings: Any = no_update
    targets: Any = no_update
    budget: Any = no_update
    legend: Any = no_update
    header: Any = no_update
    history: Any = no_update
    message: Any = no_update
    selection: Any = no_update
    source: Any = no_update
    refresh: Any = no_update
    saved: Any = no_update


def refreshed(view: EditorView) -> dict[str, Any]:
    """Everything the canvas and side panel show, read from `view`, by output name."""
    findings, targets = page.findings(view)
    return {
        "elements": view.diagram.elements,
        "lock": view.lock,
        "findings": findings,
        "targets": targets,
        "budget": budget_panel(view),
        "legend": page.legend(view),
        "header": page.header(view),
    }


def opened(view: EditorView | None) -> OpenAnswer:
    """The page for `view`: read only unless a draft and an admin; None: no such version."""
    if view is None:
        return OpenAnswer(
            version=None,
            lock=None,
            header=[],
            toolbar=[],
            elements=[],
            ungrabbable=True,
            menu=[],
            findings=[],
            targets=[],
            budget=[],
            legend=[],
            inspector=[],
            message=page.not_found(),
        )
    return OpenAnswer(
        version=view.version.id,
        toolbar=page.toolbar(view),
        ungrabbable=not view.editable,
        menu=page.context_menu(view),
        inspector=page.hint(view),
        message=[],
        **refreshed(view),
    )
