"""Bodies of Dash callback requests, as dash-renderer posts them, for forged-request tests.

A test names the input that fires (``"id.property"``), the values the page would hold
(``known``, by ``"id.property"``) and the items of pattern-matching inputs (``ALL``);
`callback_body` finds the callback in the app's ``_dash-dependencies`` and fills in
every input and state it declares.
"""

from __future__ import annotations

import json
from typing import Any

CALLBACK = "/editor/_dash-update-component"


def pattern(raw: str) -> dict[str, Any] | None:
    """The id of a pattern-matching component (``{"edit":"undo"}``), or None."""
    return json.loads(raw) if raw.startswith("{") else None


def outputs(spec: str) -> list[dict[str, Any]] | dict[str, Any]:
    """The ``outputs`` of a body, from a callback's ``output`` spec."""
    parts = []
    for part in spec.strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        parts.append({"id": pattern(ident) or ident, "property": prop.split("@")[0]})
    return parts if spec.startswith("..") else parts[0]


def find_callback(dependencies: list[dict[str, Any]], trigger: str, output: str) -> dict[str, Any]:
    """The callback with the input `trigger` (``"id.property"``) whose outputs name `output`.

    A single output is named by its ``"id.property"``, several by a part of their spec.
    """
    candidates = [
        callback
        for callback in dependencies
        if any(f"{i['id']}.{i['property']}" == trigger for i in callback["inputs"])
    ]
    for callback in candidates:
        if callback["output"].split("@")[0] == output:
            return callback
    for callback in candidates:
        if callback["output"].startswith("..") and output in callback["output"]:
            return callback
    raise AssertionError(f"no callback on {trigger} with {output}")


def callback_body(
    dependencies: list[dict[str, Any]],
    trigger: str,
    changed: str,
    known: dict[str, Any],
    *,
    output: str = "lock.data",
    patterns: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """The body of the callback fired by `trigger`, with the page's values `known`."""
    callback = find_callback(dependencies, trigger, output)

    def entry(spec: dict[str, str]) -> Any:
        key = f"{spec['id']}.{spec['property']}"
        if "ALL" in spec["id"]:
            return (patterns or {}).get(key, [])
        ident = pattern(spec["id"]) or spec["id"]
        return {"id": ident, "property": spec["property"], "value": known.get(key)}

    return {
        "output": callback["output"],
        "outputs": outputs(callback["output"]),
        "inputs": [entry(spec) for spec in callback["inputs"]],
        "state": [entry(spec) for spec in callback["state"]],
        "changedPropIds": [changed],
    }


def click(role: str, name: Any) -> tuple[str, dict[str, list[Any]]]:
    """The trigger and pattern items of a click on the button ``{role: name}``."""
    item = {"id": {role: name}, "property": "n_clicks", "value": 1}
    changed = json.dumps({role: name}, separators=(",", ":")) + ".n_clicks"
    return changed, {f'{{"{role}":["ALL"]}}.n_clicks': [item]}


def save_request(kind: str, key: str, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The trigger and page value of the inspector's form saving itself (``editor.js``)."""
    data = {"form": {"kind": kind, "key": key}, "fields": fields, "seq": 1}
    return "save-request.data", {"save-request.data": data}
