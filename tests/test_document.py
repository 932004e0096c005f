"""The flow document: strict loading with JSON paths, canonical JSON and its hash."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import sample_paths

from workflow_model.document import (
    DocumentError,
    Duration,
    document_hash,
    document_to_dict,
    dump_document,
    load_document,
)
from workflow_model.models import Join, Split, StepKind, TimeUnit

SAMPLES = sample_paths()


def minimal() -> dict[str, Any]:
    return {
        "format": "sodo.flow/1",
        "procedure": {
            "code": "1.000001",
            "name": "Cấp bản sao trích lục hộ tịch",
            "level": "commune",
            "field": "Hộ tịch",
            "legal_time": {"value": 1, "unit": "working_day"},
            "result": "Bản sao trích lục",
            "legal_basis": [],
            "fees": [],
            "dossier_components": [],
        },
        "units": [
            {
                "key": "tt",
                "name": "Bộ phận Một cửa",
                "level": "commune",
                "one_stop": True,
                "parent": None,
            }
        ],
        "officers": [],
        "steps": [
            {
                "key": "s1",
                "name": "Tiếp nhận",
                "kind": "start",
                "unit": "tt",
                "officers": [],
                "duration": {"value": 0.5, "unit": "working_day"},
            },
            {
                "key": "s2",
                "name": "Trả kết quả",
                "kind": "end",
                "unit": "tt",
                "officers": [],
                "duration": {"value": 4, "unit": "working_hour"},
            },
        ],
        "transitions": [{"from": "s1", "to": "s2", "label": ""}],
    }


def load_error(data: Any) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(data)
    return str(caught.value)


def test_minimal_document_loads_with_defaults() -> None:
    doc = load_document(minimal())
    assert doc.procedure.legal_time == Duration(1, TimeUnit.WORKING_DAY)
    assert doc.steps[0].kind is StepKind.START
    assert doc.steps[0].split is Split.EXCLUSIVE and doc.steps[0].join is Join.ANY
    assert doc.steps[0].duration.hours == 4
    assert doc.transitions[0].source == "s1" and doc.transitions[0].target == "s2"
    assert doc.layout == {} and doc.source is None


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_loads_and_dumps_stably(path: Path) -> None:
    doc = load_document(path.read_bytes())
    dumped = dump_document(doc)
    again = load_document(dumped)
    assert again == doc
    assert dump_document(again) == dumped
    assert document_hash(doc) == hashlib.sha256(dumped).hexdigest()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_content_is_kept_exactly(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    dumped = json.loads(dump_document(load_document(path.read_bytes())))
    assert dumped["procedure"]["name"] == original["procedure"]["name"]
    assert dumped["source"] == original["source"]
    for mine, theirs in zip(dumped["steps"], original["steps"], strict=True):
        for key, value in theirs.items():
            assert mine[key] == value, (theirs["key"], key)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    dumped = dump_document(load_document(minimal()))
    text = dumped.decode("utf-8")
    assert "Cấp bản sao trích lục hộ tịch" in text  # not \u escapes
    assert ": " not in text and ", " not in text.replace("Tiếp nhận, ", "")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["procedure"]) == sorted(data["procedure"])


def test_integral_numbers_dump_alike_whatever_their_json_spelling() -> None:
    a, b = minimal(), minimal()
    b["procedure"]["legal_time"]["value"] = 1.0
    b["steps"][1]["duration"]["value"] = 4.0
    assert dump_document(load_document(a)) == dump_document(load_document(b))
    assert document_hash(load_document(a)) == document_hash(load_document(b))


def test_implicit_and_explicit_defaults_hash_alike() -> None:
    explicit = minimal()
    explicit["steps"][0].update(
        {"split": "exclusive", "join": "any", "documents": [], "description": ""}
    )
    assert document_hash(load_document(explicit)) == document_hash(load_document(minimal()))


def test_hash_changes_with_content() -> None:
    changed = minimal()
    changed["steps"][0]["name"] = "Tiếp nhận hồ sơ"
    assert document_hash(load_document(changed)) != document_hash(load_document(minimal()))


def test_dict_of_document_has_every_field_explicit() -> None:
    step = document_to_dict(load_document(minimal()))["steps"][0]
    assert set(step) == {
        "key",
        "name",
        "kind",
        "unit",
        "officers",
        "duration",
        "documents",
        "split",
        "join",
        "description",
    }


# ----------------------------------------------------------------- bad input, with paths


def test_invalid_json_names_line_and_column() -> None:
    message = load_error(b'{"format": "sodo.flow/1",\n "steps": [}')
    assert "invalid JSON at line 2" in message


def test_non_utf8_bytes_give_a_clear_error() -> None:
    raw = json.dumps(minimal(), ensure_ascii=False).encode("utf-16")
    assert "not UTF-8 text" in load_error(raw)
    latin = json.dumps(minimal(), ensure_ascii=False).encode("cp1258", errors="replace")
    assert "not UTF-8 text" in load_error(latin)


def test_utf8_byte_order_mark_is_accepted() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps(minimal(), ensure_ascii=False).encode("utf-8")
    assert load_document(raw).procedure.name == "Cấp bản sao trích lục hộ tịch"


@pytest.mark.parametrize("value", ["sodo.flow/2", "sodo.flow", 1, None])
def test_unknown_format_is_refused(value: Any) -> None:
    data = minimal()
    data["format"] = value
    message = load_error(data)
    assert message.startswith("format: unsupported format")


def test_missing_format_is_refused() -> None:
    data = minimal()
    del data["format"]
    assert load_error(data).startswith("format: required field is missing")


def test_not_an_object() -> None:
    assert load_error("[]") == "(document): expected a JSON object, got a list"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["steps"][1]["duration"].update(value=-1),
            "steps[1].duration.value: expected a number ≥ 0, got -1",
        ),
        (
            lambda d: d["steps"][1]["duration"].update(value="4"),
            "steps[1].duration.value: expected a number ≥ 0, got a string",
        ),
        (
            lambda d: d["steps"][1]["duration"].update(value=True),
            "steps[1].duration.value: expected a number ≥ 0, got a boolean",
        ),
        (
            lambda d: d["steps"][0].update(kind="gateway"),
            'steps[0].kind: expected one of start, task, end, got "gateway"',
        ),
        (lambda d: d["steps"][0].pop("duration"), "steps[0].duration: required field is missing"),
        (
            lambda d: d["procedure"].pop("legal_time"),
            "procedure.legal_time: required field is missing",
        ),
        (
            lambda d: d["procedure"]["legal_time"].update(unit="day"),
            'procedure.legal_time.unit: expected one of working_day, working_hour, got "day"',
        ),
        (
            lambda d: d["units"][0].update(one_stop="yes"),
            "units[0].one_stop: expected true or false, got a string",
        ),
        (lambda d: d["units"].append(7), "units[1]: expected an object, got a number"),
        (lambda d: d.update(steps={}), "steps: expected a list, got an object"),
        (lambda d: d["steps"][0].update(colour="red"), "steps[0].colour: unknown field"),
        (lambda d: d["steps"][0].update(key=""), "steps[0].key: expected a key of 1 to 64"),
        (lambda d: d["transitions"][0].pop("to"), "transitions[0].to: required field is missing"),
        (lambda d: d.update(layout={"s1": {"x": 1}}), "layout.s1.y: required field is missing"),
        (
            lambda d: d["procedure"]["dossier_components"].append(
                {"key": "d1", "name": "Đơn", "copies": -1}
            ),
            "procedure.dossier_components[0].copies: expected a whole number from 0 to 1000",
        ),
    ],
)
def test_wrong_types_and_missing_keys_name_the_path(change: Any, expected: str) -> None:
    data = minimal()
    change(data)
    assert expected in load_error(data)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(constant: str) -> None:
    text = json.dumps(minimal()).replace('"value": 4', f'"value": {constant}')
    assert "steps[1].duration.value: expected a number ≥ 0, got the non-finite" in load_error(text)


def test_non_finite_number_in_a_parsed_dict_is_refused() -> None:
    data = minimal()
    data["layout"] = {"s1": {"x": float("nan"), "y": 0}}
    assert "layout.s1.x: expected a number, got the non-finite nan" in load_error(data)


def test_every_error_is_reported_at_once() -> None:
    data = minimal()
    data["steps"][0]["kind"] = "x"
    data["steps"][1]["duration"]["value"] = -2
    with pytest.raises(DocumentError) as caught:
        load_document(data)
    assert len(caught.value.errors) == 2


def test_duplicate_names_in_an_object_are_refused() -> None:
    assert "appears twice" in load_error('{"format": "sodo.flow/1", "format": "sodo.flow/1"}')


def test_broken_references_are_not_load_errors() -> None:
    data = minimal()
    data["steps"][0]["unit"] = "nowhere"
    data["transitions"].append({"from": "s1", "to": "s9"})
    doc = load_document(data)
    assert doc.steps[0].unit == "nowhere"


def test_loading_does_not_keep_references_to_the_input() -> None:
    data = minimal()
    data["source"] = {"decision": "QĐ 1/QĐ-UBND", "rows": [1, 2]}
    doc = load_document(copy.deepcopy(data))
    data["source"]["rows"].append(3)
    assert doc.source == {"decision": "QĐ 1/QĐ-UBND", "rows": [1, 2]}
