"""One request of an edit callback: a change made as the logged-in user, then the answer.

No rule lives here. `run` checks the version id and lock counter the page sent, lets a
gesture (`gestures`) or the inspector's save (`inspector`) call the one
`workflow_model.flow_editing` service that does the change (which checks the draft, the
lock and the input, journals and commits), and answers with the version read fresh from
the database. A refusal, or a value the browser sent in a shape the editor cannot use
(`inputs.InvalidInput`), changes nothing and is shown above the inspector.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import dash
from dash import no_update

from workflow_model.flow_editing import EditResult
from workflow_model.lifecycle import LifecycleRefused
from workflow_model.refusals import ChangeRefused, Refusal

from ..admin_views.base import acting_user
from ..database import db_session
from . import inputs, page
from .answers import EditAnswer, refreshed
from .messages import invalid_input_text, refusal_text
from .state import editor_view, may_edit

HISTORY_LIMIT = 50
RELOADING_REFUSALS = frozenset({"conflict", "not-found"})
"""Refusals that mean the page's copy is stale: the answer shows the version anew."""


class Partial(Exception):
    """Only the connection's source (and the message) changed: no need to read the version."""


class Edit:
    """One request of an edit callback: the inputs, and the answer being built."""

    def __init__(self, version_id: int, lock: int, history: dict[str, list[Any]]) -> None:
        self.session = db_session()
        self.user = acting_user(self.session)
        self.version_id = version_id
        self.lock = lock
        self.history = history
        self.message: Any = []
        self.selection: Any = no_update
        self.source: Any = no_update
        # The inspector's own save: its form stays as typed, not drawn again.
        self.keep_form = False

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

    def answer(self) -> EditAnswer:
        """Every output of the edit callback, from the version as it now is."""
        view = editor_view(self.session, self.version_id)
        if view is None:
            return EditAnswer(message=page.not_found(), selection=None, source=None)
        return EditAnswer(
            history=self.history,
            message=self.message,
            selection=self.selection,
            source=self.source,
            # A new value each time, so the inspector shows what the change left.
            refresh=no_update if self.keep_form else time.monotonic_ns(),
            **refreshed(view),
        )


def run(version_id: Any, lock: Any, history: Any, action: Callable[[Edit], None]) -> EditAnswer:
    """Do `action` as the logged-in user, and answer every output of an edit."""
    if version_id is None or lock is None:
        raise dash.exceptions.PreventUpdate
    if not may_edit():
        refused = ChangeRefused(Refusal.NOT_PERMITTED, "editing needs the admin role")
        return EditAnswer(message=page.message(refusal_text(refused)))
    try:
        edit = Edit(
            inputs.record_id(version_id),
            inputs.counter(lock),
            inputs.history(history, HISTORY_LIMIT),
        )
    except inputs.InvalidInput:
        return EditAnswer(message=page.message(invalid_input_text()))
    try:
        action(edit)
    except Partial:
        return EditAnswer(message=edit.message, source=edit.source)
    except inputs.InvalidInput:
        edit.session.rollback()
        return EditAnswer(message=page.message(invalid_input_text()), source=edit.source)
    except (ChangeRefused, LifecycleRefused) as error:
        edit.session.rollback()
        if error.code not in RELOADING_REFUSALS:
            # Nothing changed, here or elsewhere: the inspector keeps what was typed.
            return EditAnswer(message=page.message(refusal_text(error)), source=edit.source)
        edit.message = page.message(refusal_text(error))
        if error.code == "conflict":
            edit.history = {"undo": [], "redo": []}
            edit.message = page.message(refusal_text(error), "warning")
    return edit.answer()
