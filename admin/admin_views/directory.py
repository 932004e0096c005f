"""Directory views: levels, units, officers, fields, and working-calendar overrides."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from workflow_model.models import Officer, Unit

from .base import (
    FoldedAjaxLoader,
    SodoModelView,
    email_field_check,
    parent_level_check,
    phone_field_check,
    required,
)


class LevelView(SodoModelView):
    """Administrative levels (cấp): the standard four and any a deployment adds."""

    column_list = ("key", "name", "position")
    column_searchable_list = ("search_text",)
    column_sortable_list = ("key", "name", "position")
    column_default_sort = "position"
    column_labels = {"key": _l("Key"), "name": _l("Name"), "position": _l("Order")}
    form_columns = ("key", "name", "position")


class UnitView(SodoModelView):
    """Units (cơ quan, đơn vị) in a tree, with the one-stop flag."""

    column_list = ("code", "name", "level", "parent", "one_stop", "phone", "active")
    column_select_related_list = (Unit.level, Unit.parent)
    column_searchable_list = ("search_text",)
    column_sortable_list = ("code", "name", ("level", "level.position"), "one_stop", "active")
    column_default_sort = "code"
    column_filters = ("level.name", "one_stop", "active")
    column_labels = {
        "level.name": _l("Level"),  # the filter's name
        "code": _l("Code"),
        "name": _l("Name"),
        "level": _l("Level"),
        "parent": _l("Parent unit"),
        "one_stop": _l("One-stop desk"),
        "address": _l("Address"),
        "phone": _l("Phone"),
        "email": _l("Email"),
        "active": _l("Active"),
        "updated_at": _l("Last changed"),
    }
    form_columns = (
        "code",
        "name",
        "level",
        "parent",
        "one_stop",
        "address",
        "phone",
        "email",
        "active",
    )
    column_descriptions = {
        "one_stop": _l("Where dossiers are received and results returned (Bộ phận Một cửa).")
    }
    # The officer form's checks (one definition each); a unit's contacts may be left empty.
    # The level starts empty and must be chosen: no level is the likely one for a new unit,
    # and a preselected first level ("Bộ, ngành") was saved unnoticed.
    form_args = {
        "phone": {"validators": [Optional(), phone_field_check]},
        "email": {"validators": [Optional(), email_field_check]},
        "level": {"validators": [required(_l("Choose the unit's level."))]},
        "parent": {"validators": [parent_level_check]},
    }

    def scaffold_form(self) -> Any:
        """The unit form, whose level starts empty (Flask-Admin offers no blank for it)."""
        form_class = super().scaffold_form()
        form_class.level.kwargs["allow_blank"] = True
        return form_class

    def __init__(self, model: type, session: Any, **kwargs: Any) -> None:
        self.form_ajax_refs = {
            "parent": FoldedAjaxLoader(
                "parent", session, Unit, fields=("search_text",), page_size=10
            )
        }
        super().__init__(model, session, **kwargs)


class OfficerView(SodoModelView):
    """Officers (cán bộ) with the contacts a citizen sees; the email identifies a person."""

    column_list = ("full_name", "title", "unit", "phone", "email", "active")
    column_select_related_list = (Officer.unit,)
    column_searchable_list = ("search_text",)
    column_sortable_list = ("full_name", "title", ("unit", "unit.name"), "email", "active")
    column_default_sort = "full_name"
    column_filters = ("unit.name", "title", "active")
    column_labels = {
        "unit.name": _l("Unit"),  # the filter's name
        "full_name": _l("Full name"),
        "title": _l("Title"),
        "unit": _l("Unit"),
        "phone": _l("Phone"),
        "email": _l("Email"),
        "active": _l("Active"),
        "updated_at": _l("Last changed"),
    }
    form_columns = ("full_name", "title", "unit", "phone", "email", "active")
    form_args = {
        "phone": {"validators": [phone_field_check]},
        "email": {"validators": [email_field_check]},
    }

    def __init__(self, model: type, session: Any, **kwargs: Any) -> None:
        self.form_ajax_refs = {
            "unit": FoldedAjaxLoader("unit", session, Unit, fields=("search_text",), page_size=10)
        }
        super().__init__(model, session, **kwargs)


class FieldView(SodoModelView):
    """Fields of administration (lĩnh vực)."""

    column_list = ("name",)
    column_searchable_list = ("search_text",)
    column_sortable_list = ("name",)
    column_default_sort = "name"
    column_labels = {"name": _l("Name")}
    form_columns = ("name",)


class DayOverrideView(SodoModelView):
    """Days the working calendar treats differently: an extra day off, or a day worked."""

    column_list = ("day", "working", "description")
    column_sortable_list = ("day", "working")
    column_default_sort = ("day", True)
    column_filters = ("day", "working")
    column_labels = {
        "day": _l("Day"),
        "working": _l("Working day"),
        "description": _l("Description"),
    }
    column_descriptions = {
        "working": _l(
            "Ticked: a Saturday or Sunday worked in exchange; not ticked: an extra day off."
        )
    }
    form_columns = ("day", "working", "description")
