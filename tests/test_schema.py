"""The JSON Schema of `sodo.flow/1` agrees with the strict loader."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from workflow_model.document import DocumentError, dump_document, load_document
from workflow_model.document.limits import (
    KEY_PATTERN,
    MAX_DURATION,
    MAX_KEY_LENGTH,
    MAX_STEPS,
    MAX_TEXT,
    MAX_TRANSITIONS,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "workflow_model" / "schema" / "flow-1.schema.json"
SAMPLES = sorted((ROOT / "workflow_model" / "demo_data" / "flows").glob("*.json"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(data)]


def _base() -> dict[str, Any]:
    """A small document that uses every field, valid for both the schema and the loader."""
    return {
        "format": "sodo.flow/1",
        "procedure": {
            "code": "1.009645.H05",
            "name": "Chấp thuận chủ trương đầu tư của UBND cấp tỉnh",
            "level": "province",
            "field": "Đầu tư",
            "legal_time": {"value": 17, "unit": "working_day"},
            "result": "Quyết định chấp thuận chủ trương đầu tư",
            "legal_basis": ["Luật Đầu tư số 61/2020/QH14"],
            "fees": [{"name": "Lệ phí", "amount": 0, "currency": "VND"}],
            "dossier_components": [
                {
                    "key": "d1",
                    "name": "Văn bản đề nghị thực hiện dự án",
                    "originals": 1,
                    "copies": 0,
                    "form": "Mẫu A.I.1",
                }
            ],
            "case": {"key": "2.2", "name": "Trường hợp dự án có quy mô lớn"},
        },
        "units": [
            {
                "key": "ttpvhcc",
                "name": "Trung tâm Phục vụ hành chính công tỉnh",
                "level": "province",
                "one_stop": True,
                "parent": None,
            },
            {
                "key": "stc-ptdt",
                "name": "Phòng Quản lý đầu tư",
                "level": "province",
                "one_stop": False,
                "parent": "stc",
            },
            {
                "key": "stc",
                "name": "Sở Tài chính",
                "level": "province",
                "one_stop": False,
                "parent": None,
            },
        ],
        "officers": [
            {
                "key": "o1",
                "name": "Nguyễn Văn An",
                "title": "Chuyên viên",
                "phone": "0222 3810 111",
                "email": "an.nv@example.gov.vn",
                "unit": "ttpvhcc",
            }
        ],
        "steps": [
            {
                "key": "s1",
                "name": "Tiếp nhận, số hoá hồ sơ",
                "kind": "start",
                "unit": "ttpvhcc",
                "officers": ["o1"],
                "duration": {"value": 0.5, "unit": "working_day"},
                "documents": ["d1"],
                "description": "Kiểm tra tính đầy đủ của hồ sơ",
            },
            {
                "key": "s2",
                "name": "Thẩm định hồ sơ",
                "kind": "task",
                "unit": "stc-ptdt",
                "officers": [],
                "duration": {"value": 4, "unit": "working_hour"},
                "split": "exclusive",
                "join": "any",
            },
            {
                "key": "s3",
                "name": "Trả kết quả",
                "kind": "end",
                "unit": None,
                "officers": ["o1"],
                "duration": {"value": 0, "unit": "working_hour"},
            },
        ],
        "transitions": [
            {"from": "s1", "to": "s2", "label": ""},
            {"from": "s2", "to": "s3"},
        ],
        "layout": {"s1": {"x": 0, "y": 0}, "s2": {"x": 220.5, "y": -10}, "s3": {"x": 440, "y": 0}},
        "source": {"portal": "dichvucong.gov.vn", "fetched": [2025, {"nested": None}]},
    }


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(path: tuple[str | int, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def _changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(_base())
    change(data)
    return data


@pytest.mark.parametrize("path", SAMPLES, ids=[path.name for path in SAMPLES])
def test_sample_is_valid(validator: Draft202012Validator, path: Path) -> None:
    raw = path.read_bytes()
    assert _errors(validator, json.loads(raw.decode("utf-8"))) == []
    load_document(raw)


@pytest.mark.parametrize("path", SAMPLES, ids=[path.name for path in SAMPLES])
def test_canonical_dump_of_sample_is_valid(validator: Draft202012Validator, path: Path) -> None:
    canonical = json.loads(dump_document(load_document(path.read_bytes())))
    assert _errors(validator, canonical) == []


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 1


def test_base_document_is_valid(validator: Draft202012Validator) -> None:
    data = _base()
    assert _errors(validator, data) == []
    assert _errors(validator, json.loads(dump_document(load_document(data)))) == []


VALID_CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "case-null": _set(("procedure", "case"), None),
    "case-left-out": _delete(("procedure", "case")),
    "source-null": _set(("source",), None),
    "source-left-out": _delete(("source",)),
    "layout-left-out": _delete(("layout",)),
    "layout-empty": _set(("layout",), {}),
    "fee-currency-left-out": _delete(("procedure", "fees", 0, "currency")),
    "component-minimal": _set(("procedure", "dossier_components", 0), {"key": "d1", "name": "X"}),
    "step-minimal": _set(
        ("steps", 1),
        {
            "key": "s2",
            "name": "Thẩm định",
            "kind": "task",
            "unit": None,
            "officers": [],
            "duration": {"value": 0.25, "unit": "working_day"},
        },
    ),
    "split-parallel": _set(("steps", 1, "split"), "parallel"),
    "join-all": _set(("steps", 1, "join"), "all"),
    "key-of-64-characters": _set(("units", 0, "key"), "k" * 64),
    "vietnamese-key": _set(("officers", 0, "key"), "cán-bộ-1"),
    "longest-step-name": _set(("steps", 0, "name"), "n" * 1000),
    "longest-duration": _set(("steps", 0, "duration", "value"), 100_000),
    "far-layout": _set(("layout", "s1", "x"), -1_000_000),
    "most-copies": _set(("procedure", "dossier_components", 0, "copies"), 1000),
}


@pytest.mark.parametrize("change", VALID_CHANGES.values(), ids=VALID_CHANGES.keys())
def test_schema_and_loader_both_accept(
    validator: Draft202012Validator, change: Callable[[dict[str, Any]], None]
) -> None:
    data = _changed(change)
    assert _errors(validator, data) == []
    load_document(data)


INVALID_CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "wrong-format": _set(("format",), "sodo.flow/2"),
    "format-missing": _delete(("format",)),
    "procedure-missing": _delete(("procedure",)),
    "transitions-missing": _delete(("transitions",)),
    "legal-time-missing": _delete(("procedure", "legal_time")),
    "unit-parent-missing": _delete(("units", 0, "parent")),
    "officer-email-missing": _delete(("officers", 0, "email")),
    "step-duration-missing": _delete(("steps", 0, "duration")),
    "transition-to-missing": _delete(("transitions", 0, "to")),
    "layout-y-missing": _delete(("layout", "s1", "y")),
    "units-not-a-list": _set(("units",), {"ttpvhcc": {}}),
    "name-not-a-string": _set(("procedure", "name"), 42),
    "one-stop-not-a-boolean": _set(("units", 0, "one_stop"), "true"),
    "duration-value-a-string": _set(("steps", 0, "duration", "value"), "0.5"),
    "duration-value-a-boolean": _set(("steps", 0, "duration", "value"), True),
    "officer-unit-null": _set(("officers", 0, "unit"), None),
    "officers-not-keys": _set(("steps", 0, "officers"), [1]),
    "layout-x-a-string": _set(("layout", "s1", "x"), "0"),
    "source-a-list": _set(("source",), []),
    "case-a-string": _set(("procedure", "case"), "2.2"),
    "negative-step-duration": _set(("steps", 1, "duration", "value"), -1),
    "negative-legal-time": _set(("procedure", "legal_time", "value"), -0.5),
    "negative-fee": _set(("procedure", "fees", 0, "amount"), -1000),
    "negative-copies": _set(("procedure", "dossier_components", 0, "copies"), -1),
    "fractional-originals": _set(("procedure", "dossier_components", 0, "originals"), 1.5),
    "empty-key": _set(("steps", 0, "key"), ""),
    "key-of-65-characters": _set(("units", 0, "key"), "k" * 65),
    "unknown-top-level-field": _set(("revision",), 1),
    "export-version-not-an-object": _set(("version",), 1),
    "unknown-procedure-field": _set(("procedure", "agency"), "UBND"),
    "unknown-case-field": _set(("procedure", "case", "legal_time"), 10),
    "unknown-step-field": _set(("steps", 0, "assignee"), "o1"),
    "unknown-duration-field": _set(("steps", 0, "duration", "calendar"), "vn"),
    "unknown-transition-field": _set(("transitions", 0, "condition"), "ok"),
    "unknown-layout-field": _set(("layout", "s1", "z"), 0),
    "unknown-fee-field": _set(("procedure", "fees", 0, "remark"), ""),
    "bad-kind": _set(("steps", 0, "kind"), "begin"),
    "bad-time-unit": _set(("steps", 0, "duration", "unit"), "day"),
    "bad-legal-time-unit": _set(("procedure", "legal_time", "unit"), "calendar_day"),
    "bad-split": _set(("steps", 1, "split"), "inclusive"),
    "bad-join": _set(("steps", 1, "join"), "first"),
    # The bounds of workflow_model.document.limits: what the database or the editor refuse.
    "key-with-a-gt": _set(("steps", 0, "key"), "a>b"),
    "key-with-a-space": _set(("units", 0, "key"), "tt 1"),
    "key-with-a-slash": _set(("procedure", "code"), "COL/1"),
    "key-starting-with-a-dash": _set(("officers", 0, "key"), "-o1"),
    "layout-name-not-a-key": _set(("layout", "a>b"), {"x": 0, "y": 0}),
    "level-key-of-33-characters": _set(("units", 0, "level"), "l" * 33),
    "step-name-too-long": _set(("steps", 0, "name"), "n" * 1001),
    "unit-name-too-long": _set(("units", 0, "name"), "n" * 301),
    "officer-phone-too-long": _set(("officers", 0, "phone"), "0" * 51),
    "procedure-result-too-long": _set(("procedure", "result"), "r" * 2001),
    "label-too-long": _set(("transitions", 0, "label"), "l" * 1001),
    "nul-in-a-name": _set(("steps", 0, "name"), "Tiếp\u0000nhận"),
    "duration-beyond-the-database": _set(("steps", 0, "duration", "value"), 100_001),
    "legal-time-beyond-the-database": _set(("procedure", "legal_time", "value"), 1e6),
    "copies-beyond-an-integer": _set(("procedure", "dossier_components", 0, "copies"), 2**31),
    "layout-too-far": _set(("layout", "s1", "y"), 1e7),
    "too-many-steps": lambda d: d["steps"].extend(
        dict(d["steps"][-1], key=f"x{i}") for i in range(MAX_STEPS)
    ),
    "too-many-transitions": lambda d: d["transitions"].extend(
        [dict(d["transitions"][0])] * MAX_TRANSITIONS
    ),
}


@pytest.mark.parametrize("change", INVALID_CHANGES.values(), ids=INVALID_CHANGES.keys())
def test_schema_and_loader_both_reject(
    validator: Draft202012Validator, change: Callable[[dict[str, Any]], None]
) -> None:
    data = _changed(change)
    assert _errors(validator, data) != []
    with pytest.raises(DocumentError):
        load_document(data)


@pytest.mark.parametrize("document", [None, [], "sodo.flow/1", 1], ids=repr)
def test_schema_and_loader_reject_a_document_that_is_not_an_object(
    validator: Draft202012Validator, document: Any
) -> None:
    assert _errors(validator, document) != []
    with pytest.raises(DocumentError):
        load_document(json.dumps(document))


def test_schema_states_the_bounds_of_the_loader() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    key = defs["key"]
    assert key["pattern"].encode().decode("unicode_escape") == KEY_PATTERN
    assert key["maxLength"] == MAX_KEY_LENGTH
    assert schema["properties"]["steps"]["maxItems"] == MAX_STEPS
    assert schema["properties"]["transitions"]["maxItems"] == MAX_TRANSITIONS
    assert defs["duration"]["properties"]["value"]["maximum"] == MAX_DURATION
    stated = {
        f"{name}.{field}": spec["maxLength"]
        for name, definition in defs.items()
        for field, spec in definition.get("properties", {}).items()
        if "maxLength" in spec
    }
    stated["procedure.legal_basis"] = defs["procedure"]["properties"]["legal_basis"]["items"][
        "maxLength"
    ]
    renamed = {"dossierComponent": "component"}
    assert {
        ".".join([renamed.get(k.split(".")[0], k.split(".")[0]), k.split(".")[1]]): v
        for k, v in stated.items()
    } == MAX_TEXT
