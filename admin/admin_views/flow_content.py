"""The step and transition lists and forms: the same gestures as the graph editor.

A form is one more way to make a gesture: it is translated into the `flow_editing`
service the editor calls (create, update or delete a step; connect, relabel or cut a
transition), with the lock counter of the version as the form loaded it. So forms and
diagram follow the same rules, and a stale form is refused, never saved over newer
work. A step made in a form has no position: the diagram's auto-layout places it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import flash, request
from flask_admin.form import rules
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session
from wtforms import Form, HiddenField, StringField
from wtforms.validators import NumberRange, Optional

from workflow_model import flow_editing
from workflow_model.conversion.step_content import StepValues, step_values
from workflow_model.flow_editing import EditResult, transition_id
from workflow_model.models import EDITABLE_STATUSES, FlowVersion, Step, StepKind, Transition, User
from workflow_model.refusals import ChangeRefused, Refusal

from ..vocabulary import FIELD_LABELS, STATUS_LABELS, refusal_message
from .base import SodoModelView, acting_user

LOCK_FIELD = "version_lock"


class HiddenInput(rules.BaseRule):
    """A form rule that renders a hidden field as its input alone, with no label."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    @property
    def visible_fields(self) -> list[str]:
        """The field this rule renders."""
        return [self.name]

    def __call__(self, form: Any, form_opts: Any = None, field_args: Any = None) -> Markup:
        """The ``<input type="hidden">`` of the field (WTForms escapes its value)."""
        return Markup(form[self.name]())


# The list filter on a version, as the version list links to it (`flt1_0=<id>`).
VERSION_FILTER = "flt1_0"


def requested_version_id() -> int | None:
    """The version a create form is for: ``?version=ID``, or the list it was opened from."""
    candidates = [request.args.get("version", "")]
    back = request.args.get("url", "")
    candidates += parse_qs(urlsplit(back).query).get(VERSION_FILTER, [])
    for candidate in candidates:
        if candidate.isdigit():
            return int(candidate)
    return None


def version_label(version: FlowVersion) -> str:
    """A version as the create forms offer it: "1.009642.H05 v2 (Bản nháp)"."""
    case = version.case
    code = case.procedure.code + (f" / {case.key}" if case.key else "")
    return f"{code} v{version.number} ({STATUS_LABELS[version.status]})"


def form_lock(form: Form | None) -> int:
    """The version's lock counter as the form loaded it; a form without one is stale.

    -1 matches no version, so the service refuses it as a conflict naming who changed
    the version last, and the user reloads the form.
    """
    field = getattr(form, LOCK_FIELD, None)
    text = (field.data if field is not None else "") or request.form.get(LOCK_FIELD, "")
    return int(text) if str(text).isdigit() else -1


class FlowContentView(SodoModelView):
    """What the step and transition views share: gestures with the lock, and refusals."""

    form_extra_fields = {LOCK_FIELD: HiddenField()}

    def _show_missing_fields_warning(self, text: str) -> None:
        """Quiet: the edit form leaves out the fields that identify the row, on purpose."""

    def row_lock(self, row: Step | Transition) -> int:
        """The lock counter a list row's delete button sends (its version is loaded with it)."""
        return row.version.lock_counter

    def _gesture(
        self, form: Form | None, call: Callable[[Session, User | None, int], EditResult]
    ) -> EditResult | None:
        """Run `call(session, user, lock)`; on a refusal say why and change nothing."""
        try:
            with self.session.no_autoflush:
                user: User | None = acting_user(self.session)
            return call(self.session, user, form_lock(form))
        except ChangeRefused as error:
            self.session.rollback()
            flash(refusal_message(error), "error")
            return None

    def _elements(self, model: Any) -> dict[str, list[str]]:
        """What deleting the row `model` deletes, as `flow_editing.delete_elements` names it."""
        raise NotImplementedError

    def delete_model(self, model: Any) -> bool:
        """Delete through `flow_editing.delete_elements` (a step goes with its transitions)."""
        version_id, elements = model.version_id, self._elements(model)
        result = self._gesture(
            None,
            lambda s, u, lock: flow_editing.delete_elements(s, u, version_id, lock, **elements),
        )
        return result is not None

    def _prefill_lock(self, form: Form, version: FlowVersion | None) -> None:
        if version is not None and hasattr(form, LOCK_FIELD):
            getattr(form, LOCK_FIELD).data = str(version.lock_counter)

    def create_form(self, obj: Any = None) -> Form:
        """The create form of the version the user came from, with its lock counter."""
        form = super().create_form(obj)
        if hasattr(form, "version"):
            # Only a draft can take new content; each named as people know it.
            form.version.query = self.session.query(FlowVersion).filter(
                FlowVersion.status.in_(EDITABLE_STATUSES)
            )
            form.version.get_label = version_label
        version_id = requested_version_id()
        version = self.session.get(FlowVersion, version_id) if version_id is not None else None
        if version is not None and request.method == "GET":
            if hasattr(form, "version"):
                form.version.data = version
            self._prefill_lock(form, version)
        return form


class StepView(FlowContentView):
    """Steps of the versions; only a draft's steps can be changed, as in the editor."""

    column_list = ("version.id", "key", "name", "kind", "unit", "duration_value", "duration_unit")
    column_select_related_list = (Step.version, Step.unit)
    column_sortable_list = ("key", "name", "kind", "duration_value")
    column_default_sort = [("version_id", False), ("position", False)]
    column_searchable_list = ("name", "key")
    column_filters = ("version.id", "kind", "unit.name")
    column_labels = {
        "unit.name": _l("Unit"),  # the filter's name
        "version.id": _l("Version id"),
        "version": _l("Version"),
        "key": _l("Key"),
        "name": FIELD_LABELS["name"],
        "kind": FIELD_LABELS["kind"],
        "unit": FIELD_LABELS["unit"],
        "duration_value": FIELD_LABELS["duration"],
        "duration_unit": _l("Unit of time"),
        "split": FIELD_LABELS["split"],
        "join": FIELD_LABELS["join"],
        "description": FIELD_LABELS["description"],
    }
    form_columns = (
        "version",
        "key",
        "name",
        "kind",
        "unit",
        "duration_value",
        "duration_unit",
        "split",
        "join",
        "description",
        LOCK_FIELD,
    )
    form_create_rules = (*form_columns[:-1], HiddenInput(LOCK_FIELD))
    # A step keeps its version and key: the diagram and the journal name it by them.
    form_edit_rules = tuple(c for c in form_create_rules if c not in ("version", "key"))
    # The range the database's check allows, so a wrong duration is a field error.
    form_args = {
        "duration_value": {"validators": [NumberRange(min=0, max=flow_editing.MAX_DURATION)]},
        "key": {"validators": [Optional()]},
    }

    def on_form_prefill(self, form: Any, id: Any) -> None:
        """Remember the version's lock counter in the edit form."""
        step = self.get_one(id)
        if step is not None:
            self._prefill_lock(form, step.version)

    @staticmethod
    def _values(form: Any, base: StepValues) -> StepValues:
        """The form's fields over `base` (officers and documents are the editor's)."""
        unit = form.unit.data
        return StepValues(
            name=form.name.data or "",
            kind=str(form.kind.data or StepKind.TASK),
            unit=unit.id if unit is not None else None,
            duration={
                "value": form.duration_value.data if form.duration_value.data is not None else 0,
                "unit": str(form.duration_unit.data or base["duration"]["unit"]),
            },
            officers=base["officers"],
            documents=base["documents"],
            split=str(form.split.data or base["split"]),
            join=str(form.join.data or base["join"]),
            description=form.description.data or "",
        )

    def create_model(self, form: Any) -> Any:
        """Add the step through `flow_editing.create_step`."""
        version = form.version.data
        if version is None:
            flash(refusal_message(ChangeRefused(Refusal.NOT_FOUND, "no version")), "error")
            return False
        values = self._values(form, flow_editing.new_step_values(StepKind.TASK, ""))
        key = (form.key.data or "").strip() or None
        result = self._gesture(
            form,
            lambda s, u, lock: flow_editing.create_step(s, u, version.id, lock, values, key),
        )
        if result is None:
            return False
        step = flow_editing.step_row(self.session, version.id, result.selected or "")
        self.after_model_change(form, step, True)
        return step

    def update_model(self, form: Any, model: Any) -> bool:
        """Change the step through `flow_editing.update_step`."""
        version_id, key = model.version_id, model.key
        values = self._values(form, step_values(model))
        result = self._gesture(
            form, lambda s, u, lock: flow_editing.update_step(s, u, version_id, lock, key, values)
        )
        if result is None:
            return False
        self.after_model_change(form, model, False)
        return True

    def _elements(self, model: Any) -> dict[str, list[str]]:
        return {"steps": [model.key]}


class TransitionView(FlowContentView):
    """Transitions between the steps of a version; only a draft's can be changed."""

    column_list = ("version_id", "from_step.key", "to_step.key", "label")
    column_select_related_list = (Transition.from_step, Transition.to_step, Transition.version)
    column_filters = ("version_id",)
    column_searchable_list = ("label",)
    column_labels = {
        "version_id": _l("Version id"),
        "version": _l("Version"),
        "from_step.key": _l("From step"),
        "to_step.key": _l("To step"),
        "from_key": _l("From step"),
        "to_key": _l("To step"),
        "label": FIELD_LABELS["label"],
    }
    form_columns = ("version", "from_key", "to_key", "label", LOCK_FIELD)
    form_extra_fields = {
        LOCK_FIELD: HiddenField(),
        "from_key": StringField(_l("From step")),
        "to_key": StringField(_l("To step")),
    }
    form_create_rules = (*form_columns[:-1], HiddenInput(LOCK_FIELD))
    # The two steps are the transition's identity: another pair is another transition.
    form_edit_rules = ("label", HiddenInput(LOCK_FIELD))

    def on_form_prefill(self, form: Any, id: Any) -> None:
        """Remember the version's lock counter in the edit form."""
        transition = self.get_one(id)
        if transition is not None:
            self._prefill_lock(form, transition.version)

    @staticmethod
    def _key(model: Transition) -> str:
        return transition_id(model.from_step.key, model.to_step.key)

    def create_model(self, form: Any) -> Any:
        """Connect the two steps through `flow_editing.connect`."""
        version = form.version.data
        if version is None:
            flash(refusal_message(ChangeRefused(Refusal.NOT_FOUND, "no version")), "error")
            return False
        source, target = (form.from_key.data or "").strip(), (form.to_key.data or "").strip()
        label = form.label.data or ""
        result = self._gesture(
            form,
            lambda s, u, lock: flow_editing.connect(s, u, version.id, lock, source, target, label),
        )
        if result is None:
            return False
        transition = flow_editing.transition_row(self.session, version.id, source, target)
        self.after_model_change(form, transition, True)
        return transition

    def update_model(self, form: Any, model: Any) -> bool:
        """Relabel the transition through `flow_editing.set_label`."""
        version_id, key, label = model.version_id, self._key(model), form.label.data or ""
        result = self._gesture(
            form, lambda s, u, lock: flow_editing.set_label(s, u, version_id, lock, key, label)
        )
        if result is None:
            return False
        self.after_model_change(form, model, False)
        return True

    def _elements(self, model: Any) -> dict[str, list[str]]:
        return {"transitions": [self._key(model)]}
