"""The contact rules: officers on steps, their units, phones and emails."""

from __future__ import annotations

import dataclasses

import pytest
from flow_samples import findings, flow, step

from validators import RULES, Severity
from workflow_model.contacts import email_problem, is_valid_phone

CODES = {rule.code: rule for rule in RULES}

FAILING = {
    "invalid-phone": (lambda d: d["officers"][1].update(phone="12345"), ("s2",)),
    "invalid-email": (lambda d: d["officers"][2].update(email="cuong.lv@"), ("s3",)),
    "step-without-officer": (lambda d: step(d, "s3").update(officers=[]), ("s3",)),
    "officer-unit-mismatch": (lambda d: step(d, "s2").update(officers=["o1"]), ("s2",)),
}


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_passes_on_the_base_flow(code: str) -> None:
    assert findings(flow(), code) == []


@pytest.mark.parametrize("code", sorted(FAILING))
def test_rule_fails_on_its_fixture(code: str) -> None:
    change, steps = FAILING[code]
    found = findings(flow(change), code)
    assert found and found[0].steps == steps
    assert found[0].severity is CODES[code].severity


def test_severities() -> None:
    assert CODES["invalid-phone"].severity is Severity.ERROR
    assert CODES["invalid-email"].severity is Severity.ERROR
    assert CODES["step-without-officer"].severity is Severity.WARNING
    assert CODES["officer-unit-mismatch"].severity is Severity.WARNING


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "091-234-5678",
        "0222 3810 111",
        "02223810111",
        "+84912345678",
        "+84 222 3810 111",
        "0222.3810.111",
    ],
)
def test_vietnamese_phone_numbers_are_valid(phone: str) -> None:
    assert is_valid_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "12345",
        "091234567",
        "09123456789",
        "0312 345 6789",
        "+85 912 345 678",
        "0912/345/678",
        "số 0912345678",
        "+840912345678",
    ],
)
def test_other_phone_numbers_are_not(phone: str) -> None:
    assert not is_valid_phone(phone)


@pytest.mark.parametrize("email", ["", "an.nv", "an@", "an nv@example.gov.vn", "an@@x.vn"])
def test_invalid_emails_are_explained(email: str) -> None:
    assert email_problem(email)


def test_internationalised_email_is_valid() -> None:
    assert email_problem("nguyễn.văn.an@example.gov.vn") is None


def test_empty_contacts_name_the_officer() -> None:
    (found,) = findings(flow(lambda d: d["officers"][0].update(phone="")), "invalid-phone")
    assert "Nguyễn Văn An" in found.message_vi and "(trống)" in found.message_vi
    assert found.steps == ("s1", "s4", "s5")


def test_officer_of_a_sub_unit_matches_its_parent_unit() -> None:
    # o2 belongs to svh-qlvh, below svh: in charge of a step at svh is fine.
    assert (
        findings(flow(lambda d: step(d, "s3").update(officers=["o2"])), "officer-unit-mismatch")
        == []
    )
    # The other way round (a department officer on a step of its sub-unit) is not.
    assert findings(flow(lambda d: step(d, "s2").update(officers=["o3"])), "officer-unit-mismatch")


def test_only_the_officer_in_charge_is_checked() -> None:
    doc = flow(lambda d: step(d, "s2").update(officers=["o2", "o1"]))
    assert findings(doc, "officer-unit-mismatch") == []


def test_unit_parent_cycle_does_not_hang() -> None:
    # The loader refuses such a document; a FlowDocument built in code may still hold one.
    doc = flow()
    units = list(doc.units)
    units[1] = dataclasses.replace(units[1], parent="svh-qlvh")
    assert findings(dataclasses.replace(doc, units=tuple(units)), "officer-unit-mismatch") == []
