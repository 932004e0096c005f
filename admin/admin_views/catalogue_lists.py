"""List editors for a procedure's legal basis and fees: one row per document or fee.

Rows are added and removed with Flask-Admin's inline list (`static/sodo-admin.js` wires
its "Add" button, so no inline script is needed). What a row holds is stored in the
shape the flow document has (`workflow_model.conversion.catalogue_lists`).
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask_admin.model.fields import InlineFieldList, InlineFormField
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form, StringField
from wtforms.utils import unset_value
from wtforms.validators import Length, ValidationError

from workflow_model.conversion.catalogue_lists import (
    LegalReference,
    compose_reference,
    date_problem,
    fee_entry,
    fee_row,
    parse_reference,
)
from workflow_model.document import Fee
from workflow_model.document.limits import MAX_TEXT

from ..vocabulary import fee_text
from .base import required

# Far above any fee, far below what a JSON number or a spreadsheet cell loses.
MAX_AMOUNT = Decimal(10) ** 12


def _date_check(_form: Form, field: Any) -> None:
    if date_problem(field.data or ""):
        raise ValidationError(str(_l("Write the date as day/month/year, for example 09/6/2025.")))


def _reference_check(form: Form, _field: Any) -> None:
    reference = _reference(form)
    if not reference.number.strip() and not reference.title.strip():
        raise ValidationError(str(_l("Give the document's number or its title.")))
    if len(compose_reference(reference)) > MAX_TEXT["procedure.legal_basis"]:
        raise ValidationError(
            str(
                _l(
                    "A legal document takes at most %(count)d characters in all.",
                    count=MAX_TEXT["procedure.legal_basis"],
                )
            )
        )


class LegalReferenceForm(Form):
    """One legal document: its number, the date it was issued, and its title."""

    number = StringField(
        _l("Document number"),
        render_kw={"placeholder": "Nghị định 118/2025/NĐ-CP"},
    )
    date = StringField(
        _l("Date issued"), validators=[_date_check], render_kw={"placeholder": "09/6/2025"}
    )
    title = StringField(_l("Document title"), validators=[_reference_check])


def _reference(form: Any) -> LegalReference:
    return LegalReference(form.number.data or "", form.date.data or "", form.title.data or "")


def _amount(text: str) -> Decimal:
    """The amount typed in the user's language ("6.000.000" in Vietnamese, "0,5")."""
    try:
        value = parse_decimal(text.strip(), locale=get_locale() or "vi", strict=False)
    except (NumberFormatError, InvalidOperation):
        raise ValueError(text) from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise ValueError(text)
    return value


class AmountField(StringField):
    """A fee's amount, shown and read as the user writes numbers."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if isinstance(self.data, int | float) and math.isfinite(self.data):
            return str(format_decimal(self.data))
        return str(self.data or "0")

    def pre_validate(self, form: Form) -> None:
        """Refuse what is not an amount of 0 or more, in the user's words."""
        try:
            _amount(str(self._value()))
        except ValueError:
            raise ValidationError(
                str(_l("The amount is a number of 0 or more, such as 6.000.000 or 0."))
            ) from None


class FeeForm(Form):
    """One fee: its name, amount, unit (VND, đồng/lượt…) and an optional note."""

    name = StringField(
        _l("Name"),
        validators=[
            required(_l("A fee needs a name.")),
            Length(max=MAX_TEXT["fee.name"]),
        ],
    )
    amount = AmountField(_l("Amount"), default=0)
    currency = StringField(
        _l("Unit of the amount"),
        default="VND",
        validators=[
            required(_l("A fee needs a unit, such as VND.")),
            Length(max=MAX_TEXT["fee.currency"]),
        ],
    )
    note = StringField(_l("Note"), validators=[Length(max=MAX_TEXT["fee.note"])])


class _RowList(InlineFieldList):
    """An inline list of row forms whose model value is a plain JSON list."""

    row_form: type[Form]

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.pop("filters", None)  # Flask-Admin passes its own; a FieldList takes none
        kwargs.pop("default", None)
        super().__init__(InlineFormField(self.row_form), label, validators, **kwargs)

    def rows(self, stored: list[Any]) -> list[Any]:
        """The stored list as objects a row form reads."""
        raise NotImplementedError

    def stored(self, row: Any) -> Any:
        """One row form's content as the stored list holds it, or None when empty."""
        raise NotImplementedError

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Rows from the posted form, or else from the stored list."""
        if isinstance(data, list):
            data = self.rows(data)
        super().process(formdata, data, extra_filters)

    def populate_obj(self, obj: Any, name: str) -> None:
        """Store the rows (blank ones left out) in the stored list's shape."""
        values = [self.stored(entry.form) for entry in self.entries]
        setattr(obj, name, [value for value in values if value is not None])


class LegalBasisField(_RowList):
    """The legal basis (căn cứ pháp lý): one row per legal document."""

    row_form = LegalReferenceForm

    def rows(self, stored: list[Any]) -> list[Any]:
        """Each stored text split into number, date and title, losing nothing."""
        return [parse_reference(text) for text in stored if isinstance(text, str)]

    def stored(self, row: Any) -> Any:
        """The document's text: number, "ngày" and date, then title."""
        return compose_reference(_reference(row)) or None


class FeesField(_RowList):
    """Fees and charges (phí, lệ phí): one row per fee."""

    row_form = FeeForm

    def rows(self, stored: list[Any]) -> list[Any]:
        """Each stored fee as the document's `Fee`."""
        return [fee_entry(row) for row in stored if isinstance(row, dict)]

    def stored(self, row: Any) -> Any:
        """The fee as the procedure's column stores it."""
        amount = _amount(str(row.amount._value()))
        number = int(amount) if amount == amount.to_integral_value() else float(amount)
        fee = Fee(
            (row.name.data or "").strip(),
            number,
            (row.currency.data or "").strip() or "VND",
            (row.note.data or "").strip(),
        )
        return fee_row(fee)


def legal_basis_list(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Flask-Admin formatter: the legal basis as a list, one document a line."""
    return _list(text for text in model.legal_basis or () if isinstance(text, str))


def fees_list(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Flask-Admin formatter: the fees as a list ("Lệ phí: 6.000.000 VND")."""
    return _list(fee_text(fee_entry(row)) for row in model.fees or () if isinstance(row, dict))


def _list(items: Any) -> Markup:
    lines = [Markup("<li>{}</li>").format(item) for item in items]
    if not lines:
        return Markup("")
    return Markup('<ul class="mb-0 pl-3 sodo-list">{}</ul>').format(Markup("").join(lines))
