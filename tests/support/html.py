"""Reading pages the way a browser does, with lxml's HTML parser.

Every test that needs the forms of a page, or the CSRF token it carries, reads them here
instead of with a parser or pattern of its own.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html

# What a browser leaves out of a form's data set.
_NOT_SUBMITTED = frozenset({"submit", "button", "file", "reset", "image"})


def _document(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def _fields(form: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if name is None:
            continue
        if element.tag == "input":
            kind = element.get("type", "text")
            if kind in _NOT_SUBMITTED or (
                kind in ("checkbox", "radio") and "checked" not in element.attrib
            ):
                continue
            fields.append((name, element.get("value", "")))
        elif element.tag == "select":
            options = list(element.iter("option"))
            chosen = [o.get("value", "") for o in options if "selected" in o.attrib]
            if not chosen and "multiple" not in element.attrib and options:
                chosen = [options[0].get("value", "")]
            fields += [(name, value) for value in chosen]
        else:
            # A browser drops the line break that follows <textarea>.
            fields.append((name, re.sub(r"^\r?\n", "", element.text or "")))
    return fields


def page_forms(html: str) -> list[dict[str, Any]]:
    """The forms of `html` with what a browser would submit: checked boxes, selected options.

    Each form is ``{"action": ..., "class": ..., "fields": [(name, value), ...]}``.

    >>> page_forms('<form action="/a"><input name="q" value="x"><select name="s">'
    ...            '<option value="1">one</option><option value="2">two</option></select>'
    ...            '<input type="checkbox" name="c"></form>')
    [{'action': '/a', 'class': '', 'fields': [('q', 'x'), ('s', '1')]}]
    """
    return [
        {"action": form.get("action", ""), "class": form.get("class", ""), "fields": _fields(form)}
        for form in _document(html).iter("form")
    ]


def csrf_token(html: str) -> str:
    """The CSRF token a page carries in its forms (the first one, they are all the same)."""
    found = _document(html).xpath('//input[@name="csrf_token"]/@value')
    assert found, "no CSRF token in the page"
    return str(found[0])
