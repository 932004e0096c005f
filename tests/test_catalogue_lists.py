"""A procedure's legal basis and fees as rows, and the fee's note in the flow document."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import sample_paths
from hypothesis import given
from hypothesis import strategies as st

from workflow_model.conversion.catalogue_lists import (
    LegalReference,
    compose_reference,
    date_problem,
    fee_entry,
    fee_row,
    parse_reference,
)
from workflow_model.document import Fee, document_hash, dump_document, load_document
from workflow_model.document.loader import DocumentError


def _texts() -> list[str]:
    return [
        text
        for path in sample_paths()
        for text in json.loads(path.read_text("utf-8"))["procedure"]["legal_basis"]
    ]


def test_every_demo_legal_text_splits_and_composes_back_unchanged() -> None:
    texts = _texts()
    assert texts
    split = [parse_reference(text) for text in texts]
    assert [compose_reference(reference) for reference in split] == texts
    # Most of them are read as number, date and title, as a person would type them.
    assert sum(bool(r.number and r.date and r.title) for r in split) >= len(texts) // 2
    assert parse_reference(
        "Nghị định số 85/2013/NĐ-CP ngày 29/7/2013 của Chính phủ quy định chi tiết"
    ) == LegalReference(
        "Nghị định số 85/2013/NĐ-CP", "29/7/2013", "của Chính phủ quy định chi tiết"
    )


@given(
    st.text(st.sampled_from("Nghịđn số 0123456789/NĐ-CP ngày,.\n"), max_size=60)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
)
def test_a_text_is_split_only_when_nothing_is_lost(text: str) -> None:
    reference = parse_reference(text)
    if reference.number:
        assert compose_reference(reference) == text
    else:
        assert reference == LegalReference(title=text)


def test_a_row_composes_the_text_a_person_reads() -> None:
    row = LegalReference("Nghị định 118/2025/NĐ-CP", "09/6/2025", "về thủ tục hành chính")
    assert compose_reference(row) == "Nghị định 118/2025/NĐ-CP ngày 09/6/2025 về thủ tục hành chính"
    assert parse_reference(compose_reference(row)) == row
    assert compose_reference(LegalReference(title="Luật Hộ tịch 2014")) == "Luật Hộ tịch 2014"
    assert [date_problem(d) for d in ("", "9/6/2025", "29/02/2025", "9-6-2025")] == [
        False,
        False,
        True,
        True,
    ]


def test_fee_rows_keep_a_note_only_when_given() -> None:
    plain = Fee("Lệ phí", 8000, "VND")
    noted = Fee("Phí gửi kết quả", 0.5, "đồng/lượt", "qua bưu chính")
    assert fee_row(plain) == {"name": "Lệ phí", "amount": 8000, "currency": "VND"}
    assert fee_row(noted)["note"] == "qua bưu chính"
    assert [fee_entry(fee_row(fee)) for fee in (plain, noted)] == [plain, noted]
    assert fee_entry({"name": "Lệ phí", "amount": 0}) == Fee("Lệ phí", 0)


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.stem)
def test_a_fee_note_loads_and_dumps_and_older_documents_keep_their_hash(path) -> None:
    raw = path.read_bytes()
    doc = load_document(raw)
    # Documents written before fees had notes dump to the same bytes as before.
    assert all("note" not in fee for fee in json.loads(dump_document(doc))["procedure"]["fees"])
    noted = replace(
        doc,
        procedure=replace(doc.procedure, fees=(Fee("Lệ phí", 10000, "VND", "mỗi bản sao"),)),
    )
    again = load_document(dump_document(noted))
    assert again.procedure.fees[0].note == "mỗi bản sao"
    assert document_hash(again) == document_hash(noted) != document_hash(doc)


def test_an_overlong_fee_note_is_refused_with_its_path() -> None:
    data = json.loads(sample_paths()[0].read_bytes())
    data["procedure"]["fees"] = [{"name": "Lệ phí", "amount": 0, "note": "x" * 1001}]
    with pytest.raises(DocumentError, match=r"procedure\.fees\[0\]\.note"):
        load_document(json.dumps(data).encode())
