"""Fuzzing the loader: whatever the bytes, it returns a document or raises `DocumentError`.

Generic JSON, and the valid sample with one value replaced by a hostile one (huge
integers, deep nesting, long numbers, lone surrogates, NUL characters, long texts), as
text and as bytes, whole or cut short. A document that loads is validated as well, since
`sodo validate` does both.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from flow_samples import BASE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from validators import validate
from workflow_model.document import DocumentError, FlowDocument, load_document

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.text(alphabet=st.sampled_from("\x00\ud800\udfff>a /"), max_size=5)
    | st.just("x" * 30_000)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for name, item in value.items():
            found += _paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


PATHS = _paths(BASE)[1:]


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """The sample with one value replaced, serialised, maybe nested deep or cut short."""
    data = copy.deepcopy(BASE)
    path = draw(st.sampled_from(PATHS))
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    marker = "\u2063HOLE\u2063"
    target[path[-1]] = draw(JSON | st.just(marker))
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if marker in text:
        replacement = draw(
            st.sampled_from(
                ["[" * 2000 + "]" * 2000, "9" * 100_000, '"\\ud800"', "1e999", '{"a":1,"a":2}']
            )
        )
        text = text.replace(json.dumps(marker, ensure_ascii=False), replacement).replace(
            json.dumps(marker), replacement
        )
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


def _load(source: str | bytes) -> FlowDocument | None:
    try:
        document = load_document(source)
    except DocumentError as error:
        assert "\n" not in str(error) and str(error)
        return None
    validate(document)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text())
def test_a_changed_sample_loads_or_raises_document_error(text: str) -> None:
    _load(text)
    _load(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
# A field name with a newline once made a two-line message.
@example({"\n": None})
@example({"procedure": {"\u2028": 1}})
def test_any_json_loads_or_raises_document_error(value: Any) -> None:
    _load(json.dumps(value))
    _load(json.dumps({"format": "sodo.flow/1", **value}) if isinstance(value, dict) else "[]")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_load_or_raise_document_error(raw: bytes) -> None:
    _load(raw)
