"""The one-stop rules: dossiers enter and results leave through the one-stop desk."""

from __future__ import annotations

import pytest
from flow_samples import findings, flow, step

from validators import RULES, Severity

CODES = {rule.code: rule for rule in RULES}

FAILING = {
    "reception-not-at-one-stop": (lambda d: step(d, "s1").update(unit="svh"), ("s1",)),
    "result-not-at-one-stop": (lambda d: step(d, "s4").update(unit="svh"), ("s4",)),
}


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_passes_on_the_base_flow(code: str) -> None:
    assert findings(flow(), code) == []


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_fails_on_its_fixture(code: str) -> None:
    change, steps = FAILING[code]
    (found,) = findings(flow(change), code)
    assert found.steps == steps
    assert found.severity is CODES[code].severity is Severity.WARNING
    assert "Sở Văn hóa, Thể thao và Du lịch" in found.message_vi


def test_a_missing_unit_is_left_to_the_reference_rules() -> None:
    doc = flow(lambda d: step(d, "s1").update(unit="nowhere"))
    assert findings(doc, "reception-not-at-one-stop") == []
    assert findings(doc, "unknown-unit")
