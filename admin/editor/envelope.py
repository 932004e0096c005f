"""The body of a callback request, checked before Dash reads it.

Dash reads ``POST _dash-update-component`` trusting its shape: a body that is not an
object, names no callback, or whose inputs, states and outputs do not match the
callback's, makes it fail with a ``KeyError`` or a ``TypeError`` (a 500). Such a body
cannot come from dash-renderer, so it is answered with a 400 before Dash sees it. The
values inside are left to the callbacks (`inputs`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dash
from flask import abort, request

DISPATCH = "_dash-update-component"
_SCALARS = (str, int, float, bool)
_LISTED = (["ALL"], ["ALLSMALLER"])
"""Wildcards whose dependency is a list of items (``MATCH`` is one item)."""


class Malformed(Exception):
    """The body does not have the shape of a call of one of the app's callbacks."""


def check_body(body: Any, callbacks: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise `Malformed` unless `body` calls a callback of `callbacks` with its own shape.

    `callbacks` is the Dash app's ``callback_map``: by output spec, the callback's
    ``inputs`` and ``state`` (``{"id", "property"}``, ids as strings) and ``output``.
    """
    if not isinstance(body, dict):
        raise Malformed("not an object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise Malformed("no such callback")
    callback = callbacks[output]
    _check_outputs(body.get("outputs"), callback["output"])
    given = _check_part(body.get("inputs", []), callback["inputs"], "inputs")
    _check_part(body.get("state", []), callback["state"], "state")
    inputs = [(item["id"], item["property"]) for item in given]
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(_prop_id(name) in inputs for name in changed):
        raise Malformed("changedPropIds names something that is not an input")


def _check_part(values: Any, specs: list[dict[str, str]], part: str) -> list[dict[str, Any]]:
    """The items of the inputs or the states, checked against the callback's."""
    if not isinstance(values, list) or len(values) != len(specs):
        raise Malformed(f"{part} do not match the callback")
    given: list[dict[str, Any]] = []
    for value, spec in zip(values, specs, strict=True):
        given += _check_dependency(value, spec["id"], spec["property"])
    return given


def _prop_id(name: Any) -> tuple[Any, str] | None:
    """``(id, property)`` of a changed prop's name, as Dash reads it (None if it cannot)."""
    if not isinstance(name, str):
        return None
    ident, _, prop = name.rpartition(".")
    if not ident.startswith("{"):
        return ident, prop
    try:
        return json.loads(ident), prop
    except ValueError:
        return None


def _check_outputs(value: Any, registered: Any) -> None:
    outputs = registered if isinstance(registered, list | tuple) else [registered]
    given = value if isinstance(registered, list | tuple) else [value]
    if not isinstance(given, list) or len(given) != len(outputs):
        raise Malformed("outputs do not match the callback")
    for item, output in zip(given, outputs, strict=True):
        ident = output.component_id
        spec = json.dumps(ident) if isinstance(ident, dict) else ident
        _check_dependency(item, spec, output.component_property, output=True)


def _check_dependency(
    value: Any, spec: str, prop: str, *, output: bool = False
) -> list[dict[str, Any]]:
    """The items `value` holds for the dependency ``spec.prop``: one, or a list for ``ALL``."""
    pattern = json.loads(spec) if spec.startswith("{") else None
    wildcard = pattern is not None and any(v in _LISTED for v in pattern.values())
    items = value if wildcard else [value]
    if not isinstance(items, list):
        raise Malformed(f"{spec}.{prop}: not a list")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("property"), str):
            raise Malformed(f"{spec}.{prop}: not a dependency")
        given = item["property"].split("@")[0] if output else item["property"]
        if given != prop or not _same_id(item.get("id"), spec, pattern):
            raise Malformed(f"{spec}.{prop}: another component or property")
    return items


def _same_id(ident: Any, spec: str, pattern: dict[str, Any] | None) -> bool:
    if pattern is None:
        return ident == spec
    if not isinstance(ident, dict) or set(ident) != set(pattern):
        return False
    for name, wanted in pattern.items():
        value = ident[name]
        if isinstance(wanted, list):  # ALL, MATCH, ALLSMALLER: any plain value
            if not isinstance(value, _SCALARS):
                return False
        elif value != wanted or type(value) is not type(wanted):
            return False
    return True


def guard(dash_app: dash.Dash, prefix: str) -> None:
    """Answer 400 to a callback request whose body Dash could not read (`check_body`)."""
    if request.method != "POST" or request.path != f"{prefix}{DISPATCH}":
        return
    # Not silent: Werkzeug keeps a silent parse apart, and Dash would parse it again. A
    # body that is not JSON is answered here with a 400 (or 415 for another media type).
    body = request.get_json()
    try:
        check_body(body, dash_app.callback_map)
    except Malformed as problem:
        abort(400, description=str(problem))
