"""A small, valid flow to mutate in rule tests: every rule passes on it as it is."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from validators import Finding, validate
from workflow_model.document import FlowDocument, load_document

BASE: dict[str, Any] = {
    "format": "sodo.flow/1",
    "procedure": {
        "code": "1.000894",
        "name": "Cấp giấy phép kinh doanh karaoke",
        "level": "province",
        "field": "Văn hóa",
        "legal_time": {"value": 4, "unit": "working_day"},
        "result": "Giấy phép",
        "legal_basis": ["Nghị định 54/2019/NĐ-CP"],
        "fees": [{"name": "Phí thẩm định", "amount": 6000000, "currency": "VND"}],
        "dossier_components": [{"key": "d1", "name": "Đơn đề nghị", "originals": 1, "copies": 0}],
    },
    "units": [
        {
            "key": "tt",
            "name": "Trung tâm Phục vụ hành chính công",
            "level": "province",
            "one_stop": True,
            "parent": None,
        },
        {
            "key": "svh",
            "name": "Sở Văn hóa, Thể thao và Du lịch",
            "level": "province",
            "one_stop": False,
            "parent": None,
        },
        {
            "key": "svh-qlvh",
            "name": "Phòng Quản lý văn hóa",
            "level": "province",
            "one_stop": False,
            "parent": "svh",
        },
    ],
    "officers": [
        {
            "key": "o1",
            "name": "Nguyễn Văn An",
            "title": "Chuyên viên",
            "phone": "0912 345 678",
            "email": "an.nv@example.gov.vn",
            "unit": "tt",
        },
        {
            "key": "o2",
            "name": "Trần Thị Bình",
            "title": "Chuyên viên",
            "phone": "0222.3810.111",
            "email": "binh.tt@example.gov.vn",
            "unit": "svh-qlvh",
        },
        {
            "key": "o3",
            "name": "Lê Văn Cường",
            "title": "Phó Giám đốc Sở",
            "phone": "+84 222 3810 222",
            "email": "cuong.lv@example.gov.vn",
            "unit": "svh",
        },
    ],
    "steps": [
        {
            "key": "s1",
            "name": "Tiếp nhận hồ sơ",
            "kind": "start",
            "unit": "tt",
            "officers": ["o1"],
            "duration": {"value": 0.5, "unit": "working_day"},
            "documents": ["d1"],
        },
        {
            "key": "s2",
            "name": "Thẩm định hồ sơ",
            "kind": "task",
            "unit": "svh-qlvh",
            "officers": ["o2"],
            "duration": {"value": 2, "unit": "working_day"},
            "split": "exclusive",
        },
        {
            "key": "s3",
            "name": "Lãnh đạo Sở ký",
            "kind": "task",
            "unit": "svh",
            "officers": ["o3"],
            "duration": {"value": 8, "unit": "working_hour"},
        },
        {
            "key": "s4",
            "name": "Trả kết quả",
            "kind": "end",
            "unit": "tt",
            "officers": ["o1"],
            "duration": {"value": 0.5, "unit": "working_day"},
        },
        {
            "key": "s5",
            "name": "Trả lại hồ sơ",
            "kind": "end",
            "unit": "tt",
            "officers": ["o1"],
            "duration": {"value": 0, "unit": "working_day"},
        },
    ],
    "transitions": [
        {"from": "s1", "to": "s2", "label": ""},
        {"from": "s2", "to": "s3", "label": "Đủ điều kiện"},
        {"from": "s2", "to": "s5", "label": "Không đủ điều kiện"},
        {"from": "s3", "to": "s4", "label": ""},
    ],
    "layout": {"s1": {"x": 0, "y": 0}, "s2": {"x": 220, "y": 0}},
}


def flow(change: Callable[[dict[str, Any]], object] | None = None) -> FlowDocument:
    """Return the base flow, after `change` mutates a deep copy of its JSON data."""
    data = copy.deepcopy(BASE)
    if change is not None:
        change(data)
    return load_document(data)


def step(data: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON data of the step `key` in `data`."""
    return next(s for s in data["steps"] if s["key"] == key)


def findings(doc: FlowDocument, code: str) -> list[Finding]:
    """The findings of one rule on `doc`."""
    return [f for f in validate(doc).findings if f.code == code]
