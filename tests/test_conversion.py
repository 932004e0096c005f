"""Document → database → document, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import sample_paths
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow_model.conversion import create_draft_from_document, document_from_version
from workflow_model.document import DocumentError, dump_document, load_document
from workflow_model.models import (
    AuditEvent,
    Base,
    FlowVersion,
    Officer,
    Procedure,
    ProcedureCase,
    Unit,
    VersionStatus,
)

SAMPLES = sample_paths()


def row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def sample(name: str):
    return load_document((Path(SAMPLES[0]).parent / name).read_bytes())


def test_every_demo_flow_round_trips_exactly(session: Session) -> None:
    stored = []
    for path in SAMPLES:
        doc = load_document(path.read_bytes())
        stored.append((path.name, doc, create_draft_from_document(session, doc, None).id))
    session.expire_all()
    for name, doc, version_id in stored:
        version = session.get(FlowVersion, version_id)
        assert version is not None
        again = document_from_version(session, version)
        assert again == doc, name
        assert dump_document(again) == dump_document(doc), name


def test_new_draft_is_numbered_per_case(session: Session) -> None:
    doc = sample("bacninh-1_009646_H05-1.json")
    first = create_draft_from_document(session, doc, None)
    other_case = create_draft_from_document(session, sample("bacninh-1_009646_H05-2.json"), None)
    assert (first.number, other_case.number) == (1, 1)
    assert first.status is VersionStatus.DRAFT
    procedure = session.execute(sa.select(Procedure)).scalar_one()
    assert [case.key for case in procedure.cases] == ["2.1", "2.2"]
    # The same directory rows are reused, not duplicated, by the second case's import.
    assert session.execute(sa.select(sa.func.count()).select_from(Unit)).scalar_one() == 6


def test_procedure_without_cases_gets_the_default_case(session: Session) -> None:
    version = create_draft_from_document(session, sample("caobang-1_004944-1.json"), None)
    case = session.get(ProcedureCase, version.case_id)
    assert case is not None and case.is_default
    assert document_from_version(session, version).procedure.case is None


def test_units_with_the_same_key_but_different_content_stay_apart(session: Session) -> None:
    caobang = create_draft_from_document(session, sample("caobang-1_004944-1.json"), None)
    vinhlong = create_draft_from_document(session, sample("vinhlong-3_000527_H61-1.json"), None)
    names = {
        version.id: {u.key: u.name for u in document_from_version(session, version).units}
        for version in (caobang, vinhlong)
    }
    assert names[caobang.id]["tt"] != names[vinhlong.id]["tt"]
    codes = session.execute(sa.select(Unit.code).where(Unit.code.in_(["tt", "tt-2"])))
    assert sorted(codes.scalars()) == ["tt", "tt-2"]


def test_matched_officer_takes_the_newer_contacts_and_it_is_journaled(session: Session) -> None:
    doc = sample("caobang-1_004944-1.json")
    create_draft_from_document(session, doc, None)
    officer = doc.officers[0]
    moved = dataclasses.replace(officer, phone="0206 3999 999")
    # Another procedure, since the first one's case has an open draft now.
    changed = dataclasses.replace(
        doc,
        officers=(moved, *doc.officers[1:]),
        procedure=dataclasses.replace(doc.procedure, code="1.004944.khac"),
    )
    create_draft_from_document(session, changed, None)
    row = session.execute(sa.select(Officer).where(Officer.email == officer.email)).scalar_one()
    assert row.phone == "0206 3999 999"
    event = session.execute(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "officer", AuditEvent.action == "update"
        )
    ).scalar_one()
    assert event.before["phone"] == officer.phone and event.after["phone"] == "0206 3999 999"


def test_import_is_journaled_with_the_document_hash(session: Session) -> None:
    from workflow_model.document import document_hash

    doc = sample("hatinh-1_013871-1.json")
    version = create_draft_from_document(session, doc, None)
    event = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "import")).scalar_one()
    assert event.entity_id == str(version.id)
    assert event.after["sha256"] == document_hash(doc)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: {"steps": (dataclasses.replace(d.steps[0], unit="nowhere"), *d.steps[1:])},
            "steps[0].unit: unknown unit 'nowhere'",
        ),
        (
            lambda d: {"steps": (dataclasses.replace(d.steps[0], officers=("o99",)), *d.steps[1:])},
            "steps[0].officers[0]: unknown officer 'o99'",
        ),
        (
            lambda d: {
                "steps": (dataclasses.replace(d.steps[0], documents=("d99",)), *d.steps[1:])
            },
            "steps[0].documents[0]: unknown dossier component 'd99'",
        ),
        (
            lambda d: {
                "transitions": (*d.transitions, dataclasses.replace(d.transitions[0], target="s99"))
            },
            "transitions[9].to: unknown step 's99'",
        ),
        (
            lambda d: {"transitions": (*d.transitions, d.transitions[0])},
            "transitions[9]: duplicate transition",
        ),
        (lambda d: {"steps": (*d.steps, d.steps[0])}, "steps[9].key: duplicate key 's1'"),
        (
            lambda d: {
                "officers": (dataclasses.replace(d.officers[0], unit="nowhere"), *d.officers[1:])
            },
            "officers[0].unit: unknown unit 'nowhere'",
        ),
        (
            lambda d: {
                "units": (
                    dataclasses.replace(d.units[0], parent=d.units[1].key),
                    dataclasses.replace(d.units[1], parent=d.units[0].key),
                    *d.units[2:],
                )
            },
            "the units' parents form a cycle",
        ),
    ],
)
def test_document_with_broken_references_writes_nothing(
    session: Session,
    change,
    expected: str,
) -> None:
    doc = sample("hatinh-1_013871-1.json")
    broken = dataclasses.replace(doc, **change(doc))
    before = row_counts(session)
    with pytest.raises(DocumentError) as caught:
        create_draft_from_document(session, broken, None)
    assert expected in str(caught.value)
    assert row_counts(session) == before


def test_two_officers_with_one_email_are_refused(session: Session) -> None:
    doc = sample("caobang-1_008603-1.json")
    clash = dataclasses.replace(doc.officers[1], email=doc.officers[0].email, name="Người khác")
    broken = dataclasses.replace(doc, officers=(doc.officers[0], clash, *doc.officers[2:]))
    before = row_counts(session)
    with pytest.raises(DocumentError, match=r"officers\[1\]\.email: .* is already officers\[0\]'s"):
        create_draft_from_document(session, broken, None)
    assert row_counts(session) == before


def test_failure_half_way_rolls_everything_back(session: Session) -> None:
    create_draft_from_document(session, sample("caobang-1_004944-1.json"), None)
    before = row_counts(session)
    doc = sample("caobang-1_008603-1.json")
    # The loader takes any duration ≥ 0; the database's range check refuses this one
    # only when the steps are written, after the procedure, units and officers.
    absurd = dataclasses.replace(
        doc.steps[-1], duration=dataclasses.replace(doc.steps[-1].duration, value=1e9)
    )
    broken = dataclasses.replace(doc, steps=(*doc.steps[:-1], absurd))
    with pytest.raises(IntegrityError):
        create_draft_from_document(session, broken, None)
    assert row_counts(session) == before


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"name": "B\xe1n nh\xe1p"}', b'{"format": "sodo.flow/2"}', b"[]"],
    ids=["invalid-json", "not-utf8", "format-2", "not-an-object"],
)
def test_malformed_document_is_refused_before_anything_is_written(
    session: Session, raw: bytes
) -> None:
    before = row_counts(session)
    with pytest.raises(DocumentError):
        create_draft_from_document(session, load_document(raw), None)
    assert row_counts(session) == before


def test_a_new_procedure_takes_the_agency_its_process_hands_the_dossier_to(
    session: Session,
) -> None:
    version = create_draft_from_document(session, sample("hatinh-1_013871-1.json"), None)
    procedure = version.case.procedure
    assert procedure.lead_unit is not None and procedure.lead_unit.name == "Sở Y tế tỉnh Hà Tĩnh"
    events = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_id == str(procedure.id))
    ).all()
    # Set through the journaled catalogue service: the journal shows the change.
    assert [
        e
        for e in events
        if e.before is not None
        and e.before.get("lead_unit_id") is None
        and (e.after or {}).get("lead_unit_id") == procedure.lead_unit.id
    ]


def test_an_administrators_lead_unit_is_kept(session: Session) -> None:
    first = create_draft_from_document(session, sample("bacninh-1_009646_H05-1.json"), None)
    procedure = first.case.procedure
    chosen = session.scalar(sa.select(Unit).where(Unit.one_stop.is_(True)))
    assert chosen is not None and chosen != procedure.lead_unit
    procedure.lead_unit = chosen
    session.commit()
    create_draft_from_document(session, sample("bacninh-1_009646_H05-2.json"), None)
    session.expire_all()
    assert session.get(Procedure, procedure.id).lead_unit == chosen  # type: ignore[union-attr]


def test_a_process_only_at_the_one_stop_desk_names_no_agency(session: Session) -> None:
    def desk_only(doc):
        desk = next(u.key for u in doc.units if u.one_stop)
        return dataclasses.replace(
            doc, steps=tuple(dataclasses.replace(s, unit=desk) for s in doc.steps)
        )

    version = create_draft_from_document(session, desk_only(sample("hatinh-1_013871-1.json")), None)
    assert version.case.procedure.lead_unit is None
