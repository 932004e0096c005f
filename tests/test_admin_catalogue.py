"""The catalogue through the admin forms: fields, procedures and their dossier components.

Each form round trip goes to the database and the journal, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support.admin_site import (
    IN_USE,
    Site,
    journal,
    messages,
    one_id,
    round_trip,
)

from workflow_model.models import (
    DossierComponent,
    Field,
    Level,
    Procedure,
)


def test_field_round_trip(site: Site) -> None:
    round_trip(
        site,
        site.browser("admin"),
        "field",
        Field,
        "field",
        create={"name": "Hộ tịch"},
        created={"name": "Hộ tịch"},
        edit={"name": "Hộ tịch – Chứng thực"},
        edited={"name": "Hộ tịch – Chứng thực"},
        shown=("/field/", "Hộ tịch", "Hộ tịch – Chứng thực"),
    )


def component(index: int, key: str, name: str, **more: Any) -> dict[str, Any]:
    """The inline form fields of a dossier component, as the page's "add" button makes them."""
    values = {"id": "", "key": key, "name": name, "originals": 1, "copies": 0}
    values |= {"form_name": "", "position": index} | more
    return {f"dossier_components-{index}-{field}": value for field, value in values.items()}


def test_procedure_round_trip_with_a_dossier_component(site: Site) -> None:
    admin = site.browser("admin")
    with site.session() as s:
        province = one_id(s, sa.select(Level.id).where(Level.key == "province"))
        field = one_id(s, sa.select(Field.id).order_by(Field.id))
    basis = [
        "Nghị định 123/2015/NĐ-CP ngày 15/11/2015 quy định chi tiết Luật Hộ tịch",
        "Thông tư 04/2020/TT-BTP",
    ]
    fees = [
        {"name": "Lệ phí cấp bản sao", "amount": 8000, "currency": "đồng/bản"},
        {"name": "Phí gửi kết quả", "amount": 0.5, "currency": "VND", "note": "qua bưu chính"},
    ]
    create = {
        "code": "2.000635",
        "name": "Cấp bản sao trích lục hộ tịch",
        "level": province,
        "field": field,
        "result": "Bản sao trích lục hộ tịch",
        # The rows as the list editors' "add" buttons make them (number, date, title).
        "legal_basis-0-number": "Nghị định 123/2015/NĐ-CP",
        "legal_basis-0-date": "15/11/2015",
        "legal_basis-0-title": "quy định chi tiết Luật Hộ tịch",
        "legal_basis-1-number": "Thông tư 04/2020/TT-BTP",
        "fees-0-name": "Lệ phí cấp bản sao",
        "fees-0-amount": "8.000",
        "fees-0-currency": "đồng/bản",
        "fees-1-name": "Phí gửi kết quả",
        "fees-1-amount": "0,5",
        "fees-1-currency": "VND",
        "fees-1-note": "qua bưu chính",
        "accepts_online": "y",
    } | component(0, "d1", "Tờ khai đề nghị cấp bản sao", form_name="Mẫu TK-01")
    response = admin.submit("/procedure/new/", create)
    assert response.status_code == 302, messages(response)
    assert "Cấp bản sao trích lục hộ tịch" in admin.text("/procedure/?search=2.000635")
    with site.session() as s:
        procedure = s.scalars(sa.select(Procedure).where(Procedure.code == "2.000635")).one()
        assert (procedure.name, procedure.level_id, procedure.field_id) == (
            "Cấp bản sao trích lục hộ tịch",
            province,
            field,
        )
        assert (procedure.legal_basis, procedure.fees) == (basis, fees)
        assert (procedure.accepts_direct, procedure.accepts_online) == (True, True)
        assert [(c.key, c.name, c.form_name) for c in procedure.dossier_components] == [
            ("d1", "Tờ khai đề nghị cấp bản sao", "Mẫu TK-01")
        ]
        procedure_id = procedure.id
    [created] = journal(site, "procedure", procedure_id)
    assert created.action == "create" and created.before is None
    assert created.after["name"] == "Cấp bản sao trích lục hộ tịch"
    assert created.after["legal_basis"] == basis and created.after["fees"] == fees
    assert [c["name"] for c in created.after["dossier_components"]] == [
        "Tờ khai đề nghị cấp bản sao"
    ]

    edit = {"name": "Cấp bản sao trích lục hộ tịch (trực tuyến)"} | component(
        1, "d2", "Giấy tờ tùy thân của người yêu cầu", originals=0, copies=1
    )
    response = admin.submit(f"/procedure/edit/?id={procedure_id}", edit)
    assert response.status_code == 302, messages(response)
    assert "(trực tuyến)" in admin.text("/procedure/?search=2.000635")
    with site.session() as s:
        procedure = s.get(Procedure, procedure_id)
        assert procedure.name == "Cấp bản sao trích lục hộ tịch (trực tuyến)"
        # The form opened with the rows and sent them back as they were.
        assert (procedure.legal_basis, procedure.fees) == (basis, fees)
        assert [(c.key, c.originals, c.copies) for c in procedure.dossier_components] == [
            ("d1", 1, 0),
            ("d2", 0, 1),
        ]
    details = admin.text(f"/procedure/details/?id={procedure_id}")
    assert "<li>Nghị định 123/2015/NĐ-CP ngày 15/11/2015 quy định chi tiết Luật Hộ tịch</li>" in (
        details
    )
    assert "<li>Lệ phí cấp bản sao: 8.000 đồng/bản</li>" in details
    assert "<li>Phí gửi kết quả: 0,5 VND (qua bưu chính)</li>" in details
    assert '"currency"' not in details
    update = journal(site, "procedure", procedure_id)[-1]
    assert update.action == "update"
    assert update.before["name"] == "Cấp bản sao trích lục hộ tịch"
    assert update.after["name"] == "Cấp bản sao trích lục hộ tịch (trực tuyến)"
    assert [c["key"] for c in update.before["dossier_components"]] == ["d1"]
    assert [c["key"] for c in update.after["dossier_components"]] == ["d1", "d2"]

    response = admin.delete("procedure", procedure_id)
    assert IN_USE not in messages(response)
    with site.session() as s:
        assert s.get(Procedure, procedure_id) is None
        assert (
            s.scalars(
                sa.select(DossierComponent).where(DossierComponent.procedure_id == procedure_id)
            ).all()
            == []
        )
    deleted = journal(site, "procedure", procedure_id)[-1]
    assert deleted.action == "delete" and deleted.before["code"] == "2.000635"
