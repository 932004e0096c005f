"""Directory views: levels, units, officers, fields, and working-calendar overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_admin import expose
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional

from workflow_model import editing
from workflow_model.calendar_store import working_calendar
from workflow_model.models import DayOverride, Officer, Unit
from workflow_model.refusals import ChangeRefused

from ..vocabulary import refusal_message
from .base import (
    FoldedAjaxLoader,
    SodoModelView,
    acting_user,
    email_field_check,
    parent_level_check,
    phone_field_check,
    required,
)

# The years the calendar page shows: what the `holidays` package and a sensible plan cover.
FIRST_YEAR, LAST_YEAR = 1990, 2100
DESCRIPTION_LENGTH = 300
DAY_ORIGINS = {
    "holiday": _l("public holiday"),
    "swapped": _l("worked in exchange (government decision)"),
    "override": _l("override of this centre"),
}


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

    column_list = ("full_name", "title", "unit", "phone", "email", "active", "public")
    column_select_related_list = (Officer.unit,)
    column_searchable_list = ("search_text",)
    column_sortable_list = ("full_name", "title", ("unit", "unit.name"), "email", "active")
    column_default_sort = "full_name"
    column_filters = ("unit.name", "title", "active", "public")
    column_labels = {
        "unit.name": _l("Unit"),  # the filter's name
        "public": _l("Contacts public"),
        "full_name": _l("Full name"),
        "title": _l("Title"),
        "unit": _l("Unit"),
        "phone": _l("Phone"),
        "email": _l("Email"),
        "active": _l("Active"),
        "updated_at": _l("Last changed"),
    }
    form_columns = ("full_name", "title", "unit", "phone", "email", "active", "public")
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

    list_template = "sodo/calendar_list.html"

    def render(self, template: str, **kwargs: Any) -> str:
        """The list, under the year's holidays and the form that adds an override."""
        if template == self.list_template:
            year = _chosen_year(request.args.get("year"))
            calendar = working_calendar(self.session)
            kwargs.update(
                year=year,
                years=(FIRST_YEAR, LAST_YEAR),
                special_days=calendar.special_days(year),
                day_origins=DAY_ORIGINS,
                can_add=self.can_write(),
                date_text=lambda day: format_date(day, "EEEE dd/MM/yyyy"),
            )
        return super().render(template, **kwargs)

    @expose("/add/", methods=("POST",))
    def add_override(self) -> ResponseReturnValue:
        """Add one override from the calendar page; bad input is refused and changes nothing."""
        if not self.can_write():
            abort(403)
        form = request.form
        day = _form_day(form.get("day", ""))
        back = url_for(".index_view", year=day.year if day else None)
        working = form.get("working") == "1"
        description = form.get("description", "").strip()
        problem = None
        if day is None:
            problem = _l(
                "Choose a valid date between %(first)d and %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        elif form.get("working") not in ("0", "1"):
            problem = _l("Choose whether the day is worked or a day off.")
        elif len(description) > DESCRIPTION_LENGTH:
            problem = _l(
                "The description is too long (at most %(n)d characters).", n=DESCRIPTION_LENGTH
            )
        elif self.session.scalar(sa.select(DayOverride.id).where(DayOverride.day == day)):
            problem = _l("That day already has an override; change it in the list below.")
        elif working_calendar(self.session).is_working_day(day) == working:
            problem = (
                _l("That day is already a working day.")
                if working
                else _l("That day is already a day off.")
            )
        if problem is not None:
            flash(str(problem), "error")
            return redirect(back)
        override = DayOverride(day=day, working=working, description=description)
        try:
            editing.save(self.session, acting_user(self.session), override, None)
        except ChangeRefused as error:
            flash(refusal_message(error), "error")
            return redirect(back)
        flash(str(_l("The calendar day was added.")), "success")
        return redirect(back)


def _chosen_year(text: str | None) -> int:
    """The year asked for in the address, this year when absent or out of range."""
    today = dt.date.today().year
    if text is None or not text.isdigit() or len(text) > 4:
        return today
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else today


def _form_day(text: str) -> dt.date | None:
    """The form's date (``YYYY-MM-DD``), or None when it is not one within the years shown."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
