"""The reference rules, each with a passing and a failing fixture."""

from __future__ import annotations

import pytest
from flow_samples import findings, flow, step

from validators import RULES, Severity

CODES = {rule.code: rule for rule in RULES}

FAILING = {
    "duplicate-key": (lambda d: d["steps"].append(dict(step(d, "s3"))), ("s3",), "s3"),
    "unknown-step": (
        lambda d: d["transitions"].append({"from": "s3", "to": "s9", "label": ""}),
        ("s3",),
        "s9",
    ),
    "unknown-unit": (lambda d: step(d, "s2").update(unit="sxd"), ("s2",), "sxd"),
    "unknown-officer": (lambda d: step(d, "s2").update(officers=["o9"]), ("s2",), "o9"),
    "unknown-document": (lambda d: step(d, "s1").update(documents=["d7"]), ("s1",), "d7"),
    "step-without-unit": (lambda d: step(d, "s3").update(unit=None), ("s3",), "Lãnh đạo Sở ký"),
}


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_passes_on_the_base_flow(code: str) -> None:
    assert findings(flow(), code) == []


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_fails_on_its_fixture(code: str) -> None:
    change, steps, mentioned = FAILING[code]
    found = findings(flow(change), code)
    assert found, f"{code} found nothing"
    assert found[0].severity is CODES[code].severity is Severity.ERROR
    assert found[0].steps == steps
    assert mentioned in found[0].message_vi and mentioned in found[0].message_en


@pytest.mark.parametrize(
    ("change", "mentioned"),
    [
        (lambda d: d["units"].append(dict(d["units"][0])), "“tt” được dùng cho 2 đơn vị"),
        (lambda d: d["officers"].append(dict(d["officers"][0])), "“o1” được dùng cho 2 cán bộ"),
        (
            lambda d: d["procedure"]["dossier_components"].append(
                dict(d["procedure"]["dossier_components"][0])
            ),
            "“d1” được dùng cho 2 thành phần hồ sơ",
        ),
    ],
)
def test_duplicate_keys_in_every_list(change, mentioned: str) -> None:
    (found,) = findings(flow(change), "duplicate-key")
    assert mentioned in found.message_vi
    assert found.steps == ()


def test_unknown_unit_of_an_officer_and_of_a_parent() -> None:
    def broken(data):
        data["officers"][1]["unit"] = "nowhere"
        data["units"][2]["parent"] = "gone"

    messages = [f.message_en for f in findings(flow(broken), "unknown-unit")]
    assert any("“nowhere”" in m and "officer" in m for m in messages)
    assert any("“gone”" in m and "parent" in m for m in messages)


def test_layout_entry_for_a_missing_step() -> None:
    doc = flow(lambda d: d["layout"].update({"s42": {"x": 1, "y": 2}}))
    (found,) = findings(doc, "unknown-step")
    assert "s42" in found.message_vi and found.transitions == ()


def test_unknown_step_is_left_out_of_the_graph_rules() -> None:
    doc = flow(lambda d: d["transitions"].append({"from": "s9", "to": "s4", "label": ""}))
    assert findings(doc, "unknown-step")
    assert findings(doc, "unreachable-step") == [] and findings(doc, "cycle") == []
